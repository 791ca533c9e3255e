import GatewayCore

/// Delimited text (RFC 4180) as a file layout's format: the record types, structure and control
/// totals of a `FileLayout` apply unchanged; only the way a record's fields sit on its line differs.
///
/// ```
/// H,20261127,PAYROLL                    record type told by a column's value (when: {column: 1, equals: H})
/// D,PAY0001,"Tremblay, Anne",1250.00    quoted where a value holds the delimiter or a quote ("" inside)
/// T,1,1250.00
/// ```
///
/// Numbers are plain decimal text (`-12.5`, `0.05`): exact, never binary floating point. A quoted
/// value may span lines.
public struct CSVFormat: Sendable {
    public let delimiter: Unicode.Scalar
    /// The first line names the columns (the `heading` of each field of the only record type).
    public let headerRow: Bool
    /// Lines end with CR LF (RFC 4180) rather than LF.
    public let crlf: Bool
    /// Numbers are written `1250,00` (French and most European exports, with `;` between values).
    public let decimalComma: Bool

    /// The longest record accepted: a quote never closed must not make the decoder hold a whole file.
    public static let maximumRecordLength = 1 << 20

    public init(delimiter: Unicode.Scalar = ",", headerRow: Bool = false, crlf: Bool = false, decimalComma: Bool = false) {
        self.delimiter = delimiter
        self.headerRow = headerRow
        self.crlf = crlf
        self.decimalComma = decimalComma
    }

    /// A field's place on the line, with the codec that checks its value (text or number).
    public struct Column: Sendable {
        /// From 0.
        public let index: Int
        public let heading: String
        /// Name, codec (`alphanumeric` or `zoned`: a length and, for numbers, scale and sign) and trim.
        public let node: LayoutNode
    }

    /// Where a scan for the end of a record stands: a quoted value may hold line breaks, so a
    /// record ends at the first line end outside quotes. Kept between lines so that each byte is
    /// looked at once.
    struct Scan: Sendable {
        var position = 0
        var quoted = false
        var valueStart = true

        mutating func advance(over bytes: [UInt8], delimiter: UInt8, quote: UInt8) {
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if quoted {
                    guard byte == quote else { continue }
                    if position < bytes.count, bytes[position] == quote {
                        position += 1  // "" inside a quoted value
                    } else {
                        quoted = false
                        valueStart = false
                    }
                } else if byte == delimiter {
                    valueStart = true
                } else {
                    quoted = byte == quote && valueStart
                    valueStart = false
                }
            }
        }
    }

    /// How a line splits: its values, or the line is not finished (a quoted value goes on), or why
    /// it cannot be read.
    enum Split {
        case values([(start: Int, bytes: [UInt8])])
        case unfinished
        case malformed(offset: Int, reason: String)
    }

    /// Splits `line` at the delimiter (one byte in the file's code page), honouring quotes: a value
    /// that starts with a quote runs to the closing quote, `""` inside is one quote. A quote inside
    /// an unquoted value is kept as it is (`12" pipe`), as most writers mean it.
    static func split(_ line: [UInt8], delimiter: UInt8, quote: UInt8) -> Split {
        var values: [(start: Int, bytes: [UInt8])] = []
        var index = 0
        while true {
            let start = index
            var value: [UInt8] = []
            if index < line.count, line[index] == quote {
                index += 1
                while true {
                    guard index < line.count else { return .unfinished }
                    if line[index] == quote {
                        if index + 1 < line.count, line[index + 1] == quote {
                            value.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    value.append(line[index])
                    index += 1
                }
                if index < line.count, line[index] != delimiter {
                    return .malformed(offset: index, reason: "text after the closing quote of value \(values.count + 1)")
                }
            } else {
                while index < line.count, line[index] != delimiter {
                    value.append(line[index])
                    index += 1
                }
            }
            values.append((start, value))
            guard index < line.count else { return .values(values) }
            index += 1  // the delimiter
        }
    }

    /// A value's text: UTF-8 checked, or each byte through the code page.
    static func text(_ bytes: [UInt8], codePage: CodePage, utf8: Bool) -> String? {
        if utf8 { return String(validating: bytes, as: UTF8.self) }
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(codePage.character(byte)) }
        return String(text)
    }

    /// The JSON value of one column's text. `invalidValues` says what an empty or bad number becomes.
    func decode(
        _ text: String, _ column: Column, invalidValues: RecordLayout.InvalidValuePolicy
    ) throws(FieldDecodingError) -> JSONValue {
        switch column.node.codec {
        case .alphanumeric(let length)?:
            let value: String
            switch column.node.trim ?? .none {
            case .none: value = text
            case .right: value = String(text.reversed().drop { $0 == " " }.reversed())
            case .both: value = text.trimmingCharacters(" ")
            }
            let count = value.unicodeScalars.count
            guard count <= length else {
                throw FieldDecodingError(reason: "\(count) characters, longer than the field's \(length)")
            }
            return .string(value)
        case .zoned(let digits, let scale, let signed)?:
            let number = text.trimmingCharacters(" ")
            do throws(FieldEncodingError) {
                guard !number.isEmpty else { throw FieldEncodingError(reason: LocalizedText(en: "no value", fr: "aucune valeur")) }
                if decimalComma, number.contains(".") {
                    throw FieldEncodingError(reason: LocalizedText(
                        en: "'\(number)' has a decimal point; this file's numbers are written with a comma",
                        fr: "« \(number) » a un point décimal ; les nombres de ce fichier s’écrivent avec une virgule"))
                }
                let plain = decimalComma ? String(number.map { $0 == "," ? "." : $0 }) : number
                return .number(try FieldCodec.fit(.string(plain), digits: digits, scale: scale, signed: signed).description)
            } catch {
                switch invalidValues {
                case .error: throw FieldDecodingError(reason: error.reason.en)
                case .null: return .null
                case .raw: return .string(text)
                case .zero:
                    guard number.isEmpty else { throw FieldDecodingError(reason: error.reason.en) }
                    return .number(ExactDecimal(significand: 0, scale: scale).description)
                }
            }
        default:
            throw FieldDecodingError(reason: "not a CSV column")
        }
    }

    /// One column's text from a JSON value; missing and null values are empty.
    func encode(_ value: JSONValue?, _ column: Column) throws(FieldEncodingError) -> String {
        guard let value, value != .null else { return "" }
        switch column.node.codec {
        case .alphanumeric(let length)?:
            let text = try FieldCodec.text(value)
            try FieldCodec.check(text.unicodeScalars.count, fits: length, unit: ("characters", "caractères"))
            return text
        case .zoned(let digits, let scale, let signed)?:
            let number = try FieldCodec.fit(value, digits: digits, scale: scale, signed: signed).description
            return decimalComma ? String(number.map { $0 == "." ? "," : $0 }) : number
        default:
            throw FieldEncodingError(reason: LocalizedText(en: "not a CSV column", fr: "pas une colonne CSV"))
        }
    }

    /// One line (without its ending) from the values of its columns, quoted where needed. A line
    /// that would be empty is `""`, so that it reads back as a record, not as a blank line.
    func line(_ values: [String]) -> String {
        if values.allSatisfy({ $0.unicodeScalars.allSatisfy { $0 == " " } }), values.count == 1 { return "\"" + values[0] + "\"" }
        return values.map { value in
            guard value.unicodeScalars.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
            // Scalar by scalar: a quote followed by a combining mark is one Character, not a quote.
            var quoted = String.UnicodeScalarView(["\""])
            for scalar in value.unicodeScalars {
                quoted.append(scalar)
                if scalar == "\"" { quoted.append(scalar) }
            }
            quoted.append("\"")
            return String(quoted)
        }.joined(separator: String(delimiter))
    }
}
