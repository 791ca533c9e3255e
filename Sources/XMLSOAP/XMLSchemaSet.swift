import GatewayCore

/// The XML Schema declarations of a WSDL (and the documents it imports or includes), read into
/// what converting XML to JSON needs: global elements, complex and simple types.
///
/// Covered: sequences, choices and `all` (nested), element references, `minOccurs`/`maxOccurs`,
/// `nillable`, attributes, `simpleContent` and `complexContent` extension and restriction,
/// simple types with restrictions (the base type) and enumerations, `elementFormDefault`,
/// `xs:import` and `xs:include` through a loader (local files; nothing is fetched unless the
/// loader does). What is not covered is listed in `unsupported`.
public struct XMLSchemaSet: Sendable {
    public typealias QName = WSDL.QName

    public final class ElementDeclaration: Sendable {
        public let name: String
        /// The element's namespace in instances: the target namespace when qualified, else nil.
        public let namespace: String?
        public let type: TypeReference
        public let minOccurs: Int
        /// nil: unbounded.
        public let maxOccurs: Int?
        public let nillable: Bool

        init(name: String, namespace: String?, type: TypeReference, minOccurs: Int, maxOccurs: Int?, nillable: Bool) {
            self.name = name
            self.namespace = namespace
            self.type = type
            self.minOccurs = minOccurs
            self.maxOccurs = maxOccurs
            self.nillable = nillable
        }

        /// Whether instances are a JSON array: more than one occurrence allowed.
        public var repeats: Bool { maxOccurs.map { $0 > 1 } ?? true }
    }

    public indirect enum TypeReference: Sendable {
        /// A built-in XML Schema type by local name (`string`, `decimal`, `dateTime`…).
        case builtin(String)
        case named(QName)
        case complex(ComplexType)
        case simple(SimpleType)
        /// `xs:anyType` or an element without a type: read without a schema.
        case any
    }

    public final class ComplexType: Sendable {
        public let particles: [Particle]
        public let attributes: [AttributeDeclaration]
        /// `simpleContent`: the type of the text.
        public let simpleContent: TypeReference?
        /// `complexContent` extension: the base type, whose content comes first.
        public let base: QName?

        init(particles: [Particle], attributes: [AttributeDeclaration], simpleContent: TypeReference?, base: QName?) {
            self.particles = particles
            self.attributes = attributes
            self.simpleContent = simpleContent
            self.base = base
        }
    }

    public indirect enum Particle: Sendable {
        case element(ElementDeclaration)
        /// An element declared globally and referenced, with this occurrence's bounds.
        case reference(QName, minOccurs: Int, maxOccurs: Int?)
        /// sequence, choice or all (their order only matters when writing XML).
        /// `optional`: a choice (each of its elements may be absent), or a group with minOccurs 0.
        case group([Particle], maxOccurs: Int?, optional: Bool)
        /// `xs:any`: read without a schema.
        case any
    }

    public struct AttributeDeclaration: Sendable {
        public var name: String
        public var type: TypeReference
    }

    public struct SimpleType: Sendable {
        /// The built-in type at the root of the restrictions.
        public var base: TypeReference
        public var enumeration: [String]
        /// The facets this restriction states (its base's come from the base).
        public var facets = ValueFacets()
    }

    public var elements: [QName: ElementDeclaration] = [:]
    public var complexTypes: [QName: ComplexType] = [:]
    public var simpleTypes: [QName: SimpleType] = [:]
    public var unsupported: [WSDL.Unsupported] = []

    static let xs = "http://www.w3.org/2001/XMLSchema"

    /// A schema document found by its `schemaLocation`: `path` names it for good (an absolute path
    /// or URL), so the same document is read once and locations inside it are read relative to it.
    public struct SchemaDocument: Sendable {
        public var path: String
        public var bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    /// What looking up a `schemaLocation` found.
    public enum Lookup: Sendable {
        case found(SchemaDocument)
        /// Not read on purpose (outside the contracts folder, a URL…), and why.
        case refused(String)
        case unreadable
    }

    /// Reads schemas; `load` returns the bytes of a `schemaLocation` or nil. Every location is
    /// passed as written, for callers whose documents all sit in one folder.
    public init(schemas: [(schema: XMLElement, scope: NamespaceScope)], load: (String) -> [UInt8]? = { _ in nil }) {
        self.init(schemas: schemas) { location, _ in load(location).map { .found(SchemaDocument(path: location, bytes: $0)) } ?? .unreadable }
    }

    /// Reads schemas; `resolve` is given a `schemaLocation` and the path of the document naming it
    /// (nil: the WSDL), and says what it found: the document, a refusal and its reason, or nothing readable.
    /// `sources`: the document each inline schema sits in (`WSDL.schemaSources`; nil: the WSDL).
    public init(
        schemas: [(schema: XMLElement, scope: NamespaceScope)], sources: [String?] = [],
        resolve: (_ location: String, _ from: String?) -> Lookup
    ) {
        var seen: Set<String> = []
        var pending = schemas.enumerated().map { index, schema in
            (schema.schema, schema.scope, String?.none, index < sources.count ? sources[index] : String?.none)
        }
        while !pending.isEmpty {
            let (schema, scope, includedInto, path) = pending.removeFirst()
            let target = includedInto ?? schema.attribute("targetNamespace")
            let qualified = schema.attribute("elementFormDefault") == "qualified"
            for child in schema.children where child.namespace == Self.xs {
                let inner = scope.entering(child)
                switch child.name {
                case "import", "include":
                    guard let location = child.attribute("schemaLocation") else { continue }
                    let document: SchemaDocument
                    switch resolve(location, path) {
                    case .found(let found): document = found
                    case .refused(let reason):
                        unsupported.append(WSDL.Unsupported(construct: "xs:\(child.name) \(location)", line: child.line, reason: reason))
                        continue
                    case .unreadable:
                        unsupported.append(WSDL.Unsupported(construct: "xs:\(child.name) \(location)", line: child.line, reason: "the schema could not be read"))
                        continue
                    }
                    guard seen.insert(document.path).inserted else { continue }
                    guard let root = try? XMLDocumentParser().parse(document.bytes), root.name == "schema" else {
                        unsupported.append(WSDL.Unsupported(construct: "xs:\(child.name) \(location)", line: child.line, reason: "the schema could not be read"))
                        continue
                    }
                    pending.append((root, NamespaceScope().entering(root), child.name == "include" ? target : nil, document.path))
                case "element":
                    let element = readElement(child, scope: inner, target: target, qualified: true, global: true)
                    elements[QName(target, element.name)] = element
                case "complexType":
                    complexTypes[QName(target, child.attribute("name") ?? "")] = readComplex(child, scope: inner, target: target, qualified: qualified)
                case "simpleType":
                    simpleTypes[QName(target, child.attribute("name") ?? "")] = readSimple(child, scope: inner)
                case "annotation", "attribute", "attributeGroup", "group", "notation":
                    if child.name != "annotation" {
                        unsupported.append(WSDL.Unsupported(construct: "global xs:\(child.name)", line: child.line, reason: "not read yet"))
                    }
                default:
                    unsupported.append(WSDL.Unsupported(construct: "xs:\(child.name)", line: child.line, reason: "not read yet"))
                }
            }
        }
    }

    private func qname(_ text: String?, _ scope: NamespaceScope) -> QName? {
        guard let text else { return nil }
        let resolved = scope.resolve(text)
        return QName(resolved.namespace, resolved.local)
    }

    private func typeReference(_ name: QName?) -> TypeReference {
        guard let name else { return .any }
        if name.namespace == Self.xs { return name.name == "anyType" ? .any : .builtin(name.name) }
        return .named(name)
    }

    private mutating func readElement(
        _ node: XMLElement, scope: NamespaceScope, target: String?, qualified: Bool, global: Bool
    ) -> ElementDeclaration {
        let form = node.attribute("form").map { $0 == "qualified" } ?? qualified
        var type = typeReference(qname(node.attribute("type"), scope))
        if node.attribute("type") == nil {
            if let complex = node.child("complexType", namespace: Self.xs) {
                type = .complex(readComplex(complex, scope: scope.entering(complex), target: target, qualified: qualified))
            } else if let simple = node.child("simpleType", namespace: Self.xs) {
                type = .simple(readSimple(simple, scope: scope.entering(simple)))
            }
        }
        let (minimum, maximum) = occurs(node)
        return ElementDeclaration(
            name: node.attribute("name") ?? "", namespace: global || form ? target : nil, type: type,
            minOccurs: global ? 1 : minimum, maxOccurs: global ? 1 : maximum, nillable: node.attribute("nillable") == "true")
    }

    private func occurs(_ node: XMLElement) -> (Int, Int?) {
        let minimum = node.attribute("minOccurs").flatMap { Int($0) } ?? 1
        let maxText = node.attribute("maxOccurs") ?? "1"
        return (minimum, maxText == "unbounded" ? nil : Int(maxText) ?? 1)
    }

    private mutating func readParticles(_ node: XMLElement, scope: NamespaceScope, target: String?, qualified: Bool) -> [Particle] {
        var particles: [Particle] = []
        for child in node.children where child.namespace == Self.xs {
            let inner = scope.entering(child)
            switch child.name {
            case "element":
                if let reference = qname(child.attribute("ref"), inner) {
                    let (minimum, maximum) = occurs(child)
                    particles.append(.reference(reference, minOccurs: minimum, maxOccurs: maximum))
                } else {
                    particles.append(.element(readElement(child, scope: inner, target: target, qualified: qualified, global: false)))
                }
            case "sequence", "choice", "all":
                let (minimum, maximum) = occurs(child)
                particles.append(.group(
                    readParticles(child, scope: inner, target: target, qualified: qualified), maxOccurs: maximum,
                    optional: child.name == "choice" || minimum == 0))
            case "any":
                particles.append(.any)
            case "annotation":
                continue
            default:
                unsupported.append(WSDL.Unsupported(construct: "xs:\(child.name)", line: child.line, reason: "not read yet inside a content model"))
            }
        }
        return particles
    }

    private mutating func readAttributes(_ node: XMLElement, scope: NamespaceScope) -> [AttributeDeclaration] {
        node.children.filter { $0.name == "attribute" && $0.namespace == Self.xs }.compactMap { attribute in
            guard let name = attribute.attribute("name") ?? attribute.attribute("ref").map({ scope.resolve($0).local }) else { return nil }
            return AttributeDeclaration(name: name, type: typeReference(qname(attribute.attribute("type"), scope.entering(attribute))))
        }
    }

    private mutating func readComplex(_ node: XMLElement, scope: NamespaceScope, target: String?, qualified: Bool) -> ComplexType {
        if let content = node.child("simpleContent", namespace: Self.xs),
            let derivation = content.children.first(where: { $0.name == "extension" || $0.name == "restriction" })
        {
            let inner = scope.entering(content).entering(derivation)
            return ComplexType(
                particles: [], attributes: readAttributes(derivation, scope: inner),
                simpleContent: typeReference(qname(derivation.attribute("base"), inner)), base: nil)
        }
        if let content = node.child("complexContent", namespace: Self.xs),
            let derivation = content.children.first(where: { $0.name == "extension" || $0.name == "restriction" })
        {
            let inner = scope.entering(content).entering(derivation)
            let base = qname(derivation.attribute("base"), inner)
            return ComplexType(
                particles: readParticles(derivation, scope: inner, target: target, qualified: qualified),
                attributes: readAttributes(derivation, scope: inner), simpleContent: nil,
                // A restriction restates the content it keeps; an extension adds to its base.
                base: derivation.name == "extension" && base?.namespace != Self.xs ? base : nil)
        }
        return ComplexType(
            particles: readParticles(node, scope: scope, target: target, qualified: qualified),
            attributes: readAttributes(node, scope: scope), simpleContent: nil, base: nil)
    }

    private mutating func readSimple(_ node: XMLElement, scope: NamespaceScope) -> SimpleType {
        guard let restriction = node.child("restriction", namespace: Self.xs) else {
            // xs:list and xs:union: their text is kept as a string.
            return SimpleType(base: .builtin("string"), enumeration: [])
        }
        let inner = scope.entering(restriction)
        let base: TypeReference = restriction.child("simpleType", namespace: Self.xs).map { .simple(readSimple($0, scope: inner)) }
            ?? typeReference(qname(restriction.attribute("base"), inner))
        let values = restriction.children.filter { $0.name == "enumeration" }.compactMap { $0.attribute("value") }
        var facets = ValueFacets()
        for facet in restriction.children where facet.namespace == Self.xs {
            guard let value = facet.attribute("value") else { continue }
            switch facet.name {
            case "length": (facets.minLength, facets.maxLength) = (Int(value), Int(value))
            case "minLength": facets.minLength = Int(value)
            case "maxLength": facets.maxLength = Int(value)
            case "pattern": facets.patterns.append(value)
            case "minInclusive": (facets.minimum, facets.minimumExclusive) = (value, false)
            case "minExclusive": (facets.minimum, facets.minimumExclusive) = (value, true)
            case "maxInclusive": (facets.maximum, facets.maximumExclusive) = (value, false)
            case "maxExclusive": (facets.maximum, facets.maximumExclusive) = (value, true)
            case "totalDigits": facets.totalDigits = Int(value)
            case "fractionDigits": facets.fractionDigits = Int(value)
            default: continue  // enumeration (above), whiteSpace
            }
        }
        return SimpleType(base: base, enumeration: values, facets: facets)
    }
}
