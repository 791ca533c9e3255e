import CorpusSupport
import FixedWidth
import GatewayCore
import Testing

/// Level 66 (RENAMES), national text (PIC N), and the value policies: blank numbers, trimming,
/// decimals as strings.
@Suite("RENAMES, PIC N, UTF-8, per-field code pages and value policies")
struct RenamesAndPoliciesTests {
    static let copybook = """
                    01  PAYMENT.
                        05  PAY-ID          PIC 9(6).
                        05  PAY-PAYEE.
                            10  PAY-GIVEN   PIC X(10).
                            10  PAY-FAMILY  PIC X(10).
                        05  PAY-AMOUNT      PIC S9(5)V99 COMP-3.
                        05  PAY-NOTE        PIC N(4).
                    66  PAY-WHO RENAMES PAY-FAMILY.
                    66  PAY-NAMES-AND-AMOUNT RENAMES PAY-GIVEN THRU PAY-AMOUNT.
            """

    static func layout(_ codePage: CodePage = .ascii) throws -> RecordLayout {
        try RecordLayout(copybook: Copybook.parse(copybook, file: "PAYMENT.cpy"), codePage: codePage)
    }

    static func record() -> [UInt8] {
        Array("000042Léa       Côté      ".unicodeScalars.map { UInt8($0.value) }) + [0x00, 0x12, 0x34, 0x5D]
            + [0x00, 0x4C, 0x00, 0xE9, 0x00, 0x20, 0x00, 0x20]
    }

    @Test func renamesGiveOtherNamesToTheSameBytes() throws {
        let layout = try Self.layout(.latin1)
        let object = try layout.decode(Self.record())
        #expect(object["who"] == .string("Côté"))
        #expect(object["namesAndAmount"] == .object(JSONObject([
            ("given", .string("Léa")), ("family", .string("Côté")), ("amount", .number("-123.45")),
        ])))
        #expect(object["payee"]?["family"] == .string("Côté"))
        #expect(layout.length == 38, "RENAMES adds no bytes")
        #expect(layout.path(of: "PAY-WHO") == "PAYMENT.PAY-WHO")
    }

    @Test func renamesAreNotWrittenWhenEncoding() throws {
        let layout = try Self.layout(.latin1)
        var object = try layout.decode(Self.record())
        object["who"] = .string("Ignored")
        #expect(try layout.encode(object) == Self.record())
    }

    @Test func renamesThatCannotBeAreRefused() {
        func error(_ text: String) -> String? {
            do {
                _ = try RecordLayout(copybook: Copybook.parse(text, file: "BAD.cpy"), codePage: .ascii)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error("""
                        01  R.
                            05  A  PIC X(4).
                        66  B RENAMES NOPE.
            """)?.contains("B RENAMES NOPE: no such item in the record") == true)
        #expect(error("""
                        01  R.
                            05  T  OCCURS 2 PIC X(4).
                        66  B RENAMES T.
            """)?.contains("items in or with OCCURS cannot be renamed") == true)
        #expect(error("""
                        01  R.
                            05  A  PIC X(4).
                            05  C  PIC X(4).
                        66  B RENAMES C THRU A.
            """)?.contains("A ends before C starts") == true)
        #expect(error("""
                        01  R.
                            05  A  PIC X(4).
                        66  B RENAMES A ALSO.
            """)?.contains("66 NAME RENAMES ITEM [THRU ITEM]") == true)
    }

    @Test func nationalTextIsUtf16BigEndian() throws {
        let layout = try Self.layout(.latin1)
        #expect(layout.fields["PAY-NOTE"]?.codec == .national(length: 4))
        #expect(try layout.decode(Self.record())["note"] == .string("Lé"))
        var bytes = [UInt8](repeating: 0, count: 8)
        try bytes.withUnsafeMutableBytes { try FieldCodec.national(length: 4).encode(.string("日本"), into: $0, codePage: .ascii) }
        #expect(bytes == [0x65, 0xE5, 0x67, 0x2C, 0x00, 0x20, 0x00, 0x20])
        #expect(throws: FieldEncodingError.self) {
            try bytes.withUnsafeMutableBytes { try FieldCodec.national(length: 4).encode(.string("too long"), into: $0, codePage: .ascii) }
        }
    }

    @Test func blankNumbersUnderEachPolicy() throws {
        var layout = try Self.layout(.latin1)
        var record = Self.record()
        for index in 0..<6 { record[index] = 0x20 }
        layout.invalidValues = .zero
        #expect(try layout.decode(record)["id"] == .number("0"))
        for index in 0..<6 { record[index] = 0xFF }
        #expect(try layout.decode(record)["id"] == .number("0"), "HIGH-VALUES")
        record[0] = UInt8(ascii: "x")
        #expect(throws: RecordDecodingError.self, "not blank, so still an error") { try layout.decode(record) }
        layout.invalidValues = .null
        #expect(try layout.decode(record)["id"] == .null)
        layout.invalidValues = .error
        #expect(throws: RecordDecodingError.self) { try layout.decode(record) }
    }

    @Test func decimalsAsStringsOnBothPaths() throws {
        var layout = try Self.layout(.latin1)
        layout.decimalsAsStrings = true
        let object = try layout.decode(Self.record())
        #expect(object["amount"] == .string("-123.45"))
        #expect(object["id"] == .string("42"))
        var plain = try RecordLayout(copybook: Copybook.parse(RecordJSONWriterTests.copybook, file: "MIXED"), codePage: .cp037)
        plain.decimalsAsStrings = true
        let writer = try #require(RecordJSONWriter(layout: plain))
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<500 {
            let record = RecordJSONWriterTests.randomRecord(plain, &generator)
            #expect(RecordJSONWriterTests.compare(plain, record, writer) == nil)
        }
    }

    @Test func utf8TextFieldsCountBytes() throws {
        let layout = try RecordLayout(copybook: Copybook.parse("""
                   01  U.
                       05  U-NAME   PIC X(8).
                       05  U-COUNT  PIC 9(3).
            """, file: "U.cpy"), codePage: .utf8)
        #expect(CodePage.named("UTF-8") == .utf8)
        let record = Array("Côté  ".utf8) + Array("042".utf8)
        #expect(record.count == 11)
        #expect(try layout.decode(record) == JSONObject([("name", .string("Côté")), ("count", .number("42"))]))
        #expect(try layout.encode(layout.decode(record)) == record)
        #expect(throws: RecordEncodingError.self, "9 bytes in UTF-8") { try layout.encode(JSONObject([("name", .string("Ééééé"))])) }
        let broken = [0x41, 0xC3, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20] + Array("001".utf8)
        #expect(try layout.decode(broken)["name"] == .string("A\u{FFFD}"))
        let writer = try #require(RecordJSONWriter(layout: layout))
        #expect(RecordJSONWriterTests.compare(layout, record, writer) == nil)
        #expect(RecordJSONWriterTests.compare(layout, broken, writer) == nil)
    }

    @Test func aFieldInAnotherCodePage() throws {
        var layout = try RecordLayout(copybook: Copybook.parse("""
                   01  M.
                       05  M-ASCII  PIC X(3).
                       05  M-EBCDIC PIC X(3).
                       05  M-NUM    PIC 9(2).
            """, file: "M.cpy"), codePage: .ascii)
        layout.fieldCodePages["M-EBCDIC"] = .cp037
        let record: [UInt8] = Array("abc".utf8) + [0xC1, 0xC2, 0xC3] + Array("07".utf8)
        #expect(try layout.decode(record) == JSONObject([("ascii", .string("abc")), ("ebcdic", .string("ABC")), ("num", .number("7"))]))
        #expect(try layout.encode(layout.decode(record)) == record)
        #expect(RecordJSONWriter(layout: layout) == nil, "mixed code pages take the general path")
    }

    @Test func layoutsWithRenamesOrNationalTrimUseTheGeneralPath() throws {
        #expect(RecordJSONWriter(layout: try Self.layout()) == nil)
    }
}
