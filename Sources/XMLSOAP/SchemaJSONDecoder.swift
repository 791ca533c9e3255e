import GatewayCore

/// XML to JSON by the schema, not by guessing:
/// - an element that may repeat (`maxOccurs` > 1) is always an array, even with one item; an
///   absent optional element is left out; `xsi:nil="true"` is null;
/// - numbers (`decimal`, the integer types, `float`, `double`) are exact JSON numbers, booleans are
///   booleans, everything else (dates and times included) is a string, its surrounding whitespace
///   (pretty-printing) trimmed;
/// - attributes are members named after the attribute; a complex type with simple content puts
///   its text in `value`;
/// - an element the schema does not declare (or `xs:any` content) is kept, read without a schema
///   (`XMLElement.genericJSON`), never dropped.
public struct SchemaJSONDecoder: Sendable {
    public let schemas: XMLSchemaSet
    /// Each complex type's element declarations and attributes, base types included, worked out
    /// once: converting a 10,000-item list must not redo it per item.
    private let contents: [ObjectIdentifier: (elements: [XMLSchemaSet.ElementDeclaration], attributes: [XMLSchemaSet.AttributeDeclaration])]

    public init(schemas: XMLSchemaSet) {
        self.schemas = schemas
        var contents: [ObjectIdentifier: ([XMLSchemaSet.ElementDeclaration], [XMLSchemaSet.AttributeDeclaration])] = [:]
        var pending = Array(schemas.complexTypes.values)
        func inline(_ type: XMLSchemaSet.TypeReference) {
            if case .complex(let complex) = type { pending.append(complex) }
        }
        for element in schemas.elements.values { inline(element.type) }
        let bare = SchemaJSONDecoder(schemas: schemas, contents: [:])
        while let type = pending.popLast() {
            guard contents[ObjectIdentifier(type)] == nil else { continue }
            let elements = bare.declarations(of: type)
            contents[ObjectIdentifier(type)] = (elements, bare.attributes(of: type))
            for element in elements { inline(element.type) }
        }
        self.contents = contents
    }

    private init(schemas: XMLSchemaSet, contents: [ObjectIdentifier: ([XMLSchemaSet.ElementDeclaration], [XMLSchemaSet.AttributeDeclaration])]) {
        self.schemas = schemas
        self.contents = contents
    }

    /// A body element, by the global element declaration of its name. `scope`: the prefixes in
    /// scope around it (`SOAPEnvelope.bodyScope`), for `xsi:type` values.
    public func decode(_ element: XMLElement, scope: NamespaceScope = NamespaceScope()) -> JSONValue {
        guard let declaration = schemas.elements[WSDL.QName(element.namespace, element.name)]
            ?? schemas.elements.first(where: { $0.key.name == element.name })?.value
        else { return element.genericJSON }
        return value(element, type: declaration.type, scope: scope)
    }

    /// `xsi:type` names the derived type an instance really has (polymorphic services): a type
    /// the schema knows replaces the declared one.
    private func actualType(_ element: XMLElement, declared: XMLSchemaSet.TypeReference, scope: NamespaceScope) -> XMLSchemaSet.TypeReference {
        guard let text = element.attribute("type", namespace: XMLElement.schemaInstance) else { return declared }
        let resolved = scope.resolve(text)
        let name = WSDL.QName(resolved.namespace, resolved.local)
        if name.namespace == XMLSchemaSet.xs { return .builtin(name.name) }
        return schemas.complexTypes[name] != nil || schemas.simpleTypes[name] != nil ? .named(name) : declared
    }

    func value(_ element: XMLElement, type declared: XMLSchemaSet.TypeReference, scope outer: NamespaceScope) -> JSONValue {
        if element.attribute("nil", namespace: XMLElement.schemaInstance) == "true" { return .null }
        let scope = element.namespaceDeclarations.isEmpty ? outer : outer.entering(element)
        let type = actualType(element, declared: declared, scope: scope)
        switch type {
        case .builtin, .simple: return Self.scalar(element.text, base: type, in: schemas)
        case .named(let name):
            if let complex = schemas.complexTypes[name] { return self.complex(element, complex, scope: scope) }
            if let simple = schemas.simpleTypes[name] { return Self.scalar(element.text, base: simple.base, in: schemas) }
            return element.genericJSON
        case .complex(let complex): return self.complex(element, complex, scope: scope)
        case .any: return element.genericJSON
        }
    }

    /// A simple type's text by the built-in type at the root of its restrictions.
    /// `depth` bounds restriction chains: a schema whose type restricts itself must not recurse forever.
    static func scalar(_ text: String, base: XMLSchemaSet.TypeReference, in schemas: XMLSchemaSet, depth: Int = 0) -> JSONValue {
        guard depth < maximumDerivation else { return .string(text.trimmingWhitespace) }
        switch base {
        case .builtin(let name): return scalar(text, builtin: name)
        case .simple(let simple): return scalar(text, base: simple.base, in: schemas, depth: depth + 1)
        case .named(let name):
            guard let simple = schemas.simpleTypes[name] else { return .string(text.trimmingWhitespace) }
            return scalar(text, base: simple.base, in: schemas, depth: depth + 1)
        default: return .string(text.trimmingWhitespace)
        }
    }

    static let instructionNamespaces: Set<String> = [
        XMLElement.schemaInstance, "http://schemas.xmlsoap.org/soap/encoding/", "http://www.w3.org/2003/05/soap-encoding",
        "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope",
    ]

    /// The longest chain of derivations followed (a cycle in a broken schema stops there).
    static let maximumDerivation = 32

    /// A type's element declarations and attributes, base types included.
    func content(of type: XMLSchemaSet.ComplexType) -> (elements: [XMLSchemaSet.ElementDeclaration], attributes: [XMLSchemaSet.AttributeDeclaration]) {
        contents[ObjectIdentifier(type)] ?? (declarations(of: type), attributes(of: type))
    }

    private func complex(_ element: XMLElement, _ type: XMLSchemaSet.ComplexType, scope: NamespaceScope) -> JSONValue {
        let content = content(of: type)
        var object = JSONObject()
        object.reserveCapacity(content.attributes.count + (type.simpleContent == nil ? content.elements.count : 1))
        for attribute in content.attributes {
            guard let text = element.attribute(attribute.name) else { continue }
            object[attribute.name] = Self.scalar(text, base: attribute.type, in: schemas)
        }
        // Undeclared attributes (a server ahead of its schema) are kept as text, like undeclared
        // children. Not those of XML Schema instances and SOAP (`xsi:type`, `soapenc:arrayType`,
        // `soapenv:encodingStyle`): instructions to the reader, not data.
        for attribute in element.attributes
        where !Self.instructionNamespaces.contains(attribute.namespace ?? "") && object[attribute.name] == nil
            && !content.attributes.contains(where: { $0.name == attribute.name })
        {
            object[attribute.name] = .string(attribute.value)
        }
        if let content = type.simpleContent {
            object["value"] = Self.scalar(element.text, base: content, in: schemas)
            return .object(object)
        }
        // Each declaration takes the children of its name not taken yet (all of them when it
        // repeats, the first otherwise), scanning in place: no per-declaration arrays.
        let children = element.children
        var used = [Bool](repeating: false, count: children.count)
        for declaration in content.elements {
            if declaration.repeats {
                var values: [JSONValue] = []
                for index in children.indices where !used[index] && children[index].name == declaration.name {
                    used[index] = true
                    values.append(value(children[index], type: declaration.type, scope: scope))
                }
                if !values.isEmpty { object[declaration.name] = .array(values) }
            } else if let index = children.indices.first(where: { !used[$0] && children[$0].name == declaration.name }) {
                used[index] = true
                object[declaration.name] = value(children[index], type: declaration.type, scope: scope)
            }
        }
        // Undeclared children (xs:any, or a server ahead of its WSDL): kept without a schema.
        for (index, child) in children.enumerated() where !used[index] {
            switch object[child.name] {
            case nil: object[child.name] = child.genericJSON
            case .array(var items)?:
                items.append(child.genericJSON)
                object[child.name] = .array(items)
            case let existing?: object[child.name] = .array([existing, child.genericJSON])
            }
        }
        return .object(object)
    }

    /// The element declarations of a type's content, its base type's first, references resolved.
    func declarations(of type: XMLSchemaSet.ComplexType, depth: Int = 0) -> [XMLSchemaSet.ElementDeclaration] {
        var result: [XMLSchemaSet.ElementDeclaration] = []
        if let base = type.base, let baseType = schemas.complexTypes[base], depth < Self.maximumDerivation {
            result += declarations(of: baseType, depth: depth + 1)
        }
        func walk(_ particles: [XMLSchemaSet.Particle], repeated: Bool, optional: Bool) {
            for particle in particles {
                switch particle {
                case .element(let declaration):
                    result.append(Self.adjusted(declaration, repeated: repeated, optional: optional))
                case .reference(let name, let minimum, let maximum):
                    guard let global = schemas.elements[name] else { continue }
                    let declaration = XMLSchemaSet.ElementDeclaration(
                        name: global.name, namespace: global.namespace, type: global.type, minOccurs: minimum,
                        maxOccurs: maximum, nillable: global.nillable)
                    result.append(Self.adjusted(declaration, repeated: repeated, optional: optional))
                case .group(let inner, let maximum, let groupOptional):
                    walk(inner, repeated: repeated || maximum.map { $0 > 1 } ?? true, optional: optional || groupOptional)
                case .any:
                    continue
                }
            }
        }
        walk(type.particles, repeated: false, optional: false)
        return result
    }

    func attributes(of type: XMLSchemaSet.ComplexType, depth: Int = 0) -> [XMLSchemaSet.AttributeDeclaration] {
        var result = type.attributes
        if let base = type.base, let baseType = schemas.complexTypes[base], depth < Self.maximumDerivation {
            result = attributes(of: baseType, depth: depth + 1) + result
        }
        return result
    }

    /// An element inside a repeating sequence or choice repeats too.
    /// An element inside a repeating group repeats; inside a choice or an optional group it may be absent.
    private static func adjusted(_ declaration: XMLSchemaSet.ElementDeclaration, repeated: Bool, optional: Bool) -> XMLSchemaSet.ElementDeclaration {
        guard (repeated && !declaration.repeats) || (optional && declaration.minOccurs > 0) else { return declaration }
        return XMLSchemaSet.ElementDeclaration(
            name: declaration.name, namespace: declaration.namespace, type: declaration.type,
            minOccurs: optional ? 0 : declaration.minOccurs, maxOccurs: repeated ? nil : declaration.maxOccurs, nillable: declaration.nillable)
    }

    /// Text that is already a JSON number as `ExactDecimal` would print it (`-12.50`, `0.5`, `7`):
    /// no sign but a minus on a non-zero value, no leading zeros, digits after any point, at most
    /// 38 digits. Checked on bytes, so the common value skips parsing and printing.
    static func isCanonicalNumber(_ text: String) -> Bool {
        var utf8 = Substring(text).utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        guard let first = utf8.first, (0x30...0x39).contains(first), utf8.count <= 39 else { return false }
        var digits = 0
        var nonZero = false
        var seenPoint = false
        var afterPoint = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return false }
                seenPoint = true
                continue
            }
            guard (0x30...0x39).contains(byte) else { return false }
            digits += 1
            if byte != 0x30 { nonZero = true }
            if seenPoint { afterPoint += 1 }
        }
        let integerDigits = digits - afterPoint
        if first == 0x30, integerDigits > 1 { return false }
        if seenPoint, afterPoint == 0 { return false }
        if negative, !nonZero { return false }
        return digits <= ExactDecimal.maximumDigits
    }

    static let numericTypes: Set<String> = [
        "decimal", "integer", "int", "long", "short", "byte", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
        "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "float", "double",
    ]

    static func scalar(_ text: String, builtin: String) -> JSONValue {
        let trimmed = text.trimmingWhitespace
        if numericTypes.contains(builtin) {
            // Exact: never through Double. INF, NaN and malformed values stay text.
            if isCanonicalNumber(trimmed) { return .number(trimmed) }
            return ExactDecimal(trimmed).map { .number($0.description) } ?? .string(trimmed)
        }
        if builtin == "boolean" {
            switch trimmed {
            case "true", "1": return .bool(true)
            case "false", "0": return .bool(false)
            default: return .string(trimmed)
            }
        }
        return .string(trimmed)
    }
}
