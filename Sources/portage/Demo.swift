import ArgumentParser
import DemoBackends
import Foundation
import GatewayCore
import GatewayHTTP
import GatewayTesting
import Hummingbird
import Logging
import NIOCore

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the benefits-programme demo: simulated legacy backends in process, the gateway in front of them.")

    @OptionGroup var directories: DirectoryOptions
    @OptionGroup var cache: CacheOptions

    @Option(help: "Port for the gateway.")
    var port = 8080

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "warning"

    func run() async throws {
        let logger = JSONLogHandler.bootstrap(level: logLevel)
        var gateway = try GatewayRunner.load(directories, cacheBytes: try cache.bytes(), logger: logger)
        var backends: [RecordServer] = []
        var services: [HTTPServer] = []
        // Each simulated backend listens on a free port behind a proxy on the declared one: the
        // demo's outage switch cuts the proxy, as a network failure or a crashed region would.
        var switches: [String: FaultProxy] = [:]
        for prepared in gateway.adapters where prepared.declaration.name == "tax-filing" {
            let url = prepared.declaration.endpoint["url"]?.scalar.flatMap { URL(string: $0) }
            let declaredPort = url?.port ?? 7002
            do {
                let service = try await TaxFilingSimulator().start(port: 0)
                services.append(service)
                switches["tax-filing"] = try await FaultProxy.start(port: declaredPort, targetPort: service.port)
            } catch {
                FileHandle.standardError.write(Data(
                    "portage demo: cannot start the simulated tax-filing service on port \(declaredPort): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        for prepared in gateway.adapters where prepared.declaration.name == "client-master" {
            let declaredPort = Int(prepared.declaration.endpoint["port"]?.scalar ?? "") ?? 7001
            do {
                let simulator = try ClientMasterSimulator(contractsDirectory: directories.contracts)
                let backend = try await simulator.start(port: 0)
                backends.append(backend)
                switches["client-master"] = try await FaultProxy.start(port: declaredPort, targetPort: backend.port)
            } catch {
                FileHandle.standardError.write(Data(
                    "portage demo: cannot start the simulated client master on port \(declaredPort): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        var batchSystems: [PaymentsBatchSimulator] = []
        for prepared in gateway.adapters where prepared.declaration.name == "payments" {
            let endpoint = prepared.declaration.endpoint
            do {
                let simulator = try PaymentsBatchSimulator(
                    contractsDirectory: directories.contracts, inbox: endpoint["inbox"]?.scalar ?? "var/payments/inbox",
                    outbox: endpoint["outbox"]?.scalar ?? "var/payments/outbox")
                try simulator.start()
                batchSystems.append(simulator)
            } catch {
                FileHandle.standardError.write(Data("portage demo: cannot start the simulated payments batch system: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        let outage = switches
        gateway.extraRoutes.append { router in
            // Demo only: take a simulated backend down and bring it back.
            router.post("/demo/backends/:adapter/:state") { _, context in
                let name = context.parameters.get("adapter") ?? ""
                let state = context.parameters.get("state") ?? ""
                guard let proxy = outage[name], ["down", "up"].contains(state) else {
                    throw GatewayError.notFound(
                        adapter: "demo", what: LocalizedText(en: "switchable backend", fr: "système commutable"), id: "\(name)/\(state)")
                }
                try await proxy.set(state == "down" ? .refuse : .none)
                return Response(status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"adapter":"\#(name)","state":"\#(state)"}"#)))
            }
        }
        try await GatewayRunner.run(gateway, host: "127.0.0.1", port: port, shutdownTimeout: 5, logger: logger) { port in
            let base = "http://127.0.0.1:\(port)"
            let banner = """
                Portage demo — a benefits programme in front of its legacy systems
                Gateway:          \(base)   (OpenAPI: \(base)/openapi.json, status: \(base)/status)
                Client master:    simulated CICS transaction, EBCDIC cp037 records with COMP-3 over TCP
                Tax filing:       simulated SOAP 1.1 web service (WSDL), XML over HTTP
                Payments:         simulated nightly batch system: fixed-width files with COMP-3 in var/payments

                Try:
                  curl -s \(base)/v1/clients/10000001
                  curl -s \(base)/v1/clients/10000001/balance
                  curl -s \(base)/v1/clients/10000001/tax-filings/2024
                  curl -s -H 'Accept-Language: fr' \(base)/v1/clients/99999999
                  curl -s '\(base)/v1/payments?clientId=10000002&limit=3'
                  curl -s -i -X POST \(base)/v1/payment-batches -H 'Content-Type: application/json' \\
                       -d '{"items":[{"paymentId":"PAY-0001","payeeAccount":"004000013","payeeName":"Ana Silva","amount":125.50,"currency":"CAD"}]}'
                  (then follow the Location it answers, and its /results)

                Watch the cache and resilience layer (see Cache-Status, Age and Retry-After):
                  curl -si \(base)/v1/clients/10000001 | grep -i -e cache-status -e age
                  curl -s -X POST \(base)/demo/backends/client-master/down
                  curl -si \(base)/v1/clients/10000001          (from the cache: fresh for 30 s, then stale and marked so)
                  curl -si \(base)/v1/clients/10000001/balance  (not cached: 503 and Retry-After once the circuit opens)
                  curl -s \(base)/status                        (the open circuit)
                  curl -s -X POST \(base)/demo/backends/client-master/up

                Press Ctrl-C to stop.

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
        for system in batchSystems { await system.stop() }
        for proxy in switches.values { await proxy.stop() }
        for backend in backends { await backend.stop() }
        for service in services { await service.stop() }
    }
}
