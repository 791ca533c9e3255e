import Foundation
import GatewayCore
import GatewayHTTP
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing

extension RealBackends {
    /// JSON in, a real GnuCOBOL program behind a TCP listener, JSON out. Locally without GnuCOBOL the
    /// test is skipped with that reason; in CI (`CI=true`) it runs and a missing compiler fails it.
    @Suite("GnuCOBOL end to end", .serialized)
    struct COBOLEndToEndTests {
        @Test(
            "Account inquiry through the gateway reaches the COBOL program",
            .enabled(if: COBOLBackend.compilerInstalled || COBOLBackend.isCI, "GnuCOBOL (cobc) is not installed: run scripts/test, which installs gnucobol3"))
        func accountInquiry() async throws {
            try #require(COBOLBackend.compilerInstalled, "cobc is missing in CI: .ci/run must install gnucobol3")
            let backend = try await Command.offPool { try COBOLBackend() }
            defer { backend.stop() }
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-e2e-\(UUID().uuidString)")
            let adapters = root.appendingPathComponent("Adapters")
            let contracts = root.appendingPathComponent("Contracts/accounts")
            try FileManager.default.createDirectory(at: adapters, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: contracts, withIntermediateDirectories: true)
            for copybook in ["ACCTREQ.cpy", "ACCTRESP.cpy"] {
                try FileManager.default.copyItem(
                    at: COBOLBackend.directory.appendingPathComponent(copybook), to: contracts.appendingPathComponent(copybook))
            }
            let fixture = COBOLBackend.directory.deletingLastPathComponent().appendingPathComponent("Fixtures/Adapters/accounts.yaml")
            try String(contentsOf: fixture, encoding: .utf8).replacingOccurrences(of: "port: PORT", with: "port: \(backend.port)")
                .write(to: adapters.appendingPathComponent("accounts.yaml"), atomically: true, encoding: .utf8)

            let gateway = try Gateway.load(
                adaptersDirectory: adapters.path, contractsDirectory: root.appendingPathComponent("Contracts").path,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "e2e"))
            try await gateway.makeApplication(port: 0, logger: Logger(label: "e2e")).test(.router) { client in
                try await client.execute(uri: "/v1/accounts/CHK0000001", method: .get) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    let account = try JSONParser.parse(response.body.readableBytesView)
                    #expect(account["accountId"] == "CHK0000001")
                    #expect(account["holder"] == "JEAN-PIERRE GAGNON")
                    #expect(account["balance"] == .number("-1234.56"), "negative COMP-3 computed by COBOL")
                    #expect(account["creditLimit"] == .number("5000.00"), "unsigned COMP-3")
                    #expect(account["transactionCount"] == 3)
                    guard case .array(let transactions)? = account["transactions"] else {
                        Issue.record("transactions is not an array")
                        return
                    }
                    #expect(transactions.count == 3, "OCCURS 3")
                    #expect(transactions[0]["txnAmount"] == .number("-250.00"), "GnuCOBOL's negative zoned 'p'")
                    #expect(transactions[1]["txnAmount"] == .number("1500.00"))
                    #expect(transactions[1]["txnDesc"] == "PAYROLL DEPOSIT")
                    #expect(transactions[2]["txnAmount"] == .number("-42.17"))
                    #expect(transactions[2]["txnDate"] == 20261110)
                }
                try await client.execute(uri: "/v1/accounts/SAV0000002", method: .get) { response in
                    let account = try JSONParser.parse(response.body.readableBytesView)
                    #expect(account["balance"] == .number("98765.43"))
                    #expect(account["transactionCount"] == 1)
                    guard case .array(let transactions)? = account["transactions"] else {
                        Issue.record("transactions is not an array")
                        return
                    }
                    #expect(transactions[0]["txnDesc"] == "INTEREST")
                    #expect(transactions[1]["txnDate"] == 0, "unused OCCURS entries hold COBOL's initial values")
                    #expect(transactions[1]["txnDesc"] == "")
                }
                try await client.execute(uri: "/v1/accounts/NOPE000000", method: .get, headers: [.acceptLanguage: "fr"]) { response in
                    #expect(response.status == .notFound)
                    let problem = try JSONParser.parse(response.body.readableBytesView)
                    #expect(problem["code"] == "account-not-found")
                    #expect(problem["title"] == "Compte introuvable")
                    #expect(problem["returnCode"] == "04")
                }
                try await client.execute(uri: "/v1/accounts/CHK0000001/functions/UPD", method: .get) { response in
                    #expect(response.status == .badGateway, "RC 12 is neither success nor a declared error")
                    let problem = try JSONParser.parse(response.body.readableBytesView)
                    #expect(problem["code"] == "unexpected-return-code")
                    #expect(problem["returnCode"] == "12")
                }
                try await client.execute(uri: "/v1/accounts/CHK00000012", method: .get) { response in
                    #expect(response.status == .badRequest)
                    let problem = try JSONParser.parse(response.body.readableBytesView)
                    #expect(problem["parameter"] == "accountId")
                    #expect(problem["field"] == "ACCTREQ.ACCTREQ-ACCOUNT-ID")
                }
                // More callers than the two pooled connections: every one is answered.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<12 {
                        group.addTask {
                            let id = index.isMultiple(of: 2) ? "CHK0000001" : "SAV0000002"
                            return try await client.execute(uri: "/v1/accounts/\(id)", method: .get) { Int($0.status.code) }
                        }
                    }
                    for try await status in group { #expect(status == 200) }
                }
                try await client.execute(uri: "/status", method: .get) { response in
                    let status = try JSONParser.parse(response.body.readableBytesView)
                    #expect(status["backends"]?["accounts"]?["state"] == "up")
                    #expect(status["backends"]?["accounts"]?["pool"]?["connectionsOpened"] == 2)
                }
            }
        }
    }
}
