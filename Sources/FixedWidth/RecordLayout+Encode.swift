import GatewayCore

/// A value that does not fit its field: the COBOL field and the reason.
public struct RecordEncodingError: Error, Sendable, CustomStringConvertible {
    /// The COBOL path of the field (`CLIREQ.CLIREQ-CLIENT-ID`).
    public var field: String
    public var reason: LocalizedText

    public var description: String { "\(field): \(reason.en)" }
}

extension RecordLayout {
    /// A record with every field at its initial value: spaces in text, zeros in numbers, in every
    /// occurrence of every table; REDEFINES alternatives keep what the item they redefine holds.
    public func blankRecord() -> [UInt8] {
        var bytes = [UInt8](repeating: codePage.space, count: length)
        bytes.withUnsafeMutableBytes { buffer in
            for child in root.children { fill(child, base: 0, buffer) }
        }
        return bytes
    }

    private func fill(_ node: LayoutNode, base: Int, _ buffer: UnsafeMutableRawBufferPointer) {
        guard !node.isAlias, !node.omitsBlankOccurrences else { return }
        for index in 0..<(node.occurs ?? 1) {
            let start = base + node.offset + index * node.size
            if let codec = node.codec {
                guard codec.isNumeric else { continue }
                let field = UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + node.size)])
                try? codec.encode(.number("0"), into: field, codePage: fieldCodePages[node.name] ?? codePage)
            } else {
                for child in node.children { fill(child, base: start, buffer) }
            }
        }
    }

    /// Encodes a record from COBOL field names → values (request mappings); other fields keep
    /// their initial values. A group takes an object keyed by JSON names, a table an array.
    public func encode(fields values: [(field: String, value: JSONValue)]) throws(RecordEncodingError) -> [UInt8] {
        var bytes = blankRecord()
        var failure: RecordEncodingError?
        bytes.withUnsafeMutableBytes { buffer in
            for (name, value) in values {
                guard let node = fields[name] else {
                    failure = RecordEncodingError(field: name, reason: LocalizedText(en: "no such field", fr: "champ inexistant"))
                    return
                }
                do throws(RecordEncodingError) {
                    try encode(node, value, base: absoluteOffset(of: name) - node.offset, buffer)
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        return trimmed(bytes)
    }

    /// Encodes a whole record from a JSON object keyed by JSON names (simulators, tools).
    public func encode(_ object: JSONObject) throws(RecordEncodingError) -> [UInt8] {
        var bytes = blankRecord()
        var failure: RecordEncodingError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(RecordEncodingError) {
                try encodeChildren(root, object, base: 0, buffer)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return trimmed(bytes)
    }

    /// Cuts a trailing `DEPENDING ON` table to the counter's value.
    private func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        guard dependingOnTable != nil else { return bytes }
        let length = bytes.withUnsafeBytes { actualLength(of: $0) } ?? bytes.count
        return Array(bytes.prefix(length))
    }

    private func encodeChildren(_ node: LayoutNode, _ object: JSONObject, base: Int, _ buffer: UnsafeMutableRawBufferPointer) throws(RecordEncodingError) {
        for child in node.children where !child.isFiller && !child.isAlias {
            if let value = object[child.jsonName] { try encode(child, value, base: base, buffer) }
        }
    }

    private func encode(_ node: LayoutNode, _ value: JSONValue, base: Int, _ buffer: UnsafeMutableRawBufferPointer) throws(RecordEncodingError) {
        let start = base + node.offset
        if let occurs = node.occurs {
            guard case .array(let items) = value else {
                throw RecordEncodingError(field: path(of: node.name), reason: LocalizedText(
                    en: "expected a list of up to \(occurs) items", fr: "liste d’au plus \(occurs) éléments attendue"))
            }
            guard items.count <= occurs else {
                throw RecordEncodingError(field: path(of: node.name), reason: LocalizedText(
                    en: "\(items.count) items is more than the \(occurs) the field holds",
                    fr: "\(items.count) éléments dépassent les \(occurs) que le champ contient"))
            }
            for (index, item) in items.enumerated() {
                try encodeSingle(node, item, at: start + index * node.size, buffer)
            }
            return
        }
        try encodeSingle(node, value, at: start, buffer)
    }

    private func encodeSingle(_ node: LayoutNode, _ value: JSONValue, at start: Int, _ buffer: UnsafeMutableRawBufferPointer) throws(RecordEncodingError) {
        if let codec = node.codec {
            do {
                try codec.encode(
                    value, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + node.size)]),
                    codePage: fieldCodePages[node.name] ?? codePage)
            } catch {
                throw RecordEncodingError(field: path(of: node.name), reason: error.reason)
            }
            return
        }
        guard case .object(let object) = value else {
            throw RecordEncodingError(field: path(of: node.name), reason: LocalizedText(
                en: "expected an object, found \(value.typeName)", fr: "objet attendu, reçu : \(value.typeName)"))
        }
        try encodeChildren(node, object, base: start, buffer)
    }
}
