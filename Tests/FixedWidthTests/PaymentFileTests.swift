import FixedWidth
import Foundation
import GatewayCore
import Testing

/// The declared layouts in `Contracts/formats/` against real NACHA ACH files (moov-io's test data)
/// and a CPA-005 file: every record decodes, and every control total the trailers carry checks.
@Suite("NACHA and CPA-005 files", .enabled(if: Corpus.enabled, Corpus.skipReason))
struct PaymentFileTests {
    static func layout(_ name: String, replacing: (String, String)? = nil) throws -> FileLayout {
        let path = Corpus.repository.appendingPathComponent("Contracts/formats/\(name).yaml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        if let (old, new) = replacing { text = text.replacingOccurrences(of: old, with: new) }
        return try FileLayout(yaml: text, file: path)
    }

    static func decode(_ bytes: [UInt8], _ layout: FileLayout) -> (records: [FileDecoder.Record], problems: [String]) {
        var records: [FileDecoder.Record] = []
        var problems: [String] = []
        for event in FileDecoder.decode(bytes, layout: layout) {
            switch event {
            case .record(let record): records.append(record)
            case .problem(let problem): problems.append(problem.description)
            }
        }
        return (records, problems)
    }

    static func nacha(_ file: String) throws -> [UInt8] {
        try Corpus.data("fixedwidth/nacha_ach/\(file)")
    }

    struct Sample: Sendable, CustomStringConvertible {
        var file: String
        var records: Int
        var entries: Int
        var description: String { file }
    }

    /// Files that are consistent: their records (block padding not counted) and entry details.
    static let consistent: [Sample] = [
        Sample(file: "ppd-debit.ach", records: 5, entries: 1),
        Sample(file: "ppd-debit-fixedLength.ach", records: 5, entries: 1),
        Sample(file: "short-line.ach", records: 5, entries: 1),
        Sample(file: "ppd-mixedDebitCredit.ach", records: 7, entries: 3),
        Sample(file: "web-debit.ach", records: 14, entries: 6),
        Sample(file: "iat-debit.ach", records: 14, entries: 1),
        Sample(file: "cor-example.ach", records: 6, entries: 1),
        Sample(file: "return-WEB.ach", records: 10, entries: 2),
        Sample(file: "NACHA_SAMPLE_TEL_REVERSAL.ach", records: 6, entries: 2),
        Sample(file: "extended-ascii.ach", records: 18, entries: 6),
        Sample(file: "rck.ach", records: 5, entries: 1),
        Sample(file: "FISERV-ZEROFILE-PIMRET825324_032720_110221.ach", records: 2, entries: 0),
    ]

    @Test(arguments: consistent)
    func consistentFilesDecodeAndTheirTotalsCheck(sample: Sample) throws {
        let (records, problems) = Self.decode(try Self.nacha(sample.file), try Self.layout("nacha-ach"))
        #expect(problems == [])
        #expect(records.count == sample.records)
        #expect(records.filter { $0.type == "entry-detail" }.count == sample.entries)
        #expect(records.first?.type == "file-header")
        #expect(records.last?.type == "file-control")
    }

    @Test func valuesOfADebitEntry() throws {
        let (records, _) = Self.decode(try Self.nacha("ppd-debit.ach"), try Self.layout("nacha-ach"))
        let entry = try #require(records.first { $0.type == "entry-detail" })
        #expect(entry.object["transactionCode"] == .number("27"))
        #expect(entry.object["receivingDfiIdentification"] == .number("23138010"))
        #expect(entry.object["amount"] == .number("1000000.00"))
        #expect(entry.object["individualName"] == .string("Receiver Account Name"))
        #expect(entry.object["traceNumber"] == .string("121042880000001"))
        let header = try #require(records.first)
        #expect(header.object["immediateDestination"] == .string("231380104"))
        #expect(header.json["recordType"] == .string("file-header"))
    }

    /// Trimmed trailing spaces and lost line breaks: what transfers do to text files.
    @Test func damagedTransfersDecodeLikeTheOriginal() throws {
        let layout = try Self.layout("nacha-ach")
        let original = Self.decode(try Self.nacha("ppd-debit.ach"), layout).records.map(\.object)
        #expect(Self.decode(try Self.nacha("short-line.ach"), layout).records.map(\.object) == original)
        let joined = try Self.nacha("ppd-debit-fixedLength.ach").filter { $0 != 0x0A }
        try #require(joined.count == 5 * 94, "five records and one final line break")
        var split: [UInt8] = []
        for start in stride(from: 0, to: joined.count, by: 94) { split += joined[start..<(start + 94)] + [0x0A] }
        #expect(Self.decode(joined, layout).records.map(\.object) == Self.decode(split, layout).records.map(\.object))
    }

    /// UTF-8 names are measured in characters: `Aużtin` keeps the fields after it in place.
    @Test func utf8FieldsCountCharacters() throws {
        let (records, problems) = Self.decode(try Self.nacha("extended-ascii.ach"), try Self.layout("nacha-ach"))
        #expect(problems == [])
        let names = records.filter { $0.type == "entry-detail" }.compactMap { $0.object["individualName"]?.scalarText }
        #expect(names.contains("Distracted Aużtin"))
        #expect(records.filter { $0.type == "entry-detail" }.allSatisfy { $0.object["traceNumber"]?.scalarText?.count == 15 })
    }

    /// moov-io's non-ASCII sample exists in ISO-8859-1 and in UTF-8: the same values either way,
    /// and the same two inconsistencies in its file control record.
    @Test func latin1AndUtf8TwinsDecodeAlike() throws {
        let utf8 = Self.decode(try Self.nacha("nonascii-utf8.ach"), try Self.layout("nacha-ach"))
        let latin1 = Self.decode(try Self.nacha("nonascii.ach"), try Self.layout("nacha-ach", replacing: ("encoding: utf-8", "encoding: latin1")))
        #expect(utf8.records.map(\.object) == latin1.records.map(\.object))
        #expect(utf8.records.contains { $0.object["paymentRelatedInformation"]?.scalarText?.contains("¦") == true })
        let expected = [
            "record 17 (file-control): blockCount is 1, but the number of records divided by 10, rounded up in this file is 2",
            "record 17 (file-control): entryAddendaCount is 1, but the number of entry-detail or addenda records in this file is 13",
        ]
        #expect(utf8.problems == expected)
        #expect(latin1.problems == expected)
    }

    /// Files whose trailers disagree with their records: each disagreement is named.
    @Test func inconsistentTrailersAreReported() throws {
        let layout = try Self.layout("nacha-ach")
        for file in ["20110805A.ach", "20110729A-invalid.ach"] {
            let (records, problems) = Self.decode(try Self.nacha(file), layout)
            #expect(problems.count == 1, "\(file): \(problems)")
            #expect(problems.first?.hasSuffix("(file-control): batchCount is 5, but the number of batch-header records in this file is 4") == true)
            #expect(records.count > 90)
        }
    }

    @Test func longLinesAreRefusedWithTheirLineNumber() throws {
        let (_, problems) = Self.decode(try Self.nacha("long-line.ach"), try Self.layout("nacha-ach"))
        #expect(problems.contains("record 3, byte 190: the line is 98 characters long; records are 94"))
        #expect(problems.contains("record 5, byte 384: the line is 101 characters long; records are 94"))
    }

    @Test func anAlteredAmountFailsTheBatchAndFileTotals() throws {
        var bytes = try Self.nacha("ppd-debit.ach")
        // Line 3, the entry detail: amount 0100000000 → 0100000100.
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let entryStart = lines[0].count + 1 + lines[1].count + 1
        bytes[entryStart + 36] = UInt8(ascii: "1")
        let (_, problems) = Self.decode(bytes, try Self.layout("nacha-ach"))
        #expect(problems == [
            "record 4 (batch-control): totalDebitEntryDollarAmount is 1000000.00, but the sum of entry-detail.amount where transactionCode is 25, 26, 27, 28, 29, 35, 36, 37, 38, 39, 45, 46, 47, 48, 49, 55 or 56 in this batch is 1000001.00 (the batch opened by record 2)",
            "record 5 (file-control): totalDebitEntryDollarAmountInFile is 1000000.00, but the sum of entry-detail.amount where transactionCode is 25, 26, 27, 28, 29, 35, 36, 37, 38, 39, 45, 46, 47, 48, 49, 55 or 56 in this file is 1000001.00",
        ])
    }

    @Test func aMissingBatchControlIsNamedOnce() throws {
        let text = String(decoding: try Self.nacha("ppd-debit.ach"), as: UTF8.self)
        let withoutControl = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("8") }.joined(separator: "\n")
        let (_, problems) = Self.decode(Array(withoutControl.utf8), try Self.layout("nacha-ach"))
        #expect(problems == ["record 4 (file-control): the batch opened by record 2 has no batch-control record"])
    }

    @Test(arguments: ["0.ach", "1.ach", "3.ach", "4.ach", "5.ach"])
    func fuzzCrashersFailGracefully(file: String) throws {
        let (_, problems) = Self.decode(try Self.nacha("crashers/\(file)"), try Self.layout("nacha-ach"))
        #expect(!problems.isEmpty)
    }

    /// moov-io's performance sample: 200 batches of about 500 entries, every total checked.
    @Test func twoHundredBatchesBalance() async throws {
        let compressed = Corpus.directory.appendingPathComponent("fixedwidth/nacha_ach/large/PPD-200-batches-100000-entries.ach.gz")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-dc", compressed.path]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        try gzip.run()
        let bytes = Array(pipe.fileHandleForReading.readDataToEndOfFile())
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        var decoder = FileDecoder(layout: try Self.layout("nacha-ach"))
        var reader = RecordReader(format: decoder.recordFormat, bytes: bytes)
        var entries = 0
        var batches = 0
        var problems: [String] = []
        while let raw = try reader.next() {
            // Seconds of work in a debug build: let other tests' tasks run meanwhile.
            if raw.number % 1000 == 0 { await Task.yield() }
            for event in decoder.decode(raw) {
                switch event {
                case .record(let record):
                    if record.type == "entry-detail" { entries += 1 }
                    if record.type == "batch-control" { batches += 1 }
                case .problem(let problem): problems.append(problem.description)
                }
            }
        }
        #expect(decoder.finish().isEmpty)
        #expect(problems == [])
        #expect(entries == 100_199)
        #expect(batches == 200)
    }

    // MARK: CPA-005

    @Test func cpa005CreditsDecodeAndBalance() throws {
        let (records, problems) = Self.decode(try Corpus.data("fixedwidth/cpa005/odoo_test_cpa005_derived.txt"), try Self.layout("cpa-005"))
        #expect(problems == [])
        #expect(records.map(\.type) == ["header", "credit", "credit", "credit", "credit", "trailer"])
        let segments = records.filter { $0.type == "credit" }.compactMap { record -> [JSONValue]? in
            if case .array(let items) = record.object["segments"] { return items }
            return nil
        }
        #expect(segments.map(\.count) == [1, 1, 1, 1], "unused segments are left out")
        #expect(segments.flatMap { $0 }.compactMap { $0["amount"] } == [.number("456.78"), .number("567.89"), .number("543.21"), .number("123.45")])
        #expect(segments.first?.first?["payeeName"] == .string("partner_b"))
        #expect(records.last?.object["totalValueOfCredits"] == .number("1691.33"))
    }

    @Test func cpa005WrongTotalsAndSequenceAreReported() throws {
        var lines = String(decoding: try Corpus.data("fixedwidth/cpa005/odoo_test_cpa005_derived.txt"), as: UTF8.self)
            .components(separatedBy: "\r\n")
        // The third record claims to be the fifth; the trailer claims 5 credits.
        lines[2] = "C000000005" + lines[2].dropFirst(10)
        let trailer = Array(lines[5])
        lines[5] = String(trailer[0..<60]) + "00000005" + String(trailer[68...])
        let (_, problems) = Self.decode(Array(lines.joined(separator: "\r\n").utf8), try Self.layout("cpa-005"))
        #expect(problems == [
            "record 3 (credit): logicalRecordCount is 5, but this is record 3 of the file",
            "record 6 (trailer): totalNumberOfCredits is 5, but the number of credit.segments values in this file is 4",
        ])
    }

    // MARK: Declarations

    @Test func declarationProblemsNameLineAndKey() {
        let yaml = """
            layout: broken
            record-length: 20
            records:
              detail:
                when: { start: 1, equals: "D" }
                fields:
                  - { name: amount, start: 2, lenght: 5, type: number }
                  - { name: code, start: 5, length: 3, type: numeric }
                  - { name: tail, start: 18, length: 5 }
            structure:
              file: { header: head, trailer: detail }
            checks:
              - { scope: file, field: detail.total, count: [detail] }
            """
        #expect(throws: DeclarationErrors.self) { try FileLayout(yaml: yaml, file: "broken.yaml") }
        do {
            _ = try FileLayout(yaml: yaml, file: "broken.yaml")
        } catch {
            let messages = error.problems.map(\.description)
            #expect(messages.contains { $0.hasPrefix("broken.yaml:7:") && $0.contains("unknown key 'lenght' (did you mean 'length'?)") })
            #expect(messages.contains { $0.hasPrefix("broken.yaml:8:") && $0.contains("expected one of text, number") })
            #expect(messages.contains { $0.hasPrefix("broken.yaml:9:") && $0.contains("tail ends at 22, past the 20 characters") })
            #expect(messages.contains { $0.hasPrefix("broken.yaml:11:") && $0.contains("no record type named 'head'") })
            #expect(messages.contains { $0.hasPrefix("broken.yaml:13:") && $0.contains("detail has no field 'total'") })
        }
    }

    /// EBCDIC records back to back, a COBOL picture among the fields, no structure.
    @Test func pictureFieldsInFixedEbcdicRecords() throws {
        let layout = try FileLayout(yaml: """
            layout: ledger
            encoding: cp037
            record-length: 12
            framing: fixed
            records:
              posting:
                when: { start: 1, equals: "P" }
                fields:
                  - { name: account, start: 2, length: 6 }
                  - { name: balance, start: 8, picture: "S9(7)V99", usage: comp-3 }
            """, file: "ledger.yaml")
        let first: [UInt8] = [0xD7, 0xC1, 0xC2, 0xC3, 0xF1, 0xF2, 0x40, 0x00, 0x01, 0x23, 0x45, 0x6D]
        let second: [UInt8] = [0xE7] + Array(repeating: 0x40, count: 11)
        let events = FileDecoder.decode(first + second, layout: layout)
        guard case .record(let record) = events.first else { Issue.record("no record: \(events)"); return }
        #expect(record.object == JSONObject([("account", .string("ABC12")), ("balance", .number("-1234.56"))]))
        guard case .problem(let problem) = events.last else { Issue.record("no problem: \(events)"); return }
        #expect(problem.description == "record 2, byte 12: no record type matches a record starting 'X'")
        #expect(try FileEncoder.encode(record.json, layout: layout) == first)
    }

    @Test func utf8NeedsLinesAndScopesMustNotLoop() {
        let yaml = """
            layout: bad
            encoding: utf-8
            record-length: 4
            framing: fixed
            records:
              a: { when: { start: 1, equals: A }, fields: [{ name: x, start: 2, length: 3 }] }
              b: { when: { start: 1, equals: B }, fields: [{ name: y, start: 2, length: 3 }] }
              c: { when: { start: 1, equals: C }, fields: [{ name: z, start: 2, length: 3 }] }
            structure:
              file: { header: a, contains: [one], trailer: c }
              one: { header: b, contains: [two], trailer: c }
              two: { header: a, contains: [one], trailer: b }
            """
        do {
            _ = try FileLayout(yaml: yaml, file: "bad.yaml")
            Issue.record("accepted")
        } catch {
            let messages = error.problems.map(\.message)
            #expect(messages.contains { $0.contains("need 'framing: lines'") })
            #expect(messages.contains { $0.contains("contains itself through other scopes") })
        }
    }

    @Test func encodedRecordsDecodeBack() throws {
        let layout = try Self.layout("nacha-ach")
        let original = try Self.nacha("ppd-mixedDebitCredit.ach")
        let (records, _) = Self.decode(original, layout)
        var encoded: [UInt8] = []
        for record in records {
            encoded += try FileEncoder.encode(record.json, layout: layout)
            encoded.append(0x0A)
        }
        #expect(Self.decode(encoded, layout).records.map(\.object) == records.map(\.object))
    }
}
