import CorpusSupport
import Foundation
import GatewayCore
import GatewayHTTP
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing

/// The EU's real VIES contract (`checkVatService.wsdl` from the shared corpus, read in place)
/// served by a stand-in of our own (PHP's SoapServer, `SOAP/vies.php`) and called through
/// Portage: path values to a document/literal request, nillable and "---" answers, the dated
/// `xsd:date`, and VIES's habit of naming the error only in the faultstring.
@Suite("VIES checkVatService end to end", .serialized, .enabled(if: (SOAPBackendProcess.phpInstalled || SOAPBackendProcess.isCI) && Corpus.enabled))
struct VIESEndToEndTests {
    static let declaration = """
        adapter: vies
        kind: soap-http
        title: { en: EU VAT number check, fr: Vérification des numéros de TVA de l’UE }
        endpoint: { url: "http://127.0.0.1:PORT/taxation_customs/vies/services/checkVatService", read-timeout: 2s }
        contracts: { wsdl: vies_checkVatService.wsdl }
        operations:
          checkVatNumber:
            route: GET /v1/vat-numbers/{countryCode}/{vatNumber}
            operation: checkVat
            summary: { en: Check an EU VAT number, fr: Vérifier un numéro de TVA de l’UE }
            request: { countryCode: $path.countryCode, vatNumber: $path.vatNumber }
            response:
              errors:
                INVALID_INPUT: { status: 400, code: invalid-vat-input, title: { en: Not a VAT number VIES accepts, fr: Numéro de TVA refusé par VIES } }
                MS_UNAVAILABLE: { status: 503, code: member-state-unavailable, retryable: true, title: { en: The member state's register is unavailable, fr: Le registre de l’État membre est indisponible } }
              fields: { valid: valid, name: name, address: address, checkedOn: requestDate }
          checkVatApproximately:
            route: POST /v1/vat-numbers/approximate-checks
            operation: checkVatApprox
            summary: { en: Check a VAT number and the trader's details, fr: Vérifier un numéro de TVA et les coordonnées du commerçant }
        """

    static func withGateway(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try #require(Corpus.isPresent, "\(Corpus.skipReasonText)")
        try #require(SOAPBackendProcess.phpInstalled, "php-cli, php-soap and php-xml are missing in CI: .ci/run must install them")
        let contracts = Corpus.directory.appendingPathComponent("soap/wsdl")
        let backend = try await SOAPBackendProcess.php(
            script: "vies.php", environment: ["VIES_WSDL": contracts.appendingPathComponent("vies_checkVatService.wsdl").path])
        let adapters = FileManager.default.temporaryDirectory.appendingPathComponent("portage-vies-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: adapters, withIntermediateDirectories: true)
            try declaration.replacingOccurrences(of: "PORT", with: String(backend.port))
                .write(to: adapters.appendingPathComponent("vies.yaml"), atomically: true, encoding: .utf8)
            let logger = Logger(label: "vies-e2e")
            let gateway = try Gateway.load(
                adaptersDirectory: adapters.path, contractsDirectory: contracts.path,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
            try await gateway.makeApplication(port: 0, logger: logger).test(.router) { client in
                try await body(client)
            }
        } catch {
            backend.stop()
            try? FileManager.default.removeItem(at: adapters)
            throw error
        }
        backend.stop()
        try? FileManager.default.removeItem(at: adapters)
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONParser.parse(response.body.readableBytesView)
    }

    @Test func checkVatAnswersWithTheRegistersFields() async throws {
        try await Self.withGateway { client in
            let known = try await client.execute(uri: "/v1/vat-numbers/FR/40303265045", method: .get)
            #expect(known.status == .ok, "\(String(buffer: known.body))")
            try #expect(Self.json(known) == ["valid": true, "name": "SA ODIGEO FRANCE", "address": "1 RUE DE LA PAIX\n75002 PARIS", "checkedOn": "2026-11-27+01:00"])
            let undisclosed = try Self.json(try await client.execute(uri: "/v1/vat-numbers/DE/811907980", method: .get))
            #expect(undisclosed["valid"] == true)
            #expect(undisclosed["name"] == "---", "Germany does not disclose the trader; passed through as VIES says it")
            let nilled = try Self.json(try await client.execute(uri: "/v1/vat-numbers/BE/0403170701", method: .get))
            #expect(nilled["name"] == .null && nilled["address"] == .null, "xsi:nil becomes null: \(nilled)")
            let unknown = try Self.json(try await client.execute(uri: "/v1/vat-numbers/FR/00000000000", method: .get))
            #expect(unknown["valid"] == false)
        }
    }

    @Test func errorsNamedOnlyInTheFaultStringMapToTheirProblems() async throws {
        try await Self.withGateway { client in
            let invalid = try await client.execute(uri: "/v1/vat-numbers/XX/123", method: .get, headers: [.acceptLanguage: "fr"])
            #expect(invalid.status == .badRequest, "\(String(buffer: invalid.body))")
            let problem = try Self.json(invalid)
            #expect(problem["code"] == "invalid-vat-input")
            #expect(problem["title"] == "Numéro de TVA refusé par VIES")
            #expect(problem["fault"]?["reason"] == "INVALID_INPUT")
            #expect(problem["retryable"] == false)

            let unavailable = try await client.execute(uri: "/v1/vat-numbers/ES/B12345678", method: .get)
            #expect(unavailable.status == .serviceUnavailable, "\(String(buffer: unavailable.body))")
            let outage = try Self.json(unavailable)
            #expect(outage["code"] == "member-state-unavailable")
            #expect(outage["retryable"] == true)
        }
    }

    @Test func approximateCheckTakesTheBodyAsTheRequest() async throws {
        try await Self.withGateway { client in
            let response = try await client.execute(
                uri: "/v1/vat-numbers/approximate-checks", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"countryCode": "FR", "vatNumber": "40303265045", "traderName": "sa odigeo france", "traderCompanyType": "FR-1"}"#))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let answer = try Self.json(response)
            #expect(answer["valid"] == true)
            #expect(answer["traderNameMatch"] == "1")
            #expect(answer["traderCompanyTypeMatch"] == "2")
            #expect(answer["requestIdentifier"]?.scalarText?.hasPrefix("WAPIAAAAW") == true)
            #expect(answer["requestDate"] == "2026-11-27+01:00")

            let incomplete = try await client.execute(
                uri: "/v1/vat-numbers/approximate-checks", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"countryCode": "FR", "traderCompanyType": "FR"}"#))
            #expect(incomplete.status == .badRequest, "\(String(buffer: incomplete.body))")
            let problem = try Self.json(incomplete)
            #expect(problem["code"] == "invalid-body")
            #expect(problem["detail"]?.scalarText?.contains("vatNumber") == true, "the missing required element is named: \(problem)")
        }
    }
}
