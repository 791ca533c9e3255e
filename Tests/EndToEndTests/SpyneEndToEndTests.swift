import AdapterKinds
import Foundation
import GatewayCore
import GatewayHTTP
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing
import Transports

/// spyne (Python) publishes its own WSDL; `portage import wsdl` reads it from the running server,
/// and the declaration it writes serves at once: nested types, spyne's array wrappers, an
/// enumeration, an exact decimal, a fault spyne declares, and a UsernameToken spyne checks.
/// Locally without python3-spyne the suite is skipped saying so; in CI a missing spyne fails it.
@Suite("spyne end to end", .serialized)
struct SpyneEndToEndTests {
    static let enabled = SOAPBackendProcess.spyneInstalled || SOAPBackendProcess.isCI
    static let password = "tr0ub4dor&3"

    /// Imports `/plain?wsdl` as `caseload` and `/secure?wsdl` as `caseload-secure` (with a
    /// UsernameToken added to its endpoint), then serves both.
    static func withGateway(
        passwordType: String = "digest", wrongPassword: Bool = false,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try #require(SOAPBackendProcess.spyneInstalled, "python3-spyne is missing in CI: .ci/run must install it")
        let backend = try await SOAPBackendProcess.spyne(script: "caseload.py", environment: ["CASELOAD_PASSWORD": password])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-spyne-e2e-\(UUID().uuidString)")
        let transport = HTTPTransport(configuration: .init(url: "http://127.0.0.1:\(backend.port)/"), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        do {
            for (name, path) in [("caseload", "plain"), ("caseload-secure", "secure")] {
                let output = try await WSDLImport.importURL(
                    "http://127.0.0.1:\(backend.port)/\(path)?wsdl", options: .init(name: name, outputDirectory: root.path)
                ) { url in
                    let answer = try await transport.get(url.absoluteString, deadline: .now() + .seconds(10))
                    return Array(buffer: answer.body)
                }
                #expect(output.unsupported.isEmpty, "\(output.unsupported)")
                #expect(output.operations.map(\.wsdlOperation) == ["GetCase", "ListCases"])
            }
            let secret = root.appendingPathComponent("caseload-password")
            try ((wrongPassword ? "guess" : password) + "\n").write(to: secret, atomically: true, encoding: .utf8)
            let secure = root.appendingPathComponent("Adapters/caseload-secure.yaml")
            let declaration = try String(contentsOf: secure, encoding: .utf8).replacingOccurrences(
                of: "  soap-version: \"1.1\"\n",
                with: "  soap-version: \"1.1\"\n  security: { username-token: { username: gateway, password-file: \(secret.path), password-type: \(passwordType) } }\n")
            try declaration.write(to: secure, atomically: true, encoding: .utf8)

            let logger = Logger(label: "spyne-e2e")
            let gateway = try Gateway.load(
                adaptersDirectory: root.appendingPathComponent("Adapters").path, contractsDirectory: root.appendingPathComponent("Contracts").path,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
            try await gateway.makeApplication(port: 0, logger: logger).test(.router) { client in
                try await body(client)
            }
        } catch {
            await transport.shutdown()
            backend.stop()
            try? FileManager.default.removeItem(at: root)
            throw error
        }
        await transport.shutdown()
        backend.stop()
        try? FileManager.default.removeItem(at: root)
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONParser.parse(response.body.readableBytesView)
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
    }

    @Test("Imported from spyne's WSDL: nested types, a list of two, an empty list, an exact decimal", .enabled(if: enabled, "python3-spyne is not installed: run scripts/test"))
    func getCase() async throws {
        try await Self.withGateway { client in
            let response = try await Self.post(client, "/v1/caseload/get-case", #"{"CaseId": 5001}"#)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let found = try Self.json(response)["GetCaseResult"]
            #expect(found?["CaseId"] == .number("5001"))
            #expect(found?["Status"] == "HEARD")
            #expect(found?["Opened"] == "2026-03-02")
            #expect(found?["Appellant"] == ["Given": "Élodie", "Family": "Gagnon"])
            #expect(found?["Award"] == .number("15320.75"), "exact, never through Double")
            guard case .array(let notes)? = found?["Notes"]?["Note"] else {
                Issue.record("Notes.Note is not a list: \(String(describing: found))")
                return
            }
            #expect(notes.count == 2)
            #expect(notes[1]["Author"]?["Family"] == "Silva")
            #expect(notes[1]["Text"] == "Hearing held; decision reserved.")
            #expect(notes[1]["At"]?.scalarText?.hasPrefix("2026-05-19T10:30:00") == true)

            let open = try Self.json(try await Self.post(client, "/v1/caseload/get-case", #"{"CaseId": 5002}"#))["GetCaseResult"]
            #expect(open?["Appellant"]?["Family"] == "Hughes")
            #expect(open?["Award"] == nil || open?["Award"] == .null, "no award yet")
            #expect(open?["Notes"]?["Note"] == nil, "an empty list has no items")
        }
    }

    @Test("A list of integers, an enumeration checked before the call, a body member that does not exist", .enabled(if: enabled, "python3-spyne is not installed: run scripts/test"))
    func listCases() async throws {
        try await Self.withGateway { client in
            let heard = try await Self.post(client, "/v1/caseload/list-cases", #"{"Status": "HEARD"}"#)
            #expect(heard.status == .ok, "\(String(buffer: heard.body))")
            try #expect(Self.json(heard)["ListCasesResult"]?["integer"] == [.number("5001")], "one item is still a list")
            let closed = try await Self.post(client, "/v1/caseload/list-cases", #"{"Status": "CLOSED"}"#)
            #expect(closed.status == .ok, "\(String(buffer: closed.body))")
            try #expect(Self.json(closed)["ListCasesResult"]?["integer"] == nil)

            let unknownStatus = try await Self.post(client, "/v1/caseload/list-cases", #"{"Status": "PENDING"}"#)
            #expect(unknownStatus.status == .badRequest, "\(String(buffer: unknownStatus.body))")
            try #expect(Self.json(unknownStatus)["code"] == "invalid-body", "refused by the gateway, not by spyne")
            #expect(String(buffer: unknownStatus.body).contains("Status"))
            let unknownMember = try await Self.post(client, "/v1/caseload/list-cases", #"{"Statut": "OPEN"}"#)
            #expect(unknownMember.status == .badRequest)
            try #expect(Self.json(unknownMember)["detail"]?.scalarText?.contains("Statut") == true)
        }
    }

    @Test("spyne's Client.CaseNotFound fault: 400, not retryable, code and detail kept", .enabled(if: enabled, "python3-spyne is not installed: run scripts/test"))
    func fault() async throws {
        try await Self.withGateway { client in
            let response = try await Self.post(client, "/v1/caseload/get-case", #"{"CaseId": 404}"#)
            #expect(response.status == .badRequest, "\(String(buffer: response.body))")
            let problem = try Self.json(response)
            #expect(problem["code"] == "soap-fault")
            #expect(problem["retryable"] == false)
            #expect(problem["fault"]?["code"]?.scalarText?.hasSuffix(":Client.CaseNotFound") == true)
            #expect(problem["fault"]?["reason"] == "No appeal case 404")
            #expect(problem["fault"]?["detail"]?["CaseNotFound"]?["CaseId"] != nil, "\(problem)")
        }
    }

    @Test("UsernameToken against spyne: digest and text accepted, a wrong password refused", .enabled(if: enabled, "python3-spyne is not installed: run scripts/test"))
    func usernameToken() async throws {
        for type in ["digest", "text"] {
            try await Self.withGateway(passwordType: type) { client in
                // The secure service's operations were renamed on import: `getCase` is the plain one's.
                let response = try await Self.post(client, "/v1/caseload-secure/get-case", #"{"CaseId": 5002}"#)
                #expect(response.status == .ok, "\(type): \(String(buffer: response.body))")
                try #expect(Self.json(response)["GetCaseResult"]?["CaseId"] == .number("5002"))
            }
        }
        try await Self.withGateway(wrongPassword: true) { client in
            let response = try await Self.post(client, "/v1/caseload-secure/get-case", #"{"CaseId": 5002}"#)
            #expect(response.status == .badRequest, "\(String(buffer: response.body))")
            let text = String(buffer: response.body)
            #expect(text.contains("Client.FailedAuthentication"))
            #expect(!text.contains("guess") && !text.contains(Self.password))
            let openAPI = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(String(buffer: openAPI.body).contains("caseloadSecureGetCase"))
            #expect(!String(buffer: openAPI.body).contains("caseload-password"))
        }
    }
}
