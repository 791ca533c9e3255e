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
    /// Where each named field's first occurrence starts, from the start of the record.
    let absoluteOffsets: [String: Int]
    /// The COBOL path of each named field (`CLIRESP.CLIRESP-NAME.CLIRESP-GIVEN-NAME`).
    let paths: [String: String]
    /// Fields inside an `OCCURS` item (they repeat, so one field name means many places).
    public let tableMembers: Set<String>
    /// Fields that another item `REDEFINES`, or that redefine one, with everything inside them:
    /// only one alternative holds valid data, so a failing one decodes to null.
    let redefinitionMembers: Set<String>

    /// What decoding does with a field whose bytes are not a valid value (spaces in a number,
    /// a bad packed sign…): fail the record, return null, or return the raw bytes as hex text.
    public enum InvalidValuePolicy: String, Sendable, CaseIterable {
        case error
        case null
        case raw
    }

    /// Default: `.error`. Members of a REDEFINES set are null when invalid whatever the policy.
    public var invalidValues: InvalidValuePolicy = .error

    /// The largest record a layout may describe.
    public static let maximumLength = 16 << 20
    /// The largest PICTURE repeat count and OCCURS count accepted.
    public static let maximumCount = 1 << 20

    /// The longest record: every table at its maximum.
    public var length: Int { root.size }
    /// The shortest record: a trailing `OCCURS … DEPENDING ON` table at its minimum.
    public var minimumLength: Int {
        guard let table = dependingOnTable else { return root.size }
        return absoluteOffset(of: table.name) + table.size * table.occursMinimum
    }

    /// The `OCCURS … DEPENDING ON` table, which must end the record (the last item at every level).
    public var dependingOnTable: LayoutNode? {
        var node = root
        while let last = node.children.last {
            if last.dependingOn != nil { return last }
            node = last
        }
        return nil
    }

    /// How JSON members are named.
    public enum Naming: String, Sendable, CaseIterable {
        /// `CLIRESP-FAMILY-NAME` → `familyName` (a prefix every field shares is dropped).
        case camel
        /// `CLIRESP-FAMILY-NAME` → `CLIRESP_FAMILY_NAME`.
        case cobol
    }

    /// How COMP-1 and COMP-2 items are stored.
    public enum FloatFormat: String, Sendable, CaseIterable {
        /// IBM System/360 hexadecimal floating point (mainframes).
        case ibm
        /// IEEE 754 binary, big-endian.
        case ieee
    }

    /// Which REDEFINES alternative a record carries, chosen by a field's value (multi-segment files).
    public struct SegmentRule: Sendable {
        /// The discriminating field's COBOL name.
        public var field: String
        /// Field value → the COBOL name of the group that value selects.
        public var groups: [String: String]

        public init(field: String, groups: [String: String]) {
            self.field = field
            self.groups = groups
        }
    }

    /// When set, a decoded record keeps only the alternative its segment value selects (the other
    /// groups of the rule are left out); a value the rule does not list keeps them all.
    public var segments: SegmentRule?

    public init(
        copybook: Copybook, codePage: CodePage, naming: Naming = .camel, floats: FloatFormat = .ibm
    ) throws(CopybookError) {
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
        let rootName = implicitRoot ? "RECORD" : first.name
        var builder = Builder(file: file, prefix: prefix, naming: naming, floats: floats, codePage: codePage)
        let children = try builder.build(
            &entries, parentLevel: implicitRoot ? 0 : first.level, absoluteBase: 0, path: rootName, inTable: false,
            inRedefinition: false)
        let size = children.reduce(0) { max($0, $1.offset + $1.totalSize) }
        guard size <= Self.maximumLength else {
            throw CopybookError(file: file, line: first.line, message: "the record is \(size) bytes, more than the \(Self.maximumLength) supported")
        }
        self.root = LayoutNode(
            name: rootName, jsonName: Self.camelCase(rootName, prefix: ""), offset: 0, size: size, occurs: nil, dependingOn: nil,
            occursMinimum: 0, redefines: nil, codec: nil, children: children, line: first.line)
        self.name = rootName
        self.codePage = codePage
        self.fields = builder.fields
        self.absoluteOffsets = builder.absoluteOffsets
        self.paths = builder.paths
        self.tableMembers = builder.tableMembers
        self.redefinitionMembers = builder.redefinitionMembers
        try checkDependingOn(file: file)
    }

    /// `OCCURS … DEPENDING ON` is supported for the item that ends the record (the standard COBOL
    /// rule), with a numeric counter that comes before it.
    private func checkDependingOn(file: String) throws(CopybookError) {
        let table = dependingOnTable
        for node in fields.values {
            guard let counterName = node.dependingOn else { continue }
            guard table === node, !tableMembers.contains(node.name) else {
                throw CopybookError(
                    file: file, line: node.line,
                    message: "OCCURS DEPENDING ON is supported only for the item that ends the record (\(node.name))")
            }
            guard let counter = fields[counterName], counter.codec?.isNumeric == true, counter.occurs == nil,
                !tableMembers.contains(counterName),
                absoluteOffset(of: counterName) + counter.size <= absoluteOffset(of: node.name)
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

    /// The COBOL path of a field (`CLIRESP.CLIRESP-DEPENDANT.CLIRESP-DEP-NAME`).
    public func path(of name: String) -> String {
        paths[name] ?? "\(self.name).\(name)"
    }

    /// Where a field's first occurrence starts in the record.
    public func absoluteOffset(of name: String) -> Int {
        absoluteOffsets[name] ?? 0
    }

    /// Whether any field is COMP-3 or binary: such records may contain any byte, newlines included.
    public var containsBinaryFields: Bool {
        fields.values.contains { node in
            switch node.codec {
            case .packed, .binary: return true
            default: return false
            }
        }
    }

    /// The JSON shape of the whole record.
    public var schema: ValueSchema { root.schema }

    private struct Builder {
        let file: String
        let prefix: String
        let naming: Naming
        let floats: FloatFormat
        let codePage: CodePage
        var fields: [String: LayoutNode] = [:]
        var absoluteOffsets: [String: Int] = [:]
        var paths: [String: String] = [:]
        var tableMembers: Set<String> = []
        var redefinitionMembers: Set<String> = []

        mutating func build(
            _ entries: inout ArraySlice<Copybook.Entry>, parentLevel: Int, absoluteBase: Int, path: String, inTable: Bool,
            inRedefinition: Bool
        ) throws(CopybookError) -> [LayoutNode] {
            var nodes: [LayoutNode] = []
            var offset = 0
            while let entry = entries.first, entry.level > parentLevel {
                entries = entries.dropFirst()
                if let occurs = entry.occurs, occurs > RecordLayout.maximumCount {
                    throw CopybookError(file: file, line: entry.line, message: "OCCURS \(occurs) is more than \(RecordLayout.maximumCount)")
                }
                if let minimum = entry.occursMinimum, let maximum = entry.occurs, minimum > maximum {
                    throw CopybookError(file: file, line: entry.line, message: "OCCURS \(minimum) TO \(maximum): the minimum is above the maximum")
                }
                var itemOffset = offset
                var redefined = inRedefinition
                if let target = entry.redefines {
                    guard let original = nodes.last(where: { $0.name == target }) else {
                        throw CopybookError(file: file, line: entry.line, message: "REDEFINES \(target): no preceding item of that name at this level")
                    }
                    itemOffset = original.offset
                    redefined = true
                    markRedefinition(original)
                }
                let itemPath = path + "." + entry.name
                let node: LayoutNode
                if entry.picture != nil || entry.usage == .float4 || entry.usage == .float8 {
                    if let next = entries.first, next.level > entry.level {
                        throw CopybookError(file: file, line: next.line, message: "\(entry.name) is elementary, so it cannot have subordinate items")
                    }
                    let codec = try Self.codec(entry, file: file, floats: floats)
                    if entry.synchronized, let alignment = codec.alignment {
                        // SYNC: slack bytes bring the item to its natural boundary from the record start.
                        let absolute = absoluteBase + itemOffset
                        itemOffset += (alignment - absolute % alignment) % alignment
                    }
                    node = makeNode(entry, offset: itemOffset, size: codec.size, codec: codec, children: [])
                } else {
                    if entry.usage != .display {
                        // USAGE on a group applies to its items; rare in records Portage meets.
                        throw CopybookError(file: file, line: entry.line, message: "USAGE on group \(entry.name) is not supported yet; put it on the elementary items")
                    }
                    let children = try build(
                        &entries, parentLevel: entry.level, absoluteBase: absoluteBase + itemOffset, path: itemPath,
                        inTable: inTable || entry.occurs != nil, inRedefinition: redefined)
                    guard !children.isEmpty else {
                        throw CopybookError(file: file, line: entry.line, message: "\(entry.name) has neither a PICTURE nor subordinate items")
                    }
                    let size = children.reduce(0) { max($0, $1.offset + $1.totalSize) }
                    node = makeNode(entry, offset: itemOffset, size: size, codec: nil, children: children)
                }
                let (total, overflow) = node.size.multipliedReportingOverflow(by: node.occurs ?? 1)
                guard !overflow, total <= RecordLayout.maximumLength else {
                    throw CopybookError(file: file, line: entry.line, message: "\(entry.name) is larger than the \(RecordLayout.maximumLength) bytes supported")
                }
                if node.name != "FILLER" {
                    if fields[node.name] != nil {
                        throw CopybookError(file: file, line: entry.line, message: "\(node.name) is defined twice; field names must be unique in a record")
                    }
                    fields[node.name] = node
                    absoluteOffsets[node.name] = absoluteBase + itemOffset
                    paths[node.name] = itemPath
                    if inTable { tableMembers.insert(node.name) }
                    if redefined { redefinitionMembers.insert(node.name) }
                }
                nodes.append(node)
                if entry.redefines == nil { offset = itemOffset + total }
            }
            return nodes
        }

        /// The redefined item and everything in it belong to a redefinition set too.
        mutating func markRedefinition(_ node: LayoutNode) {
            if !node.isFiller { redefinitionMembers.insert(node.name) }
            for child in node.children { markRedefinition(child) }
        }

        func makeNode(_ entry: Copybook.Entry, offset: Int, size: Int, codec: FieldCodec?, children: [LayoutNode]) -> LayoutNode {
            LayoutNode(
                name: entry.name,
                jsonName: naming == .camel ? RecordLayout.camelCase(entry.name, prefix: prefix) : entry.name.replacingOccurrences(of: "-", with: "_"),
                offset: offset, size: size,
                occurs: entry.occurs, dependingOn: entry.dependingOn, occursMinimum: entry.occursMinimum ?? entry.occurs ?? 1,
                redefines: entry.redefines, codec: codec, children: children, conditions: entry.conditions, line: entry.line)
        }

        static func codec(_ entry: Copybook.Entry, file: String, floats: FloatFormat) throws(CopybookError) -> FieldCodec {
            let line = entry.line
            if entry.usage == .float4 || entry.usage == .float8 {
                guard entry.picture == nil else {
                    throw CopybookError(file: file, line: line, message: "COMP-1 and COMP-2 items take no PICTURE")
                }
                return .float(size: entry.usage == .float4 ? 4 : 8, ibm: floats == .ibm)
            }
            var codec = try codec(picture: entry.picture!, usage: entry.usage, file: file, line: line)
            if let sign = entry.sign {
                guard case .zoned(let digits, let scale, true) = codec else {
                    throw CopybookError(file: file, line: line, message: "SIGN applies to signed DISPLAY numbers (PIC S9…)")
                }
                codec = sign.separate
                    ? .separateSign(digits: digits, scale: scale, leading: sign.leading)
                    : (sign.leading ? .leadingSign(digits: digits, scale: scale) : codec)
            }
            if entry.justifiedRight {
                guard case .alphanumeric(let length) = codec else {
                    throw CopybookError(file: file, line: line, message: "JUSTIFIED RIGHT applies to PIC X and A items")
                }
                codec = .justified(length: length)
            }
            if entry.blankWhenZero {
                guard codec.isNumeric else {
                    throw CopybookError(file: file, line: line, message: "BLANK WHEN ZERO applies to numeric DISPLAY items")
                }
                codec = .blankWhenZero(codec)
            }
            return codec
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
                    guard count <= RecordLayout.maximumCount else {
                        throw CopybookError(file: file, line: line, message: "PIC \(picture): repeat count \(count) is more than \(RecordLayout.maximumCount)")
                    }
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
            if symbols.contains(where: { "Z*+-.,B0/$CRD".contains($0) }) {
                guard usage == .display, let edited = EditedPicture(symbols: symbols, picture: picture) else {
                    throw CopybookError(
                        file: file, line: line, message: "PIC \(picture): not a numeric-edited picture Portage reads (9 Z * + - . , B 0 / $ CR DB)")
                }
                return .edited(edited)
            }
            var signed = false
            var digits = 0
            var scale = 0
            var afterPoint = false
            var leadingScaling = 0
            var trailingScaling = 0
            for (position, symbol) in symbols.enumerated() {
                switch symbol {
                case "S" where position == 0: signed = true
                case "9":
                    digits += 1
                    if afterPoint { scale += 1 }
                case "V" where !afterPoint: afterPoint = true
                case "P":
                    // Scaling positions: before the digits they add decimals (PP99 = .00dd),
                    // after them they are trailing zeros (99PP = dd00).
                    if digits == 0 {
                        leadingScaling += 1
                    } else {
                        trailingScaling += 1
                    }
                default:
                    throw CopybookError(
                        file: file, line: line,
                        message: "PIC \(picture): symbol '\(symbol)' is not supported yet (supported: X, A, 9, S, V)")
                }
            }
            guard digits > 0 else { throw CopybookError(file: file, line: line, message: "PIC \(picture) has no digits") }
            if leadingScaling > 0 {
                scale = digits + leadingScaling
            } else if trailingScaling > 0 {
                guard scale == 0 else {
                    throw CopybookError(file: file, line: line, message: "PIC \(picture): P after the digits cannot have decimals")
                }
                scale = -trailingScaling
            }
            guard digits + max(leadingScaling, trailingScaling) <= ExactDecimal.maximumDigits else {
                throw CopybookError(file: file, line: line, message: "PIC \(picture) has more than 38 digits with its scaling")
            }
            guard digits <= ExactDecimal.maximumDigits else {
                throw CopybookError(file: file, line: line, message: "PIC \(picture) has more than 38 digits")
            }
            switch usage {
            case .float4, .float8:
                throw CopybookError(file: file, line: line, message: "COMP-1 and COMP-2 items take no PICTURE")
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
