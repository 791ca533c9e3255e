import GatewayCore
import Testing

@Suite("Declaration validation")
struct DeclarationValidationTests {
    @Test func validDeclarationHasNoProblems() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Adapters/clients.yaml", DeclarationFixture.declaration())
        #expect(fixture.problems().isEmpty)
    }

    @Test func unknownKeyIsReportedWithLineKeyPathAndSuggestion() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Adapters/clients.yaml", DeclarationFixture.declaration(operationExtra: "    sumary: { en: x, fr: y }"))
        let problems = fixture.problems()
        let problem = try #require(problems.first { $0.message.contains("unknown key 'sumary'") })
        #expect(problem.keyPath == "operations.getClient.sumary")
        #expect(problem.line == 15)
        #expect(problem.file.hasSuffix("Adapters/clients.yaml"))
        #expect(problem.message.contains("did you mean 'summary'"))
    }

    @Test func wrongTypeIsReported() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Adapters/clients.yaml", DeclarationFixture.declaration(port: "seventy"))
        let problem = try #require(fixture.problems().first)
        #expect(problem.keyPath == "endpoint.port")
        #expect(problem.line == 4)
        #expect(problem.message.contains("whole number"))
    }

    @Test func missingContractFileIsReported() throws {
        let fixture = try DeclarationFixture()
        try fixture.write(
            "Adapters/clients.yaml",
            DeclarationFixture.declaration().replacingOccurrences(of: "clients/RESP.cpy", with: "clients/NOPE.cpy"))
        let problem = try #require(fixture.problems().first { $0.keyPath == "contracts.response" })
        #expect(problem.message.contains("does not exist"))
        #expect(problem.line == 5)
    }

    @Test func collidingRoutesAcrossFilesAreReported() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Adapters/clients.yaml", DeclarationFixture.declaration())
        try fixture.write(
            "Adapters/people.yaml",
            DeclarationFixture.declaration(name: "people", route: "GET /v1/clients/{personId}", operation: "getPerson")
                .replacingOccurrences(of: "$path.clientId", with: "$path.personId"))
        let problem = try #require(fixture.problems().first { $0.message.contains("collides") })
        #expect(problem.file.hasSuffix("people.yaml"))
        #expect(problem.keyPath == "operations.getPerson.route")
        #expect(problem.message.contains("clients.getClient"))
    }

    @Test func pathParameterWithoutMappingIsReported() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Adapters/clients.yaml", DeclarationFixture.declaration(route: "GET /v1/clients/{clientId}/{year}"))
        let problem = try #require(fixture.problems().first)
        #expect(problem.keyPath == "operations.getClient.route")
        #expect(problem.message.contains("{year} is not used by any request mapping"))
    }

    @Test func mappingToAnUnknownPathParameterIsReported() throws {
        let fixture = try DeclarationFixture()
        try fixture.write(
            "Adapters/clients.yaml",
            DeclarationFixture.declaration().replacingOccurrences(
                of: "REQ-CLIENT-ID: $path.clientId }", with: "REQ-CLIENT-ID: $path.clientId, REQ-NAME: $path.name }"))
        let problem = try #require(fixture.problems().first)
        #expect(problem.keyPath == "operations.getClient.request.REQ-NAME")
        #expect(problem.message.contains("not a parameter of route"))
    }

    @Test func unknownFieldAndOversizedConstantAreReportedAgainstTheCopybook() throws {
        let fixture = try DeclarationFixture()
        try fixture.write(
            "Adapters/clients.yaml",
            DeclarationFixture.declaration().replacingOccurrences(
                of: "{ REQ-FUNCTION: INQ,", with: "{ REQ-FUNCTION: INQUIRE, REQ-CHANNEL: WEB,"))
        let problems = fixture.problems()
        #expect(problems.contains { $0.keyPath == "operations.getClient.request.REQ-CHANNEL" && $0.message.contains("not in the request layout") })
        #expect(problems.contains { $0.keyPath == "operations.getClient.request.REQ-FUNCTION" && $0.message.contains("longer than the field's 3") })
    }

    @Test func yamlSyntaxErrorNamesTheLine() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Adapters/clients.yaml", "adapter: clients\nkind: [unclosed\ntitle: x\n")
        let problem = try #require(fixture.problems().first)
        #expect(problem.message.contains("invalid YAML"))
        #expect(problem.line >= 2)
    }

    @Test func unknownKindAndBadRouteAreReported() throws {
        let fixture = try DeclarationFixture()
        try fixture.write(
            "Adapters/clients.yaml",
            DeclarationFixture.declaration(route: "FETCH /v1/clients/{clientId}")
                .replacingOccurrences(of: "kind: fixed-width-tcp", with: "kind: carrier-pigeon"))
        let problems = fixture.problems()
        #expect(problems.contains { $0.keyPath == "operations.getClient.route" && $0.message.contains("FETCH") })
        #expect(problems.contains { $0.keyPath == "kind" && $0.message.contains("unknown adapter kind 'carrier-pigeon'") && $0.line == 2 })
    }

    @Test func missingRequiredKeysAreReportedWithoutCrashing() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Adapters/clients.yaml", DeclarationFixture.declaration().replacingOccurrences(of: "kind: fixed-width-tcp\n", with: ""))
        try fixture.write("Adapters/other.yaml", "title: { en: A, fr: B }\n")
        let problems = fixture.problems()
        #expect(problems.contains { $0.file.hasSuffix("clients.yaml") && $0.message == "missing required key 'kind'" })
        #expect(problems.contains { $0.file.hasSuffix("other.yaml") && $0.message == "missing required key 'adapter'" })
    }

    @Test func sameRouteShapeWithOtherParameterNamesIsReported() throws {
        let fixture = try DeclarationFixture()
        try fixture.write(
            "Adapters/clients.yaml",
            DeclarationFixture.declaration(operationExtra: """
                  renameClient:
                    route: PUT /v1/clients/{id}
                    summary: { en: Rename, fr: Renommer }
                    request: { REQ-CLIENT-ID: $path.id, REQ-NAME: $body.name }
                """))
        let problem = try #require(fixture.problems().first)
        #expect(problem.keyPath == "operations.renameClient.route")
        #expect(problem.message.contains("other parameter names"))
    }

    @Test func overlongDurationsAreRefusedAndAliasesAreCheckedLikeAnyValue() throws {
        let fixture = try DeclarationFixture()
        try fixture.write(
            "Adapters/clients.yaml",
            DeclarationFixture.declaration(topExtra: "resilience: { timeout: 10000000h }")
                .replacingOccurrences(of: "title: { en: Clients, fr: Clients }", with: "title: &t { en: Clients, fr: Clients }\ndescription: *t"))
        let problems = fixture.problems()
        #expect(problems.contains { $0.keyPath == "resilience.timeout" && $0.message.contains("up to 24h") })
        #expect(problems.count == 1, "the aliased description is a valid { en, fr } text: \(problems)")
    }

    @Test func everyProblemIsReportedNotJustTheFirst() throws {
        let fixture = try DeclarationFixture()
        try fixture.write(
            "Adapters/clients.yaml",
            DeclarationFixture.declaration(port: "99999", operationExtra: "    colour: blue")
                .replacingOccurrences(of: "framing: length-prefix-4", with: "framing: smoke-signals"))
        let problems = fixture.problems()
        #expect(problems.count >= 3, "\(problems)")
        #expect(problems.allSatisfy { $0.description.contains("clients.yaml:") })
    }
}

@Suite("Segment rules in declarations")
struct SegmentRuleDeclarationTests {
    @Test func segmentGroupsMustBeRedefinesAlternatives() throws {
        let fixture = try DeclarationFixture()
        try fixture.write("Contracts/clients/SEG.cpy", """
                   01  SEG.
                       05  SEG-RC        PIC X(2).
                       05  SEG-TYPE      PIC X.
                       05  SEG-PERSON.
                           10  SEG-NAME  PIC X(10).
                       05  SEG-COMPANY REDEFINES SEG-PERSON.
                           10  SEG-BN    PIC 9(9).
                           10  FILLER    PIC X.
            """)
        let good = DeclarationFixture.declaration()
            .replacingOccurrences(of: "clients/RESP.cpy", with: "clients/SEG.cpy")
            .replacingOccurrences(of: "RESP-RC", with: "SEG-RC")
        try fixture.write(
            "Adapters/clients.yaml",
            good + "\n      segments: { field: SEG-TYPE, groups: { P: SEG-PERSON, C: SEG-COMPANY } }\n")
        #expect(fixture.problems().isEmpty, "\(fixture.problems())")
        try fixture.write(
            "Adapters/clients.yaml",
            good + "\n      segments: { field: SEG-KIND, groups: { P: SEG-PERSON, X: SEG-NAME } }\n")
        let problems = fixture.problems()
        #expect(problems.contains { $0.keyPath == "operations.getClient.response.segments.field" && $0.message.contains("SEG-KIND") })
        #expect(problems.contains { $0.keyPath == "operations.getClient.response.segments.groups.X" && $0.message.contains("not a REDEFINES alternative") })
    }
}
