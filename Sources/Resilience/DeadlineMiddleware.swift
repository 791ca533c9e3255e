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

    public func call(_ request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) async throws -> AdapterResponse {
        var request = request
        request.deadline = min(request.deadline, .now() + timeout.timeAmount)
        return try await next(request, logger)
    }
}
