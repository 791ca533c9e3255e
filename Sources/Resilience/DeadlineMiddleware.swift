import GatewayCore
import Logging
import NIOCore

/// Gives every call one end-to-end deadline: the operation's declared timeout, or an earlier
/// deadline the request already carries. The transport honours it for connecting, queueing and reading.
public struct DeadlineMiddleware: AdapterMiddleware {
    public var timeout: Duration

    public init(timeout: Duration) {
        self.timeout = timeout
    }

    public func call(_ request: AdapterRequest, logger: Logger, next: AdapterHandler) async throws -> AdapterResponse {
        var request = request
        let components = timeout.components
        let nanoseconds = components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
        request.deadline = min(request.deadline, .now() + .nanoseconds(nanoseconds))
        return try await next(request, logger)
    }
}
