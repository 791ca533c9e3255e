import Cache
import GatewayCore
import Resilience

/// The one place the layers around an adapter are assembled, in this fixed order (outermost first):
///
/// ```
/// deadline → cache → maintenance window → retry → circuit breaker → concurrency limit → adapter
/// ```
///
/// The deadline bounds everything inside it, retries included. The cache sees every failure of
/// the layers inside (an open circuit, a maintenance window) and may answer stale instead. Retries sit outside the breaker
/// and the bulkhead, so that each attempt is admitted on its own (an opened circuit stops the
/// retries, a backoff wait holds no place in the bulkhead).
enum AdapterPipeline {
    static func make(_ adapter: any LegacyAdapter, backend: BackendGuard, cache: CacheMiddleware) -> AdapterHandler {
        let declaration = adapter.declaration
        let reads = Set(declaration.operations.filter { ["GET", "HEAD"].contains($0.route.method) }.map(\.name))
        var middlewares: [any AdapterMiddleware] = [DeadlineMiddleware(timeout: declaration.resilience.timeout)]
        if !cache.isEmpty { middlewares.append(cache) }
        middlewares += [
            MaintenanceMiddleware(backend: backend),
            RetryMiddleware(backend: backend, reads: reads),
            CircuitBreakerMiddleware(backend: backend),
            ConcurrencyLimitMiddleware(backend: backend),
        ]
        var handler: AdapterHandler = { request, logger in try await adapter.call(request, logger: logger) }
        for middleware in middlewares.reversed() {
            let next = handler
            handler = { request, logger in try await middleware.call(request, logger: logger, next: next) }
        }
        return handler
    }
}
