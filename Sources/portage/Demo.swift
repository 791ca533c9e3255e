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
        try await GatewayRunner.run(gateway, host: "127.0.0.1", port: port, shutdownTimeout: 5, logger: logger) { port in
            let base = "http://127.0.0.1:\(port)"
            let banner = """
                Portage demo — a benefits programme in front of its legacy systems
                Gateway:          \(base)   (OpenAPI: \(base)/openapi.json, status: \(base)/status)
                Client master:    simulated CICS transaction, EBCDIC cp037 records with COMP-3 over TCP
                Tax filing:       simulated SOAP 1.1 web service (WSDL), XML over HTTP

                Try:
                  curl -s \(base)/v1/clients/10000001
                  curl -s \(base)/v1/clients/10000001/balance
                  curl -s \(base)/v1/clients/10000001/tax-filings/2024
                  curl -s -H 'Accept-Language: fr' \(base)/v1/clients/99999999

                Press Ctrl-C to stop.

                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        }
        for backend in backends { await backend.stop() }
        for service in services { await service.stop() }
    }
}
