import FixedWidth
import GatewayCore
import Testing

@Suite("Copybooks and layouts")
struct CopybookLayoutTests {
    static let clientResponse = """
        000100*----------------------------------------------------------------*
        000200* A COMMENT LINE, IGNORED                                         SEQ00001
        000300 01  CLIRESP.                                                     SEQ00002
        000400     05  CLIRESP-RC              PIC X(2).
        000500     05  CLIRESP-NAME.
        000600         10  CLIRESP-GIVEN-NAME  PIC X(20).
        000700         10  CLIRESP-FAMILY-NAME PIC X(25).
        000800     05  CLIRESP-STATUS          PIC X(1).
        000900         88  CLIRESP-ACTIVE      VALUE 'A'.
        001000     05  CLIRESP-BALANCE         PIC S9(7)V99 COMP-3.
        001100     05  CLIRESP-YEARS           PIC 9(3) COMP.
        001200     05  FILLER                  PIC X(4).
        001300     05  CLIRESP-DEP-COUNT       PIC S9(4) COMP.
        001400     05  CLIRESP-DEPENDANT OCCURS 0 TO 3 TIMES
        001500             DEPENDING ON CLIRESP-DEP-COUNT.
        001600         10  CLIRESP-DEP-NAME    PIC X(10).
        001700         10  CLIRESP-DEP-AMOUNT  PIC S9(3)V99.
        """

    @Test func fixedFormatCopybookGivesOffsetsSizesAndNames() throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.clientResponse), codePage: .cp037)
        #expect(layout.name == "CLIRESP")
        #expect(layout.fields["CLIRESP-GIVEN-NAME"]?.offset == 0)  // relative to its group
        #expect(layout.fields["CLIRESP-NAME"]?.offset == 2)
        #expect(layout.fields["CLIRESP-BALANCE"]?.offset == 48)
        #expect(layout.fields["CLIRESP-BALANCE"]?.size == 5)
        #expect(layout.fields["CLIRESP-YEARS"]?.size == 2)
        #expect(layout.fields["CLIRESP-DEPENDANT"]?.offset == 61)
        #expect(layout.length == 61 + 3 * 15)
        #expect(layout.minimumLength == 61)
        #expect(layout.fields["CLIRESP-DEP-COUNT"]?.jsonName == "depCount")
        #expect(layout.path(of: "CLIRESP-DEP-NAME") == "CLIRESP.CLIRESP-DEPENDANT.CLIRESP-DEP-NAME")
    }

    @Test func freeFormatAndNoO1Level() throws {
        let layout = try RecordLayout(
            copybook: Copybook.parse("""
                *> free-format copybook without an 01 level
                05 ACCOUNT-ID PIC X(10).
                05 AMOUNT     PIC S9(5)V99 COMP-3.
                """), codePage: .ascii)
        #expect(layout.length == 14)
        #expect(layout.fields["AMOUNT"]?.jsonName == "amount")
        #expect(layout.fields["ACCOUNT-ID"]?.jsonName == "accountId")
    }

    /// A longer REDEFINES alternative widens the shared area, so the next item starts after it.
    @Test func aLongerRedefinitionMovesTheFollowingItems() throws {
        let layout = try Copybook.parse("       01  R.\n           05  A  PIC X(2).\n           05  B  REDEFINES A PIC X(4).\n           05  C  PIC X.\n").layout()
        #expect(layout.absoluteOffset(of: "C") == 4)
        #expect(layout.length == 5)
    }

    @Test func unsupportedClausesAreNamedWithTheirLine() {
        #expect {
            try Copybook.parse("       01  R.\n           05  A  PIC 1(3).\n").layout()
        } throws: { ($0 as? CopybookError)?.line == 2 && "\($0)".contains("symbol '1' is not supported yet") }
        #expect {
            try Copybook.parse("       01  R.\n           05  A  PIC X(3)\n")
        } throws: { "\($0)".contains("not ended by a period") }
        #expect {
            try Copybook.parse("       01  R.\n           05  A  PIC X(3).\n       66  B RENAMES C.\n").layout()
        } throws: { ($0 as? CopybookError)?.line == 3 && "\($0)".contains("B RENAMES C: no such item in the record") }
    }

    @Test func recordRoundTripsWithOccursDependingOn() throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.clientResponse), codePage: .cp037)
        let record: JSONObject = [
            "rc": "00", "name": ["givenName": "Zoë", "familyName": "Côté"], "status": "A",
            "balance": .number("-1234567.89"), "years": 42, "depCount": 2,
            "dependant": [["depName": "Léa", "depAmount": .number("-1.50")], ["depName": "Sam", "depAmount": .number("12.00")]],
        ]
        let bytes = try layout.encode(record)
        #expect(bytes.count == 61 + 2 * 15)
        let decoded = try layout.decode(bytes)
        #expect(decoded == record)
        #expect(try layout.encode(decoded) == bytes)
    }
}

extension Copybook {
    func layout() throws -> RecordLayout { try RecordLayout(copybook: self, codePage: .cp037) }
}

@Suite("Nested fields, tables and redefinitions")
struct NestedFieldTests {
    static let copybook = """
               01  REC.
                   05  REC-HEAD.
                       10  REC-ID        PIC X(4).
                       10  REC-AMOUNT    PIC S9(3)V99 COMP-3.
                   05  FILLER.
                       10  REC-HIDDEN    PIC 9(2).
                   05  REC-LINES OCCURS 2 TIMES.
                       10  REC-QTY       PIC 9(3).
                       10  REC-NOTE      PIC X(2).
                   05  REC-CODE          PIC X(3).
                   05  REC-CODE-NUM REDEFINES REC-CODE PIC 9(3).
        """

    @Test func nestedFieldsAreReadAndWrittenAtTheirAbsoluteOffsets() throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.copybook), codePage: .ascii)
        #expect(layout.absoluteOffset(of: "REC-AMOUNT") == 4)
        #expect(layout.absoluteOffset(of: "REC-HIDDEN") == 7)
        #expect(layout.absoluteOffset(of: "REC-LINES") == 9)
        #expect(layout.path(of: "REC-HIDDEN") == "REC.FILLER.REC-HIDDEN")
        #expect(layout.tableMembers == ["REC-QTY", "REC-NOTE"])
        let bytes = try layout.encode(fields: [("REC-AMOUNT", .number("-1.50")), ("REC-HIDDEN", 42), ("REC-CODE", "ABC")])
        #expect(bytes.count == 22)
        #expect(Array(bytes[4..<7]) == [0x00, 0x15, 0x0D])
        #expect(String(decoding: bytes[7..<9], as: UTF8.self) == "42")
        // Every occurrence of a table gets numeric zeros, not spaces.
        #expect(String(decoding: bytes[9..<19], as: UTF8.self) == "000  000  ")
        let record = try bytes.withUnsafeBytes { buffer in try layout.decode(field: "REC-AMOUNT", buffer) }
        #expect(record == .number("-1.50"))
    }

    @Test func aRedefinitionThatDoesNotDecodeIsNull() throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.copybook), codePage: .ascii)
        let bytes = try layout.encode(fields: [("REC-CODE", "ABC")])
        let decoded = try layout.decode(bytes)
        #expect(decoded["code"] == "ABC")
        #expect(decoded["codeNum"] == .null)
        let numeric = try layout.decode(try layout.encode(fields: [("REC-CODE", "123")]))
        #expect(numeric["codeNum"] == 123)
    }

    @Test func absurdCountsAreRefused() {
        #expect(throws: CopybookError.self) { try Copybook.parse("       01  R.\n           05  A PIC X(99999999999).\n").layout() }
        #expect(throws: CopybookError.self) { try Copybook.parse("       01  R.\n           05  A PIC X OCCURS 99999999.\n").layout() }
        #expect(throws: CopybookError.self) {
            try Copybook.parse("       01  R.\n           05  N PIC 9.\n           05  A PIC X OCCURS 5 TO 2 DEPENDING ON N.\n").layout()
        }
    }
}

@Suite("Condition names")
struct ConditionNameTests {
    @Test func level88ValuesBecomeAChoice() throws {
        let layout = try RecordLayout(
            copybook: Copybook.parse("""
                       01  R.
                           05  R-STATUS  PIC X.
                               88  R-OPEN     VALUE 'O'.
                               88  R-CLOSED   VALUES ARE 'C' 'X'.
                           05  R-LEVEL   PIC 9.
                               88  R-LOW      VALUE 1 THRU 3.
                """), codePage: .ascii)
        guard case .choice(_, let values, let names) = try #require(layout.fields["R-STATUS"]).schema else {
            Issue.record("R-STATUS is not a choice")
            return
        }
        #expect(values == ["O", "C", "X"])
        #expect(names == ["R-OPEN", "R-CLOSED", "R-CLOSED"])
        // A range is documented by the copybook but not an enumeration.
        guard case .decimal = try #require(layout.fields["R-LEVEL"]).schema else {
            Issue.record("R-LEVEL should stay a plain number")
            return
        }
        #expect(layout.fields["R-LEVEL"]?.conditions.first?.isRange == true)
    }
}

@Suite("Segment rules")
struct SegmentRuleTests {
    @Test func theSegmentValueChoosesTheAlternative() throws {
        var layout = try RecordLayout(
            copybook: Copybook.parse("""
                       01  SEG.
                           05  SEG-TYPE      PIC X.
                           05  SEG-PERSON.
                               10  SEG-NAME  PIC X(9).
                           05  SEG-COMPANY REDEFINES SEG-PERSON.
                               10  SEG-BN    PIC 9(9).
                """), codePage: .ascii)
        layout.segments = RecordLayout.SegmentRule(field: "SEG-TYPE", groups: ["P": "SEG-PERSON", "C": "SEG-COMPANY"])
        let person = try layout.decode(Array("PJOHN     ".utf8))
        #expect(person["person"]?["name"] == "JOHN")
        #expect(person["company"] == nil)
        let company = try layout.decode(Array("C123456789".utf8))
        #expect(company["company"]?["bn"] == 123456789)
        #expect(company["person"] == nil)
        let unknown = try layout.decode(Array("X123456789".utf8))
        #expect(unknown["person"] != nil && unknown["company"] != nil, "an unlisted value keeps every alternative")
    }
}
