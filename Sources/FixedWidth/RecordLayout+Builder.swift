import GatewayCore

extension RecordLayout {
    /// Compiles copybook entries into layout nodes with offsets, codecs and lookup tables.
    struct Builder {
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
                // A REDEFINES alternative longer than the item it redefines widens the area they
                // share (GnuCOBOL and Cobrix lay it out so; IBM allows it at level 01 only).
                offset = max(offset, itemOffset + total)
            }
            return nodes
        }

        /// A level-66 item: another name for one item (the same value) or for the items from one
        /// through another (a group of those items, at offsets from the first one's start).
        mutating func rename(_ entry: Copybook.Entry, record: [LayoutNode], path: String) throws(CopybookError) -> LayoutNode {
            let (firstName, lastName) = entry.renames!
            func item(_ name: String) throws(CopybookError) -> (node: LayoutNode, start: Int) {
                guard let node = fields[name], let start = absoluteOffsets[name] else {
                    throw CopybookError(file: file, line: entry.line, message: "\(entry.name) RENAMES \(name): no such item in the record")
                }
                guard node.occurs == nil, !tableMembers.contains(name) else {
                    throw CopybookError(file: file, line: entry.line, message: "\(entry.name) RENAMES \(name): items in or with OCCURS cannot be renamed")
                }
                return (node, start)
            }
            guard fields[entry.name] == nil else {
                throw CopybookError(file: file, line: entry.line, message: "\(entry.name) is defined twice; field names must be unique in a record")
            }
            let first = try item(firstName)
            let jsonName = naming == .camel ? RecordLayout.camelCase(entry.name, prefix: prefix) : entry.name.replacingOccurrences(of: "-", with: "_")
            let node: LayoutNode
            if let lastName {
                let last = try item(lastName)
                let end = last.start + last.node.size
                guard end > first.start else {
                    throw CopybookError(file: file, line: entry.line, message: "\(entry.name) RENAMES \(firstName) THRU \(lastName): \(lastName) ends before \(firstName) starts")
                }
                let children = try covered(record, base: 0, from: first.start, to: end, bounds: [firstName, lastName], entry: entry)
                node = LayoutNode(
                    name: entry.name, jsonName: jsonName, offset: first.start, size: end - first.start, occurs: nil, dependingOn: nil,
                    occursMinimum: 1, redefines: nil, codec: nil, children: children, renames: "\(firstName) THRU \(lastName)", line: entry.line)
            } else {
                node = LayoutNode(
                    name: entry.name, jsonName: jsonName, offset: first.start, size: first.node.size, occurs: nil, dependingOn: nil,
                    occursMinimum: 1, redefines: nil, codec: first.node.codec, children: first.node.children, conditions: first.node.conditions,
                    renames: firstName, line: entry.line)
            }
            fields[entry.name] = node
            absoluteOffsets[entry.name] = first.start
            paths[entry.name] = path + "." + entry.name
            redefinitionMembers.insert(entry.name)
            return node
        }

        /// The items within `from..<to`: whole where they fit, except the groups that hold the
        /// first or last renamed item (the range starts and ends at those items, not their groups);
        /// an elementary item or table cut by a bound is an error.
        func covered(
            _ nodes: [LayoutNode], base: Int, from: Int, to: Int, bounds: [String], entry: Copybook.Entry
        ) throws(CopybookError) -> [LayoutNode] {
            func holds(_ node: LayoutNode, _ name: String) -> Bool {
                node.children.contains { $0.name == name || holds($0, name) }
            }
            var result: [LayoutNode] = []
            for node in nodes where !node.isAlias {
                let start = base + node.offset
                let end = start + node.totalSize
                if end <= from || start >= to { continue }
                if start >= from, end <= to, !bounds.contains(where: { holds(node, $0) }) {
                    guard node.dependingOn == nil else {
                        throw CopybookError(file: file, line: entry.line, message: "\(entry.name): a RENAMES range cannot include an OCCURS DEPENDING ON table")
                    }
                    result.append(node.moved(to: start - from))
                } else if node.codec == nil, node.occurs == nil {
                    result += try covered(node.children, base: start, from: from, to: to, bounds: bounds, entry: entry)
                } else {
                    throw CopybookError(file: file, line: entry.line, message: "\(entry.name): the RENAMES range cuts through \(node.name)")
                }
            }
            return result
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
            if symbols.allSatisfy({ $0 == "N" }) {
                guard usage == .display else {
                    throw CopybookError(file: file, line: line, message: "PIC \(picture) is national text; it cannot be \(usage.rawValue)")
                }
                return .national(length: symbols.count)
            }
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
