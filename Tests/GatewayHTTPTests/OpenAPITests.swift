import Foundation
import GatewayCore
import GatewayHTTP
import HTTPTypes
import HummingbirdTesting
import Logging
import OpenAPIKit
import Testing

@Suite("OpenAPI document", .serialized)
struct OpenAPITests {
    @Test func documentIsValidOpenAPI31WithBilingualSummariesAndExamples() async throws {
        let fixture = try await GatewayFixture()
        let application = fixture.gateway.makeApplication(port: 0, logger: Logger(label: "test"))
        try await application.test(.router) { client in
            for language in ["en", "fr"] {
                try await client.execute(uri: "/openapi.json", method: .get, headers: [.acceptLanguage: language]) { response in
                    let document = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(buffer: response.body))
                    try document.validate()
                    #expect(document.openAPIVersion == .v3_1_1)
                    let operations = document.allOperationIds
                    #expect(Set(operations) == ["getClient", "getDependants", "getBalance", "getNote", "createNote", "getDown"])
                    let getClient = try #require(document.paths["/v1/clients/{clientId}"]?.pathItemValue?.get)
                    #expect(getClient.summary == (language == "en" ? "Look up a client" : "Consulter un client"))
                    #expect(getClient.vendorExtensions["x-summary"] != nil)
                    let parameter = try #require(getClient.parameters.first?.parameterValue)
                    #expect(parameter.name == "clientId")
                    #expect(parameter.schemaOrContent.schemaContextValue?.example?.value as? String == "10000001")
                    #expect(getClient.responses[.status(code: 404)] != nil)
                    // 88-level condition names become the allowed values of the field.
                    let raw = try JSONParser.parse(response.body.readableBytesView)
                    let status = raw["paths"]?["/v1/clients/{clientId}"]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["properties"]?["status"]
                    #expect(status?["enum"] == ["A", "S"])
                    #expect(status?["description"]?.scalarText?.contains("A = CLIRESP-ACTIVE") == true)
                }
            }
        }
        await fixture.stop()
    }

    /// The README's promise: every GET operation answers 2xx JSON with the documented examples.
    @Test func everyGetOperationAnswersWithItsDocumentedExamples() async throws {
        let fixture = try await GatewayFixture()
        let application = fixture.gateway.makeApplication(port: 0, logger: Logger(label: "test"))
        try await application.test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            let document = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(buffer: response.body))
            var checked = 0
            for (path, item) in document.paths {
                guard let get = item.pathItemValue?.get, get.tags != ["down"] else { continue }
                var uri = path.rawValue
                // Headers (Request-Timeout, If-None-Match) are optional and have no example.
                for parameter in get.parameters.compactMap(\.parameterValue) where parameter.location != .header {
                    let example = try #require(parameter.schemaOrContent.schemaContextValue?.example?.value as? String, "\(path.rawValue)")
                    uri = uri.replacingOccurrences(of: "{\(parameter.name)}", with: example)
                }
                try await client.execute(uri: uri, method: .get) { answer in
                    #expect(answer.status.code / 100 == 2, "\(uri): \(String(buffer: answer.body))")
                    #expect(answer.headers[.contentType] == "application/json")
                }
                checked += 1
            }
            #expect(checked == 4)
        }
        await fixture.stop()
    }
}
