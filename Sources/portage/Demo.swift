import ArgumentParser
import DemoBackends
import Foundation
import GatewayCore
import GatewayHTTP
import GatewayTesting
import Logging

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the benefits-programme demo: simulated legacy backends in process, the gateway in front of them.")

    @OptionGroup var directories: DirectoryOptions

    @Option(help: "Port for the gateway.")
    var port = 8080

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "warning"

    func run() async throws {
        let logger = JSONLogHandler.bootstrap(level: logLevel)
        let gateway = try GatewayRunner.load(directories, logger: logger)
        var backends: [RecordServer] = []
        var services: [HTTPServer] = []
        for prepared in gateway.adapters where prepared.declaration.name == "tax-filing" {
            let url = prepared.declaration.endpoint["url"]?.scalar.flatMap { URL(string: $0) }
            let declaredPort = url?.port ?? 7002
            do {
                services.append(try await TaxFilingSimulator().start(port: declaredPort))
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
                backends.append(try await simulator.start(port: declaredPort))
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

                Press Ctrl-C to stop.

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
        for system in batchSystems { await system.stop() }
        for backend in backends { await backend.stop() }
        for service in services { await service.stop() }
    }
}
