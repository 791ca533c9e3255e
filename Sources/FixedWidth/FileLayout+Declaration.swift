import GatewayCore

extension FileLayout {
    /// Reads a declared file layout; every problem is reported with its file, line, column and key
    /// path, all of them at once.
    public init(yaml: String, file: String) throws(DeclarationErrors) {
        let node: DeclarationNode
        switch DeclarationNode.parse(yaml: yaml, file: file) {
        case .success(let parsed): node = parsed
        case .failure(let problem): throw DeclarationErrors([problem])
        }
        let reader = DeclarationReader()
        let parsed = Parser(reader: reader).layout(node)
        guard reader.problems.isEmpty, let parsed else { throw DeclarationErrors(reader.problems) }
        self = parsed
    }

    private struct Parser {
        let reader: DeclarationReader

        static let topKeys = [
            "layout", "title", "description", "encoding", "record-length", "framing", "short-records", "invalid-values", "records",
            "structure", "checks", "format", "delimiter", "header-row", "line-ending", "decimal-mark",
        ]
        static let csvFieldKeys = ["name", "column", "heading", "length", "type", "scale", "signed", "trim", "description"]
        static let fieldKeys = [
            "name", "start", "length", "type", "scale", "signed", "trim", "picture", "usage", "occurs", "omit-blank", "fields",
            "encoding", "description",
        ]
        static let checkKeys = ["scope", "field", "count", "per", "sum", "where", "modulo", "same", "sequence", "description"]

        func layout(_ node: DeclarationNode) -> FileLayout? {
            let isCSV = node["format"].flatMap { reader.string($0) } == "csv"
            if let format = node["format"], let text = reader.string(format), !["csv", "fixed"].contains(text) {
                reader.report(format, "expected one of fixed, csv, found '\(text)'")
            }
            guard reader.mapping(node, allowed: Self.topKeys, required: ["layout", "records"] + (isCSV ? [] : ["record-length"])) != nil else {
                return nil
            }
            let onlyFor = isCSV ? ["record-length", "framing", "short-records"] : ["delimiter", "header-row", "line-ending", "decimal-mark"]
            for key in onlyFor where node[key] != nil {
                reader.report(node[key]!, isCSV ? "'\(key)' applies to fixed-width files, not 'format: csv'" : "'\(key)' applies to 'format: csv'")
            }
            let name = reader.string(node["layout"]) ?? ""
            if node["title"] != nil { _ = reader.localized(node["title"]) }
            var codePage = CodePage.ascii
            var isUTF8 = false
            if let encodingNode = node["encoding"], let encoding = reader.string(encodingNode) {
                if ["utf-8", "utf8"].contains(encoding.lowercased()) {
                    isUTF8 = true
                } else if let page = CodePage.named(encoding) {
                    codePage = page
                } else {
                    reader.report(encodingNode, "unknown encoding '\(encoding)'; one of utf-8, \(CodePage.supportedNames.joined(separator: ", "))")
                }
            }
            if isCSV, codePage.isEBCDIC, let encodingNode = node["encoding"] {
                reader.report(encodingNode, "CSV files are read and written in ASCII, Latin-1 or UTF-8; an EBCDIC file is declared fixed-width")
            }
            let csv = isCSV ? csvFormat(node, codePage: codePage) : nil
            var recordLength = isCSV ? 1 : reader.integer(node["record-length"], in: 1...RecordLayout.maximumLength) ?? 1
            let framing = choice(node["framing"], default: Framing.lines)
            if isUTF8, framing == .fixed, let framingNode = node["framing"] {
                reader.report(framingNode, "UTF-8 records are measured in characters, so they need 'framing: lines' (a fixed byte count cannot hold a fixed number of characters)")
            }
            let shortRecords = choice(node["short-records"], default: ShortRecordPolicy.error)
            let invalidValues = choice(node["invalid-values"], default: RecordLayout.InvalidValuePolicy.error)

            var types: [RecordType] = []
            if let recordsNode = node["records"], let records = reader.mapping(recordsNode) {
                if records.isEmpty { reader.report(recordsNode, "declare at least one record type") }
                for entry in records {
                    if let csv {
                        if let unconditional = types.last(where: { $0.matchColumn == nil }) {
                            reader.report(entry.value, "record type \(entry.key) can never match: \(unconditional.name), before it, has no 'when' and takes every line")
                        }
                        if let type = csvRecordType(entry.key, entry.value, codePage: codePage, utf8: isUTF8, invalidValues: invalidValues) {
                            if let column = type.matchColumn,
                                let same = types.first(where: { $0.matchColumn == column && $0.matchText == type.matchText })
                            {
                                reader.report(entry.value["when"] ?? entry.value, "record type \(entry.key) has the same rule as \(same.name), which is tried first")
                            }
                            types.append(type)
                            recordLength = max(recordLength, type.layout.length)
                        }
                    } else if let type = recordType(
                        entry.key, entry.value, codePage: codePage, length: recordLength, invalidValues: invalidValues)
                    {
                        types.append(type)
                    }
                }
                if let csv, csv.headerRow, types.count > 1, let headerNode = node["header-row"] {
                    reader.report(headerNode, "a header row names the columns of one record type; this layout has \(types.count)")
                }
            }
            let scopes = node["structure"].map { structure($0, types: types) } ?? []
            var checks: [Check] = []
            if let checksNode = node["checks"] {
                if case .sequence(let items) = checksNode.content {
                    checks = items.compactMap { check($0, types: types, scopes: scopes) }
                } else {
                    reader.report(checksNode, "expected a list of checks, found \(checksNode.typeName)")
                }
            }
            return FileLayout(
                name: name, codePage: codePage, isUTF8: isUTF8, recordLength: recordLength, framing: framing,
                shortRecords: shortRecords, recordTypes: types, scopes: scopes, checks: checks, csv: csv)
        }

        // MARK: CSV

        func csvFormat(_ node: DeclarationNode, codePage: CodePage) -> CSVFormat {
            var delimiter: Unicode.Scalar = ","
            if let delimiterNode = node["delimiter"], let text = reader.string(delimiterNode) {
                let named = ["tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"][text] ?? text
                let scalars = Array(named.unicodeScalars)
                if scalars.count != 1 || scalars[0] == "\"" || scalars[0] == "\n" || scalars[0] == "\r" || scalars[0] == " " {
                    reader.report(delimiterNode, "the delimiter is one character other than a quote, a space or a line break (or tab, comma, semicolon, pipe)")
                } else if codePage.byte(scalars[0]) == nil {
                    reader.report(delimiterNode, codePage.name == "ascii" ? "the delimiter must be an ASCII character" : "'\(named)' has no equivalent in \(codePage.name)")
                } else {
                    delimiter = scalars[0]
                }
            }
            let headerRow = reader.boolean(node["header-row"]) ?? false
            var crlf = false
            if let endingNode = node["line-ending"], let ending = reader.string(endingNode) {
                switch ending.lowercased() {
                case "lf": crlf = false
                case "crlf": crlf = true
                default: reader.report(endingNode, "expected one of lf, crlf, found '\(ending)'")
                }
            }
            var decimalComma = false
            if let markNode = node["decimal-mark"], let mark = reader.string(markNode) {
                switch mark {
                case ".", "point": decimalComma = false
                case ",", "comma": decimalComma = true
                default: reader.report(markNode, "expected point or comma, found '\(mark)'")
                }
                if decimalComma, delimiter == "," {
                    reader.report(markNode, "with 'decimal-mark: comma' the delimiter cannot be a comma too (';' is usual)")
                }
            }
            return CSVFormat(delimiter: delimiter, headerRow: headerRow, crlf: crlf, decimalComma: decimalComma)
        }

        /// A record type of a CSV file: `when: {column, equals}` (optional), and fields with a
        /// `column` (by default the one after the previous field's), a `length` (characters, or
        /// digits of a number) and a type. Their values also get a fixed-width `layout`, back to
        /// back, which gives the JSON schema.
        func csvRecordType(
            _ name: String, _ node: DeclarationNode, codePage: CodePage, utf8: Bool, invalidValues: RecordLayout.InvalidValuePolicy
        ) -> RecordType? {
            /// Text the layout writes itself (type codes, headings) must exist in the file's encoding.
            func writable(_ text: String, _ at: DeclarationNode) {
                guard !utf8, let missing = text.unicodeScalars.first(where: { codePage.byte($0) == nil }) else { return }
                reader.report(at, "'\(missing)' has no equivalent in \(codePage.name)")
            }
            guard reader.mapping(node, allowed: ["when", "fields", "output", "description"], required: ["fields"]) != nil else {
                return nil
            }
            var matchColumn: Int?
            var matchText = ""
            if let when = node["when"], reader.mapping(when, allowed: ["column", "equals"], required: ["column", "equals"]) != nil {
                matchColumn = (reader.integer(when["column"], in: 1...4096) ?? 1) - 1
                matchText = reader.string(when["equals"]) ?? ""
                if let equalsNode = when["equals"] {
                    writable(matchText, equalsNode)
                    if matchText.isEmpty || matchText.first == " " || matchText.last == " " {
                        reader.report(equalsNode, "the type code is compared without surrounding spaces: give it without them, and not empty")
                    }
                }
            }
            guard let fieldsNode = node["fields"] else { return nil }
            guard case .sequence(let items) = fieldsNode.content, !items.isEmpty else {
                reader.report(fieldsNode, "expected a list of fields, found \(fieldsNode.typeName)")
                return nil
            }
            var columns: [CSVFormat.Column] = []
            var names: Set<String> = []
            var offset = 0
            var nextColumn = 0
            for item in items {
                for key in ["start", "picture", "usage", "occurs", "fields", "omit-blank", "encoding"] where item[key] != nil {
                    reader.report(item[key]!, "'\(key)' is for fixed-width files; a CSV field has column, length, type, scale, signed, trim, heading")
                }
                guard reader.mapping(item, allowed: Self.csvFieldKeys + ["start", "picture", "usage", "occurs", "fields", "omit-blank", "encoding"], required: ["name", "length"]) != nil,
                    let fieldName = reader.string(item["name"])
                else { continue }
                if fieldName == "recordType" || !fieldName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) || fieldName.first?.isNumber != false {
                    reader.report(item["name"]!, "'\(fieldName)' cannot name a field: use letters, digits and _, and not 'recordType' (each decoded record says its type there)")
                }
                if !names.insert(fieldName).inserted { reader.report(item["name"]!, "\(fieldName) is declared twice in this record type") }
                let column = item["column"].flatMap { reader.integer($0, in: 1...4096) }.map { $0 - 1 } ?? nextColumn
                if column < nextColumn, let columnNode = item["column"] {
                    reader.report(columnNode, "\(fieldName) is in column \(column + 1), but the fields before it reach column \(nextColumn); fields go in column order")
                }
                if column == matchColumn {
                    reader.report(item["column"] ?? item, "column \(column + 1) holds the record type's code ('when')")
                }
                nextColumn = column + 1
                let trim = choice(item["trim"], default: TextTrim.none)
                guard let codec = codec(item, length: reader.integer(item["length"], in: 1...RecordLayout.maximumLength)) else { continue }
                if trim != .none, case .zoned = codec { reader.report(item["trim"]!, "'trim' applies to text fields") }
                let heading = reader.string(item["heading"]) ?? fieldName
                if let headingNode = item["heading"] { writable(heading, headingNode) }
                let field = LayoutNode(
                    name: fieldName, jsonName: fieldName, offset: offset, size: codec.size, occurs: nil, dependingOn: nil,
                    occursMinimum: 0, redefines: nil, codec: codec, children: [], trim: trim, line: item.line)
                offset += codec.size
                columns.append(CSVFormat.Column(index: column, heading: heading, node: field))
            }
            let root = LayoutNode(
                name: name, jsonName: name, offset: 0, size: max(offset, 1), occurs: nil, dependingOn: nil, occursMinimum: 0, redefines: nil,
                codec: nil, children: columns.map(\.node), line: node.line)
            var layout = RecordLayout(name: name, root: root, codePage: codePage)
            layout.invalidValues = invalidValues
            return RecordType(
                name: name, offset: 0, value: [], fill: nil, layout: layout, output: reader.boolean(node["output"]) ?? true,
                columns: columns, matchColumn: matchColumn, matchText: matchText)
        }

        func choice<T: RawRepresentable & CaseIterable>(_ node: DeclarationNode?, default value: T) -> T where T.RawValue == String {
            guard let node, let text = reader.string(node) else { return value }
            guard let chosen = T(rawValue: text) else {
                reader.report(node, "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'")
                return value
            }
            return chosen
        }

        // MARK: Record types

        func recordType(
            _ name: String, _ node: DeclarationNode, codePage: CodePage, length: Int, invalidValues: RecordLayout.InvalidValuePolicy
        ) -> RecordType? {
            guard reader.mapping(node, allowed: ["when", "fields", "output", "description"], required: ["when", "fields"]) != nil else {
                return nil
            }
            var offset = 0
            var value: [UInt8] = []
            var fill: UInt8?
            if let when = node["when"], reader.mapping(when, allowed: ["start", "equals", "fill"], required: ["start"]) != nil {
                offset = (reader.integer(when["start"], in: 1...length) ?? 1) - 1
                let equals = reader.string(when["equals"])
                let filler = reader.string(when["fill"])
                if (equals == nil) == (filler == nil) {
                    reader.report(when, "give either 'equals' (the type code) or 'fill' (a character every byte repeats)")
                }
                if let equals {
                    value = encode(equals, codePage: codePage, at: when["equals"]!)
                    if equals.isEmpty || offset + value.count > length {
                        reader.report(when["equals"]!, "the type code must be 1 to \(length - offset) characters")
                    }
                }
                if let filler {
                    let bytes = encode(filler, codePage: codePage, at: when["fill"]!)
                    if bytes.count != 1 { reader.report(when["fill"]!, "'fill' is one character") }
                    fill = bytes.first
                }
            }
            let output = reader.boolean(node["output"]) ?? true
            var names: Set<String> = []
            var pages: [String: CodePage] = [:]
            let children = node["fields"].map { fields($0, within: length, names: &names, pages: &pages) } ?? []
            let root = LayoutNode(
                name: name, jsonName: name, offset: 0, size: length, occurs: nil, dependingOn: nil, occursMinimum: 0, redefines: nil,
                codec: nil, children: children, line: node.line)
            var layout = RecordLayout(name: name, root: root, codePage: codePage)
            layout.invalidValues = invalidValues
            layout.fieldCodePages = pages
            return RecordType(name: name, offset: offset, value: value, fill: fill, layout: layout, output: output)
        }

        func encode(_ text: String, codePage: CodePage, at node: DeclarationNode) -> [UInt8] {
            var bytes: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard let byte = codePage.byte(scalar) else {
                    reader.report(node, "'\(scalar)' has no equivalent in \(codePage.name)")
                    return []
                }
                bytes.append(byte)
            }
            return bytes
        }

        /// Fields at 1-based `start` positions within `size` bytes; overlaps and repeats refused.
        func fields(_ node: DeclarationNode, within size: Int, names: inout Set<String>, pages: inout [String: CodePage]) -> [LayoutNode] {
            guard case .sequence(let items) = node.content, !items.isEmpty else {
                reader.report(node, "expected a list of fields, found \(node.typeName)")
                return []
            }
            var nodes: [LayoutNode] = []
            var lastEnd = 0
            var lastName = ""
            for item in items {
                guard let field = field(item, within: size, names: &names, pages: &pages) else { continue }
                if field.offset < lastEnd {
                    reader.report(item, "\(field.name) starts at \(field.offset + 1), inside \(lastName) (which ends at \(lastEnd)); fields must not overlap and must be in order")
                }
                lastEnd = field.offset + field.totalSize
                lastName = field.name
                nodes.append(field)
            }
            return nodes
        }

        func field(_ node: DeclarationNode, within size: Int, names: inout Set<String>, pages: inout [String: CodePage]) -> LayoutNode? {
            guard reader.mapping(node, allowed: Self.fieldKeys, required: ["name", "start"]) != nil,
                let name = reader.string(node["name"]), let start = reader.integer(node["start"], in: 1...size)
            else { return nil }
            if name == "recordType" || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) || name.first?.isNumber != false {
                reader.report(node["name"]!, "'\(name)' cannot name a field: use letters, digits and _, and not 'recordType' (each decoded record says its type there)")
            }
            if !names.insert(name).inserted { reader.report(node["name"]!, "\(name) is declared twice in this record type") }
            let occurs = node["occurs"].flatMap { reader.integer($0, in: 1...RecordLayout.maximumCount) }
            let omitBlank = reader.boolean(node["omit-blank"]) ?? false
            if omitBlank, occurs == nil { reader.report(node["omit-blank"]!, "'omit-blank' applies to repeated fields (with 'occurs')") }
            let trim = choice(node["trim"], default: TextTrim.right)
            if let encodingNode = node["encoding"], let encoding = reader.string(encodingNode) {
                if let page = CodePage.named(encoding) {
                    pages[name] = page
                } else {
                    reader.report(encodingNode, "unknown encoding '\(encoding)'; one of \(CodePage.supportedNames.joined(separator: ", "))")
                }
            }
            var codec: FieldCodec?
            var children: [LayoutNode] = []
            var length = reader.integer(node["length"], in: 1...size)
            if let fieldsNode = node["fields"] {
                for key in ["type", "picture", "usage", "scale", "signed"] where node[key] != nil {
                    reader.report(node[key]!, "a group (with 'fields') takes no '\(key)'")
                }
                guard let groupLength = length else {
                    reader.report(node, "a group needs 'length' (the size of one occurrence)")
                    return nil
                }
                children = fields(fieldsNode, within: groupLength, names: &names, pages: &pages)
            } else {
                codec = self.codec(node, length: length)
                if length == nil { length = codec?.size }
                if let codec, let length, codec.size != length {
                    reader.report(node["length"]!, "\(name) is \(codec.size) bytes by its picture, not \(length)")
                }
            }
            guard let length else {
                if node["picture"] == nil { reader.report(node, "missing required key 'length'") }
                return nil
            }
            if start - 1 + length * (occurs ?? 1) > size {
                reader.report(node, "\(name) ends at \(start - 1 + length * (occurs ?? 1)), past the \(size) characters it is in")
            }
            if trim != .right, codec.map({ if case .alphanumeric = $0 { return false } else { return true } }) ?? true {
                reader.report(node["trim"]!, "'trim' applies to text fields")
            }
            return LayoutNode(
                name: name, jsonName: name, offset: start - 1, size: length, occurs: occurs, dependingOn: nil,
                occursMinimum: occurs ?? 0, redefines: nil, codec: codec, children: children, omitsBlankOccurrences: omitBlank,
                trim: node["trim"] == nil ? nil : trim, line: node.line)
        }

        /// `type: text | number` (with `scale`, `signed`), or a COBOL `picture` with `usage`.
        func codec(_ node: DeclarationNode, length: Int?) -> FieldCodec? {
            if let pictureNode = node["picture"], let picture = reader.string(pictureNode) {
                if node["type"] != nil || node["scale"] != nil || node["signed"] != nil {
                    reader.report(pictureNode, "give either 'picture' (and 'usage') or 'type' (and 'scale', 'signed'), not both")
                }
                let usage: Copybook.Usage
                switch reader.string(node["usage"])?.lowercased() ?? "display" {
                case "display": usage = .display
                case "comp", "comp-4", "binary": usage = .binary
                case "comp-5": usage = .nativeBinary
                case "comp-3", "packed-decimal": usage = .packed
                case let other:
                    reader.report(node["usage"]!, "usage '\(other)' is not one of display, comp, comp-4, binary, comp-5, comp-3, packed-decimal")
                    return nil
                }
                do {
                    return try RecordLayout.Builder.codec(picture: picture.uppercased(), usage: usage, file: node.file, line: pictureNode.line)
                } catch {
                    reader.report(pictureNode, error.message)
                    return nil
                }
            }
            if node["usage"] != nil { reader.report(node["usage"]!, "'usage' goes with 'picture'") }
            guard let length else { return nil }
            let type = reader.string(node["type"]) ?? "text"
            let scale = reader.integer(node["scale"], in: 0...min(length, ExactDecimal.maximumDigits)) ?? 0
            let signed = reader.boolean(node["signed"]) ?? false
            switch type {
            case "text":
                if node["scale"] != nil || node["signed"] != nil {
                    reader.report(node["scale"] ?? node["signed"]!, "'scale' and 'signed' apply to numbers")
                }
                return .alphanumeric(length: length)
            case "number":
                guard length <= ExactDecimal.maximumDigits else {
                    reader.report(node["length"]!, "a number has at most \(ExactDecimal.maximumDigits) digits")
                    return nil
                }
                return .zoned(digits: length, scale: scale, signed: signed)
            default:
                reader.report(node["type"]!, "expected one of text, number (or a COBOL 'picture'), found '\(type)'")
                return nil
            }
        }

        // MARK: Structure and checks

        func structure(_ node: DeclarationNode, types: [RecordType]) -> [Scope] {
            guard let entries = reader.mapping(node) else { return [] }
            let typeNames = types.map(\.name)
            let scopeNames = entries.map(\.key)
            var scopes: [Scope] = []
            for (index, entry) in entries.enumerated() {
                let value = entry.value
                guard reader.mapping(value, allowed: ["header", "contains", "trailer", "then"], required: ["header", "trailer"]) != nil
                else { continue }
                func typeName(_ key: String) -> String {
                    guard let child = value[key], let name = reader.string(child) else { return "" }
                    if !typeNames.contains(name) { reader.report(child, "no record type named '\(name)'") }
                    return name
                }
                let header = typeName("header")
                let trailer = typeName("trailer")
                let contains = names(value["contains"], allowed: typeNames + scopeNames.filter { $0 != entry.key })
                let then = names(value["then"], allowed: typeNames)
                if index > 0, value["then"] != nil {
                    reader.report(value["then"]!, "only the first scope (the whole file) may have records after its trailer")
                }
                scopes.append(Scope(name: entry.key, header: header, trailer: trailer, contains: contains, then: then))
            }
            for scope in scopes.dropFirst() where !scopes.contains(where: { $0.contains.contains(scope.name) }) {
                reader.report(node[scope.name]!, "scope \(scope.name) is in no other scope's 'contains'")
            }
            // Scopes nest: one that (through others) contains itself could open without end.
            func reaches(_ start: String, _ target: String, _ seen: inout Set<String>) -> Bool {
                guard let scope = scopes.first(where: { $0.name == start }) else { return false }
                for inner in scope.contains where scopes.contains(where: { $0.name == inner }) {
                    if inner == target { return true }
                    if seen.insert(inner).inserted, reaches(inner, target, &seen) { return true }
                }
                return false
            }
            for scope in scopes {
                var seen: Set<String> = []
                if reaches(scope.name, scope.name, &seen) {
                    reader.report(node[scope.name]!, "scope \(scope.name) contains itself through other scopes")
                }
            }
            return scopes
        }

        /// Names or values, one or a list; with `allowed`, each must be one of them.
        func names(_ node: DeclarationNode?, allowed: [String]?) -> [String] {
            guard let node else { return [] }
            let items: [DeclarationNode]
            switch node.content {
            case .sequence(let list): items = list
            case .scalar: items = [node]
            default:
                reader.report(node, "expected a list of names, found \(node.typeName)")
                return []
            }
            return items.compactMap { item in
                guard let name = reader.string(item) else { return nil }
                if let allowed, !allowed.contains(name) {
                    reader.report(item, "'\(name)' is not one of \(allowed.joined(separator: ", "))")
                }
                return name
            }
        }

        func path(_ node: DeclarationNode?, types: [RecordType], allowedTypes: [String]? = nil) -> FieldPath? {
            guard let node, let text = reader.string(node) else { return nil }
            let parts = text.split(separator: ".").map(String.init)
            guard parts.count >= 2, let type = types.first(where: { $0.name == parts[0] }) else {
                reader.report(node, "'\(text)' is not record-type.field (record types: \(types.map(\.name).joined(separator: ", ")))")
                return nil
            }
            if let allowedTypes, !allowedTypes.contains(type.name) {
                reader.report(node, "the checked field must be in the scope's header or trailer (\(allowedTypes.joined(separator: " or ")))")
            }
            guard exists(Array(parts.dropFirst()), in: type, at: node) else { return nil }
            return FieldPath(recordType: type.name, members: Array(parts.dropFirst()))
        }

        func exists(_ members: [String], in type: RecordType, at node: DeclarationNode) -> Bool {
            var current = type.layout.root
            for member in members {
                guard let child = current.children.first(where: { $0.jsonName == member }) else {
                    let known = current.children.map(\.jsonName).joined(separator: ", ")
                    reader.report(node, "\(type.name) has no field '\(member)' here (fields: \(known))")
                    return false
                }
                current = child
            }
            return true
        }

        func check(_ node: DeclarationNode, types: [RecordType], scopes: [Scope]) -> Check? {
            guard reader.mapping(node, allowed: Self.checkKeys, required: ["scope"]) != nil,
                let scopeName = reader.string(node["scope"])
            else { return nil }
            guard let scope = scopes.first(where: { $0.name == scopeName }) else {
                reader.report(node["scope"]!, "no scope named '\(scopeName)' in 'structure'")
                return nil
            }
            let kinds = ["count", "sum", "same", "sequence"].filter { node[$0] != nil }
            guard kinds.count == 1 else {
                reader.report(node, "a check has exactly one of count, sum, same, sequence")
                return nil
            }
            let needsTarget = kinds[0] == "count" || kinds[0] == "sum"
            if needsTarget, node["field"] == nil { reader.report(node, "missing required key 'field' (the header or trailer field checked)") }
            if !needsTarget, node["field"] != nil { reader.report(node["field"]!, "'\(kinds[0])' checks take no 'field'") }
            let target = needsTarget ? path(node["field"], types: types, allowedTypes: [scope.header, scope.trailer]) : nil
            let typeNames = types.map(\.name)
            let rule: Check.Rule
            switch kinds[0] {
            case "count":
                let countNode = node["count"]!
                if countNode.scalar == "all" {
                    rule = .countAll(per: node["per"].flatMap { reader.integer($0, in: 1...1_000_000) } ?? 1)
                } else if let text = countNode.scalar, text.contains(".") {
                    guard let path = path(countNode, types: types) else { return nil }
                    rule = .countValues(path)
                } else {
                    rule = .countRecords(names(countNode, allowed: typeNames))
                }
                if node["per"] != nil, countNode.scalar != "all" { reader.report(node["per"]!, "'per' goes with 'count: all'") }
            case "sum":
                guard let path = path(node["sum"], types: types) else { return nil }
                var conditions: [(String, Set<String>)] = []
                if let whereNode = node["where"], let entries = reader.mapping(whereNode) {
                    let type = types.first { $0.name == path.recordType }!
                    for entry in entries where exists(entry.key.split(separator: ".").map(String.init), in: type, at: entry.keyNode) {
                        conditions.append((entry.key, Set(names(entry.value, allowed: nil).map(Self.canonicalNumber))))
                    }
                }
                var modulo: Int128?
                if let moduloNode = node["modulo"], let text = reader.string(moduloNode) {
                    if let value = Int128(text), value > 1 { modulo = value } else { reader.report(moduloNode, "expected a whole number above 1") }
                }
                rule = .sum(path, where: conditions, modulo: modulo)
            case "same":
                rule = .same(names(node["same"], allowed: allFieldNames(types)))
            default:
                guard let field = reader.string(node["sequence"]) else { return nil }
                if !allFieldNames(types).contains(field) { reader.report(node["sequence"]!, "no record type has a field '\(field)'") }
                rule = .sequence(field)
            }
            return Check(scope: scopeName, target: target, rule: rule, line: node.line)
        }

        func allFieldNames(_ types: [RecordType]) -> [String] {
            Array(Set(types.flatMap { $0.layout.root.children.map(\.jsonName) })).sorted()
        }

        /// `027` and `27` name the same value of a numeric field.
        static func canonicalNumber(_ text: String) -> String {
            guard let value = ExactDecimal(text) else { return text }
            return value.description
        }
    }
}
