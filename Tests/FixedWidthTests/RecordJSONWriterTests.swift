import CorpusSupport
import FixedWidth
import GatewayCore
import Testing

/// The fast writer must produce exactly the bytes of `JSONWriter` over `RecordLayout.decode`, and
/// refuse exactly the records the general decoder rejects.
@Suite("RecordJSONWriter")
struct RecordJSONWriterTests {
    static let copybook = """
                    01  MIXED.
                        05  M-NAME         PIC X(12).
                        05  M-CODE         PIC X(3) JUSTIFIED RIGHT.
                        05  M-ZONED        PIC S9(5)V99.
                        05  M-UZONED       PIC 9(4).
                        05  M-FRACTION     PIC SV9(3).
                        05  M-SCALED       PIC SPP99.
                        05  M-PACKED-ODD   PIC S9(7)V99 COMP-3.
                        05  M-PACKED-EVEN  PIC 9(6) COMP-3.
                        05  M-BIN2         PIC S9(4) COMP.
                        05  M-BIN4         PIC 9(9) COMP.
                        05  M-BIN8         PIC S9(15)V9(3) COMP-5.
                        05  M-EDITED       PIC ZZ,ZZ9.99-.
                        05  M-SEPARATE     PIC S9(3) SIGN LEADING SEPARATE.
                        05  M-HUNDREDS     PIC 9(2)PP.
                        05  M-LINES OCCURS 3 TIMES.
                            10  M-LINE-TEXT  PIC X(4).
                            10  M-LINE-AMT   PIC S9(3) COMP-3.
                            10  M-LINE-SUB OCCURS 2 TIMES.
                                15  M-SUB-FLAG  PIC X.
                        05  M-FLOAT        COMP-2.
                        05  FILLER         PIC X(2).
            """

    /// Mostly plausible bytes for each field (digits, sign zones, spaces, quotes, accents), now and
    /// then garbage: both outcomes get compared.
    static func randomRecord(_ layout: RecordLayout, _ generator: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: layout.length)
        let ebcdic = layout.codePage.isEBCDIC
        let textBytes: [UInt8] = ebcdic ? [0x40, 0xC1, 0xC2, 0x7F, 0xE0, 0x51, 0x81, 0xF1, 0x00, 0x15] : [0x20, 0x41, 0x42, 0x22, 0x5C, 0xE9, 0x61, 0x31, 0x00, 0x0A]
        for index in bytes.indices { bytes[index] = textBytes.randomElement(using: &generator)! }
        func fill(_ node: LayoutNode, base: Int) {
            for item in 0..<(node.occurs ?? 1) {
                let start = base + node.offset + item * node.size
                guard let codec = node.codec else {
                    for child in node.children { fill(child, base: start) }
                    continue
                }
                switch codec {
                case .zoned, .packed, .binary, .edited, .separateSign, .float:
                    let value = Int.random(in: -99_999...99_999, using: &generator)
                    let text = [String(value), "0", "\(value / 100).\(String(abs(value % 100)))", "0.05"][Int.random(in: 0..<4, using: &generator)]
                    let scaled: JSONValue = .number(text)
                    bytes.withUnsafeMutableBytes { buffer in
                        let field = UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + node.size)])
                        if (try? codec.encode(scaled, into: field, codePage: layout.codePage)) == nil {
                            try? codec.encode(.number("0"), into: field, codePage: layout.codePage)
                        }
                    }
                default:
                    break
                }
            }
        }
        for child in layout.root.children { fill(child, base: 0) }
        // One record in three gets a random byte somewhere.
        if Int.random(in: 0..<3, using: &generator) == 0 {
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        }
        return bytes
    }

    static func compare(_ layout: RecordLayout, _ record: [UInt8], _ writer: RecordJSONWriter) -> String? {
        let expected: [UInt8]? = (try? layout.decode(record)).map { JSONWriter().bytes(.object($0)) }
        var output = [UInt8](repeating: 0, count: writer.maximumOutputSize)
        let count = record.withUnsafeBytes { bytes in output.withUnsafeMutableBufferPointer { writer.write(bytes, to: $0.baseAddress!) } }
        let actual = count.map { Array(output[0..<$0]) }
        guard actual == expected else {
            return "record \(record): expected \(expected.map { String(decoding: $0, as: UTF8.self) } ?? "rejection"), wrote \(actual.map { String(decoding: $0, as: UTF8.self) } ?? "rejection")"
        }
        return nil
    }

    @Test(arguments: ["cp037", "ascii", "cp1047", "latin1"])
    func matchesTheGeneralDecoderOnRandomRecords(encoding: String) async throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.copybook, file: "MIXED"), codePage: CodePage.named(encoding)!, floats: .ieee)
        let writer = try #require(RecordJSONWriter(layout: layout))
        var generator = SeededGenerator(seed: 7)
        var accepted = 0
        for index in 0..<3000 {
            if index % 200 == 0 { await Task.yield() }
            let record = Self.randomRecord(layout, &generator)
            if let difference = Self.compare(layout, record, writer) {
                Issue.record("\(difference)")
                return
            }
            if (try? layout.decode(record)) != nil { accepted += 1 }
        }
        #expect(accepted > 100 && accepted < 3000, "both valid and invalid records were compared (\(accepted) valid)")
    }

    @Test func trimPoliciesMatch() throws {
        for trim in TextTrim.allCases {
            var layout = try RecordLayout(copybook: Copybook.parse(Self.copybook, file: "MIXED"), codePage: .ascii)
            layout.textTrim = trim
            let writer = try #require(RecordJSONWriter(layout: layout))
            var record = layout.blankRecord()
            record.replaceSubrange(0..<12, with: Array("  Anne Roy  ".utf8))
            #expect(Self.compare(layout, record, writer) == nil)
            let name = try layout.decode(record)["name"]
            #expect(name == .string(trim == .none ? "  Anne Roy  " : trim == .right ? "  Anne Roy" : "Anne Roy"))
        }
    }

    @Test func layoutsTheFastPathLeavesAlone() throws {
        let redefines = try RecordLayout(copybook: Copybook.parse("""
                        01  R.
                            05  A  PIC X(4).
                            05  B  REDEFINES A PIC 9(4).
            """, file: "R"), codePage: .ascii)
        #expect(RecordJSONWriter(layout: redefines) == nil)
        let dependingOn = try RecordLayout(copybook: Copybook.parse("""
                        01  R.
                            05  N  PIC 9.
                            05  T  OCCURS 1 TO 5 DEPENDING ON N PIC X.
            """, file: "R"), codePage: .ascii)
        #expect(RecordJSONWriter(layout: dependingOn) == nil)
    }

    /// Real records: CardDemo's EBCDIC master files and the Cobrix cases without REDEFINES.
    @Test(.enabled(if: Corpus.enabled, Corpus.skipReason))
    func matchesTheGeneralDecoderOnCorpusRecords() throws {
        var compared = 0
        for (copybook, data) in [
            ("CVACT01Y", "ACCTDATA"), ("CVACT02Y", "CARDDATA"), ("CVCUS01Y", "CUSTDATA"), ("CVTRA06Y", "DALYTRAN"), ("CVTRA02Y", "DISCGRP"),
        ] {
            let layout = try RecordLayout(
                copybook: Copybook.parse(try Corpus.text("cobol/carddemo/cpy/\(copybook).cpy"), file: copybook), codePage: .cp037)
            let writer = try #require(RecordJSONWriter(layout: layout))
            let bytes = try Corpus.data("cobol/carddemo/EBCDIC/AWS.M2.CARDDEMO.\(data).PS")
            for start in stride(from: 0, to: bytes.count - layout.length + 1, by: layout.length) {
                let difference = Self.compare(layout, Array(bytes[start..<(start + layout.length)]), writer)
                #expect(difference == nil, "\(data)")
                compared += 1
            }
        }
        #expect(compared > 300)
    }
}
