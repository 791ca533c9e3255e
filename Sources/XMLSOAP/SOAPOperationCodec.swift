import GatewayCore

/// One WSDL operation's translation both ways: a JSON request into the SOAP envelope (and HTTP
/// headers) to send, and the SOAP answer into JSON or a fault.
///
/// - document/literal: the request JSON is the content of the input element (wrapped style: the
///   operation's parameters; bare: the one part's element); the answer is the output element's content.
/// - rpc (literal or encoded): the request JSON has one member per message part, written inside
///   an element named after the operation in the binding's namespace; the answer has one member per
///   output part. `href`/`multiRef` references (rpc/encoded) are followed when reading.
/// - plain XML over HTTP (`plainXML`, document style only): the input element is the whole request
///   document and the output element the whole answer, no envelope; an HTTP error status with an
///   XML document is read as a fault (`SOAPFault(httpStatus:…)`).
public struct SOAPOperationCodec: Sendable {
    public let operation: WSDL.ResolvedOperation
    public let decoder: SchemaJSONDecoder
    public let plainXML: Bool
    /// Internal so tests can compare with clients that send incomplete requests (`requiresElements`).
    var encoder: SchemaXMLEncoder

    /// What the service answered: the output as JSON, or its fault (detail read by the schema when it declares it).
    public enum Outcome: Sendable {
        case success(JSONValue)
        case fault(SOAPFault)
    }

    init(operation: WSDL.ResolvedOperation, decoder: SchemaJSONDecoder, plainXML: Bool = false) throws(SOAPError) {
        self.operation = operation
        self.decoder = decoder
        self.plainXML = plainXML
        self.encoder = SchemaXMLEncoder(schemas: decoder.schemas)
        if plainXML, operation.binding.style != .document || (operation.input?.parts.count ?? 0) > 1 || (operation.output?.parts.count ?? 0) > 1 {
            throw SOAPError(
                .notAWSDL, line: 0,
                "operation \(operation.binding.name): plain XML needs a document-style operation with one element in and one out")
        }
        if operation.binding.style == .document {
            for part in (operation.input?.parts ?? []) + (operation.output?.parts ?? []) where part.element == nil {
                throw SOAPError(
                    .notAWSDL, line: 0,
                    "operation \(operation.binding.name): document-style part '\(part.name)' names a type, not an element; Portage needs an element")
            }
        }
    }

    public var name: String { operation.binding.name }
    public var version: SOAPVersion { operation.version }

    /// The HTTP headers a request carries: the content type, and `SOAPAction` (1.1; 1.2 puts the action in the content type).
    public var httpHeaders: [(name: String, value: String)] {
        if plainXML { return [("Content-Type", "application/xml; charset=utf-8")] }
        var headers = [("Content-Type", version.contentType(action: operation.binding.soapAction))]
        if version == .soap11 { headers.append(("SOAPAction", "\"\(operation.binding.soapAction ?? "")\"")) }
        return headers
    }

    // MARK: Shapes

    public var requestShape: ValueSchema { shape(operation.input) }
    /// The header blocks the binding declares (`soap:header`), by element name; each may be left out.
    public var requestHeaderShape: ValueSchema {
        .object(operation.inputHeaders.compactMap { part in part.element.map { ($0.name, .optional(decoder.shape(ofElement: $0))) } })
    }
    public var responseShape: ValueSchema { shape(operation.output) }

    private func shape(_ message: WSDL.Message?) -> ValueSchema {
        let parts = message?.parts ?? []
        if operation.binding.style == .document {
            if parts.count == 1, let element = parts[0].element { return decoder.shape(ofElement: element) }
            return .object(parts.compactMap { part in part.element.map { ($0.name, decoder.shape(ofElement: $0)) } })
        }
        return .object(parts.map { part in
            (part.name, part.element.map { decoder.shape(ofElement: $0) } ?? decoder.shape(ofType: typeReference(part.type)))
        })
    }

    private func typeReference(_ name: WSDL.QName?) -> XMLSchemaSet.TypeReference {
        guard let name else { return .any }
        if name.namespace == XMLSchemaSet.xs { return name.name == "anyType" ? .any : .builtin(name.name) }
        // SOAP encoding's own types (soapenc:string…) are the XML Schema built-ins of the same name.
        if name.namespace == Self.soapEncoding { return .builtin(name.name) }
        return .named(name)
    }

    static let soapEncoding = "http://schemas.xmlsoap.org/soap/encoding/"

    // MARK: Request

    /// The whole envelope for a request; `headers`: header blocks (WS-Security…), already XML.
    /// `headerValues`: the declared header blocks' content by element name; `headers`: more header
    /// blocks, already XML (WS-Security). Plain XML: the request element alone, as a document.
    public func requestEnvelope(
        _ value: JSONValue, headerValues: JSONObject = JSONObject(), headers: [UInt8] = []
    ) throws(SchemaXMLEncoder.EncodingError) -> [UInt8] {
        if plainXML { return Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8) + (try requestBody(value)) }
        var blocks: [UInt8] = []
        let declared = operation.inputHeaders.compactMap(\.element)
        if let unknown = headerValues.keys.first(where: { key in !declared.contains { $0.name == key } }) {
            throw SchemaXMLEncoder.EncodingError(
                path: "header:" + unknown,
                message: "not a header of \(name) (headers: \(declared.map(\.name).joined(separator: ", ")))")
        }
        for element in declared {
            guard let member = headerValues[element.name] else { continue }
            do {
                blocks += try encoder.encode(member, element: element)
            } catch {
                throw SchemaXMLEncoder.EncodingError(path: "header:" + (error.path.isEmpty ? element.name : element.name + "." + error.path), message: error.message)
            }
        }
        return version.envelope(body: try requestBody(value), headers: blocks + headers)
    }

    func requestBody(_ value: JSONValue) throws(SchemaXMLEncoder.EncodingError) -> [UInt8] {
        let parts = operation.input?.parts ?? []
        if operation.binding.style == .document {
            if parts.count == 1, let element = parts[0].element { return try encoder.encode(value, element: element) }
            var out: [UInt8] = []
            for part in parts {
                guard let element = part.element else { continue }
                if let member = value[element.name] { out += try encoder.encode(member, element: element) }
            }
            return out
        }
        guard case .object(let object) = value else {
            throw SchemaXMLEncoder.EncodingError(path: "", message: "expected an object with one member per part, found \(value.typeName)")
        }
        if let unknown = object.keys.first(where: { key in !parts.contains { $0.name == key } }) {
            throw SchemaXMLEncoder.EncodingError(
                path: unknown, message: "not a part of \(name) (parts: \(parts.map(\.name).joined(separator: ", ")))")
        }
        // The wrapper: `<op:name xmlns:op="ns">`, or plain `<name>` when the binding names no namespace.
        let tag = operation.binding.namespace == nil ? name : "op:" + name
        let declaration = operation.binding.namespace.map { " xmlns:op=\"" + SchemaXMLEncoder.escape($0, attribute: true) + "\"" } ?? ""
        var out = Array(("<" + tag + declaration + ">").utf8)
        for part in parts {
            guard let member = object[part.name] else { continue }
            if let element = part.element {
                out += try encoder.encode(member, element: element)
            } else {
                try encoder.write(
                    part.name, namespace: nil, type: typeReference(part.type), nillable: true, value: member,
                    parentNamespace: .some(nil), path: part.name, into: &out)
            }
        }
        out += Array(("</" + tag + ">").utf8)
        return out
    }

    // MARK: Response

    /// Reads an answer; a document that is not a SOAP envelope is an error. `httpStatus` matters
    /// for plain XML only (SOAP says what it is in the envelope, whatever the status).
    public func response(_ bytes: [UInt8], httpStatus: Int = 200, parser: XMLDocumentParser = XMLDocumentParser()) throws(SOAPError) -> Outcome {
        guard plainXML else { return response(try SOAPEnvelope.parse(bytes, parser: parser)) }
        let root: XMLElement
        do {
            root = try parser.parse(bytes)
        } catch {
            throw SOAPError(.xml(error.code), line: error.line, error.message)
        }
        let value = decoder.decode(root, scope: NamespaceScope().entering(root))
        guard (200..<300).contains(httpStatus) else { return .fault(SOAPFault(httpStatus: httpStatus, document: root.name, detail: value)) }
        return .success(value)
    }

    public func response(_ envelope: SOAPEnvelope) -> Outcome {
        if var fault = envelope.fault {
            if let element = envelope.body.first(where: { SOAPFault.looksLikeFault($0) }),
                let detail = element.children.first(where: { $0.name == "detail" || $0.name == "Detail" }),
                !detail.children.isEmpty
            {
                let scope = envelope.bodyScope.entering(element).entering(detail)
                fault.detail = .object(JSONObject(detail.children.map { ($0.name, decoder.decode($0, scope: scope)) }))
            }
            return .fault(fault)
        }
        let body = resolvingReferences(envelope.body)
        let parts = operation.output?.parts ?? []
        if operation.binding.style == .document {
            if parts.count <= 1 {
                guard let first = body.first else { return .success(.object(JSONObject())) }
                return .success(decoder.decode(first, scope: envelope.bodyScope))
            }
            return .success(.object(JSONObject(body.map { ($0.name, decoder.decode($0, scope: envelope.bodyScope)) })))
        }
        // rpc: the first Body child wraps the parts (multiRef elements follow it).
        guard let wrapper = body.first else { return .success(.object(JSONObject())) }
        let scope = envelope.bodyScope.entering(wrapper)
        var object = JSONObject()
        var used = Set<Int>()
        for part in parts {
            guard let index = wrapper.children.indices.first(where: { !used.contains($0) && wrapper.children[$0].name == part.name })
                ?? (parts.count == 1 ? wrapper.children.indices.first : nil)
            else { continue }
            used.insert(index)
            let child = wrapper.children[index]
            if let element = part.element, decoder.schemas.elements[element] != nil {
                object[part.name] = decoder.decode(child, scope: scope)
            } else {
                object[part.name] = decoder.value(child, type: typeReference(part.type), scope: scope)
            }
        }
        for (index, child) in wrapper.children.enumerated() where !used.contains(index) {
            object[child.name] = child.genericJSON
        }
        return .success(.object(object))
    }

    /// rpc/encoded answers put shared values in `multiRef` elements after the wrapper and point at
    /// them with `href="#id"`: each reference is replaced by the element it names (its name kept).
    /// References are followed at most `maximumReferenceDepth` deep, so a cycle ends, and at most
    /// `maximumCopiedElements` elements copied in all, so references to references cannot multiply a small
    /// answer into a huge one (the billion-laughs attack, by `href`).
    func resolvingReferences(_ body: [XMLElement]) -> [XMLElement] {
        var targets: [String: XMLElement] = [:]
        for element in body {
            if let id = element.attribute("id") { targets[id] = element }
        }
        guard !targets.isEmpty else { return body }
        func size(_ element: XMLElement) -> Int { 1 + element.children.reduce(0) { $0 + size($1) } }
        let sizes = targets.mapValues(size)
        var budget = Self.maximumCopiedElements
        func resolve(_ element: XMLElement, depth: Int) -> XMLElement {
            var element = element
            if let href = element.attribute("href"), href.hasPrefix("#"), let target = targets[String(href.dropFirst())],
                depth < Self.maximumReferenceDepth, let cost = sizes[String(href.dropFirst())], budget >= cost
            {
                budget -= cost
                let name = element.name
                let namespace = element.namespace
                let line = element.line
                element = target
                element.name = name
                element.namespace = namespace
                element.line = line
                element.attributes.removeAll { $0.name == "id" && $0.namespace == nil }
            }
            element.children = element.children.map { resolve($0, depth: depth + 1) }
            return element
        }
        return body.filter { $0.attribute("id") == nil || $0.attribute("root", namespace: Self.soapEncoding) == "1" }
            .map { resolve($0, depth: 0) }
    }

    static let maximumReferenceDepth = 64
    static let maximumCopiedElements = 200_000
}
