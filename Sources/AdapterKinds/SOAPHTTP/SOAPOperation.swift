import GatewayCore
import XMLSOAP

/// One declared operation compiled against its WSDL operation: where each caller input goes in the
/// request element, which response members to return, and what each fault means.
struct SOAPOperation: Sendable {
    let name: String
    let codec: SOAPOperationCodec
    /// Element path (dot-separated in the declaration) → where its value comes from.
    let mappings: [(path: [String], source: ValueSource, shape: ValueSchema?)]
    /// Whether the caller's JSON body is the request as it is (no `$body` mapping picks members).
    let bodyIsRequest: Bool
    /// JSON name → path in the response; nil: the whole response.
    let fields: [(name: String, path: [String])]?
    let errors: [String: DeclaredError]
    /// GET, PUT and DELETE may be tried again; a POST might do the work twice.
    let idempotent: Bool
    let schema: OperationSchema

    static func compile(_ operation: OperationDeclaration, codec: SOAPOperationCodec, reader: DeclarationReader) -> SOAPOperation? {
        let before = reader.problems.count
        let requestShape = codec.requestShape
        let responseShape = codec.responseShape
        var inputs: [String: ValueSchema] = [:]
        var mappings: [([String], ValueSource, ValueSchema?)] = []
        for mapping in operation.request {
            let path = mapping.field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            // `header:Element.member`: a declared SOAP header block's content, not the Body's.
            let isHeader = path[0].hasPrefix(Self.headerPrefix)
            let root = isHeader ? codec.requestHeaderShape : requestShape
            let inRoot = isHeader ? [String(path[0].dropFirst(Self.headerPrefix.count))] + path.dropFirst() : path
            guard let shape = root.member(at: inRoot) else {
                let found = inRoot.count > 1 ? root.member(at: inRoot.dropLast()) : nil
                let members = (found ?? root).memberNames.map { isHeader && found == nil ? Self.headerPrefix + $0 : $0 }
                reader.report(
                    mapping.node,
                    "\(mapping.field) is not in the request\(isHeader ? " headers" : "") of \(codec.name) (members here: \(members.isEmpty ? "none" : members.joined(separator: ", ")))")
                continue
            }
            if isHeader, codec.plainXML {
                reader.report(mapping.node, "\(mapping.field): plain XML (envelope: none) has no SOAP header")
                continue
            }
            if case .constant(let text) = mapping.source, let pattern = shape.textPattern, !Self.matches(text, pattern) {
                reader.report(mapping.node, "constant '\(text)' does not fit \(mapping.field) (\(pattern))")
            }
            if let name = mapping.source.parameterName { inputs[name] = shape }
            mappings.append((path, mapping.source, shape))
        }
        if !operation.response.successWhen.isEmpty, let node = operation.response.successWhen.first?.node {
            reader.report(node, "soap-http answers succeed unless they are faults; map fault codes under errors instead of success-when")
        }
        if operation.response.segments != nil, let node = operation.response.segments?.node {
            reader.report(node, "segments are for fixed-width records")
        }
        var fields: [(String, [String])]?
        if let declared = operation.response.fields {
            fields = []
            for entry in declared {
                let path = entry.field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard responseShape.member(at: path) != nil else {
                    let parent = responseShape.member(at: path.dropLast()) ?? responseShape
                    reader.report(
                        entry.node,
                        "\(entry.field) is not in the response of \(codec.name) (members here: \(parent.memberNames.joined(separator: ", ")))")
                    continue
                }
                fields?.append((entry.name, path))
            }
        }
        guard reader.problems.count == before else { return nil }
        let method = operation.route.method
        let takesBody = ["POST", "PUT", "PATCH"].contains(method)
        let bodyIsRequest = takesBody && !operation.request.contains { if case .body = $0.source { true } else { false } }
        let response: ValueSchema = fields.map { fields in
            .object(fields.map { ($0.0, responseShape.member(at: $0.1) ?? .any(description: nil)) })
        } ?? responseShape
        return SOAPOperation(
            name: operation.name, codec: codec, mappings: mappings, bodyIsRequest: bodyIsRequest, fields: fields,
            errors: operation.response.errors, idempotent: ["GET", "HEAD", "PUT", "DELETE"].contains(method),
            schema: OperationSchema(inputs: inputs, body: bodyIsRequest ? requestShape : nil, response: response))
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    /// A request mapping's key naming a SOAP header block: `header:Authentication.username`.
    static let headerPrefix = "header:"

    /// The request element's content as JSON: the caller's body (when it is the request), then
    /// each mapped value put in place; and the declared header blocks' content. A path or query
    /// value must fit the element's type.
    func requestValue(_ request: AdapterRequest) throws -> (body: JSONValue, headers: JSONObject) {
        var value: JSONValue = bodyIsRequest ? (request.body ?? .object(JSONObject())) : .object(JSONObject())
        var headers: JSONValue = .object(JSONObject())
        for mapping in mappings {
            guard var input = request.value(for: mapping.source) else { continue }
            if let name = mapping.source.parameterName, case .string(let text) = input, let shape = mapping.shape {
                if let pattern = shape.textPattern, !Self.matches(text, pattern) {
                    throw GatewayError.invalidParameter(
                        parameter: name, field: mapping.path.joined(separator: "."),
                        reason: LocalizedText(en: "expected text matching \(pattern)", fr: "texte attendu de la forme \(pattern)"))
                }
                if case .restricted(let base, let facets) = shape.unwrapped {
                    var numeric = false
                    if case .number = base.unwrapped { numeric = true }
                    if let problem = SchemaXMLEncoder.facetProblem(text, facets, numeric: numeric) {
                        throw GatewayError.invalidParameter(
                            parameter: name, field: mapping.path.joined(separator: "."),
                            reason: LocalizedText(en: "'\(text)' \(problem)", fr: "la valeur sort des limites du contrat : '\(text)' \(problem)"))
                    }
                }
                input = Self.typed(text, shape)
            }
            if mapping.path[0].hasPrefix(Self.headerPrefix) {
                headers = headers.setting(input, at: [String(mapping.path[0].dropFirst(Self.headerPrefix.count))] + mapping.path.dropFirst())
            } else {
                value = value.setting(input, at: mapping.path)
            }
        }
        guard case .object(let headerValues) = headers else { return (value, JSONObject()) }
        return (value, headerValues)
    }

    /// Path and query values arrive as text: numbers and booleans are sent as such.
    static func typed(_ text: String, _ shape: ValueSchema) -> JSONValue {
        switch shape.unwrapped {
        case .number, .decimal: return ExactDecimal(text).map { .number($0.description) } ?? .string(text)
        case .boolean: return .bool(text == "true" || text == "1")
        case .choice(let base, _, _), .restricted(let base, _): return typed(text, base)
        default: return .string(text)
        }
    }

    /// The JSON returned to the caller.
    func responseValue(_ value: JSONValue) -> JSONValue {
        guard let fields else { return value }
        var object = JSONObject()
        for (name, path) in fields {
            if let member = value.value(at: path) { object[name] = member }
        }
        return .object(object)
    }
}
