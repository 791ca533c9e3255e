import GatewayCore
import Logging
import ServiceLifecycle

/// Starts every adapter before the HTTP server takes traffic and closes their pools after it has
/// stopped (the service group shuts services down in reverse order).
struct AdapterService: Service {
    let adapters: [any LegacyAdapter]
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        for adapter in adapters {
            try await adapter.start()
        }
        readiness.ready()
        logger.info("adapters started", metadata: ["count": "\(adapters.count)"])
        try? await gracefulShutdown()
        readiness.notReady("shutting down")
        for adapter in adapters {
            await adapter.shutdown()
        }
        logger.info("adapters stopped")
    }
}
