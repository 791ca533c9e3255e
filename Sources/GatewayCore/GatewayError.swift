/// Every failure a caller can see: a stable `code`, an HTTP status, whether trying again may help,
/// which layer failed, and a title and detail in English and French.
///
/// Build one with the factories in `GatewayError+Catalog.swift` (or `declared(…)` for a legacy
/// return code an adapter declaration maps); the HTTP module renders it as RFC 9457 problem+json.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    /// Which part of the path failed: the gateway itself, the translation between JSON and the
    /// legacy format, or the legacy backend.
    public enum Layer: String, Sendable, Codable {
        case gateway
        case mapping
        case backend
    }

    enum Kind: String, Sendable {
        case routeNotFound = "route-not-found"
        case methodNotAllowed = "method-not-allowed"
        case malformedJSON = "malformed-json"
        case invalidBody = "invalid-body"
        case bodyTooLarge = "body-too-large"
        case invalidParameter = "invalid-parameter"
        case missingParameter = "missing-parameter"
        case backendUnreachable = "backend-unreachable"
        case backendClosed = "backend-closed-connection"
        case backendTimeout = "backend-timeout"
        case backendBusy = "backend-busy"
        case recordLength = "record-length-mismatch"
        case frameTooLong = "frame-too-long"
        case badRequest = "bad-request"
        case recordInvalid = "record-invalid"
        case unexpectedReturnCode = "unexpected-return-code"
        case declared = "declared"
        case soapFault = "soap-fault"
        case invalidResponse = "backend-invalid-response"
        case notFound = "not-found"
        case idempotencyKeyReused = "idempotency-key-reused"
        case idempotencyKeyInFlight = "idempotency-key-in-flight"
        case invalidItems = "invalid-items"
        case storageUnavailable = "storage-unavailable"
        case invalidCursor = "invalid-cursor"
        case circuitOpen = "backend-circuit-open"
        case overloaded = "backend-overloaded"
        case maintenance = "backend-maintenance"
        case notReady = "not-ready"
        case adminNotLocal = "admin-not-local"
        case shuttingDown = "shutting-down"
        case internalError = "internal-error"
    }

    let kind: Kind
    public let code: String
    public let status: Int
    public let retryable: Bool
    public let layer: Layer
    public let title: LocalizedText
    public let detail: LocalizedText
    /// Extra members for the problem document (`parameter`, `field`, `position`, byte counts…).
    /// Never put credentials or PII here: it is returned to callers and logged.
    public var extensions: JSONObject
    /// When trying again may succeed (sent as `Retry-After`): a circuit's reopening, a maintenance
    /// window's end, a backend's own "busy, come back in N s".
    public var retryAfter: Duration?
    /// Headers sent with the problem (`Cache-Status`, `Age` of a remembered "not found").
    public var headers: [(name: String, value: String)] = []

    init(
        _ kind: Kind, code: String? = nil, status: Int, retryable: Bool, layer: Layer,
        title: LocalizedText, detail: LocalizedText, extensions: JSONObject = JSONObject()
    ) {
        self.kind = kind
        self.code = code ?? kind.rawValue
        self.status = status
        self.retryable = retryable
        self.layer = layer
        self.title = title
        self.detail = detail
        self.extensions = extensions
    }

    public var description: String { "\(code) (\(status), \(layer.rawValue)): \(detail.en)" }
}
