import FixedWidth
import GatewayCore
import Testing

/// Cobrix (AbsaOSS) test cases: copybooks, mainframe data and the JSON Cobrix decoded from them.
/// Every value must match. Cobrix's own conventions are compared through one documented mapping:
/// Cobrix leaves out null and empty strings; it drops NUL and other control bytes inside text,
/// where Portage reads them as spaces (so text compares with spaces removed when that is the only
/// difference); and it adds File_Id, Record_Id, Record_Byte_Length and Seg_Id fields of its own.
@Suite("Cobrix corpus", .enabled(if: Corpus.enabled, Corpus.skipReason))
struct CobrixCorpusTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var copybook: String
        var data: String
        var expected: String
        var encoding: CodePage = .cp037
        var format: RecordFormat? = nil
        /// Cobrix's `record_length` when it differs from the copybook's (trailing bytes ignored).
        var recordLength: Int? = nil
        /// False when the expected file lists records in Spark's order, not the file's: each
        /// expected record must then match a different decoded record.
        var fileOrder = true
        /// Cobrix's `string_trimming_policy` for this expected file.
        var trim: TextTrim = .right
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "test1", copybook: "test1/test1_copybook.cob", data: "test1/example.bin", expected: "test1/test1_expected.jsonl"),
        Case(name: "test3", copybook: "test3/test3_copybook.cob", data: "test3/TRAN2.AUG31.DATA.dat", expected: "test3/test3_expected.jsonl"),
        Case(
            name: "test3-trim-none", copybook: "test3/test3_copybook.cob", data: "test3/TRAN2.AUG31.DATA.dat",
            expected: "test3/test3_trim_none_expected.jsonl", trim: .none),
        Case(
            name: "test4", copybook: "test4/test4_copybook.cob", data: "test4/COMP.DETAILS.SEP30.DATA.dat",
            expected: "test4/test4_expected.jsonl", encoding: .ascii,
            format: .variable(bigEndian: false, lengthIncludesHeader: false)),
        Case(name: "test19", copybook: "test19/test19_display_num.cob", data: "test19/data.dat", expected: "test19/test19_expected.jsonl"),
        Case(
            name: "test7", copybook: "test7/test7_fillers.cob", data: "test7/TEST.FILLERS.DEC07.DATA.dat",
            expected: "test7/test7_expected.jsonl", fileOrder: false),
    ]

    /// test7 (FILLER handling) lists 100 of its 1,000 records in Spark's order (its first is the
    /// file's 232nd), and its `FILLER REDEFINES ADDRESS` is 5 bytes longer than ADDRESS, which
    /// moves every later field: each expected record must equal a distinct decoded one.
    ///
    /// Values where Cobrix and Portage disagree on purpose: Cobrix reads a blank `PIC 9(8)V9(2)` as
    /// 0.00 but a blank `PIC 9(10)` as null; Portage reads both as null (blank is not a number).
    static let documentedDifferences: Set<String> = ["test19#5.WS_AMOUNT_FRACTION"]

    struct Tally {
        var values = 0
        var exact = 0
        var textWithoutControls = 0
        var differences: [String] = []
    }

    @Test(arguments: cases)
    func decodesToCobrixValues(testCase: Case) throws {
        let copybook = try Copybook.parse(try Corpus.text("cobol/cobrix/\(testCase.copybook)"), file: testCase.copybook)
        var layout = try RecordLayout(copybook: copybook, codePage: testCase.encoding, naming: .cobol)
        layout.invalidValues = .null
        layout.textTrim = testCase.trim
        var reader = RecordReader(
            format: testCase.format ?? .fixed(length: testCase.recordLength ?? layout.length),
            bytes: try Corpus.data("cobol/cobrix/\(testCase.data)"))
        let expected = try Self.expectedRecords(try Corpus.text("cobol/cobrix/\(testCase.expected)"))
        var tally = Tally()
        var records = 0
        if !testCase.fileOrder {
            var pool: [JSONValue] = []
            while let record = try reader.next() { pool.append(.object(try record.bytes.withUnsafeBytes { try layout.decode($0) })) }
            #expect(layout.length == testCase.recordLength ?? layout.length)
            for (index, record) in expected.enumerated() {
                var trial = Tally()
                guard let match = pool.firstIndex(where: { candidate in
                    trial = Tally()
                    Self.compare(candidate, record, at: "\(testCase.name)#\(index)", &trial)
                    return trial.differences.isEmpty
                }) else {
                    tally.differences.append("\(testCase.name)#\(index) (no decoded record has these values)")
                    continue
                }
                pool.remove(at: match)
                tally.values += trial.values
                tally.exact += trial.exact
                tally.textWithoutControls += trial.textWithoutControls
                records += 1
            }
            #expect(records == expected.count, "records matched")
            #expect(tally.differences == [], "\(tally.differences)")
            print("cobrix \(testCase.name): \(records) records matched among \(records + pool.count), \(tally.values) values: \(tally.exact) exact, \(tally.textWithoutControls) text equal once control bytes and Cobrix's trimming are accounted for")
            return
        }
        // Cobrix's expected files hold the first records of each data file.
        while records < expected.count, let record = try reader.next() {
            let decoded = try record.bytes.withUnsafeBytes { try layout.decode($0) }
            Self.compare(.object(decoded), expected[records], at: "\(testCase.name)#\(records)", &tally)
            records += 1
        }
        #expect(records == expected.count, "records decoded")
        #expect(Set(tally.differences) == Self.documentedDifferences.filter { $0.hasPrefix(testCase.name + "#") }, "\(tally.differences)")
        print("cobrix \(testCase.name): \(records) records, \(tally.values) values: \(tally.exact) exact, \(tally.textWithoutControls) text equal once control bytes are removed, \(tally.differences.count) documented differences")
    }

    static func expectedRecords(_ text: String) throws -> [JSONValue] {
        if text.drop(while: \.isWhitespace).first == "[" {
            guard case .array(let items) = try JSONParser.parse(Array(text.utf8)) else { return [] }
            return items
        }
        return try text.split(separator: "\n").filter { !$0.isEmpty }.map { try JSONParser.parse(Array($0.utf8)) }
    }

    static let cobrixFields: Set<String> = ["File_Id", "Record_Id", "Record_Byte_Length"]

    static func compare(_ ours: JSONValue, _ theirs: JSONValue?, at path: String, _ tally: inout Tally) {
        switch (ours, theirs) {
        case (.object(let object), .object(let expected)):
            for key in expected.keys where !cobrixFields.contains(key) && !key.hasPrefix("Seg_Id") && object[key] == nil {
                tally.differences.append("\(path).\(key) (missing)")
            }
            for (key, value) in object { compare(value, expected[key], at: "\(path).\(key)", &tally) }
        case (.object(let object), nil):
            for (key, value) in object { compare(value, nil, at: "\(path).\(key)", &tally) }
        case (.array(let items), .array(let expected)):
            if items.count != expected.count { tally.differences.append("\(path) (\(items.count) items, Cobrix \(expected.count))") }
            for (index, item) in items.enumerated() where index < expected.count {
                compare(item, expected[index], at: "\(path)[\(index)]", &tally)
            }
        case (.null, nil), (.string(""), nil), (.null, .null?):
            tally.values += 1
            tally.exact += 1
        case (.number(let a), .number(let b)?):
            tally.values += 1
            if let x = ExactDecimal(a), let y = ExactDecimal(b), let scale = Optional(max(x.scale, y.scale)),
                x.rescaled(to: scale)?.significand == y.rescaled(to: scale)?.significand
            {
                tally.exact += 1
            } else {
                tally.differences.append(path)
            }
        case (.string(let a), .string(let b)?):
            tally.values += 1
            if a == b {
                tally.exact += 1
            } else if a.filter({ $0 != " " }) == b.filter({ $0 != " " }) {
                tally.textWithoutControls += 1
            } else {
                tally.differences.append(path)
            }
        default:
            tally.values += 1
            tally.differences.append(path)
        }
    }
}
