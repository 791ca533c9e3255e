import GatewayCore
import Resilience

/// The one place the layers around an adapter are assembled, in the fixed order of DESIGN.md:
/// deadline → (circuit breaker → concurrency limit → retry, as they land) → adapter.
enum AdapterPipeline {
    static func make(_ adapter: any LegacyAdapter) -> AdapterHandler {
        let middlewares: [any AdapterMiddleware] = [
            DeadlineMiddleware(timeout: adapter.declaration.resilience.timeout),
        ]
        var handler: AdapterHandler = { request, logger in try await adapter.call(request, logger: logger) }
        for middleware in middlewares.reversed() {
            let next = handler
            handler = { request, logger in try await middleware.call(request, logger: logger, next: next) }
        }
        return handler
    }
}
