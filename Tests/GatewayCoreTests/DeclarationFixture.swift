import AdapterKinds
import Foundation
import GatewayCore
import Logging
import NIOPosix

/// A throwaway `Adapters/` + `Contracts/` pair for declaration tests.
struct DeclarationFixture {
    let root: URL
    var adapters: String { root.appendingPathComponent("Adapters").path }
    var contracts: String { root.appendingPathComponent("Contracts").path }

    static let request = """
               01  REQ.
                   05  REQ-FUNCTION     PIC X(3).
                   05  REQ-CLIENT-ID    PIC 9(8).
                   05  REQ-NAME         PIC X(10).
        """
    static let response = """
               01  RESP.
                   05  RESP-RC          PIC X(2).
                   05  RESP-CLIENT-ID   PIC 9(8).
                   05  RESP-BALANCE     PIC S9(5)V99 COMP-3.
        """

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-decl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("Adapters").path, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("Contracts/clients").path, withIntermediateDirectories: true)
        try write("Contracts/clients/REQ.cpy", Self.request)
        try write("Contracts/clients/RESP.cpy", Self.response)
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    /// A valid declaration, with `extra` lines inserted into the first operation.
    static func declaration(name: String = "clients", route: String = "GET /v1/clients/{clientId}", operation: String = "getClient", port: String = "7001", operationExtra: String = "", topExtra: String = "") -> String {
        """
        adapter: \(name)
        kind: fixed-width-tcp
        title: { en: Clients, fr: Clients }
        endpoint: { host: 127.0.0.1, port: \(port), framing: length-prefix-4, encoding: cp037 }
        contracts: { request: clients/REQ.cpy, response: clients/RESP.cpy }
        \(topExtra)
        operations:
          \(operation):
            route: \(route)
            summary: { en: Look up a client, fr: Consulter un client }
            request: { REQ-FUNCTION: INQ, REQ-CLIENT-ID: $path.clientId }
            response:
              success-when: { RESP-RC: "00" }
              errors: { "04": { status: 404, code: client-not-found } }
        \(operationExtra)
        """
    }

    /// Every problem `portage validate` would print.
    func problems() -> [DeclarationProblem] {
        let environment = AdapterEnvironment(
            contractsDirectory: contracts, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test"))
        do {
            _ = try AdapterCatalog.load(adaptersDirectory: adapters, environment: environment)
            return []
        } catch {
            return error.problems
        }
    }
}
