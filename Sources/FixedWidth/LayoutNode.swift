import GatewayCore

/// One item of a record layout: a group or an elementary field, at a fixed offset.
public final class LayoutNode: Sendable {
    /// The COBOL name (`CLIRESP-BALANCE`), `FILLER` for unnamed items.
    public let name: String
    /// The JSON member name (`balance`).
    public let jsonName: String
    /// Offset of the first occurrence from the start of the record.
    public let offset: Int
    /// Size of one occurrence in bytes.
    public let size: Int
    /// `OCCURS n`: the item is an array of `occurs` entries.
    public let occurs: Int?
    /// `OCCURS m TO n DEPENDING ON counter`: the counter's COBOL name and the minimum.
    public let dependingOn: String?
    public let occursMinimum: Int
    public let redefines: String?
    public let codec: FieldCodec?
    public let children: [LayoutNode]
    /// 88-level condition names on this item.
    public let conditions: [Copybook.Condition]
    /// For a table: occurrences whose bytes are all blank (spaces, LOW-VALUES or zero digits) are
    /// unused slots, left out of the decoded array (CPA-005's six segments per record).
    public let omitsBlankOccurrences: Bool
    /// How a text field is trimmed; nil: the layout's policy.
    public let trim: TextTrim?
    /// Level 66: the items this name covers (`A` or `A THRU B`); decoded, never encoded.
    public let renames: String?
    public let line: Int

    init(
        name: String, jsonName: String, offset: Int, size: Int, occurs: Int?, dependingOn: String?, occursMinimum: Int,
        redefines: String?, codec: FieldCodec?, children: [LayoutNode], conditions: [Copybook.Condition] = [],
        omitsBlankOccurrences: Bool = false, trim: TextTrim? = nil, renames: String? = nil, line: Int
    ) {
        self.name = name
        self.jsonName = jsonName
        self.offset = offset
        self.size = size
        self.occurs = occurs
        self.dependingOn = dependingOn
        self.occursMinimum = occursMinimum
        self.redefines = redefines
        self.codec = codec
        self.children = children
        self.conditions = conditions
        self.omitsBlankOccurrences = omitsBlankOccurrences
        self.trim = trim
        self.renames = renames
        self.line = line
    }

    public var isFiller: Bool { name == "FILLER" }

    /// An alternative view of bytes another item owns (REDEFINES, RENAMES): not written on encode.
    public var isAlias: Bool { redefines != nil || renames != nil }

    /// The same item at another offset (RENAMES places items relative to the renamed range).
    func moved(to offset: Int) -> LayoutNode {
        LayoutNode(
            name: name, jsonName: jsonName, offset: offset, size: size, occurs: occurs, dependingOn: dependingOn,
            occursMinimum: occursMinimum, redefines: redefines, codec: codec, children: children, conditions: conditions,
            omitsBlankOccurrences: omitsBlankOccurrences, trim: trim, renames: renames, line: line)
    }

    /// Total bytes, all occurrences included.
    public var totalSize: Int { size * (occurs ?? 1) }

    /// The JSON shape of this item's value.
    public var schema: ValueSchema {
        let single: ValueSchema
        if let codec {
            let values = conditions.filter { !$0.isRange }.flatMap(\.values)
            if !values.isEmpty, !conditions.contains(where: \.isRange) {
                single = .choice(codec.schema, values: values, names: conditions.flatMap { condition in condition.values.map { _ in condition.name } })
            } else {
                single = codec.schema
            }
        } else {
            single = .object(children.filter { !$0.isFiller }.map { ($0.jsonName, $0.schema) })
        }
        if let occurs {
            let minimum = omitsBlankOccurrences ? 0 : dependingOn == nil ? occurs : occursMinimum
            return .array(single, minItems: minimum, maxItems: occurs)
        }
        return single
    }
}
