/// SOAP 1.1 or 1.2: the envelope namespace, the content type and how the action is sent.
public enum SOAPVersion: String, Sendable, CaseIterable {
    case soap11 = "1.1"
    case soap12 = "1.2"

    public var envelopeNamespace: String {
        switch self {
        case .soap11: return "http://schemas.xmlsoap.org/soap/envelope/"
        case .soap12: return "http://www.w3.org/2003/05/soap-envelope"
        }
    }

    /// `text/xml` with a separate `SOAPAction` header (1.1); `application/soap+xml` with the action
    /// as a parameter of the content type (1.2).
    public func contentType(action: String?) -> String {
        switch self {
        case .soap11: return "text/xml; charset=utf-8"
        case .soap12: return "application/soap+xml; charset=utf-8" + (action.map { "; action=\"\($0)\"" } ?? "")
        }
    }

    /// An envelope around body (and header) XML written by `SchemaXMLEncoder`.
    public func envelope(body: [UInt8], headers: [UInt8] = []) -> [UInt8] {
        let open = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"\(envelopeNamespace)\">"
        var out = Array(open.utf8)
        if !headers.isEmpty { out += Array("<soap:Header>".utf8) + headers + Array("</soap:Header>".utf8) }
        out += Array("<soap:Body>".utf8) + body + Array("</soap:Body></soap:Envelope>".utf8)
        return out
    }

    public init?(namespace: String?) {
        guard let version = Self.allCases.first(where: { $0.envelopeNamespace == namespace }) else { return nil }
        self = version
    }
}
