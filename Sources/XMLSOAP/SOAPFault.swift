import GatewayCore

/// A SOAP fault, 1.1 or 1.2, read tolerantly: servers in the field put 1.2 children in 1.1
/// envelopes, leave the children unqualified, or leave the code empty.
///
/// ```
/// 1.1: <Fault><faultcode>soap:Server</faultcode><faultstring>…</faultstring><faultactor/><detail>…</detail></Fault>
/// 1.2: <Fault><Code><Value>env:Sender</Value><Subcode><Value>m:Timeout</Value></Subcode></Code>
///             <Reason><Text xml:lang="en">…</Text></Reason><Node/><Role/><Detail>…</Detail></Fault>
/// ```
public struct SOAPFault: Sendable, Hashable {
    /// Who the fault blames, from the code: the caller (4xx, not retryable) or the service (502).
    public enum Kind: String, Sendable, Hashable {
        /// 1.1 `Client`, 1.2 `Sender`.
        case client
        /// 1.1 `Server`, 1.2 `Receiver`.
        case server
        case versionMismatch
        case mustUnderstand
        case dataEncodingUnknown
        /// A code outside the SOAP namespaces (`ERR_NO_SESSION`), or none.
        case other
    }

    /// The code as written (`soap:Server`), and resolved.
    public var code: String
    public var codeNamespace: String?
    public var codeName: String
    /// 1.2 subcodes, outermost first, as written.
    public var subcodes: [String]
    public var kind: Kind
    /// `faultstring`, or the 1.2 Reason text (English preferred).
    public var reason: String
    /// Every 1.2 Reason text by language.
    public var reasons: [String: String]
    /// `faultactor` / `Node`.
    public var actor: String?
    public var role: String?
    /// The detail's content as JSON (see `XMLElement.genericJSON`), nil when absent.
    public var detail: JSONValue?

    /// Whether a Body child is a fault: `Fault` in any namespace, or an element whose name ends in
    /// `Fault` and holds a fault code (`soap:ServiceFault` with `faultcode`, seen in the field).
    static func looksLikeFault(_ element: XMLElement) -> Bool {
        if element.name == "Fault" { return true }
        return element.name.hasSuffix("Fault") && (element.child("faultcode") != nil || element.child("Code") != nil)
    }

    /// A plain-XML backend's error: an HTTP error status with an XML document. The code is the
    /// status (`404`), the detail the document (`{"Error": {…}}`), so `errors` can map either; a
    /// 4xx blames the caller like a Client fault, anything else the service.
    init(httpStatus: Int, document name: String, detail: JSONValue) {
        code = String(httpStatus)
        codeNamespace = nil
        codeName = code
        subcodes = []
        kind = (400..<500).contains(httpStatus) ? .client : .server
        reason = "HTTP \(httpStatus)"
        reasons = [:]
        actor = nil
        role = nil
        self.detail = .object(JSONObject([(name, detail)]))
    }

    init(_ element: XMLElement, scope: NamespaceScope, version: SOAPVersion) {
        func child(_ names: String...) -> XMLElement? {
            element.children.first { names.contains($0.name) }
        }
        var code = ""
        var codeScope = scope
        subcodes = []
        if let codeElement = child("Code") {
            // 1.2: Code/Value, Code/Subcode/Value…
            codeScope = scope.entering(codeElement)
            code = codeElement.child("Value")?.text.trimmingWhitespace ?? ""
            var subcode = codeElement.child("Subcode")
            while let current = subcode {
                if let value = current.child("Value")?.text.trimmingWhitespace { subcodes.append(value) }
                subcode = current.child("Subcode")
            }
        } else if let codeElement = child("faultcode") {
            codeScope = scope.entering(codeElement)
            code = codeElement.text.trimmingWhitespace
        }
        self.code = code
        let resolved = codeScope.resolve(code)
        codeNamespace = resolved.namespace
        codeName = resolved.local
        let soapNamespaces = SOAPVersion.allCases.map(\.envelopeNamespace)
        // A SOAP code written without a (declared) prefix, `Server`, is still the SOAP code.
        if resolved.namespace.map(soapNamespaces.contains) ?? true {
            switch resolved.local {
            case "Client", "Sender": kind = .client
            case "Server", "Receiver": kind = .server
            case "VersionMismatch": kind = .versionMismatch
            case "MustUnderstand": kind = .mustUnderstand
            case "DataEncodingUnknown": kind = .dataEncodingUnknown
            default:
                // 1.1 dotted codes: Client.Authentication, Server.Busy.
                kind = resolved.local.hasPrefix("Client.") ? .client : resolved.local.hasPrefix("Server.") ? .server : .other
            }
        } else {
            kind = .other
        }
        var reasons: [String: String] = [:]
        if let reason = child("Reason") {
            for text in reason.children where text.name == "Text" {
                reasons[text.attribute("lang", namespace: "http://www.w3.org/XML/1998/namespace") ?? ""] = text.text.trimmingWhitespace
            }
        }
        self.reasons = reasons
        reason = child("faultstring")?.text.trimmingWhitespace ?? reasons["en"] ?? reasons.values.sorted().first ?? ""
        actor = (child("faultactor", "Node")?.text.trimmingWhitespace).flatMap { $0.isEmpty ? nil : $0 }
        role = (child("Role")?.text.trimmingWhitespace).flatMap { $0.isEmpty ? nil : $0 }
        detail = child("detail", "Detail").map { $0.genericJSON }
    }
}
