import Foundation
import FixedWidth
import GatewayCore
import Testing

@Suite("Record framing in files")
struct RecordFormatTests {
    func records(_ format: RecordFormat, _ bytes: [UInt8], chunk: Int = 3) throws -> [String] {
        var remaining = bytes[...]
        // A tiny chunk size exercises records that straddle reads.
        var reader = RecordReader(format: format) { _ in
            defer { remaining = remaining.dropFirst(chunk) }
            return Array(remaining.prefix(chunk))
        }
        var out: [String] = []
        while let record = try reader.next() { out.append(String(decoding: record.bytes, as: UTF8.self)) }
        return out
    }

    @Test func fixedLengthRecords() throws {
        #expect(try records(.fixed(length: 3), Array("ABCDEFGHI".utf8)) == ["ABC", "DEF", "GHI"])
        #expect {
            try records(.fixed(length: 3), Array("ABCDE".utf8))
        } throws: { "\($0)".contains("record 2 at byte 3: the file ends 2 bytes into a 3-byte record") }
    }

    @Test func variableRecordsBigAndLittleEndian() throws {
        let ibm: [UInt8] = [0, 7, 0, 0] + Array("ABC".utf8) + [0, 5, 0, 0] + Array("D".utf8)
        #expect(try records(.variable(bigEndian: true, lengthIncludesHeader: true), ibm) == ["ABC", "D"])
        let little: [UInt8] = [0, 0, 3, 0] + Array("ABC".utf8) + [0, 0, 2, 0] + Array("DE".utf8)
        #expect(try records(.variable(bigEndian: false, lengthIncludesHeader: false), little) == ["ABC", "DE"])
        #expect {
            try records(.variable(bigEndian: true, lengthIncludesHeader: true), [0, 9, 0, 0] + Array("AB".utf8))
        } throws: { "\($0)".contains("the file ends 2 bytes into a 5-byte record") }
    }

    @Test func blockedVariableRecords() throws {
        // One block of two records, then one block of one record (IBM lengths include headers).
        let block1: [UInt8] = [0, 17, 0, 0] + [0, 7, 0, 0] + Array("ABC".utf8) + [0, 6, 0, 0] + Array("DE".utf8)
        let block2: [UInt8] = [0, 9, 0, 0] + [0, 5, 0, 0] + Array("F".utf8)
        #expect(try records(.variableBlocked(bigEndian: true, lengthIncludesHeader: true), block1 + block2) == ["ABC", "DE", "F"])
    }

    @Test func textLinesWithLFCRLFAndNoFinalNewline() throws {
        #expect(try records(.lines, Array("AB\r\nCD\nEF".utf8)) == ["AB", "CD", "EF"])
        #expect(try records(.lines, Array("AB\n\nCD\n".utf8)) == ["AB", "", "CD"])
    }
}

@Suite("Edited pictures")
struct EditedPictureTests {
    func codec(_ picture: String) throws -> FieldCodec {
        let layout = try RecordLayout(copybook: Copybook.parse("       01  R.\n           05  R-A PIC \(picture).\n"), codePage: .ascii)
        return try #require(layout.fields["R-A"]?.codec)
    }

    func print(_ picture: String, _ value: String) throws -> String {
        let codec = try codec(picture)
        var bytes = [UInt8](repeating: 0, count: codec.size)
        try bytes.withUnsafeMutableBytes { try codec.encode(.number(value), into: $0, codePage: .ascii) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func read(_ picture: String, _ text: String) throws -> JSONValue {
        try Array(text.utf8).withUnsafeBytes { try codec(picture).decode($0, codePage: .ascii) }
    }

    @Test(arguments: [
        ("-ZZ,ZZ9.99", "-1234.5", "- 1,234.50"), ("ZZZ9.99CR", "-12.3", "  12.30CR"), ("ZZZ9.99CR", "12.3", "  12.30  "),
        ("$$$,$$9.99", "12.3", "    $12.30"), ("***9.99", "1.5", "***1.50"), ("+999.99", "5", "+005.00"),
        ("9(8).9(2)", "789.09", "00000789.09"), ("ZZ9", "0", "  0"), ("999-", "-42", "042-"), ("99/99/99", "311226", "31/12/26"),
    ])
    func printsAndReadsBack(picture: String, value: String, printed: String) throws {
        #expect(try print(picture, value) == printed)
        let back = try read(picture, printed)
        #expect(ExactDecimal(back.scalarText ?? "")?.rescaled(to: 6) == ExactDecimal(value)?.rescaled(to: 6))
    }

    @Test func readsLeftJustifiedAndBlankFields() throws {
        #expect(try read("9(8).9(2)", "789.09     ") == .number("789.09"))
        #expect(try read("ZZ9.99", "      ") == .number("0.00"))
        #expect(throws: FieldDecodingError.self) { try read("ZZ9.99", "12A.00") }
    }
}

@Suite("Round trips")
struct RoundTripTests {
    static let copybook = """
               01  R.
                   05  R-TEXT       PIC X(12).
                   05  R-ZONED      PIC S9(7)V99.
                   05  R-UZONED     PIC 9(5).
                   05  R-PACKED     PIC S9(11)V9(4) COMP-3.
                   05  R-UPACKED    PIC 9(6) COMP-3.
                   05  R-BIN2       PIC S9(4) COMP.
                   05  R-BIN4       PIC S9(9) COMP.
                   05  R-BIN8       PIC 9(18) COMP-5.
                   05  R-EDITED     PIC -Z(6)9.99.
                   05  R-TABLE OCCURS 3 TIMES.
                       10  R-ITEM   PIC S9(3) COMP-3.
        """

    /// decode(encode(x)) == x for random values, and encode(decode(bytes)) == bytes, in every code page.
    @Test(arguments: ["cp037", "cp1047", "cp1141", "ascii"])
    func randomRecordsRoundTrip(page: String) throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.copybook), codePage: #require(CodePage.named(page)))
        var generator = SystemRandomNumberGenerator()
        func decimal(_ digits: Int, _ scale: Int, signed: Bool) -> JSONValue {
            var text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            text = String(text.drop { $0 == "0" })
            if text.isEmpty { text = "0" }
            let value = ExactDecimal(text)!
            let scaled = ExactDecimal(significand: (signed && Bool.random(using: &generator) ? -1 : 1) * value.significand, scale: scale)
            return .number(scaled.description)
        }
        let letters = Array("ABCXYZ abc 0129")
        for _ in 0..<300 {
            let record: JSONObject = [
                "text": .string(String((0..<Int.random(in: 0...12, using: &generator)).map { _ in letters.randomElement(using: &generator)! })
                    .trimmingCharacters(in: .whitespaces)),
                "zoned": decimal(9, 2, signed: true), "uzoned": decimal(5, 0, signed: false),
                "packed": decimal(15, 4, signed: true), "upacked": decimal(6, 0, signed: false),
                "bin2": decimal(4, 0, signed: true), "bin4": decimal(9, 0, signed: true), "bin8": decimal(18, 0, signed: false),
                "edited": decimal(9, 2, signed: true),
                "table": .array((0..<3).map { _ in ["item": decimal(3, 0, signed: true)] }),
            ]
            let bytes = try layout.encode(record)
            let decoded = try layout.decode(bytes)
            for (key, value) in record {
                if case .number(let text) = value, case .number(let back)? = decoded[key] {
                    #expect(ExactDecimal(text)?.rescaled(to: 4) == ExactDecimal(back)?.rescaled(to: 4), "\(key)")
                } else {
                    #expect(decoded[key] == value, "\(key)")
                }
            }
            #expect(try layout.encode(decoded) == bytes)
        }
    }
}
