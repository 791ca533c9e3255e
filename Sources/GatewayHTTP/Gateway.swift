import AdapterKinds
import GatewayCore
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Resilience
import ServiceLifecycle

/// The assembled gateway: routes generated from the adapters' declarations plus the gateway's own
/// endpoints (`/openapi.json`, `/healthz`, `/readyz`, `/status`).
public struct Gateway: Sendable {
    public let adapters: [PreparedAdapter]
    public let readiness: Readiness
    /// The resilience state of each backend (breaker, budget, bulkhead), by adapter name.
    public let backends: [String: BackendGuard]
    let openAPI: OpenAPIBuilder

    public init(adapters: [PreparedAdapter], readiness: Readiness = Readiness(), clock: ResilienceClock = .system) {
        self.adapters = adapters
        self.readiness = readiness
        self.openAPI = OpenAPIBuilder(adapters: adapters)
        var backends: [String: BackendGuard] = [:]
        for prepared in adapters {
            backends[prepared.declaration.name] = BackendGuard(name: prepared.declaration.name, policy: prepared.declaration.resilience, clock: clock)
        }
        self.backends = backends
    }

    /// Loads, validates and prepares every declaration; throws every problem found.
    public static func load(
        adaptersDirectory: String, contractsDirectory: String, eventLoopGroup: any EventLoopGroup, logger: Logger
    ) throws(DeclarationErrors) -> Gateway {
        let environment = AdapterEnvironment(contractsDirectory: contractsDirectory, eventLoopGroup: eventLoopGroup, logger: logger)
        return Gateway(adapters: try AdapterCatalog.load(adaptersDirectory: adaptersDirectory, environment: environment))
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
        let openAPI = self.openAPI
        router.get("/openapi.json") { _, context in
            Response(
                status: .ok, headers: [.contentType: "application/json", .contentLanguage: context.language.rawValue],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPI.json(language: context.language))))
        }
        for prepared in adapters {
            let pipeline = AdapterPipeline.make(prepared.adapter, backend: backends[prepared.declaration.name]!)
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
            backends[prepared.declaration.name] = .object(entry)
        }
        return [
            "status": .string(readiness.reason ?? (allUp ? "ok" : "degraded")),
            "backends": .object(backends),
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
