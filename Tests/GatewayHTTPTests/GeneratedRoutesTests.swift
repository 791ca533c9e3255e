import Foundation
import GatewayCore
import GatewayHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite("Generated routes and problem+json", .serialized)
struct GeneratedRoutesTests {
    func withGateway(_ body: @Sendable (any TestClientProtocol, GatewayFixture) async throws -> Void) async throws {
        let fixture = try await GatewayFixture()
        let application = fixture.gateway.makeApplication(port: 0, logger: Logger(label: "test"))
        try await application.test(.router) { client in try await body(client, fixture) }
        await fixture.stop()
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONParser.parse(response.body.readableBytesView)
    }

    @Test func clientLookupDecodesEBCDICPackedDecimalsAndGroups() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/clients/10000001/balance", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == #"{"clientId":10000001,"balance":-125.40,"monthlyAmount":1284.17,"lastPaymentDate":20261120,"paidThisYear":14125.87}"#)
            }
            try await client.execute(uri: "/v1/clients/10000001", method: .get) { response in
                let body = try Self.json(response)
                #expect(body["name"]?["familyName"] == "Tremblay")
                #expect(body["province"] == "QC")
            }
            try await client.execute(uri: "/v1/clients/10000001/dependants", method: .get) { response in
                guard case .array(let dependants)? = try Self.json(response)["dependants"] else {
                    Issue.record("no dependants array")
                    return
                }
                #expect(dependants.count == 2)
                #expect(dependants[0]["depGivenName"] == "Léa")
            }
        }
    }

    @Test func declaredLegacyErrorBecomesProblemInEnglishAndFrench() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/clients/99999999", method: .get, headers: [.requestID: "trace-123"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.requestID] == "trace-123")
                let problem = try Self.json(response)
                #expect(problem["code"] == "client-not-found")
                #expect(problem["status"] == 404)
                #expect(problem["title"] == "Client not found")
                #expect(problem["layer"] == "backend")
                #expect(problem["retryable"] == false)
                #expect(problem["correlationId"] == "trace-123")
                #expect(problem["returnCode"] == "04")
            }
            try await client.execute(uri: "/v1/clients/99999999", method: .get, headers: [.acceptLanguage: "fr-CA, en;q=0.5"]) { response in
                let problem = try Self.json(response)
                #expect(response.headers[.contentLanguage] == "fr")
                #expect(problem["title"] == "Client introuvable")
                #expect(problem["detail"]?.scalarText?.contains("code de retour patrimonial 04") == true)
                #expect(problem["correlationId"]?.scalarText == response.headers[.requestID])
            }
        }
    }

    @Test func unknownRouteIsAProblem() async throws {
        try await withGateway { client, _ in
            for language in ["en", "fr"] {
                try await client.execute(uri: "/v1/nowhere", method: .get, headers: [.acceptLanguage: language]) { response in
                    #expect(response.status == .notFound)
                    let problem = try Self.json(response)
                    #expect(problem["code"] == "route-not-found")
                    #expect(problem["layer"] == "gateway")
                    #expect(problem["title"] == (language == "en" ? "Resource not found" : "Ressource introuvable"))
                }
            }
        }
    }

    @Test func wrongMethodIsA405WithAllow() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/clients/10000001", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                let problem = try Self.json(response)
                #expect(problem["code"] == "method-not-allowed")
            }
            let large = ByteBuffer(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
            try await client.execute(uri: "/v1/notes", method: .post, body: large) { response in
                #expect(response.status == .contentTooLarge)
                let problem = try Self.json(response)
                #expect(problem["code"] == "body-too-large")
            }
        }
    }

    @Test func parameterThatDoesNotFitItsFieldNamesBoth() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/clients/1234567A", method: .get) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["code"] == "invalid-parameter")
                #expect(problem["parameter"] == "clientId")
                #expect(problem["field"] == "CLIREQ.CLIREQ-CLIENT-ID")
                #expect(problem["layer"] == "mapping")
            }
            try await client.execute(uri: "/v1/notes/ELEVENCHARS", method: .get, headers: [.acceptLanguage: "fr"]) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["parameter"] == "code")
                #expect(problem["field"] == "NOTEREQ.NOTEREQ-CODE")
                #expect(problem["detail"]?.scalarText?.contains("11 caractères dépassent les 10 du champ") == true)
            }
        }
    }

    @Test func queryParametersAreMappedAndOptional() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/notes/Q1?text=Bonjour%20tout%20le%20monde", method: .get) { response in
                #expect(response.status == .ok)
                let answer = try Self.json(response)
                #expect(answer["text"] == "Bonjour tout le monde")
                #expect(answer["code"] == "Q1")
            }
            try await client.execute(uri: "/v1/notes/Q2", method: .get) { response in
                let answer = try Self.json(response)
                #expect(answer["text"] == "")
            }
        }
    }

    @Test func jsonBodyIsMappedAndMalformedJSONNamesThePosition() async throws {
        try await withGateway { client, _ in
            let body = ByteBuffer(string: #"{"code": "N1", "count": 3, "text": "Bonjour"}"#)
            try await client.execute(uri: "/v1/notes", method: .post, body: body) { response in
                #expect(response.status == .ok)
                let answer = try Self.json(response)
                #expect(answer["text"] == "Bonjour")
                #expect(answer["amount"] == .number("-42.50"))
            }
            try await client.execute(uri: "/v1/notes", method: .post, body: ByteBuffer(string: "{\n \"code\": \"N1\",\n \"count\": 3x\n}")) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["code"] == "malformed-json")
                #expect(problem["position"]?["line"] == 3)
                #expect(problem["position"]?["column"] == 12)
            }
            try await client.execute(uri: "/v1/notes", method: .post, body: ByteBuffer(string: #"{"code": "N1", "count": "many"}"#)) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["parameter"] == "count")
            }
        }
    }

    @Test func hostileInputsAreRefusedCleanly() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/clients/1e-9223372036854775808", method: .get) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["parameter"] == "clientId")
            }
            let zeros = #"{"code": "Z", "count": ""# + String(repeating: "0", count: 500_000) + #"1"}"#
            let start = ContinuousClock.now
            try await client.execute(uri: "/v1/notes", method: .post, body: ByteBuffer(string: zeros)) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["parameter"] == "count")
            }
            #expect(ContinuousClock.now - start < .seconds(2))
            try await client.execute(uri: "/v1/notes/Q?text=A%0ADROP", method: .get) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.json(response)
                #expect(problem["parameter"] == "text")
                #expect(problem["detail"]?.scalarText?.contains("control character U+000A") == true)
            }
        }
    }

    @Test func backendFailuresAreProblemsThatSayWhichLayer() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/v1/down/X", method: .get) { response in
                #expect(response.status == .badGateway)
                let problem = try Self.json(response)
                #expect(problem["code"] == "backend-unreachable")
                #expect(problem["layer"] == "backend")
                #expect(problem["retryable"] == true)
            }
            try await client.execute(uri: "/v1/notes/CLOSE", method: .get) { response in
                #expect(response.status == .badGateway)
                let problem = try Self.json(response)
                #expect(problem["code"] == "backend-closed-connection")
                #expect(problem["layer"] == "backend")
                #expect(problem["receivedBytes"] == 3, "record bytes, the length prefix not counted")
            }
            try await client.execute(uri: "/v1/notes/SHORT", method: .get) { response in
                #expect(response.status == .badGateway)
                let problem = try Self.json(response)
                #expect(problem["code"] == "record-length-mismatch")
                #expect(problem["layer"] == "mapping")
                #expect(problem["expectedBytes"] == 46)
                #expect(problem["receivedBytes"] == 7)
            }
            try await client.execute(uri: "/v1/notes/MISSING", method: .get, headers: [.acceptLanguage: "fr"]) { response in
                #expect(response.status == .notFound)
                let problem = try Self.json(response)
                #expect(problem["title"] == "Note introuvable")
            }
        }
    }

    @Test func healthReadinessAndStatus() async throws {
        try await withGateway { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            // The adapters' service marks the gateway ready as it starts, concurrently with the test.
            var ready = false
            for _ in 0..<100 where !ready {
                ready = try await client.execute(uri: "/readyz", method: .get) { $0.status == .ok }
                if !ready { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(ready)
            _ = try await client.execute(uri: "/v1/clients/10000002", method: .get)
            _ = try await client.execute(uri: "/v1/down/X", method: .get)
            try await client.execute(uri: "/status", method: .get) { response in
                let status = try Self.json(response)
                #expect(status["status"] == "degraded")
                #expect(status["backends"]?["client-master"]?["kind"] == "fixed-width-tcp")
                #expect(status["backends"]?["client-master"]?["state"] == "up")
                #expect(status["backends"]?["client-master"]?["pool"]?["maxConnections"] == 4)
                #expect(status["backends"]?["down"]?["state"] == "down")
                #expect(status["backends"]?["notes"]?["state"] == "unknown")
            }
        }
    }
}
