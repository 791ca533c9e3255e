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
}
