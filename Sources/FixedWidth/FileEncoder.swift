import GatewayCore

/// Writes records of a declared file from JSON objects as `FileDecoder` produces them
/// (`{"recordType": …, fields…}`): the type code goes where the layout's rule reads it.
public enum FileEncoder {
    /// One record, without a line ending. Text longer than its field, a number that does not fit
    /// or an unknown record type is an error naming the field.
    public static func encode(_ object: JSONObject, layout: FileLayout) throws(RecordEncodingError) -> [UInt8] {
        guard let typeName = object["recordType"]?.scalarText, let type = layout.recordType(named: typeName) else {
            throw RecordEncodingError(field: "recordType", reason: LocalizedText(
                en: "expected one of \(layout.recordTypes.map(\.name).joined(separator: ", "))",
                fr: "valeur attendue parmi \(layout.recordTypes.map(\.name).joined(separator: ", "))"))
        }
        var fields = JSONObject()
        for (key, value) in object where key != "recordType" { fields[key] = value }
        if let csv = layout.csv { return try encodeCSV(fields, type: type, csv: csv, layout: layout) }
        var recordLayout = type.layout
        var characters: [UInt16] = []
        if layout.isUTF8 {
            // One byte per character, as decoding reads UTF-8: non-ASCII characters get codes 0x80….
            var seen: Set<UInt32> = []
            func collect(_ value: JSONValue) {
                switch value {
                case .string(let text):
                    for scalar in text.unicodeScalars where scalar.value >= 0x80 && seen.insert(scalar.value).inserted {
                        // Beyond the Basic Multilingual Plane (emoji): refused below.
                        characters.append(scalar.value <= 0xFFFF ? UInt16(scalar.value) : 0xFFFD)
                    }
                case .array(let items): items.forEach(collect)
                case .object(let inner): inner.forEach { collect($0.value) }
                default: break
                }
            }
            collect(.object(fields))
            guard !characters.contains(0xFFFD) else {
                throw RecordEncodingError(field: typeName, reason: LocalizedText(
                    en: "a character beyond U+FFFF (or U+FFFD itself) cannot be written in a fixed-width text file",
                    fr: "un caractère au-delà de U+FFFF (ou U+FFFD) ne peut pas être écrit dans un fichier texte à largeur fixe"))
            }
            guard characters.count <= 128 else {
                throw RecordEncodingError(field: typeName, reason: LocalizedText(
                    en: "more than 128 different non-ASCII characters in one record",
                    fr: "plus de 128 caractères non ASCII différents dans un enregistrement"))
            }
            recordLayout.codePage = CodePage.ascii(with: characters)
        }
        var bytes = try recordLayout.encode(fields)
        if let fill = type.fill {
            for index in type.offset..<bytes.count { bytes[index] = fill }
        } else {
            bytes.replaceSubrange(type.offset..<(type.offset + type.value.count), with: type.value)
        }
        guard !characters.isEmpty else { return bytes }
        return Array(String(decoding: bytes.map { $0 < 0x80 ? UInt16($0) : characters[Int($0) - 0x80] }, as: UTF16.self).utf8)
    }

    /// A CSV line: each column's value checked by its codec (length, digits, scale, sign), then
    /// quoted where it holds the delimiter or a quote.
    private static func encodeCSV(
        _ fields: JSONObject, type: FileLayout.RecordType, csv: CSVFormat, layout: FileLayout
    ) throws(RecordEncodingError) -> [UInt8] {
        for (key, _) in fields where !type.columns.contains(where: { $0.node.name == key }) {
            throw RecordEncodingError(field: key, reason: LocalizedText(en: "no such field", fr: "champ inexistant"))
        }
        var values = Array(repeating: "", count: (type.columns.map(\.index) + [type.matchColumn ?? 0]).max()! + 1)
        if let column = type.matchColumn { values[column] = type.matchText }
        for column in type.columns {
            do throws(FieldEncodingError) {
                values[column.index] = try csv.encode(fields[column.node.name], column)
            } catch {
                throw RecordEncodingError(field: column.node.name, reason: error.reason)
            }
            if !layout.isUTF8, let missing = values[column.index].unicodeScalars.first(where: { layout.codePage.byte($0) == nil }) {
                throw RecordEncodingError(field: column.node.name, reason: LocalizedText(
                    en: "'\(missing)' has no equivalent in \(layout.codePage.name)",
                    fr: "« \(missing) » n’a pas d’équivalent en \(layout.codePage.name)"))
            }
        }
        return bytes(csv.line(values), codePage: layout.codePage, utf8: layout.isUTF8)
    }

    /// Text in the file's encoding; characters the code page lacks (checked before) become '?'.
    static func bytes(_ text: String, codePage: CodePage, utf8: Bool) -> [UInt8] {
        utf8 ? Array(text.utf8) : text.unicodeScalars.map { codePage.byte($0) ?? codePage.byte("?")! }
    }
}
