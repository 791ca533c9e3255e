import AdapterKinds
import Cache
import GatewayCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Resilience
import ServiceLifecycle

/// The assembled gateway: routes generated from the adapters' declarations plus the gateway's own
/// endpoints (`/openapi.json`, `/healthz`, `/readyz`, `/status`, `/metrics`).
public struct Gateway: Sendable {
    public let adapters: [PreparedAdapter]
    public let readiness: Readiness
    /// The resilience state of each backend (breaker, budget, bulkhead), by adapter name.
    public let backends: [String: BackendGuard]
    /// The answers kept for every adapter, within one byte budget.
    public let cache: any ResponseCache
    /// The cache layer of each adapter, by adapter name.
    public let caches: [String: CacheMiddleware]
    let openAPI: OpenAPIBuilder
    /// More routes added by the executable (the demo's outage switch), after the gateway's own.
    public var extraRoutes: [@Sendable (Router<GatewayRequestContext>) -> Void] = []

    /// The default cache budget: 64 MiB.
    public static let defaultCacheBytes = 64 << 20

    public init(
        adapters: [PreparedAdapter], readiness: Readiness = Readiness(), clock: ResilienceClock = .system,
        cacheBytes: Int = Gateway.defaultCacheBytes
    ) {
        self.adapters = adapters
        self.readiness = readiness
        self.openAPI = OpenAPIBuilder(adapters: adapters)
        let cache = S3FIFOCache(capacity: cacheBytes)
        self.cache = cache
        var backends: [String: BackendGuard] = [:]
        var caches: [String: CacheMiddleware] = [:]
        for prepared in adapters {
            let name = prepared.declaration.name
            backends[name] = BackendGuard(name: name, policy: prepared.declaration.resilience, clock: clock)
            caches[name] = CacheMiddleware(declaration: prepared.declaration, store: cache, now: clock.now)
        }
        self.backends = backends
        self.caches = caches
    }

    /// Loads, validates and prepares every declaration; throws every problem found.
    public static func load(
        adaptersDirectory: String, contractsDirectory: String, eventLoopGroup: any EventLoopGroup, logger: Logger,
        cacheBytes: Int = Gateway.defaultCacheBytes
    ) throws(DeclarationErrors) -> Gateway {
        let environment = AdapterEnvironment(contractsDirectory: contractsDirectory, eventLoopGroup: eventLoopGroup, logger: logger)
        return Gateway(adapters: try AdapterCatalog.load(adaptersDirectory: adaptersDirectory, environment: environment), cacheBytes: cacheBytes)
    }

    public func makeRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: ProblemMiddleware(routes: adapters.flatMap { $0.declaration.operations.map(\.route) }))
        router.get("/healthz") { _, _ in OperationResponder.json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            if let reason = readiness.reason { throw GatewayError.notReady(reason: reason) }
            return OperationResponder.json(["status": "ready"])
        }
        router.get("/status") { _, _ in OperationResponder.json(await status()) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics())))
        }
        // Purge: DELETE /admin/cache/{adapter} or …/{adapter}/{operation}; from this host only
        // until authentication exists (then: admins only).
        let caches = self.caches
        for path in ["/admin/cache/:adapter", "/admin/cache/:adapter/:operation"] {
            router.delete(RouterPath(path)) { request, context in
                // A proxy on this host makes every caller look local: a forwarded call is refused.
                let forwarded = ["Forwarded", "X-Forwarded-For", "X-Real-IP"].contains { request.headers[HTTPField.Name($0)!] != nil }
                guard context.callerIsLocal, !forwarded else { throw GatewayError.adminNotLocal }
                let name = context.parameters.get("adapter") ?? ""
                let operation = context.parameters.get("operation")
                guard let cache = caches[name] else {
                    throw GatewayError.notFound(adapter: "gateway", what: LocalizedText(en: "adapter", fr: "adaptateur"), id: name)
                }
                if let operation, !cache.cachedOperations.contains(operation) {
                    throw GatewayError.notFound(
                        adapter: "gateway", what: LocalizedText(en: "cached operation", fr: "opération mise en cache"), id: operation)
                }
                return OperationResponder.json(["adapter": .string(name), "purged": .number(String(cache.purge(operation: operation)))])
            }
        }
        let openAPI = self.openAPI
        router.get("/openapi.json") { _, context in
            Response(
                status: .ok, headers: [.contentType: "application/json", .contentLanguage: context.language.rawValue],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPI.json(language: context.language))))
        }
        for addRoutes in extraRoutes { addRoutes(router) }
        for prepared in adapters {
            let name = prepared.declaration.name
            let pipeline = AdapterPipeline.make(prepared.adapter, backend: backends[name]!, cache: caches[name]!)
            for operation in prepared.declaration.operations {
                router.on(
                    RouterPath(operation.route.path), method: HTTPRequest.Method(operation.route.method)!,
                    responder: OperationResponder(operation: operation, pipeline: pipeline))
            }
        }
        return router
    }

    /// `/status`: one entry per declared backend with its kind, state and pool figures.
    public func status() async -> JSONValue {
        var backends = JSONObject()
        var allUp = true
        for prepared in adapters {
            let status = await prepared.adapter.status()
            if status.state == .down { allUp = false }
            var entry: JSONObject = [
                "kind": .string(prepared.declaration.kind),
                "title": prepared.declaration.title.json,
                "state": .string(status.state.rawValue),
                "operations": .number(String(prepared.declaration.operations.count)),
            ]
            for (key, value) in status.details { entry[key] = value }
            if let backend = self.backends[prepared.declaration.name] {
                entry["resilience"] = .object(backend.status)
                if backend.circuit == .open { allUp = false }
            }
            if let cache = caches[prepared.declaration.name], !cache.isEmpty {
                let counts = cache.statistics
                entry["cache"] = .object([
                    "hits": .number(String(counts.hits)), "misses": .number(String(counts.misses)),
                    "staleServed": .number(String(counts.staleServed)), "coalesced": .number(String(counts.coalesced)),
                    "revalidations": .number(String(counts.revalidations)), "notModified": .number(String(counts.notModified)),
                ])
            }
            backends[prepared.declaration.name] = .object(entry)
        }
        let store = cache.statistics
        return [
            "status": .string(readiness.reason ?? (allUp ? "ok" : "degraded")),
            "backends": .object(backends),
            "cache": [
                "entries": .number(String(store.entries)), "bytes": .number(String(store.bytes)),
                "capacity": .number(String(store.capacity)), "stores": .number(String(store.stores)),
                "evictions": .number(String(store.evictions)),
            ],
        ]
    }

    /// The HTTP application with the adapters' lifecycle service; run it in a `ServiceGroup`
    /// or call `runService()`.
    public func makeApplication(
        host: String = "127.0.0.1", port: Int, logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var application = Application(
            router: makeRouter(), configuration: .init(address: .hostname(host, port: port), serverName: "Portage"),
            onServerRunning: onServerRunning, logger: logger)
        application.addServices(AdapterService(adapters: adapters.map(\.adapter), readiness: readiness, logger: logger))
        return application
    }
}
