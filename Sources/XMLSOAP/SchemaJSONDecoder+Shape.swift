import GatewayCore

/// The JSON shape `decode` produces for an element, as a `ValueSchema` (for OpenAPI): the same
/// rules, written once more as a description instead of a conversion.
extension SchemaJSONDecoder {
    /// The shape of a global element's JSON; `.any` when the schema does not declare it.
    public func shape(ofElement name: WSDL.QName) -> ValueSchema {
        guard let declaration = schemas.elements[name] else { return .any(description: "\(name.name): not declared by the schema") }
        var stack: Set<ObjectIdentifier> = []
        return shape(of: declaration.type, stack: &stack)
    }

    /// The shape of a value of `type` (rpc parts name types rather than elements).
    public func shape(ofType type: XMLSchemaSet.TypeReference) -> ValueSchema {
        var stack: Set<ObjectIdentifier> = []
        return shape(of: type, stack: &stack)
    }

    /// `stack`: the complex types being described around this one; a type that contains itself
    /// (a tree of parts, a list of notes with replies) is described once, its deeper levels as any JSON.
    private func shape(of type: XMLSchemaSet.TypeReference, stack: inout Set<ObjectIdentifier>, depth: Int = 0) -> ValueSchema {
        guard depth < Self.maximumDerivation else { return .any(description: nil) }
        switch type {
        case .builtin(let name): return Self.shape(builtin: name)
        case .simple(let simple): return shape(simple, stack: &stack, depth: depth)
        case .named(let name):
            if let complex = schemas.complexTypes[name] { return shape(complex, name: name.name, stack: &stack, depth: depth) }
            if let simple = schemas.simpleTypes[name] { return shape(simple, stack: &stack, depth: depth) }
            return .any(description: "of type \(name.name), which the schema does not declare")
        case .complex(let complex): return shape(complex, name: nil, stack: &stack, depth: depth)
        case .any: return .any(description: nil)
        }
    }

    private func shape(_ simple: XMLSchemaSet.SimpleType, stack: inout Set<ObjectIdentifier>, depth: Int) -> ValueSchema {
        let base = shape(of: simple.base, stack: &stack, depth: depth + 1)
        guard simple.enumeration.isEmpty else { return .choice(base, values: simple.enumeration, names: simple.enumeration) }
        guard !simple.facets.isEmpty else { return base }
        if case .restricted(let inner, let facets) = base { return .restricted(inner, simple.facets.restricting(facets)) }
        return .restricted(base, simple.facets)
    }

    private func shape(_ type: XMLSchemaSet.ComplexType, name: String?, stack: inout Set<ObjectIdentifier>, depth: Int) -> ValueSchema {
        let identity = ObjectIdentifier(type)
        guard stack.insert(identity).inserted else {
            return .any(description: "the same shape as the enclosing \(name ?? "element") (a recursive type)")
        }
        defer { stack.remove(identity) }
        let content = content(of: type)
        var members: [(name: String, schema: ValueSchema)] = []
        for attribute in content.attributes {
            members.append((attribute.name, .optional(shape(of: attribute.type, stack: &stack, depth: depth + 1))))
        }
        if let text = type.simpleContent {
            members.append(("value", shape(of: text, stack: &stack, depth: depth + 1)))
            return .object(members)
        }
        for element in content.elements where !members.contains(where: { $0.name == element.name }) {
            var member = shape(of: element.type, stack: &stack, depth: depth + 1)
            if element.nillable { member = .nullable(member) }
            if element.repeats {
                member = .array(member, minItems: element.minOccurs, maxItems: element.maxOccurs)
            }
            if element.minOccurs == 0 { member = .optional(member) }
            members.append((element.name, member))
        }
        return .object(members)
    }

    static let integerTypes: Set<String> = [
        "integer", "int", "long", "short", "byte", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
        "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    ]

    /// JSON Schema formats for the XML Schema types that have one.
    static let formats: [String: String] = [
        "date": "date", "dateTime": "date-time", "time": "time", "duration": "duration", "anyURI": "uri-reference",
    ]

    static func shape(builtin name: String) -> ValueSchema {
        if numericTypes.contains(name) { return .number(integer: integerTypes.contains(name)) }
        if name == "boolean" { return .boolean }
        return .string(maxLength: nil, format: formats[name])
    }
}
