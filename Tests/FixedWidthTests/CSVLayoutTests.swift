import FixedWidth
import GatewayCore
import Testing

/// `format: csv` layouts: the record types, structure and control totals of fixed-width layouts,
/// with values between delimiters (RFC 4180 quoting) instead of at positions.
@Suite("CSV file layouts")
struct CSVLayoutTests {
    /// A direct-deposit batch as a payroll system exports it: header, deposits, trailer with totals.
    static let deposits = """
        layout: deposit-batch
        format: csv
        encoding: latin1
        records:
          header:
            when: {column: 1, equals: H}
            fields:
              - {name: batchId, column: 2, length: 12}
              - {name: createdOn, type: number, length: 8}
          deposit:
            when: {column: 1, equals: D}
            fields:
              - {name: depositId, column: 2, length: 10}
              - {name: payee, length: 30}
              - {name: amount, type: number, length: 11, scale: 2}
              - {name: memo, column: 6, length: 20, trim: both}
          trailer:
            when: {column: 1, equals: T}
            fields:
              - {name: count, column: 2, type: number, length: 6}
              - {name: total, type: number, length: 13, scale: 2}
        structure:
          file: {header: header, contains: deposit, trailer: trailer}
        checks:
          - {scope: file, field: trailer.count, count: deposit}
          - {scope: file, field: trailer.total, sum: deposit.amount}
        """

    /// Last night's client list from a French-language system: heading row, `;`, decimal comma.
    static let clients = """
        layout: clients
        format: csv
        encoding: utf-8
        delimiter: semicolon
        decimal-mark: comma
        header-row: true
        line-ending: crlf
        records:
          client:
            fields:
              - {name: clientId, heading: No client, length: 8}
              - {name: name, heading: Nom, length: 40}
              - {name: balance, heading: Solde, type: number, length: 9, scale: 2, signed: true}
        """

    static func layout(_ text: String) throws -> FileLayout {
        try FileLayout(yaml: text, file: "test.yaml")
    }

    static func decode(_ text: String, _ layout: FileLayout) -> (records: [FileDecoder.Record], problems: [FileDecoder.Problem]) {
        var records: [FileDecoder.Record] = []
        var problems: [FileDecoder.Problem] = []
        for event in FileDecoder.decode(Array(text.utf8), layout: layout) {
            switch event {
            case .record(let record): records.append(record)
            case .problem(let problem): problems.append(problem)
            }
        }
        return (records, problems)
    }

    @Test("a batch written with its totals reads back the same, quotes where values hold commas or quotes")
    func roundTrip() throws {
        let layout = try Self.layout(Self.deposits)
        let records: [JSONObject] = [
            ["recordType": "header", "batchId": "B2026-11-27", "createdOn": .number("20261127")],
            ["recordType": "deposit", "depositId": "DEP0000001", "payee": "Tremblay, Anne", "amount": .number("1250"), "memo": "Nov."],
            ["recordType": "deposit", "depositId": "DEP0000002", "payee": "Côté \"Jr\"", "amount": .number("0.05")],
            ["recordType": "trailer"],
        ]
        var file: [UInt8] = layout.prologue
        for record in layout.fillingTotals(records) { file += try FileEncoder.encode(record, layout: layout) + layout.lineEnding }
        let lines = String(decoding: file.map { UInt16($0) }, as: UTF16.self).split(separator: "\n")
        #expect(lines == [
            "H,B2026-11-27,20261127",
            "D,DEP0000001,\"Tremblay, Anne\",1250.00,,Nov.",
            "D,DEP0000002,\"Côté \"\"Jr\"\"\",0.05,,",
            "T,2,1250.05",
        ])
        #expect(file.contains(0xF4))  // ô in Latin-1, one byte

        var decoder = FileDecoder(layout: layout)
        var reader = RecordReader(format: decoder.recordFormat, bytes: file)
        var decoded: [FileDecoder.Record] = []
        while let raw = try reader.next() {
            for event in decoder.decode(raw) {
                if case .record(let record) = event { decoded.append(record) } else { Issue.record("\(event)") }
            }
        }
        #expect(decoder.finish().isEmpty)
        #expect(decoded.map(\.type) == ["header", "deposit", "deposit", "trailer"])
        #expect(decoded[1].object["payee"] == "Tremblay, Anne")
        #expect(decoded[1].object["amount"] == .number("1250.00"))
        #expect(decoded[2].object["payee"] == "Côté \"Jr\"")
        #expect(decoded[2].object["memo"] == "")
        #expect(decoded[3].object["total"] == .number("1250.05"))
    }

    @Test("a quoted value may span lines; CR LF endings and blank lines are read as well")
    func multiLineValues() throws {
        let layout = try Self.layout(Self.deposits)
        let text = "H,B1,20261127\r\n\r\nD,DEP1,\"Anne\nTremblay\",10.00,, first  \r\nT,1,10.00\r\n"
        let (records, problems) = Self.decode(text, layout)
        #expect(problems.isEmpty, "\(problems)")
        #expect(records.count == 3)
        #expect(records[1].object["payee"] == "Anne\nTremblay")
        #expect(records[1].object["memo"] == "first")
        #expect(records[1].line == 3)
        #expect(records[2].line == 5)
    }

    @Test("what is wrong is named: record, line, field, reason — and totals that do not add up")
    func problems() throws {
        let layout = try Self.layout(Self.deposits)
        let text = """
            H,B1,20261127
            D,DEP1,A payee whose name is far longer than thirty,1.00
            D,DEP2,Anne,12.345
            D,DEP3,Anne
            D,DEP4,"Anne" Tremblay,1.00
            X,odd
            D,DEP5,Anne,-2.00
            T,9,1.00
            D,DEP6,"never closed,1.00
            """
        let (_, problems) = Self.decode(text, layout)
        let shown = problems.map(\.description)
        #expect(shown.contains("record 2 (deposit), byte 21: payee: 44 characters, longer than the field's 30"), "\(shown)")
        #expect(shown.contains { $0.hasPrefix("record 3 (deposit), byte") && $0.contains("amount: 12.345 has more than 2 decimal places") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("record 4 (deposit), byte") && $0.contains("amount: the line has 3 values; amount is value 4") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("record 5, byte") && $0.contains("text after the closing quote of value 3") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("record 6, byte") && $0.contains("no record type matches a line starting 'X'") }, "\(shown)")
        #expect(shown.contains { $0.hasPrefix("record 7 (deposit), byte") && $0.contains("amount: the field is unsigned and cannot hold -2.00") }, "\(shown)")
        #expect(shown.contains("record 8 (trailer): count is 9, but the number of deposit records in this file is 4"), "\(shown)")
        // Where the record number and the line differ, both are given.
        let later = Self.decode("H,B1,1\nD,DEP1,\"Anne\nTremblay\",1.00\nD,DEP2,Roy,x\n", layout).problems.map(\.description)
        #expect(later.first?.hasPrefix("record 3 (deposit), line 4, byte") == true, "\(later)")
        #expect(shown.contains("record 9, byte 163: a quoted value is never closed (the file ends inside it)"), "\(shown)")
    }

    @Test("a header row is written from the headings and checked on reading; decimal comma, ';' and UTF-8")
    func headerRowAndDecimalComma() throws {
        let layout = try Self.layout(Self.clients)
        let records: [JSONObject] = [
            ["recordType": "client", "clientId": "10000001", "name": "Gagnon; Éloïse", "balance": .number("-1250.5")],
            ["recordType": "client", "clientId": "10000002", "name": "Roy", "balance": .number("0")],
        ]
        var file = layout.prologue
        for record in records { file += try FileEncoder.encode(record, layout: layout) + layout.lineEnding }
        #expect(String(decoding: file, as: UTF8.self) == "No client;Nom;Solde\r\n10000001;\"Gagnon; Éloïse\";-1250,50\r\n10000002;Roy;0,00\r\n")
        let (decoded, problems) = Self.decode(String(decoding: file, as: UTF8.self), layout)
        #expect(problems.isEmpty, "\(problems)")
        #expect(decoded.map { $0.object["balance"] } == [.number("-1250.50"), .number("0.00")])
        #expect(decoded.first?.object["name"] == "Gagnon; Éloïse")
        #expect(decoded.first?.number == 1)

        let reordered = Self.decode("Nom;No client;Solde\r\nRoy;10000002;0,00\r\n", layout)
        #expect(reordered.problems.map(\.description).first == "line 1, byte 0: clientId: the header row names column 1 'Nom', not 'No client'")
        let point = Self.decode("No client;Nom;Solde\n10000002;Roy;3.50\n", layout)
        #expect(point.problems.first?.reason.contains("has a decimal point") == true)
    }

    @Test("values that do not fit are refused on writing, naming the field, in English and French")
    func encodingErrors() throws {
        let layout = try Self.layout(Self.deposits)
        let cases: [(JSONObject, String, String)] = [
            (["recordType": "deposit", "depositId": "DEP1", "amount": .number("1.234")], "amount", "more than 2 decimal places"),
            (["recordType": "deposit", "depositId": "DEP1", "payee": "Line\nbreak"], "payee", "control character U+000A"),
            (["recordType": "deposit", "depositId": "DEP1", "payee": "Emoji 😀"], "payee", "has no equivalent in latin1"),
            (["recordType": "deposit", "depositId": "DEP1", "iban": "X"], "iban", "no such field"),
            (["recordType": "deposit", "depositId": "DEP1234567890"], "depositId", "longer than the field's 10"),
        ]
        for (record, field, reason) in cases {
            do {
                _ = try FileEncoder.encode(record, layout: layout)
                Issue.record("\(record) was written")
            } catch {
                #expect(error.field == field)
                #expect(error.reason.en.contains(reason), "\(error.reason.en)")
                #expect(!error.reason.fr.isEmpty)
            }
        }
    }

    @Test("declaration mistakes name their line and key")
    func declarationProblems() {
        let text = """
            layout: bad
            format: csv
            record-length: 80
            delimiter: "\\""
            header-row: true
            records:
              any:
                fields:
                  - {name: a, length: 5}
                  - {name: b, start: 7, length: 5}
                  - {name: c, column: 1, length: 5}
              never:
                when: {column: 1, equals: N}
                fields:
                  - {name: a, length: 5}
            """
        do {
            _ = try FileLayout(yaml: text, file: "bad.yaml")
            Issue.record("accepted")
        } catch {
            let messages = error.problems.map(\.description).joined(separator: "\n")
            #expect(messages.contains("bad.yaml:3"), "\(messages)")
            #expect(messages.contains("'record-length' applies to fixed-width files"), "\(messages)")
            #expect(messages.contains("the delimiter is one character"), "\(messages)")
            #expect(messages.contains("'start' is for fixed-width files"), "\(messages)")
            #expect(messages.contains("c is in column 1, but the fields before it reach column 2"), "\(messages)")
            #expect(messages.contains("record type never can never match"), "\(messages)")
            #expect(messages.contains("a header row names the columns of one record type"), "\(messages)")
        }
    }

    @Test("what the gateway writes it reads back: headings at their columns, quotes before combining marks, one empty value, a byte order mark")
    func edgeCasesReadBack() throws {
        let typed = try Self.layout("""
            layout: typed
            format: csv
            encoding: utf-8
            header-row: true
            records:
              row:
                when: {column: 1, equals: D}
                fields:
                  - {name: id, column: 2, length: 5, heading: Ident}
                  - {name: note, column: 4, length: 10}
            """)
        var file = typed.prologue
        file += try FileEncoder.encode(["recordType": "row", "id": "A1", "note": "ab\"\u{301}c"], layout: typed) + typed.lineEnding
        #expect(String(decoding: file, as: UTF8.self) == ",Ident,,note\nD,A1,,\"ab\"\"\u{301}c\"\n")
        let (rows, problems) = Self.decode(String(decoding: [0xEF, 0xBB, 0xBF] + file, as: UTF8.self), typed)
        #expect(problems.isEmpty, "\(problems)")
        #expect(rows.first?.object["note"] == .string("ab\"\u{301}c"))

        let single = try Self.layout("""
            layout: single
            format: csv
            records:
              row:
                fields:
                  - {name: note, length: 10}
            """)
        var lines: [UInt8] = []
        for note in ["x", "", "y"] { lines += try FileEncoder.encode(["recordType": "row", "note": .string(note)], layout: single) + single.lineEnding }
        #expect(String(decoding: lines, as: UTF8.self) == "x\n\"\"\ny\n")
        #expect(Self.decode(String(decoding: lines, as: UTF8.self) + "\n", single).records.map { $0.object["note"] } == ["x", "", "y"])
    }

    @Test("type codes and headings must be writable in the file's encoding; EBCDIC CSV is refused")
    func encodingOfDeclaredText() {
        let text = """
            layout: money
            format: csv
            encoding: ascii
            header-row: true
            records:
              row:
                when: {column: 1, equals: É}
                fields:
                  - {name: amount, column: 2, type: number, length: 5, heading: Montant €}
            """
        do {
            _ = try FileLayout(yaml: text, file: "money.yaml")
            Issue.record("accepted")
        } catch {
            let messages = error.problems.map(\.description)
            #expect(messages.contains { $0.contains("money.yaml:7") && $0.contains("'É' has no equivalent in ascii") }, "\(messages)")
            #expect(messages.contains { $0.contains("money.yaml:9") && $0.contains("'€' has no equivalent in ascii") }, "\(messages)")
        }
        #expect(throws: DeclarationErrors.self) {
            try FileLayout(yaml: "layout: x\nformat: csv\nencoding: cp037\nrecords:\n  row:\n    fields: [{name: a, length: 1}]\n", file: "x.yaml")
        }
    }
}
