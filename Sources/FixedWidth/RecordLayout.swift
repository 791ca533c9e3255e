import GatewayCore

/// The byte layout of one record, compiled from a copybook: every field's offset, size and codec.
///
/// JSON names are the COBOL names in camelCase, without a prefix that every field of the record
/// shares (`CLIRESP-CLIENT-NAME` → `clientName` when all fields start with `CLIRESP-`).
public struct RecordLayout: Sendable {
    public let name: String
    public let root: LayoutNode
    public let codePage: CodePage
    /// Fields by COBOL name (names must be unique within the record).
    public let fields: [String: LayoutNode]
    /// Parent of each item by COBOL name (absent for top-level items).
    let parents: [String: String]

    /// The longest record: every table at its maximum.
    public var length: Int { root.size }
    /// The shortest record: a trailing `OCCURS … DEPENDING ON` table at its minimum.
    public var minimumLength: Int {
        guard let last = root.children.last, last.dependingOn != nil else { return root.size }
        return root.size - last.size * (last.occurs! - last.occursMinimum)
    }

    public init(copybook: Copybook, codePage: CodePage) throws(CopybookError) {
        var entries = copybook.entries[...]
        let file = copybook.file
        guard let first = entries.first else { throw CopybookError(file: file, line: 1, message: "empty copybook") }
        // A copybook without an 01 level gets an implicit record around its items.
        let implicitRoot = first.level != 1
        if !implicitRoot { entries = entries.dropFirst() }
        if let extra = entries.first(where: { $0.level == 1 }) {
            throw CopybookError(file: file, line: extra.line, message: "a second 01-level record \(extra.name); one record per copybook")
        }
        let names = entries.map(\.name).filter { $0 != "FILLER" }
        let prefix = Self.sharedPrefix(names, recordName: implicitRoot ? nil : first.name)
        var fields: [String: LayoutNode] = [:]
        var parents: [String: String] = [:]
        let rootName = implicitRoot ? "RECORD" : first.name
        var builder = Builder(file: file, prefix: prefix, codePage: codePage)
        let children = try builder.build(&entries, parentLevel: implicitRoot ? 0 : first.level, offset: 0, parent: nil)
        fields = builder.fields
        parents = builder.parents
        let size = children.reduce(0) { max($0, $1.offset + $1.totalSize) }
        self.root = LayoutNode(
            name: rootName, jsonName: Self.camelCase(rootName, prefix: ""), offset: 0, size: size, occurs: nil, dependingOn: nil,
            occursMinimum: 0, redefines: nil, codec: nil, children: children, line: first.line)
        self.name = rootName
        self.codePage = codePage
        self.fields = fields
        self.parents = parents
        try checkDependingOn(file: file)
    }

    /// `OCCURS … DEPENDING ON` is supported for the last item of the record, with a numeric
    /// counter that comes before it (the standard COBOL rule).
    private func checkDependingOn(file: String) throws(CopybookError) {
        for node in fields.values {
            guard let counterName = node.dependingOn else { continue }
            guard root.children.last === node else {
                throw CopybookError(
                    file: file, line: node.line,
                    message: "OCCURS DEPENDING ON is supported only for the last item of the record (\(node.name))")
            }
            guard let counter = fields[counterName], counter.codec?.isNumeric == true, counter.occurs == nil,
                counter.offset + counter.size <= node.offset
            else {
                throw CopybookError(
                    file: file, line: node.line,
                    message: "\(node.name) depends on \(counterName), which must be a numeric field before it")
            }
        }
    }

    static func sharedPrefix(_ names: [String], recordName: String?) -> String {
        guard let firstWord = names.first?.split(separator: "-").first, names.count > 1 else { return "" }
        let candidate = String(firstWord) + "-"
        guard names.allSatisfy({ $0.hasPrefix(candidate) && $0.count > candidate.count }) else { return "" }
        _ = recordName
        return candidate
    }

    static func camelCase(_ name: String, prefix: String) -> String {
        let stripped = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
        let words = stripped.lowercased().split(separator: "-")
        guard let head = words.first else { return stripped.lowercased() }
        return String(head) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The COBOL path of a field (`CLIRESP.CLIRESP-DEPENDANTS.CLIRESP-DEP-NAME`).
    public func path(of name: String) -> String {
        var parts = [name]
        var current = name
        while let parent = parents[current] {
            parts.insert(parent, at: 0)
            current = parent
        }
        return ([self.name] + parts).joined(separator: ".")
    }

    /// The JSON shape of the whole record.
    public var schema: ValueSchema { root.schema }

    private struct Builder {
        let file: String
        let prefix: String
        let codePage: CodePage
        var fields: [String: LayoutNode] = [:]
        var parents: [String: String] = [:]

        mutating func build(
            _ entries: inout ArraySlice<Copybook.Entry>, parentLevel: Int, offset start: Int, parent: String?
        ) throws(CopybookError) -> [LayoutNode] {
            var nodes: [LayoutNode] = []
            var offset = start
            while let entry = entries.first, entry.level > parentLevel {
                entries = entries.dropFirst()
                var itemOffset = offset
                if let target = entry.redefines {
                    guard let redefined = nodes.last(where: { $0.name == target }) else {
                        throw CopybookError(file: file, line: entry.line, message: "REDEFINES \(target): no preceding item of that name at this level")
                    }
                    itemOffset = redefined.offset
                }
                let node: LayoutNode
                if let picture = entry.picture {
                    if let next = entries.first, next.level > entry.level {
                        throw CopybookError(file: file, line: next.line, message: "\(entry.name) has a PICTURE, so it cannot have subordinate items")
                    }
                    let codec = try Self.codec(picture: picture, usage: entry.usage, file: file, line: entry.line)
                    node = makeNode(entry, offset: itemOffset, size: codec.size, codec: codec, children: [])
                } else {
                    if entry.usage != .display {
                        // USAGE on a group applies to its items; rare in records Portage meets.
                        throw CopybookError(file: file, line: entry.line, message: "USAGE on group \(entry.name) is not supported yet; put it on the elementary items")
                    }
                    let children = try build(&entries, parentLevel: entry.level, offset: 0, parent: entry.name)
                    guard !children.isEmpty else {
                        throw CopybookError(file: file, line: entry.line, message: "\(entry.name) has neither a PICTURE nor subordinate items")
                    }
                    let size = children.reduce(0) { max($0, $1.offset + $1.totalSize) }
                    node = makeNode(entry, offset: itemOffset, size: size, codec: nil, children: children)
                }
                if node.name != "FILLER" {
                    if fields[node.name] != nil {
                        throw CopybookError(file: file, line: entry.line, message: "\(node.name) is defined twice; field names must be unique in a record")
                    }
                    fields[node.name] = node
                    if let parent { parents[node.name] = parent }
                }
                nodes.append(node)
                if entry.redefines == nil { offset = itemOffset + node.totalSize }
            }
            return nodes
        }

        func makeNode(_ entry: Copybook.Entry, offset: Int, size: Int, codec: FieldCodec?, children: [LayoutNode]) -> LayoutNode {
            LayoutNode(
                name: entry.name, jsonName: RecordLayout.camelCase(entry.name, prefix: prefix), offset: offset, size: size,
                occurs: entry.occurs, dependingOn: entry.dependingOn, occursMinimum: entry.occursMinimum ?? entry.occurs ?? 1,
                redefines: entry.redefines, codec: codec, children: children, line: entry.line)
        }

        static func codec(picture: String, usage: Copybook.Usage, file: String, line: Int) throws(CopybookError) -> FieldCodec {
            var symbols: [Character] = []
            var characters = Array(picture)
            var index = 0
            while index < characters.count {
                let symbol = characters[index]
                index += 1
                if index < characters.count, characters[index] == "(" {
                    guard let close = characters[index...].firstIndex(of: ")"),
                        let count = Int(String(characters[(index + 1)..<close])), count > 0
                    else { throw CopybookError(file: file, line: line, message: "malformed repeat count in PIC \(picture)") }
                    symbols.append(contentsOf: repeatElement(symbol, count: count))
                    index = close + 1
                } else {
                    symbols.append(symbol)
                }
            }
            characters = []
            if symbols.allSatisfy({ $0 == "X" || $0 == "A" }) {
                guard usage == .display else {
                    throw CopybookError(file: file, line: line, message: "PIC \(picture) is alphanumeric; it cannot be \(usage.rawValue)")
                }
                return .alphanumeric(length: symbols.count)
            }
            var signed = false
            var digits = 0
            var scale = 0
            var afterPoint = false
            for (position, symbol) in symbols.enumerated() {
                switch symbol {
                case "S" where position == 0: signed = true
                case "9":
                    digits += 1
                    if afterPoint { scale += 1 }
                case "V" where !afterPoint: afterPoint = true
                case "P":
                    throw CopybookError(file: file, line: line, message: "PIC \(picture): scaling position P is not supported yet")
                default:
                    throw CopybookError(
                        file: file, line: line,
                        message: "PIC \(picture): symbol '\(symbol)' is not supported yet (supported: X, A, 9, S, V)")
                }
            }
            guard digits > 0 else { throw CopybookError(file: file, line: line, message: "PIC \(picture) has no digits") }
            guard digits <= ExactDecimal.maximumDigits else {
                throw CopybookError(file: file, line: line, message: "PIC \(picture) has more than 38 digits")
            }
            switch usage {
            case .display: return .zoned(digits: digits, scale: scale, signed: signed)
            case .packed: return .packed(digits: digits, scale: scale, signed: signed)
            case .binary, .nativeBinary:
                guard digits <= 18 else {
                    throw CopybookError(file: file, line: line, message: "PIC \(picture) COMP has more than 18 digits")
                }
                let size = digits <= 4 ? 2 : digits <= 9 ? 4 : 8
                return .binary(digits: digits, scale: scale, signed: signed, size: size, native: usage == .nativeBinary)
            }
        }
    }
}
