import GatewayCore

/// A numeric-edited PICTURE (`ZZ,ZZ9.99CR`, `$$$,$$9.99`, `+999.99`, `9(8).9(2)`): display digits
/// with insertion characters, zero suppression and a printed sign or currency symbol.
///
/// ```
/// PIC -ZZ,ZZ9.99  for -1234.5:   "- 1,234.50"      PIC ZZZ9.99CR for -12.3:  "  12.30CR"
/// PIC $$$,$$9.99  for 12.3:      "    $12.30"      PIC ***9.99   for 1.5:    "***1.50"
/// ```
public struct EditedPicture: Sendable, Hashable {
    enum Symbol: Sendable, Hashable {
        /// A digit position: `9` always printed; `Z`, `*` and floating symbols suppress leading zeros.
        case digit(suppress: Character?)
        /// The first symbol of a floating string (`$$$9`, `+++9`, `---9`): printed left of the first digit.
        case floating(Character)
        /// `+` or `-` printed once, leading or trailing.
        case sign(Character)
        case creditDebit(String)
        case point
        /// `,`, `B` (space), `0`, `/`: inserted as they are once digits have started.
        case insertion(Character)
        /// A currency sign printed in its fixed place.
        case currency
    }

    let symbols: [Symbol]
    public let digits: Int
    public let scale: Int
    /// Characters in the field (CR and DB take two).
    public let size: Int
    public let picture: String

    /// Parses an expanded symbol list; nil if it is not a numeric-edited picture.
    init?(symbols raw: [Character], picture: String) {
        var symbols: [Symbol] = []
        var digits = 0
        var scale = 0
        var afterPoint = false
        var size = 0
        let floatingCharacter = ["$", "+", "-"].first { symbol in raw.filter { $0 == symbol }.count > 1 }
        var seenFloating = false
        var index = 0
        while index < raw.count {
            let symbol = raw[index]
            index += 1
            switch symbol {
            case "9":
                symbols.append(.digit(suppress: nil))
            case "Z", "*":
                symbols.append(.digit(suppress: symbol == "Z" ? " " : "*"))
            case let character where character == floatingCharacter:
                if seenFloating {
                    symbols.append(.digit(suppress: " "))
                } else {
                    seenFloating = true
                    symbols.append(.floating(character))
                    size += 1
                    continue
                }
            case "+", "-":
                symbols.append(.sign(symbol))
                size += 1
                continue
            case "$":
                symbols.append(.currency)
                size += 1
                continue
            case "C" where index < raw.count && raw[index] == "R", "D" where index < raw.count && raw[index] == "B":
                symbols.append(.creditDebit(String([symbol, raw[index]])))
                index += 1
                size += 2
                continue
            case ".":
                guard !afterPoint else { return nil }
                afterPoint = true
                symbols.append(.point)
                size += 1
                continue
            case "V":
                guard !afterPoint else { return nil }
                afterPoint = true
                continue
            case ",", "B", "0", "/":
                symbols.append(.insertion(symbol))
                size += 1
                continue
            default:
                return nil
            }
            digits += 1
            size += 1
            if afterPoint { scale += 1 }
        }
        guard digits > 0, digits <= ExactDecimal.maximumDigits else { return nil }
        self.symbols = symbols
        self.digits = digits
        self.scale = scale
        self.size = size
        self.picture = picture
    }

    /// Reads the printed value as text: spaces, currency signs, commas and `*` fill are ignored; a
    /// minus sign, CR or DB makes it negative; an explicit point places the decimals (else the
    /// picture's scale applies); an all-blank field is zero (BLANK WHEN ZERO).
    func decode(_ text: [Character]) throws(FieldDecodingError) -> ExactDecimal {
        var negative = false
        var number = ""
        var index = 0
        var sawPoint = false
        while index < text.count {
            let character = text[index]
            index += 1
            switch character {
            case "0"..."9": number.append(character)
            case ".":
                guard !sawPoint else { throw FieldDecodingError(reason: "two decimal points in \(picture)") }
                sawPoint = true
                number.append(".")
            case "-": negative = true
            case "C" where index < text.count && text[index] == "R", "D" where index < text.count && text[index] == "B":
                negative = true
                index += 1
            case " ", "+", "$", ",", "*", "/": continue
            default: throw FieldDecodingError(reason: "'\(character)' is not part of a number printed as \(picture)")
            }
        }
        if number.isEmpty || number == "." { return ExactDecimal(significand: 0, scale: scale) }
        guard var value = ExactDecimal(number) else { throw FieldDecodingError(reason: "too many digits for \(picture)") }
        if !sawPoint { value = ExactDecimal(significand: value.significand, scale: scale) }
        if negative { value.significand = -value.significand }
        return value.rescaled(to: scale) ?? value
    }

    /// Prints `value` the way COBOL's MOVE to this picture does.
    func encode(_ value: ExactDecimal) -> [Character] {
        let magnitude = value.magnitudeDigits.drop { $0 == 0 }
        let padded = Array(repeating: UInt8(0), count: max(0, digits - magnitude.count)) + magnitude.suffix(digits)
        var out: [Character] = []
        var digitIndex = 0
        var suppressing = true
        var floatingSlot: Int?
        var floatingCharacter: Character = " "
        var fill: Character = " "
        for symbol in symbols {
            switch symbol {
            case .digit(let suppress):
                let digit = padded[digitIndex]
                let fractional = digitIndex >= digits - scale
                digitIndex += 1
                if suppressing, let suppress, digit == 0, !fractional {
                    fill = suppress
                    if floatingCharacter != " " { floatingSlot = out.count }
                    out.append(suppress)
                } else {
                    suppressing = false
                    out.append(Character(String(digit)))
                }
            case .floating(let character):
                floatingCharacter = character
                floatingSlot = out.count
                out.append(" ")
            case .sign(let character):
                out.append(value.isNegative ? "-" : (character == "+" ? "+" : " "))
            case .creditDebit(let text):
                out.append(contentsOf: value.isNegative ? Array(text) : [" ", " "])
            case .point:
                suppressing = false
                out.append(".")
            case .insertion(let character):
                if suppressing {
                    if floatingCharacter != " " { floatingSlot = out.count }
                    out.append(fill)
                } else {
                    out.append(character == "B" ? " " : character)
                }
            case .currency:
                out.append("$")
            }
        }
        if let slot = floatingSlot {
            switch floatingCharacter {
            case "$": out[slot] = "$"
            case "+": out[slot] = value.isNegative ? "-" : "+"
            case "-": out[slot] = value.isNegative ? "-" : " "
            default: break
            }
        }
        return out
    }
}

extension EditedPicture.Symbol {
    var width: Int {
        switch self {
        case .creditDebit: return 2
        default: return 1
        }
    }
}
