import DemoBackends
import Foundation
import GatewayCore
import GatewayHTTP
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing
import XMLSOAP

/// The soap-http kind against an in-process HTTP server that answers the way real SOAP services
/// misbehave: faults under HTTP 500, 400 and 200, an empty 500, an HTML 503 from a proxy, an
/// answer too large, a DTD, a slow answer, a closed port.
@Suite("soap-http adapter: what the backend answers becomes the right problem", .serialized)
struct SOAPHTTPAdapterTests {
    static let contracts = GatewayFixture.repository.appendingPathComponent("Contracts").path

    static func envelope(_ body: String) -> String {
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\(body)</soap:Body></soap:Envelope>"
    }

    static func fault(_ code: String, _ reason: String) -> String {
        envelope("<soap:Fault><faultcode>\(code)</faultcode><faultstring>\(reason)</faultstring></soap:Fault>")
    }

    /// The answer for a client number: the demo's service for its own clients, scripted misbehaviour otherwise.
    static func answer(_ request: HTTPServer.Request) async -> HTTPServer.Response {
        let text = String(decoding: request.body, as: UTF8.self)
        let xml = [("Content-Type", "text/xml; charset=utf-8")]
        func scripted(_ status: Int, _ body: String, _ headers: [(String, String)] = xml) -> HTTPServer.Response {
            HTTPServer.Response(status: status, headers: headers, body: Array(body.utf8))
        }
        switch text.firstMatch(of: /<[^>]*ClientId>([0-9]+)</)?.1 {
        case "20000001": return scripted(500, fault("soap:Server", "Database unavailable"))
        case "20000002": return scripted(400, fault("soap:Client", "Malformed client number"))
        case "20000003": return scripted(200, fault("soap:Server", "Answered with 200 anyway"))
        case "20000004": return scripted(500, "")
        case "20000005": return scripted(503, "<html><body><h1>503 Service Unavailable</h1></body></html>", [("Content-Type", "text/html")])
        case "20000006": return scripted(200, envelope(String(repeating: "<x>padding</x>", count: 20_000)))
        case "20000007": return scripted(500, fault("soap:Server.Busy", "Too many requests"), xml + [("Retry-After", "7")])
        case "20000008":
            return scripted(200, "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + envelope("&x;"))
        case "20000009":
            try? await Task.sleep(for: .seconds(3))
            return scripted(200, "")
        default:
            let (status, body) = TaxFilingSimulator().answer(request.body)
            return scripted(status, body)
        }
    }

    /// A gateway loaded from one declaration (`adapter` names its file), written to a temporary
    /// `Adapters` folder that is gone again once loaded; contracts from `contracts`.
    static func loadGateway(_ yaml: String, adapter: String = "filing", contracts: String = Self.contracts) throws -> Gateway {
        let adapters = FileManager.default.temporaryDirectory.appendingPathComponent("portage-soap-kind-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: adapters, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: adapters) }
        try yaml.write(to: adapters.appendingPathComponent("\(adapter).yaml"), atomically: true, encoding: .utf8)
        return try Gateway.load(
            adaptersDirectory: adapters.path, contractsDirectory: contracts, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "soap-kind"))
    }

    /// The tax-filing adapter at `url`; `endpoint`: more endpoint keys (`read-timeout: 2s, tls: {…}`).
    static func declaration(url: String, endpoint: String = "read-timeout: 1s, connect-timeout: 500ms, max-response-bytes: 65536") -> String {
        """
        adapter: filing
        kind: soap-http
        title: { en: Filing, fr: Déclarations }
        endpoint: { url: "\(url)", \(endpoint) }
        contracts: { wsdl: tax-filing/TaxFilingStatus.wsdl }
        # These tests are about how answers map to problems: one attempt each, no circuit to trip.
        resilience: { retry: { attempts: 1 }, circuit-breaker: { consecutive-failures: 1000, min-calls: 1000 } }
        operations:
          getFiling:
            route: GET /v1/filings/{clientId}/{taxYear}
            operation: GetFilingStatus
            summary: { en: A filing, fr: Une déclaration }
            request: { ClientId: $path.clientId, TaxYear: $path.taxYear }
            response:
              errors:
                ClientNotFound: { status: 404, code: client-not-found }
                Server.Busy: { status: 503, code: backend-busy, retryable: true }
          checkFiling:
            route: POST /v1/filings/checks
            operation: GetFilingStatus
            summary: { en: Check a filing, fr: Vérifier une déclaration }
        """
    }

    static func withGateway(url: String, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let gateway = try loadGateway(declaration(url: url))
        try await gateway.makeApplication(port: 0, logger: Logger(label: "soap-kind")).test(.router) { client in try await body(client) }
    }

    static func withBackend(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let server = try await HTTPServer.start(handler: answer)
        do {
            try await withGateway(url: "http://127.0.0.1:\(server.port)/filing-status", body)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func problem(_ client: any TestClientProtocol, _ clientId: String) async throws -> (HTTPResponse.Status, JSONValue) {
        let response = try await client.execute(uri: "/v1/filings/\(clientId)/2024", method: .get)
        return (response.status, try JSONParser.parse(response.body.readableBytesView))
    }

    @Test func answersAndFaultsWhateverTheHTTPStatus() async throws {
        try await Self.withBackend { client in
            let (okStatus, ok) = try await Self.problem(client, "10000001")
            #expect(okStatus == .ok)
            #expect(ok["AssessedIncome"] == .number("52340.00"))

            let early = try await client.execute(uri: "/v1/filings/10000001/1980", method: .get)
            #expect(early.status == .badRequest, "TaxYear's minInclusive 1990, checked before any call")
            let earlyProblem = try JSONParser.parse(early.body.readableBytesView)
            #expect(earlyProblem["code"] == "invalid-parameter" && earlyProblem["parameter"] == "taxYear")
            #expect(earlyProblem["detail"]?.scalarText?.contains("below the minimum 1990") == true, "\(earlyProblem)")

            let (notFoundStatus, notFound) = try await Self.problem(client, "10000099")
            #expect(notFoundStatus == .notFound)
            #expect(notFound["code"] == "client-not-found")

            for (clientId, status, retryable, code) in [
                ("20000001", HTTPResponse.Status.badGateway, true, "soap:Server"),
                ("20000002", .badRequest, false, "soap:Client"),
                ("20000003", .badGateway, true, "soap:Server"),
            ] {
                let (answered, problem) = try await Self.problem(client, clientId)
                #expect(answered == status, "\(clientId): \(problem)")
                #expect(problem["code"] == "soap-fault")
                #expect(problem["retryable"] == .bool(retryable), "\(clientId)")
                #expect(problem["fault"]?["code"] == .string(code))
            }
            let (busyStatus, busy) = try await Self.problem(client, "20000007")
            #expect(busyStatus == .serviceUnavailable)
            #expect(busy["code"] == "backend-busy" && busy["retryable"] == true, "declared by the fault code's local name: \(busy)")
            // The service said when to come back: the caller is told the same.
            let busyAgain = try await client.json("/v1/filings/20000007/2024")
            #expect(busyAgain.headers[.retryAfter] == "7")
        }
    }

    @Test func answersThatAreNotSOAPAreNamedWithTheBackendStatus() async throws {
        try await Self.withBackend { client in
            let (emptyStatus, empty) = try await Self.problem(client, "20000004")
            #expect(emptyStatus == .badGateway)
            #expect(empty["code"] == "backend-invalid-response")
            #expect(empty["backendStatus"] == .number("500"))
            #expect(empty["retryable"] == false)
            #expect(empty["detail"]?.scalarText?.contains("the body is empty") == true)

            let (htmlStatus, html) = try await Self.problem(client, "20000005")
            #expect(htmlStatus == .badGateway)
            #expect(html["backendStatus"] == .number("503"))
            #expect(html["retryable"] == true, "a proxy's 503 is worth another try for a read")

            let (largeStatus, large) = try await Self.problem(client, "20000006")
            #expect(largeStatus == .badGateway)
            #expect(large["detail"]?.scalarText?.contains("larger than 65536 bytes") == true, "\(large)")

            let (dtdStatus, dtd) = try await Self.problem(client, "20000008")
            #expect(dtdStatus == .badGateway)
            #expect(dtd["code"] == "backend-invalid-response")
            #expect(JSONWriter().string(dtd).contains("root:") == false, "no file content ever read")

            let clock = ContinuousClock()
            let started = clock.now
            let (slowStatus, slow) = try await Self.problem(client, "20000009")
            #expect(slowStatus == .gatewayTimeout, "\(slow)")
            #expect(slow["code"] == "backend-timeout")
            #expect(clock.now - started < .seconds(2.5), "the read timeout (1 s) ends the wait, not the backend")
        }
    }

    @Test func aPostFaultIsNotRetryableAndAClosedPortIsUnreachable() async throws {
        try await Self.withBackend { client in
            let response = try await client.execute(
                uri: "/v1/filings/checks", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"ClientId": 20000001, "TaxYear": 2024}"#))
            #expect(response.status == .badGateway)
            let problem = try JSONParser.parse(response.body.readableBytesView)
            #expect(problem["retryable"] == false, "a POST might have been done: not retried blindly")
        }
        let port = try await { () async throws -> Int in
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
            let port = channel.localAddress?.port ?? 0
            try await channel.close()
            return port
        }()
        try await Self.withGateway(url: "http://127.0.0.1:\(port)/filing-status") { client in
            let (status, problem) = try await Self.problem(client, "10000001")
            #expect(status == .badGateway || status == .gatewayTimeout, "\(problem)")
            #expect(problem["code"] == "backend-unreachable" || problem["code"] == "backend-timeout", "\(problem)")
            #expect(problem["retryable"] == true)
        }
    }
}

/// Header blocks a WSDL declares (`soap:header`) are filled from `header:Element.member` request
/// mappings and sent in the SOAP Header, not the Body (the corpus's zeep_soap_header.wsdl, read in place).
@Suite("soap-http declared SOAP headers", .enabled(if: Corpus.enabled, Corpus.skipReason))
struct SOAPHeaderTests {
    static let stock = "http://example.com/stockquote.xsd"

    @Test func headerMappingsGoToTheHeaderAndAreValidated() async throws {
        let server = try await HTTPServer.start { request in
            // The service's side: the token must come as a header block, the symbol in the Body.
            guard let envelope = try? SOAPEnvelope.parse(request.body),
                envelope.headers.first(where: { $0.name == "Token" && $0.namespace == Self.stock })?.child("value")?.text == "t0k3n",
                envelope.headers.contains(where: { $0.name == "Authentication" }),
                envelope.body.count == 1, envelope.body[0].name == "TradePriceRequest",
                envelope.body[0].child("tickerSymbol")?.text == "ACME"
            else {
                let fault = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>bad request</faultstring></soap:Fault></soap:Body></soap:Envelope>"
                return HTTPServer.Response(status: 500, headers: [("Content-Type", "text/xml")], body: Array(fault.utf8))
            }
            let answer = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><TradePrice xmlns=\"\(Self.stock)\"><price>12.5</price></TradePrice></soap:Body></soap:Envelope>"
            return HTTPServer.Response(status: 200, headers: [("Content-Type", "text/xml")], body: Array(answer.utf8))
        }
        func declaration(_ mappings: String) -> String {
            """
                adapter: quotes
                kind: soap-http
                title: { en: Quotes, fr: Cours }
                endpoint: { url: "http://127.0.0.1:\(server.port)/quotes" }
                contracts: { wsdl: zeep_soap_header.wsdl }
                operations:
                  getQuote:
                    route: GET /v1/quotes/{symbol}
                    operation: GetLastTradePrice
                    summary: { en: A quote, fr: Un cours }
                    request: { tickerSymbol: $path.symbol\(mappings) }
                """
        }
        let contracts = Corpus.directory.appendingPathComponent("soap/wsdl").path
        let logger = Logger(label: "soap-header")
        do {
            let gateway = try SOAPHTTPAdapterTests.loadGateway(
                declaration(", header:Token.value: t0k3n, header:Authentication.username: gateway, header:Authentication.password: x"),
                adapter: "quotes", contracts: contracts)
            try await gateway.makeApplication(port: 0, logger: logger).test(.router) { client in
                let response = try await client.execute(uri: "/v1/quotes/ACME", method: .get)
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                try #expect(JSONParser.parse(response.body.readableBytesView) == ["price": .number("12.5")])
            }

            let misspelt = declaration(", header:Tokn.value: x")
            #expect(throws: DeclarationErrors.self) {
                _ = try SOAPHTTPAdapterTests.loadGateway(misspelt, adapter: "quotes", contracts: contracts)
            }
            do {
                _ = try SOAPHTTPAdapterTests.loadGateway(misspelt, adapter: "quotes", contracts: contracts)
            } catch let error as DeclarationErrors {
                let text = error.problems.map(\.description).joined(separator: "\n")
                #expect(text.contains("header:Authentication, header:Token"), "\(text)")
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
