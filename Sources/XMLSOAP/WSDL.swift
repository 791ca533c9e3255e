/// A WSDL 1.1 description, read into what a SOAP adapter needs: messages, port types, bindings
/// (SOAP 1.1 or 1.2, document or rpc, literal or encoded), services with their addresses, and the
/// XML Schemas of `types`. What Portage does not support is listed in `unsupported` with where it
/// is — never dropped silently.
public struct WSDL: Sendable {
    /// A namespace-qualified name.
    public struct QName: Sendable, Hashable, CustomStringConvertible {
        public var namespace: String?
        public var name: String

        public init(_ namespace: String?, _ name: String) {
            self.namespace = namespace
            self.name = name
        }

        public var description: String { namespace.map { "{\($0)}\(name)" } ?? name }
    }

    public struct Part: Sendable, Hashable {
        public var name: String
        /// document style: the global element the part is.
        public var element: QName?
        /// rpc style: the type of the accessor element named after the part.
        public var type: QName?
    }

    public struct Message: Sendable, Hashable {
        public var name: QName
        public var parts: [Part]
    }

    public struct Operation: Sendable, Hashable {
        public var name: String
        public var line: Int
        public var input: QName?
        public var output: QName?
        /// Fault name → message.
        public var faults: [String: QName]
    }

    public struct PortType: Sendable, Hashable {
        public var name: QName
        public var operations: [Operation]
    }

    public enum Style: String, Sendable, Hashable {
        case document, rpc
    }

    public enum Use: String, Sendable, Hashable {
        case literal, encoded
    }

    public struct BindingOperation: Sendable, Hashable {
        public var name: String
        public var soapAction: String?
        public var style: Style
        public var inputUse: Use
        public var outputUse: Use
        /// rpc: the namespace of the operation's wrapper elements.
        public var namespace: String?
        /// `soap:header` of the input: the message part each header block carries.
        public var inputHeaders: [HeaderReference] = []
        /// `soap:body parts="…"`: the parts that go in the Body (nil: every part not sent as a header).
        public var inputBodyParts: [String]?
        public var outputBodyParts: [String]?
    }

    public struct HeaderReference: Sendable, Hashable {
        public var message: QName
        public var part: String
    }

    public struct Binding: Sendable, Hashable {
        public var name: QName
        public var portType: QName
        public var version: SOAPVersion
        public var operations: [BindingOperation]
    }

    public struct Port: Sendable, Hashable {
        public var name: String
        public var binding: QName
        public var address: String?
    }

    public struct Service: Sendable, Hashable {
        public var name: String
        public var ports: [Port]
    }

    /// Something in the WSDL Portage does not support, and where.
    public struct Unsupported: Sendable, Hashable, CustomStringConvertible {
        public var construct: String
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(construct): \(reason)" }
    }

    public var targetNamespace: String?
    public var messages: [QName: Message] = [:]
    public var portTypes: [QName: PortType] = [:]
    public var bindings: [QName: Binding] = [:]
    public var services: [Service] = []
    /// The `xs:schema` elements of `types`, with the namespaces in scope around them.
    public var schemas: [(schema: XMLElement, scope: NamespaceScope)] = []
    /// Which document each of `schemas` sits in: nil for this one, the path or address of an
    /// imported WSDL for its own (their locations are read relative to it).
    public var schemaSources: [String?] = []
    public var unsupported: [Unsupported] = []
    /// `wsdl:import`s: other WSDL documents whose definitions complete this one (WCF splits its
    /// port type and messages into `?wsdl=wsdl0`). `SOAPContract` reads and merges them.
    public var imports: [Import] = []

    public struct Import: Sendable, Hashable {
        public var location: String
        public var namespace: String?
        public var line: Int
    }

    static let wsdlNamespace = "http://schemas.xmlsoap.org/wsdl/"
    static let soap11Binding = "http://schemas.xmlsoap.org/wsdl/soap/"
    static let soap12Binding = "http://schemas.xmlsoap.org/wsdl/soap12/"
    static let schemaNamespace = "http://www.w3.org/2001/XMLSchema"
    static let soapHTTPTransport = "http://schemas.xmlsoap.org/soap/http"

    /// Reads a parsed WSDL document.
    /// `checkingReferences`: false for a document another imports (what it references may be
    /// defined by the importer; the merged whole is checked).
    public init(_ root: XMLElement, checkingReferences: Bool = true) throws(SOAPError) {
        if root.name == "description" {
            throw SOAPError(.notAWSDL, line: root.line, "WSDL 2.0 (<description>) is not supported; Portage reads WSDL 1.1 <definitions>")
        }
        guard root.name == "definitions", root.namespace == Self.wsdlNamespace else {
            throw SOAPError(.notAWSDL, line: root.line, "expected WSDL 1.1 <definitions> in \(Self.wsdlNamespace), found \(root.qualifiedName)")
        }
        let scope = NamespaceScope().entering(root)
        let target = root.attribute("targetNamespace")
        targetNamespace = target
        func qname(_ text: String?, _ scope: NamespaceScope) -> QName? {
            guard let text else { return nil }
            let resolved = scope.resolve(text)
            return QName(resolved.namespace, resolved.local)
        }
        for child in root.children where child.namespace == Self.wsdlNamespace {
            let inner = scope.entering(child)
            let name = child.attribute("name") ?? ""
            switch child.name {
            case "types":
                for schema in child.children {
                    if schema.name == "schema", schema.namespace == Self.schemaNamespace {
                        schemas.append((schema, inner.entering(schema)))
                        schemaSources.append(nil)
                    } else {
                        unsupported.append(Unsupported(construct: schema.qualifiedName, line: schema.line, reason: "only XML Schema (xs:schema) types are read"))
                    }
                }
            case "message":
                let parts = child.children.filter { $0.name == "part" }.map { part in
                    Part(
                        name: part.attribute("name") ?? "", element: qname(part.attribute("element"), inner.entering(part)),
                        type: qname(part.attribute("type"), inner.entering(part)))
                }
                messages[QName(target, name)] = Message(name: QName(target, name), parts: parts)
            case "portType":
                let operations = child.children.filter { $0.name == "operation" }.map { operation in
                    let scope = inner.entering(operation)
                    var faults: [String: QName] = [:]
                    for fault in operation.children where fault.name == "fault" {
                        faults[fault.attribute("name") ?? ""] = qname(fault.attribute("message"), scope.entering(fault))
                    }
                    return Operation(
                        name: operation.attribute("name") ?? "", line: operation.line,
                        input: operation.child("input").flatMap { qname($0.attribute("message"), scope.entering($0)) },
                        output: operation.child("output").flatMap { qname($0.attribute("message"), scope.entering($0)) },
                        faults: faults)
                }
                portTypes[QName(target, name)] = PortType(name: QName(target, name), operations: operations)
            case "binding":
                readBinding(child, scope: inner, qname: qname)
            case "service":
                var ports: [Port] = []
                for port in child.children where port.name == "port" {
                    let address = port.children.first { $0.name == "address" }
                    guard let binding = qname(port.attribute("binding"), inner.entering(port)) else {
                        unsupported.append(Unsupported(construct: "port \(port.attribute("name") ?? "")", line: port.line, reason: "it names no binding"))
                        continue
                    }
                    ports.append(Port(name: port.attribute("name") ?? "", binding: binding, address: address?.attribute("location")))
                }
                services.append(Service(name: name, ports: ports))
            case "import":
                guard let location = child.attribute("location") else {
                    unsupported.append(Unsupported(construct: "wsdl:import", line: child.line, reason: "it names no location"))
                    continue
                }
                imports.append(Import(location: location, namespace: child.attribute("namespace"), line: child.line))
            case "documentation":
                continue
            default:
                unsupported.append(Unsupported(construct: "wsdl:\(child.name)", line: child.line, reason: "not a WSDL 1.1 element Portage reads"))
            }
        }
        // With imports, the references are checked once they are merged in (`mergingImports`).
        if imports.isEmpty, checkingReferences { checkReferences() }
    }

    /// Adds an imported document's definitions (those already here are kept); `source` names the
    /// imported document, so locations in its schemas are read relative to it.
    public mutating func merge(_ other: WSDL, source: String) {
        messages.merge(other.messages) { mine, _ in mine }
        portTypes.merge(other.portTypes) { mine, _ in mine }
        bindings.merge(other.bindings) { mine, _ in mine }
        services += other.services
        schemas += other.schemas
        schemaSources += other.schemaSources.map { $0 ?? source }
        unsupported += other.unsupported
    }

    /// After merging every import: names what is referenced but defined nowhere.
    public mutating func finishImports() {
        imports = []
        checkReferences()
    }

    /// Names what the document references but does not define: such operations cannot be called.
    private mutating func checkReferences() {
        for portType in portTypes.values.sorted(by: { $0.name.name < $1.name.name }) {
            for operation in portType.operations {
                for (direction, message) in [("input", operation.input), ("output", operation.output)] {
                    if let message, messages[message] == nil {
                        unsupported.append(Unsupported(
                            construct: "operation \(operation.name)", line: operation.line,
                            reason: "its \(direction) message \(message) is not defined in this WSDL"))
                    }
                }
            }
        }
        for service in services {
            for port in service.ports where bindings[port.binding] == nil {
                unsupported.append(Unsupported(
                    construct: "port \(port.name)", line: 0,
                    reason: "its binding \(port.binding) is not defined, or not a SOAP binding Portage supports"))
            }
        }
    }

    private mutating func readBinding(_ element: XMLElement, scope: NamespaceScope, qname: (String?, NamespaceScope) -> QName?) {
        let name = QName(targetNamespace, element.attribute("name") ?? "")
        guard let soapBinding = element.children.first(where: { $0.name == "binding" }) else {
            unsupported.append(Unsupported(construct: "binding \(name.name)", line: element.line, reason: "it has no SOAP binding"))
            return
        }
        let version: SOAPVersion
        switch soapBinding.namespace {
        case Self.soap11Binding: version = .soap11
        case Self.soap12Binding: version = .soap12
        default:
            unsupported.append(Unsupported(
                construct: "binding \(name.name)", line: soapBinding.line,
                reason: "\(soapBinding.qualifiedName) is not a SOAP binding (HTTP GET/POST and MIME bindings are not supported)"))
            return
        }
        if let transport = soapBinding.attribute("transport"), transport != Self.soapHTTPTransport {
            unsupported.append(Unsupported(construct: "binding \(name.name)", line: soapBinding.line, reason: "transport \(transport) is not SOAP over HTTP"))
            return
        }
        guard let portType = qname(element.attribute("type"), scope) else {
            unsupported.append(Unsupported(construct: "binding \(name.name)", line: element.line, reason: "it names no port type"))
            return
        }
        let defaultStyle = Style(rawValue: soapBinding.attribute("style") ?? "document") ?? .document
        var operations: [BindingOperation] = []
        for operation in element.children where operation.name == "operation" {
            let soapOperation = operation.children.first { $0.name == "operation" && $0.namespace == soapBinding.namespace }
            func body(_ direction: String) -> XMLElement? {
                operation.child(direction)?.children.first { $0.name == "body" && $0.namespace == soapBinding.namespace }
            }
            let input = body("input")
            let output = body("output")
            var headers: [HeaderReference] = []
            if let inputElement = operation.child("input") {
                for header in inputElement.children where header.name == "header" && header.namespace == soapBinding.namespace {
                    let headerScope = scope.entering(operation).entering(inputElement).entering(header)
                    guard let message = qname(header.attribute("message"), headerScope), let part = header.attribute("part") else {
                        unsupported.append(Unsupported(
                            construct: "soap:header of \(operation.attribute("name") ?? "")", line: header.line, reason: "it names no message and part"))
                        continue
                    }
                    headers.append(HeaderReference(message: message, part: part))
                }
            }
            func parts(_ element: XMLElement?) -> [String]? {
                element?.attribute("parts").map { $0.split(separator: " ").map(String.init) }
            }
            operations.append(BindingOperation(
                name: operation.attribute("name") ?? "",
                soapAction: soapOperation?.attribute("soapAction"),
                style: soapOperation?.attribute("style").flatMap(Style.init(rawValue:)) ?? defaultStyle,
                inputUse: Use(rawValue: input?.attribute("use") ?? "literal") ?? .literal,
                outputUse: Use(rawValue: output?.attribute("use") ?? "literal") ?? .literal,
                namespace: input?.attribute("namespace"),
                inputHeaders: headers, inputBodyParts: parts(input), outputBodyParts: parts(output)))
        }
        bindings[name] = Binding(name: name, portType: portType, version: version, operations: operations)
    }

    /// A callable operation: a service's SOAP port, its binding and the port type's messages.
    public struct ResolvedOperation: Sendable {
        public var service: String
        public var port: String
        public var address: String?
        public var binding: BindingOperation
        public var version: SOAPVersion
        /// The input and output messages as the Body carries them (header parts left out).
        public var input: Message?
        public var output: Message?
        public var faults: [String: Message]
        /// The input's header blocks, by element (a header part must name an element).
        public var inputHeaders: [Part] = []
    }

    /// Parses and reads a WSDL document, with the parser's protections.
    public static func parse(
        _ bytes: [UInt8], parser: XMLDocumentParser = XMLDocumentParser(), checkingReferences: Bool = true
    ) throws(SOAPError) -> WSDL {
        let root: XMLElement
        do {
            root = try parser.parse(bytes)
        } catch {
            throw SOAPError(.xml(error.code), line: error.line, error.message)
        }
        return try WSDL(root, checkingReferences: checkingReferences)
    }

    /// Every operation reachable through a SOAP port, in document order.
    public var operations: [ResolvedOperation] {
        var result: [ResolvedOperation] = []
        for service in services {
            for port in service.ports {
                guard let binding = bindings[port.binding], let portType = portTypes[binding.portType] else { continue }
                for operation in binding.operations {
                    guard let abstract = portType.operations.first(where: { $0.name == operation.name }),
                        abstract.input.map({ messages[$0] != nil }) ?? true, abstract.output.map({ messages[$0] != nil }) ?? true
                    else { continue }
                    // Header blocks come out of the Body; `soap:body parts` keeps only the parts it lists.
                    let headers = operation.inputHeaders.compactMap { reference in
                        messages[reference.message]?.parts.first { $0.name == reference.part }
                    }
                    func body(_ message: Message?, _ listed: [String]?, headers: [HeaderReference]) -> Message? {
                        guard var message else { return nil }
                        message.parts.removeAll { part in
                            headers.contains { $0.message == message.name && $0.part == part.name } || listed.map { !$0.contains(part.name) } ?? false
                        }
                        return message
                    }
                    result.append(ResolvedOperation(
                        service: service.name, port: port.name, address: port.address, binding: operation, version: binding.version,
                        input: body(abstract.input.flatMap { messages[$0] }, operation.inputBodyParts, headers: operation.inputHeaders),
                        output: body(abstract.output.flatMap { messages[$0] }, operation.outputBodyParts, headers: []),
                        faults: abstract.faults.compactMapValues { messages[$0] }, inputHeaders: headers))
                }
            }
        }
        return result
    }
}
