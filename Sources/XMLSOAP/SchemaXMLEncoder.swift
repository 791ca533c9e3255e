import Foundation
import GatewayCore

/// JSON to XML by the schema: elements in the order the schema declares them, each in its own
/// namespace (qualified or not, as `elementFormDefault` and `form` say), arrays as repeated
/// elements, attributes from the members the type declares as attributes, simple content from
/// `value`, null as `xsi:nil="true"` where the element is nillable. A member the schema does not
/// declare is an error naming it, never sent and never dropped silently.
///
/// Namespaces are written as default-namespace declarations where they change
/// (`<Request xmlns="urn:a"><Item xmlns="">…`), so no prefix is ever invented or clashes.
public struct SchemaXMLEncoder: Sendable {
    public struct EncodingError: Error, Sendable, CustomStringConvertible {
        /// Where in the JSON (`DummyFilter.DummyStringFilter`).
        public var path: String
        public var message: String
        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    public let schemas: XMLSchemaSet
    /// Each type's content, worked out once (not per element written).
    private let decoder: SchemaJSONDecoder
    /// Whether an element the schema requires (minOccurs ≥ 1, outside any choice or optional
    /// group) must be given. On in the gateway, where `/openapi.json` lists it as required;
    /// off only to compare with clients that send what they are given (node-soap's cases).
    public var requiresElements = true

    public init(schemas: XMLSchemaSet) {
        self.schemas = schemas
        self.decoder = SchemaJSONDecoder(schemas: schemas)
    }

    /// The XML of a global element holding `value`.
    public func encode(_ value: JSONValue, element name: WSDL.QName) throws(EncodingError) -> [UInt8] {
        guard let declaration = schemas.elements[name] else {
            throw EncodingError(path: "", message: "the schema declares no element \(name)")
        }
        var out: [UInt8] = []
        try write(declaration.name, namespace: declaration.namespace, type: declaration.type, nillable: declaration.nillable,
                  value: value, parentNamespace: .some(nil), path: "", into: &out)
        return out
    }

    /// `parentNamespace`: the default namespace in scope (`.some(nil)`: none declared).
    func write(
        _ name: String, namespace: String?, type: XMLSchemaSet.TypeReference, nillable: Bool, value: JSONValue,
        parentNamespace: String??, path: String, into out: inout [UInt8]
    ) throws(EncodingError) {
        var start = "<" + name
        if namespace != parentNamespace ?? nil { start += " xmlns=\"" + Self.escape(namespace ?? "", attribute: true) + "\"" }
        if case .null = value {
            guard nillable else { return }
            out += Array((start + " xmlns:xsi=\"\(XMLElement.schemaInstance)\" xsi:nil=\"true\"/>").utf8)
            return
        }
        switch resolve(type) {
        case .scalar:
            guard let text = Self.text(value) else {
                throw EncodingError(path: path, message: "expected a text, number or boolean value, found \(value.typeName)")
            }
            try Self.checkCharacters(text, path: path)
            try checkValue(text, type, path: path)
            out += Array((start + ">" + Self.escape(text, attribute: false) + "</" + name + ">").utf8)
        case .complex(let complex):
            try writeComplex(complex, name: name, start: start, namespace: namespace, value: value, path: path, into: &out)
        case .any:
            out += Array((start + ">").utf8)
            try writeUntyped(value, namespace: namespace, path: path, into: &out)
            out += Array(("</" + name + ">").utf8)
        }
    }

    private enum Resolved {
        case scalar
        case complex(XMLSchemaSet.ComplexType)
        case any
    }

    private func resolve(_ type: XMLSchemaSet.TypeReference) -> Resolved {
        switch type {
        case .builtin, .simple: return .scalar
        case .complex(let complex): return .complex(complex)
        case .named(let name):
            if let complex = schemas.complexTypes[name] { return .complex(complex) }
            return schemas.simpleTypes[name] != nil ? .scalar : .any
        case .any: return .any
        }
    }

    private func writeComplex(
        _ type: XMLSchemaSet.ComplexType, name: String, start: String, namespace: String?, value: JSONValue, path: String,
        into out: inout [UInt8]
    ) throws(EncodingError) {
        let attributes = decoder.content(of: type).attributes
        var object: JSONObject
        switch value {
        case .object(let members): object = members
        default:
            guard type.simpleContent != nil else {
                throw EncodingError(path: path, message: "expected an object, found \(value.typeName)")
            }
            object = JSONObject([("value", value)])
        }
        var head = start
        var known = Set<String>()
        for attribute in attributes {
            known.insert(attribute.name)
            guard let member = object[attribute.name], let text = Self.text(member) else { continue }
            let attributePath = path.isEmpty ? attribute.name : path + "." + attribute.name
            try Self.checkCharacters(text, path: attributePath)
            try checkValue(text, attribute.type, path: attributePath)
            head += " " + attribute.name + "=\"" + Self.escape(text, attribute: true) + "\""
        }
        if let content = type.simpleContent {
            known.insert("value")
            try checkKnown(object, known, path: path)
            let text = object["value"].flatMap(Self.text) ?? ""
            try Self.checkCharacters(text, path: path)
            if object["value"] != nil { try checkValue(text, content, path: path.isEmpty ? "value" : path + ".value") }
            out += Array((head + ">" + Self.escape(text, attribute: false) + "</" + name + ">").utf8)
            return
        }
        let declarations = decoder.content(of: type).elements
        for declaration in declarations { known.insert(declaration.name) }
        try checkKnown(object, known, path: path)
        out += Array((head + ">").utf8)
        for declaration in declarations {
            let memberPath = path.isEmpty ? declaration.name : path + "." + declaration.name
            let required = requiresElements && declaration.minOccurs > 0
            guard let member = object[declaration.name], member != .null || declaration.nillable || required else {
                if required {
                    throw EncodingError(path: memberPath, message: "required by the schema, but missing")
                }
                continue
            }
            if member == .null, !declaration.nillable {
                throw EncodingError(path: memberPath, message: "required by the schema and not nillable, but null")
            }
            let items: [JSONValue]
            if case .array(let values) = member {
                guard declaration.repeats else {
                    throw EncodingError(path: memberPath, message: "\(declaration.name) occurs at most once, but a list was given")
                }
                items = values
            } else {
                items = [member]
            }
            for (index, item) in items.enumerated() {
                try write(
                    declaration.name, namespace: declaration.namespace, type: declaration.type, nillable: declaration.nillable, value: item,
                    parentNamespace: .some(namespace), path: items.count > 1 ? "\(memberPath)[\(index)]" : memberPath, into: &out)
            }
        }
        out += Array(("</" + name + ">").utf8)
    }

    private func checkKnown(_ object: JSONObject, _ known: Set<String>, path: String) throws(EncodingError) {
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            let expected = known.sorted().joined(separator: ", ")
            throw EncodingError(
                path: path.isEmpty ? unknown : path + "." + unknown,
                message: "not in the schema here (expected one of: \(expected.isEmpty ? "nothing" : expected))")
        }
    }

    /// Content no schema describes (`xs:anyType`): members become elements in the parent's namespace.
    private func writeUntyped(_ value: JSONValue, namespace: String?, path: String, into out: inout [UInt8]) throws(EncodingError) {
        switch value {
        case .object(let object):
            for (key, member) in object {
                let items: [JSONValue]
                if case .array(let values) = member { items = values } else { items = [member] }
                // The key becomes an element name: only a plain XML name, never markup.
                guard Self.isElementName(key) else {
                    throw EncodingError(path: path.isEmpty ? key : path + "." + key, message: "'\(key)' is not an XML element name")
                }
                for item in items {
                    out += Array(("<" + key + ">").utf8)
                    try writeUntyped(item, namespace: namespace, path: path + "." + key, into: &out)
                    out += Array(("</" + key + ">").utf8)
                }
            }
        default:
            guard let text = Self.text(value) else { return }
            try Self.checkCharacters(text, path: path)
            out += Array(Self.escape(text, attribute: false).utf8)
        }
    }

    /// A name without a prefix: a letter or `_`, then letters, digits, `_`, `-` or `.`.
    static func isElementName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0) }
    }

    /// A simple value must be one of its type's enumeration when it has one, and read as its
    /// built-in base type (a number for `xs:int`, `true`/`false`/`1`/`0` for `xs:boolean`): the
    /// backend would refuse it anyway, later and less clearly.
    private func checkValue(_ text: String, _ type: XMLSchemaSet.TypeReference, path: String) throws(EncodingError) {
        var current = type
        var enumeration: [String] = []
        var builtin: String?
        var chain: [ValueFacets] = []
        for _ in 0..<32 {
            var simple: XMLSchemaSet.SimpleType?
            switch current {
            case .builtin(let name): builtin = name
            case .simple(let type): simple = type
            case .named(let name): simple = schemas.simpleTypes[name]
            case .complex, .any: break
            }
            guard let simple else { break }
            if enumeration.isEmpty { enumeration = simple.enumeration }
            chain.append(simple.facets)
            current = simple.base
        }
        if !enumeration.isEmpty, !enumeration.contains(text) {
            throw EncodingError(path: path, message: "'\(text)' is not one of \(enumeration.joined(separator: ", "))")
        }
        // float and double also take exponents, INF and NaN: left to the backend.
        if let builtin, builtin != "float", builtin != "double", let pattern = SchemaJSONDecoder.shape(builtin: builtin).textPattern,
            text.range(of: pattern, options: .regularExpression) == nil
        {
            throw EncodingError(path: path, message: "'\(text)' is not a valid xs:\(builtin)")
        }
        // The built-in integer types' own ranges (`xs:int`, `xs:unsignedShort`, `xs:positiveInteger`…).
        if let builtin, let range = Self.integerRanges[builtin], let value = ExactDecimal(text) {
            if let low = range.low.flatMap({ ExactDecimal($0) }), let order = Self.compare(value, low), order < 0 {
                throw EncodingError(path: path, message: "'\(text)' is below xs:\(builtin)'s minimum \(low)")
            }
            if let high = range.high.flatMap({ ExactDecimal($0) }), let order = Self.compare(value, high), order > 0 {
                throw EncodingError(path: path, message: "'\(text)' is above xs:\(builtin)'s maximum \(high)")
            }
        }
        // The most derived restriction's limits win; every pattern on the way must match.
        let facets = chain.reversed().reduce(ValueFacets()) { $1.restricting($0) }
        if !facets.isEmpty {
            let binary = builtin == "hexBinary" || builtin == "base64Binary"
            if let problem = Self.facetProblem(text, facets, numeric: builtin.map(SchemaJSONDecoder.numericTypes.contains) ?? false, binary: binary) {
                throw EncodingError(path: path, message: "'\(text)' \(problem)")
            }
        }
    }

    /// Why `text` breaks a facet, or nil.
    public static func facetProblem(_ text: String, _ facets: ValueFacets, numeric: Bool, binary: Bool = false) -> String? {
        // Lengths count characters of text; a binary type's count octets (not checked here).
        if !numeric, !binary {
            let length = text.count
            if let minimum = facets.minLength, length < minimum { return "is shorter than \(minimum) characters" }
            if let maximum = facets.maxLength, length > maximum { return "is longer than \(maximum) characters" }
        }
        for pattern in facets.patterns {
            guard let expression = ValueFacets.compiledExpression(forXMLSchemaPattern: pattern) else { continue }
            if expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil { return "does not match the pattern \(pattern)" }
        }
        guard numeric, let value = ExactDecimal(text) else { return nil }
        if let bound = facets.minimum.flatMap({ ExactDecimal($0) }), let order = compare(value, bound) {
            if order < 0 || (order == 0 && facets.minimumExclusive) { return "is below the \(facets.minimumExclusive ? "exclusive " : "")minimum \(bound)" }
        }
        if let bound = facets.maximum.flatMap({ ExactDecimal($0) }), let order = compare(value, bound) {
            if order > 0 || (order == 0 && facets.maximumExclusive) { return "is above the \(facets.maximumExclusive ? "exclusive " : "")maximum \(bound)" }
        }
        // Digits of the value, trailing fraction zeros aside (1.50 has one fraction digit).
        var significand = value.significand.magnitude
        var scale = value.scale
        while scale > 0, significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        if let maximum = facets.fractionDigits, scale > maximum { return "has more than \(maximum) digits after the point" }
        if let maximum = facets.totalDigits, String(significand).count > maximum { return "has more than \(maximum) digits" }
        return nil
    }

    static let integerRanges: [String: (low: String?, high: String?)] = [
        "byte": ("-128", "127"), "short": ("-32768", "32767"), "int": ("-2147483648", "2147483647"),
        "long": ("-9223372036854775808", "9223372036854775807"), "unsignedByte": ("0", "255"), "unsignedShort": ("0", "65535"),
        "unsignedInt": ("0", "4294967295"), "unsignedLong": ("0", "18446744073709551615"), "nonNegativeInteger": ("0", nil),
        "positiveInteger": ("1", nil), "nonPositiveInteger": (nil, "0"), "negativeInteger": (nil, "-1"),
    ]

    /// -1, 0 or 1; nil when the two cannot be brought to one scale.
    static func compare(_ a: ExactDecimal, _ b: ExactDecimal) -> Int? {
        let scale = max(a.scale, b.scale)
        guard let x = a.rescaled(to: scale), let y = b.rescaled(to: scale) else { return nil }
        return x.significand < y.significand ? -1 : x.significand > y.significand ? 1 : 0
    }

    /// XML 1.0 cannot carry control characters other than tab, newline and carriage return.
    static func checkCharacters(_ text: String, path: String) throws(EncodingError) {
        if let control = text.unicodeScalars.first(where: { $0.value < 0x20 && !["\t", "\n", "\r"].contains($0) }) {
            throw EncodingError(path: path, message: "control character U+\(String(control.value, radix: 16, uppercase: true)) cannot be sent in XML")
        }
    }

    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    static func escape(_ text: String, attribute: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where attribute: result += "&quot;"
            case "\r": result += "&#13;"
            case "\n" where attribute: result += "&#10;"
            case "\t" where attribute: result += "&#9;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
