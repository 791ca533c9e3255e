import Foundation
import GatewayCore
import GatewayHTTP
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing

/// JSON in, PHP's SoapServer (WSDL mode) behind `php -S`, JSON out: nested types and lists, a
/// declared fault, SOAP 1.1 and 1.2 ports, and a UsernameToken the PHP side checks itself.
/// Locally without php-soap the suite is skipped saying so; in CI a missing PHP fails it.
@Suite("PHP SoapServer end to end", .serialized)
struct PHPSoapEndToEndTests {
    static let enabled = SOAPBackendProcess.phpInstalled || SOAPBackendProcess.isCI
    static let password = "correct horse battery staple"

    /// A gateway over the registry: `registry` (SOAP 1.1), `registry-v12` (SOAP 1.2) and
    /// `registry-secure` (UsernameToken, with the password read from `passwordFile`).
    static func withGateway(
        passwordType: String = "digest", wrongPassword: Bool = false,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try #require(SOAPBackendProcess.phpInstalled, "php-cli, php-soap and php-xml are missing in CI: .ci/run must install them")
        let backend = try await SOAPBackendProcess.php(script: "registry.php", environment: ["REGISTRY_PASSWORD": password])
        do {
            try await withGateway(backend: backend, passwordType: passwordType, wrongPassword: wrongPassword, body)
        } catch {
            backend.stop()
            throw error
        }
        backend.stop()
    }

    private static func withGateway(
        backend: SOAPBackendProcess, passwordType: String, wrongPassword: Bool,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-soap-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let adapters = root.appendingPathComponent("Adapters")
        let contracts = root.appendingPathComponent("Contracts/registry")
        try FileManager.default.createDirectory(at: adapters, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: contracts, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: SOAPBackendProcess.directory.appendingPathComponent("BenefitsRegistry.wsdl"),
            to: contracts.appendingPathComponent("BenefitsRegistry.wsdl"))
        let secret = root.appendingPathComponent("registry-password")
        try ((wrongPassword ? "not the password" : password) + "\n").write(to: secret, atomically: true, encoding: .utf8)
        let base = "http://127.0.0.1:\(backend.port)"
        // (adapter, SOAP version, backend path, route prefix, operation-name suffix, extra endpoint keys)
        let security = "security: { username-token: { username: gateway, password-file: \(secret.path), password-type: \(passwordType) } }"
        for (name, version, path, prefix, suffix, extra) in [
            ("registry", "1.1", "/registry", "/v1", "", ""), ("registry-v12", "1.2", "/registry", "/v12", "V12", ""),
            ("registry-secure", "1.1", "/secure/registry", "/secure", "Secure", ", " + security),
            ("registry-plain", "1.1", "/plain/registry", "/plain", "Plain", ", envelope: none"),
        ] {
            let yaml = """
                adapter: \(name)
                kind: soap-http
                title: { en: Benefits registry, fr: Registre des prestations }
                endpoint: { url: \(base)\(path), soap-version: "\(version)"\(extra) }
                contracts: { wsdl: registry/BenefitsRegistry.wsdl }
                operations:
                  getHousehold\(suffix):
                    route: GET \(prefix)/households/{clientId}
                    operation: GetHousehold
                    summary: { en: A household, fr: Un ménage }
                    request: { ClientId: $path.clientId }
                    response:
                      errors:
                        ClientNotFound: { status: 404, code: client-not-found, title: { en: Client not found, fr: Client introuvable } }
                        FailedAuthentication: { status: 502, code: backend-refused-credentials }
                        "404": { status: 404, code: client-not-found, title: { en: Client not found, fr: Client introuvable } }
                      fields: { household: Household }
                  listPayments\(suffix):
                    route: POST \(prefix)/payments/search
                    operation: ListPayments
                    summary: { en: Payments in a year, fr: Paiements d’une année }
                """
            try yaml.write(to: adapters.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let logger = Logger(label: "soap-e2e")
        let gateway = try Gateway.load(
            adaptersDirectory: adapters.path, contractsDirectory: root.appendingPathComponent("Contracts").path,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        try await gateway.makeApplication(port: 0, logger: logger).test(.router) { client in
            try await body(client)
        }
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONParser.parse(response.body.readableBytesView)
    }

    @Test("Nested complex types, repeated elements always arrays, absent optionals omitted, exact decimals", .enabled(if: enabled, "php-cli, php-soap and php-xml are not installed: run scripts/test"))
    func household() async throws {
        try await Self.withGateway { client in
            for prefix in ["/v1", "/v12"] {
                try await client.execute(uri: "\(prefix)/households/10000001", method: .get) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    let household = try Self.json(response)["household"]
                    #expect(household?["ClientId"] == .number("10000001"))
                    #expect(household?["Name"]?["Given"] == "Marie-Claude")
                    #expect(household?["Address"]?["Line"] == ["1200, rue Sainte-Catherine Ouest", "App. 4"])
                    #expect(household?["Address"]?["City"] == "Montréal")
                    guard case .array(let members)? = household?["Member"] else {
                        Issue.record("Member is not a list: \(String(describing: household))")
                        return
                    }
                    #expect(members.count == 2)
                    #expect(members[1]["Name"]?["Given"] == "Samuel")
                    #expect(members[1]["BirthDate"] == "2015-01-17")
                    #expect(members[1]["Relation"] == "CHILD")
                    #expect(household?["MonthlyBenefit"] == .number("1284.17"))
                    #expect(household?["LastReviewed"] == "2026-10-01T09:30:00Z")
                }
            }
            try await client.execute(uri: "/v1/households/10000002", method: .get) { response in
                let household = try Self.json(response)["household"]
                #expect(household?["Address"]?["Line"] == ["77 King Street West"], "one Line is still a list")
                #expect(household?["Member"] == [["Name": ["Given": "Ada", "Family": "Okafor"], "BirthDate": "1981-03-22", "Relation": "SPOUSE"]])
                #expect(household?["LastReviewed"] == nil, "an absent optional element is omitted")
            }
            try await client.execute(uri: "/v1/households/10000003", method: .get) { response in
                let household = try Self.json(response)["household"]
                #expect(household?["Member"] == nil)
                #expect(household?["MonthlyBenefit"] == .number("0.05"), "exact, never through Double")
            }
        }
    }

    @Test("A JSON body becomes the request element; lists of three, one and none", .enabled(if: enabled, "php-cli, php-soap and php-xml are not installed: run scripts/test"))
    func payments() async throws {
        try await Self.withGateway { client in
            for prefix in ["/v1", "/v12"] {
                try await client.execute(
                    uri: "\(prefix)/payments/search", method: .post, body: ByteBuffer(string: #"{"ClientId": 10000001, "Year": 2026}"#)
                ) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                    guard case .array(let payments)? = try Self.json(response)["Payment"] else {
                        Issue.record("Payment is not a list")
                        return
                    }
                    #expect(payments.count == 3)
                    #expect(payments[2] == ["Date": "2026-03-20", "Amount": ["currency": "CAD", "value": .number("1284.17")]])
                }
            }
            try await client.execute(uri: "/v1/payments/search", method: .post, body: ByteBuffer(string: #"{"ClientId": 10000002, "Year": 2026}"#)) { response in
                try #expect(Self.json(response)["Payment"] == [["Date": "2026-01-20", "Amount": ["currency": "CAD", "value": .number("912.50")]]])
            }
            try await client.execute(uri: "/v1/payments/search", method: .post, body: ByteBuffer(string: #"{"ClientId": 10000002, "Year": 2020}"#)) { response in
                #expect(response.status == .ok)
                try #expect(Self.json(response) == [:], "no payments: the optional list is omitted")
            }
            try await client.execute(uri: "/v1/payments/search", method: .post, body: ByteBuffer(string: #"{"ClientId": 1, "Yaer": 2020}"#)) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["code"] == "invalid-body")
                #expect(problem["detail"]?.scalarText?.contains("Yaer") == true, "the unknown member is named")
            }
        }
    }

    @Test("A declared fault becomes its problem, in SOAP 1.1 and 1.2, with the detail as JSON", .enabled(if: enabled, "php-cli, php-soap and php-xml are not installed: run scripts/test"))
    func declaredFault() async throws {
        try await Self.withGateway { client in
            for prefix in ["/v1", "/v12"] {
                try await client.execute(uri: "\(prefix)/households/99", method: .get, headers: [.acceptLanguage: "fr"]) { response in
                    #expect(response.status == .notFound, "\(String(buffer: response.body))")
                    let problem = try Self.json(response)
                    #expect(problem["code"] == "client-not-found")
                    #expect(problem["title"] == "Client introuvable")
                    #expect(problem["retryable"] == false)
                    #expect(problem["fault"]?["reason"] == "No client with this number")
                    #expect(problem["fault"]?["detail"]?["ClientNotFound"]?["ClientId"] == .number("99"))
                }
            }
            try await client.execute(uri: "/v1/households/12x", method: .get) { response in
                #expect(response.status == .badRequest, "checked against xs:long before any call")
                try #expect(Self.json(response)["parameter"] == "clientId")
            }
        }
    }

    @Test("Plain XML over HTTP POST (no envelope): the same elements, and an error document under HTTP 404", .enabled(if: enabled, "php-cli, php-soap and php-xml are not installed: run scripts/test"))
    func plainXML() async throws {
        try await Self.withGateway { client in
            try await client.execute(uri: "/plain/households/10000002", method: .get) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let household = try Self.json(response)["household"]
                #expect(household?["Name"]?["Family"] == "Okafor")
                #expect(household?["Address"]?["Line"] == ["77 King Street West"], "one Line is still a list")
                #expect(household?["MonthlyBenefit"] == .number("912.50"))
            }
            try await client.execute(uri: "/plain/households/42", method: .get) { response in
                #expect(response.status == .notFound, "\(String(buffer: response.body))")
                let problem = try Self.json(response)
                #expect(problem["code"] == "client-not-found")
                #expect(problem["fault"]?["code"] == "404")
                #expect(problem["fault"]?["detail"]?["Error"]?["Code"] == "CLIENT_NOT_FOUND")
            }
        }
    }

    @Test("UsernameToken: PHP accepts the digest and the text password, refuses a wrong one; the secret never shows", .enabled(if: enabled, "php-cli, php-soap and php-xml are not installed: run scripts/test"))
    func usernameToken() async throws {
        for type in ["digest", "text"] {
            try await Self.withGateway(passwordType: type) { client in
                try await client.execute(uri: "/secure/households/10000002", method: .get) { response in
                    #expect(response.status == .ok, "\(type): \(String(buffer: response.body))")
                    try #expect(Self.json(response)["household"]?["Name"]?["Family"] == "Okafor")
                }
            }
        }
        try await Self.withGateway(wrongPassword: true) { client in
            try await client.execute(uri: "/secure/households/10000002", method: .get) { response in
                #expect(response.status == .badGateway, "\(String(buffer: response.body))")
                let text = String(buffer: response.body)
                try #expect(Self.json(response)["code"] == "backend-refused-credentials")
                #expect(!text.contains("not the password") && !text.contains(Self.password))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("/secure/households/{clientId}"))
                #expect(!text.contains("not the password") && !text.contains("registry-password"), "no secret, nor where it is kept")
            }
        }
    }
}
