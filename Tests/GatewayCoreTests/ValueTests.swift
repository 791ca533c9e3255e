import GatewayCore
import Testing

@Suite("JSON, decimals and languages")
struct ValueTests {
    @Test func parserKeepsNumbersExactAndOrder() throws {
        let value = try JSONParser.parse(Array(#"{"b": 12345678901234567890.10, "a": [true, null, "é\n"]}"#.utf8))
        #expect(JSONWriter().string(value) == #"{"b":12345678901234567890.10,"a":[true,null,"é\n"]}"#)
    }

    @Test func parserNamesThePositionOfAnError() {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array("{\n  \"a\": tru }".utf8)) }
        let error = #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array("{\n  \"a\": 1,,\n}".utf8)) }
        #expect(error?.line == 2)
        #expect(error?.column == 10)
        #expect(error?.reason.contains("expected a string key") == true)
    }

    @Test func parserRefusesDeepNesting() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test(arguments: [
        ("-125.40", "-125.40"), ("+7", "7"), ("0003", "3"), ("1e2", "100"), ("1.5E-1", "0.15"), ("0.05", "0.05"),
        ("99999999999999999999999999999999999999", "99999999999999999999999999999999999999"),
    ])
    func decimalsParseExactly(input: String, expected: String) throws {
        #expect(try #require(ExactDecimal(input)).description == expected)
    }

    @Test func decimalRejectsGarbageAndTooManyDigits() {
        #expect(ExactDecimal("1e-9223372036854775808") == nil)
        #expect(ExactDecimal("1e9223372036854775807") == nil)
        #expect(ExactDecimal(String(repeating: "0", count: 100_000) + "1") == nil, "over-long text is refused at once")
        #expect(ExactDecimal(String(repeating: "0", count: 100) + "1") == ExactDecimal("1"))
        #expect(ExactDecimal("12a") == nil)
        #expect(ExactDecimal("") == nil)
        #expect(ExactDecimal("1" + String(repeating: "0", count: 38)) == nil)
    }

    @Test func decimalRescalesWithoutLosingDigits() {
        #expect(ExactDecimal("1.5")!.rescaled(to: 2)!.description == "1.50")
        #expect(ExactDecimal("1.25")!.rescaled(to: 1) == nil)
    }

    @Test(arguments: [
        (nil, Language.en), ("fr", .fr), ("fr-CA,en;q=0.5", .fr), ("en-CA,fr;q=0.9", .en), ("de, fr;q=0.3", .fr),
        ("fr;q=0.2, en;q=0.8", .en), ("de", .en), ("fr;q=0", .en),
    ] as [(String?, Language)])
    func acceptLanguageNegotiation(header: String?, expected: Language) {
        #expect(Language.negotiate(header) == expected)
    }

    @Test func routeTemplatesParseAndRejectMalformedOnes() throws {
        let route = try RouteTemplate.parse("GET /v1/clients/{clientId}/balance").get()
        #expect(route.parameterNames == ["clientId"])
        #expect(route.shape == "GET /v1/clients/{}/balance")
        for bad in ["GET v1", "GET /a/{x}{y}", "GET /a/{x}/{x}", "GET /a//b", "TRACE /a", "GET /a/b{c}"] {
            #expect(throws: RouteTemplate.RouteError.self, "\(bad)") { try RouteTemplate.parse(bad).get() }
        }
    }
}
