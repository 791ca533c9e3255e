import Foundation
import GatewayCore

extension SOAPFault {
    /// The names a declaration can map this fault by, most specific first: an application's own
    /// code (outside the SOAP namespaces, `wsse:FailedAuthentication`) by local name and as written;
    /// each detail element (`ClientNotFound`); the subcodes innermost first; then a SOAP code by
    /// local name (`Client`, `Sender`, `Server.Busy`) and as written; last the reason text, for
    /// services that say which error it is only there (the EU's VIES: `soap:Server` with the
    /// reason `MS_UNAVAILABLE`). An application code comes before the detail because some servers
    /// (PHP's SoapServer) wrap every fault of an operation in the first declared fault's element,
    /// whatever the fault is.
    public var declarationKeys: [String] {
        let codeKeys = [codeName, code]
        var keys: [String] = kind == .other ? codeKeys : []
        if case .object(let members)? = detail { keys += members.keys }
        keys += subcodes.reversed().map { NamespaceScope().resolve($0).local }
        if kind != .other { keys += codeKeys }
        keys.append(reason.trimmingCharacters(in: .whitespacesAndNewlines))
        return keys.filter { !$0.isEmpty }
    }

    /// The fault as JSON, for the problem document's `fault` member.
    public var json: JSONObject {
        var object = JSONObject([("code", .string(code))])
        if !subcodes.isEmpty { object["subcodes"] = .array(subcodes.map { .string($0) }) }
        object["reason"] = .string(reason)
        if reasons.count > 1 { object["reasons"] = .object(JSONObject(reasons.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
        if let actor { object["actor"] = .string(actor) }
        if let role { object["role"] = .string(role) }
        if let detail { object["detail"] = detail }
        return object
    }

    /// The problem this fault is for a caller: as declared for one of its `declarationKeys`, else
    /// by its kind — the caller's fault (Client/Sender) 400 and not retryable; anything else 502,
    /// retryable only when the operation is idempotent (trying a non-idempotent call again could
    /// do it twice).
    public func gatewayError(adapter: String, declared errors: [String: DeclaredError], idempotent: Bool) -> GatewayError {
        if let key = declarationKeys.first(where: { errors[$0] != nil }), let declared = errors[key] {
            return .backendFault(
                adapter: adapter, faultCode: code.isEmpty ? key : code, status: declared.status, retryable: declared.retryable,
                declared: declared, fault: json)
        }
        let client = kind == .client
        return .backendFault(
            adapter: adapter, faultCode: code.isEmpty ? "(no code)" : code, status: client ? 400 : 502,
            retryable: !client && kind != .versionMismatch && kind != .mustUnderstand && idempotent, declared: nil, fault: json)
    }
}
