import GatewayCore

/// A record that could not be decoded: which field, where, the raw bytes and why.
public struct RecordDecodingError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var offset: Int
    public var hex: String
    public var reason: String

    public var description: String { "\(field) at byte \(offset) [\(hex)]: \(reason)" }
}

extension RecordLayout {
    /// The number of bytes a record occupies, given its bytes (a trailing `DEPENDING ON` table
    /// shrinks it); nil if the counter itself cannot be read.
    public func actualLength(of bytes: UnsafeRawBufferPointer) -> Int? {
        guard let table = dependingOnTable else { return root.size }
        guard let counterName = table.dependingOn, let counter = fields[counterName],
            bytes.count >= absoluteOffset(of: counterName) + counter.size,
            let count = try? occurrenceCount(of: table, counter: counter, bytes)
        else { return nil }
        return absoluteOffset(of: table.name) + table.size * count
    }

    /// Decodes a whole record into a JSON object keyed by JSON names (FILLER left out).
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> JSONObject {
        let excluded = try excludedSegments(bytes)
        var object = JSONObject()
        for child in root.children where !child.isFiller && !excluded.contains(child.name) {
            object[child.jsonName] = try decode(child, base: 0, bytes, lenient: false, excluded: excluded)
        }
        return object
    }

    /// The groups a segment rule leaves out of this record.
    private func excludedSegments(_ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Set<String> {
        guard let rule = segments, let field = fields[rule.field] else { return [] }
        let value = try decode(field, base: absoluteOffset(of: rule.field) - field.offset, bytes, lenient: true, excluded: [])
        guard let key = value.scalarText, let selected = rule.groups[key] else { return [] }
        return Set(rule.groups.values).subtracting([selected])
    }

    /// Decodes a record given as an array (tests, tools).
    public func decode(_ bytes: [UInt8]) throws(RecordDecodingError) -> JSONObject {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(RecordDecodingError) in try decode(buffer) } }
        return try result.get()
    }

    /// Decodes one field of the record by COBOL name (an array for an `OCCURS` item).
    public func decode(field name: String, _ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> JSONValue? {
        guard let node = fields[name] else { return nil }
        return try decode(node, base: absoluteOffset(of: name) - node.offset, bytes, lenient: redefinitionMembers.contains(name), excluded: [])
    }

    private func occurrenceCount(of node: LayoutNode, counter: LayoutNode, _ bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Int {
        let offset = absoluteOffset(of: counter.name)
        let value = try decodeSingle(counter, at: offset, bytes, lenient: false)
        guard let text = value.scalarText, let count = Int(text), count >= node.occursMinimum, count <= node.occurs! else {
            throw RecordDecodingError(
                field: path(of: counter.name), offset: offset, hex: hex(bytes, offset, counter.size),
                reason: "counter for \(node.name) is \(value.scalarText ?? "?"), outside \(node.occursMinimum)…\(node.occurs!)")
        }
        return count
    }

    /// `lenient`: inside a REDEFINES set, where a field that does not decode is null, not an error.
    private func decode(
        _ node: LayoutNode, base: Int, _ bytes: UnsafeRawBufferPointer, lenient: Bool, excluded: Set<String> = []
    ) throws(RecordDecodingError) -> JSONValue {
        let start = base + node.offset
        let lenient = lenient || redefinitionMembers.contains(node.name)
        guard let occurs = node.occurs else { return try decodeSingle(node, at: start, bytes, lenient: lenient, excluded: excluded) }
        var count = occurs
        if let counterName = node.dependingOn, let counter = fields[counterName] {
            count = try occurrenceCount(of: node, counter: counter, bytes)
        }
        var items: [JSONValue] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            if node.omitsBlankOccurrences, isBlank(bytes, from: start + index * node.size, count: node.size) { continue }
            items.append(try decodeSingle(node, at: start + index * node.size, bytes, lenient: lenient, excluded: excluded))
        }
        return .array(items)
    }

    private func decodeSingle(
        _ node: LayoutNode, at start: Int, _ bytes: UnsafeRawBufferPointer, lenient: Bool, excluded: Set<String> = []
    ) throws(RecordDecodingError) -> JSONValue {
        if let codec = node.codec {
            guard start + node.size <= bytes.count else {
                // A short variable-length record: under the null policy its missing fields are null.
                if lenient || invalidValues == .null || invalidValues == .raw { return .null }
                throw RecordDecodingError(
                    field: path(of: node.name), offset: start, hex: "", reason: "the record ends before this field (\(bytes.count) bytes)")
            }
            let field = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + node.size)])
            let codePage = fieldCodePages.isEmpty ? codePage : fieldCodePages[node.name] ?? codePage
            if let trim = node.trim ?? (textTrim == .right ? nil : textTrim) {
                if case .alphanumeric = codec { return .string(FieldCodec.decodeText(field, codePage: codePage, trim: trim)) }
                if case .national = codec { return .string(FieldCodec.decodeNational(field, trim: trim)) }
            }
            do {
                let value = try codec.decode(field, codePage: codePage)
                if decimalsAsStrings, case .number(let text) = value { return .string(text) }
                return value
            } catch {
                if lenient { return .null }
                switch invalidValues {
                case .error:
                    throw RecordDecodingError(field: path(of: node.name), offset: start, hex: hex(bytes, start, node.size), reason: error.reason)
                case .null:
                    return .null
                case .raw:
                    return .string("0x" + hex(bytes, start, node.size))
                case .zero:
                    guard codec.isNumeric, field.allSatisfy({ $0 == codePage.space || $0 == 0x00 || $0 == 0xFF }) else {
                        throw RecordDecodingError(field: path(of: node.name), offset: start, hex: hex(bytes, start, node.size), reason: error.reason)
                    }
                    return decimalsAsStrings ? .string(codec.zeroText) : .number(codec.zeroText)
                }
            }
        }
        var object = JSONObject()
        for child in node.children where !child.isFiller && !excluded.contains(child.name) {
            object[child.jsonName] = try decode(child, base: start, bytes, lenient: lenient, excluded: excluded)
        }
        return .object(object)
    }

    /// Whether a slot holds no data: every byte a space, LOW-VALUE or zero digit (short records:
    /// missing bytes count as blank).
    func isBlank(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int) -> Bool {
        let zero = codePage.digit(0)
        let end = min(bytes.count, start + count)
        guard start < end else { return true }
        return bytes[start..<end].allSatisfy { $0 == codePage.space || $0 == 0 || $0 == zero }
    }

    func hex(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let first = min(max(0, start), bytes.count)
        for byte in bytes[first..<min(bytes.count, max(first, start + count))] {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

