import GatewayCore

/// The byte layout of one record, compiled from a copybook: every field's offset, size and codec.
///
/// JSON names are the COBOL names in camelCase, without a prefix that every field of the record
/// shares (`CLIRESP-CLIENT-NAME` → `clientName` when all fields start with `CLIRESP-`).
public struct RecordLayout: Sendable {
    public let name: String
    public let root: LayoutNode
    public internal(set) var codePage: CodePage
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
        /// A number of only spaces, LOW-VALUES (00) or HIGH-VALUES (FF) reads as zero; any other
        /// invalid value fails the record.
        case zero
    }

    /// Default: `.error`. Members of a REDEFINES set are null when invalid whatever the policy.
    public var invalidValues: InvalidValuePolicy = .error

    /// Code pages of particular fields (by COBOL name), where a record mixes them (a name kept in
    /// cp037 inside an otherwise ASCII extract…). Default: none, every field in `codePage`.
    public var fieldCodePages: [String: CodePage] = [:]

    /// Numbers written as JSON strings (`"-125.40"`) for clients whose JSON parsers turn every
    /// number into a binary float. Default: false, exact JSON numbers.
    public var decimalsAsStrings = false

    /// How text fields are trimmed, unless a field says otherwise. Default: `.right`.
    public var textTrim: TextTrim = .right

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
        while let last = node.children.last(where: { !$0.isAlias }) {
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
        // Level-66 entries follow the record they rename; they are laid out once it is.
        var entries = copybook.entries.filter { $0.level != 66 }[...]
        let renames = copybook.entries.filter { $0.level == 66 }
        let file = copybook.file
        guard let first = entries.first else { throw CopybookError(file: file, line: 1, message: "empty copybook") }
        // A copybook without an 01 level gets an implicit record around its items.
        let implicitRoot = first.level != 1
        if !implicitRoot { entries = entries.dropFirst() }
        if let extra = entries.first(where: { $0.level == 1 }) {
            throw CopybookError(file: file, line: extra.line, message: "a second 01-level record \(extra.name); one record per copybook")
        }
        let names = entries.map(\.name).filter { $0 != "FILLER" }
        let prefix = Self.sharedPrefix(names)
        let rootName = implicitRoot ? "RECORD" : first.name
        var builder = Builder(file: file, prefix: prefix, naming: naming, floats: floats, codePage: codePage)
        var children = try builder.build(
            &entries, parentLevel: implicitRoot ? 0 : first.level, absoluteBase: 0, path: rootName, inTable: false,
            inRedefinition: false)
        for entry in renames {
            children.append(try builder.rename(entry, record: children, path: rootName))
        }
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

    /// A layout whose nodes are already built (declared layouts, `FileLayout`): `root`'s children
    /// are the fields, at offsets from the start of the record.
    init(name: String, root: LayoutNode, codePage: CodePage) {
        self.name = name
        self.root = root
        self.codePage = codePage
        var fields: [String: LayoutNode] = [:]
        var offsets: [String: Int] = [:]
        var paths: [String: String] = [:]
        var tableMembers: Set<String> = []
        func visit(_ node: LayoutNode, base: Int, path: String, inTable: Bool) {
            for child in node.children where !child.isFiller {
                fields[child.name] = child
                offsets[child.name] = base + child.offset
                paths[child.name] = path + "." + child.name
                if inTable { tableMembers.insert(child.name) }
                visit(child, base: base + child.offset, path: path + "." + child.name, inTable: inTable || child.occurs != nil)
            }
        }
        visit(root, base: 0, path: name, inTable: false)
        self.fields = fields
        self.absoluteOffsets = offsets
        self.paths = paths
        self.tableMembers = tableMembers
        self.redefinitionMembers = []
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

    static func sharedPrefix(_ names: [String]) -> String {
        guard let firstWord = names.first?.split(separator: "-").first, names.count > 1 else { return "" }
        let candidate = String(firstWord) + "-"
        guard names.allSatisfy({ $0.hasPrefix(candidate) && $0.count > candidate.count }) else { return "" }
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
}
