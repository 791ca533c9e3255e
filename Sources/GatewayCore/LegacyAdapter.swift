import Logging
import NIOCore

/// What the HTTP layer hands an adapter: the operation and the caller's inputs, already split into
/// path, query and body, with the request's deadline and correlation id.
public struct AdapterRequest: Sendable {
    public var operation: String
    public var path: [String: String]
    public var query: [String: String]
    public var body: JSONValue?
    /// The request headers an adapter may act on (`idempotency-key`), lower-cased names.
    public var headers: [String: String]
    /// When the whole call must be over; the resilience layer sets it from the declared timeout.
    public var deadline: NIODeadline
    public var correlationId: String
    /// The caller's data-access scope: answers cached for one scope are never served to another.
    /// Authentication will set it; until then every caller shares `public`.
    public var scope = "public"

    public init(
        operation: String, path: [String: String] = [:], query: [String: String] = [:], body: JSONValue? = nil,
        headers: [String: String] = [:], deadline: NIODeadline = .distantFuture, correlationId: String
    ) {
        self.operation = operation
        self.path = path
        self.query = query
        self.body = body
        self.headers = headers
        self.deadline = deadline
        self.correlationId = correlationId
    }

    /// The time left before the deadline (negative once past).
    public var remaining: Duration { .nanoseconds((deadline - .now()).nanoseconds) }

    /// The caller's value for a mapped source, if present.
    public func value(for source: ValueSource) -> JSONValue? {
        switch source {
        case .constant(let text): return .string(text)
        case .path(let name): return path[name].map { .string($0) }
        case .query(let name): return query[name].map { .string($0) }
        case .body(let keys):
            var current = body
            for key in keys { current = current?[key] }
            return current
        }
    }
}

public struct AdapterResponse: Sendable {
    public var status: Int
    public var body: JSONValue
    /// Headers to send with the answer (`Location` of an accepted job, `Retry-After`).
    public var headers: [(name: String, value: String)]
    /// The body already written as JSON (a cached answer): sent as it is, not written again.
    public var encodedBody: [UInt8]?

    public init(status: Int = 200, body: JSONValue, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        self.headers = headers
    }
}

extension AdapterRequest {
    /// Request headers passed on to adapters; others stay in the HTTP layer.
    public static let forwardedHeaders = ["idempotency-key", "if-none-match"]
}

/// One backend, reached through one adapter kind. Implementations own their transport (pools and
/// the like): `start` opens it, `shutdown` closes it after in-flight calls finish.
public protocol LegacyAdapter: Sendable {
    var declaration: AdapterDeclaration { get }
    func start() async throws
    func call(_ request: AdapterRequest, logger: Logger) async throws -> AdapterResponse
    /// Health and pool figures for `/status` (the gateway adds `kind` and `state`).
    func status() async -> BackendStatus
    func shutdown() async
}

/// A backend's state as `/status` reports it.
public struct BackendStatus: Sendable {
    public enum State: String, Sendable {
        /// No call has reached the backend yet.
        case unknown
        case up
        /// The last attempt to reach it failed.
        case down
    }

    public var state: State
    public var details: JSONObject

    public init(state: State, details: JSONObject = JSONObject()) {
        self.state = state
        self.details = details
    }
}

public typealias AdapterHandler = @Sendable (AdapterRequest, Logger) async throws -> AdapterResponse

/// A layer around adapter calls (deadline, cache, retry…), assembled in one fixed order.
public protocol AdapterMiddleware: Sendable {
    func call(_ request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) async throws -> AdapterResponse
}
