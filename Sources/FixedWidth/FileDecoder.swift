import GatewayCore

/// Decodes a file declared by a `FileLayout`, one record at a time: repairs what text transfers
/// do to lines (trimmed trailing spaces, lost line breaks), picks each record's type, decodes its
/// fields and checks the file's structure and control totals as the trailers arrive.
///
/// Feed it the records of a `RecordReader` using `recordFormat`, then call `finish()`.
public struct FileDecoder {
    /// A decoded record.
    public struct Record: Sendable {
        /// Counted from 1 over the records of the file (a line holding two records gives two).
        public var number: Int
        /// The line it came from (lines framing), counted from 1.
        public var line: Int?
        /// Where it starts in the file, in bytes.
        public var offset: Int
        public var type: String
        /// False for records that carry no data (block padding).
        public var output: Bool
        public var object: JSONObject

        /// `{"recordType": …, fields…}`: what `portage decode --layout` writes per line.
        public var json: JSONObject {
            var result = JSONObject([("recordType", .string(type))])
            for (key, value) in object { result[key] = value }
            return result
        }
    }

    /// What is wrong, and where: the record, the line, the byte offset, the field and its raw bytes.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var record: Int?
        public var line: Int?
        public var offset: Int?
        public var recordType: String?
        public var field: String?
        public var hex: String?
        public var reason: String

        public var description: String {
            var place: [String] = []
            if let record { place.append("record \(record)" + (recordType.map { " (\($0))" } ?? "")) }
            if let line, line != record { place.append("line \(line)") }
            if let offset { place.append("byte \(offset)") }
            var text = place.joined(separator: ", ")
            if let field { text += (text.isEmpty ? "" : ": ") + field + (hex.map { " [\($0)]" } ?? "") }
            return text + (text.isEmpty ? "" : ": ") + reason
        }
    }

    public enum Event: Sendable {
        case record(Record)
        case problem(Problem)
    }

    public let layout: FileLayout
    private var controls: ControlTotals
    private var number = 0
    /// CSV: a record whose quoted value goes on past its line; the header row not yet seen.
    private var unfinished: (bytes: [UInt8], line: Int, offset: Int, scan: CSVFormat.Scan)?
    private var headerRowPending: Bool

    public init(layout: FileLayout) {
        self.layout = layout
        self.controls = ControlTotals(layout: layout)
        self.headerRowPending = layout.csv?.headerRow ?? false
    }

    /// How to split the file into raw records for `decode(_:)`.
    public var recordFormat: RecordFormat {
        layout.framing == .fixed ? .fixed(length: layout.recordLength) : .lines
    }

    /// Decodes one raw record (a line, or a fixed-length block); a line may hold several records.
    public mutating func decode(_ raw: RecordReader.Record) -> [Event] {
        if let csv = layout.csv { return decodeCSV(raw, csv) }
        var bytes = Array(raw.bytes)
        var codePage = layout.codePage
        if layout.isUTF8, bytes.contains(where: { $0 >= 0x80 }) {
            guard let characters = Self.oneBytePerCharacter(bytes) else {
                number += 1
                return [.problem(Problem(
                    record: number, line: line(raw), offset: raw.offset, reason: "more than 128 different non-ASCII characters in one line"))]
            }
            (bytes, codePage) = characters
        }
        let length = layout.recordLength
        if layout.framing == .lines {
            if bytes.isEmpty { return [] }
            if bytes.count > length {
                guard bytes.count % length == 0 else {
                    number += 1
                    return [.problem(Problem(
                        record: number, line: raw.number, offset: raw.offset,
                        reason: "the line is \(bytes.count) characters long; records are \(length)"))]
                }
            } else if bytes.count < length {
                guard layout.shortRecords == .pad else {
                    number += 1
                    return [.problem(Problem(
                        record: number, line: raw.number, offset: raw.offset,
                        reason: "the line is \(bytes.count) characters long; records are \(length)"))]
                }
                bytes += repeatElement(codePage.space, count: length - bytes.count)
            }
        }
        guard bytes.count >= length, bytes.count % length == 0 else {
            number += 1
            return [.problem(Problem(
                record: number, line: line(raw), offset: raw.offset, reason: "the record is \(bytes.count) characters long; records are \(length)"))]
        }
        var events: [Event] = []
        for start in stride(from: 0, to: bytes.count, by: length) {
            events += decodeOne(bytes[start..<(start + length)], codePage: codePage, line: line(raw), offset: raw.offset + start)
        }
        return events
    }

    /// What the end of the file leaves unchecked: scopes without their trailer.
    public func finish() -> [Event] {
        var events: [Event] = []
        if let unfinished {
            events.append(.problem(Problem(
                record: number + 1, line: unfinished.line, offset: unfinished.offset,
                reason: "a quoted value is never closed (the file ends inside it)")))
        }
        return events + controls.finish().map { .problem(Problem(reason: $0.reason)) }
    }

    /// Every record and problem of a file held in memory (tests, small files).
    public static func decode(_ bytes: [UInt8], layout: FileLayout) -> [Event] {
        var decoder = FileDecoder(layout: layout)
        var reader = RecordReader(format: decoder.recordFormat, bytes: bytes)
        var events: [Event] = []
        do {
            while let raw = try reader.next() { events += decoder.decode(raw) }
        } catch {
            events.append(.problem(Problem(reason: "\(error)")))
        }
        return events + decoder.finish()
    }

    private func line(_ raw: RecordReader.Record) -> Int? {
        layout.framing == .lines ? raw.number : nil
    }

    private mutating func decodeOne(_ bytes: ArraySlice<UInt8>, codePage: CodePage, line: Int?, offset: Int) -> [Event] {
        number += 1
        let number = number
        return bytes.withUnsafeBytes { buffer -> [Event] in
            guard let type = layout.recordTypes.first(where: { $0.matches(buffer) }) else {
                let start = FieldCodec.decodeText(UnsafeRawBufferPointer(rebasing: buffer.prefix(8)), codePage: codePage)
                return [.problem(Problem(
                    record: number, line: line, offset: offset, reason: "no record type matches a record starting '\(start)'"))]
            }
            var events: [Event] = []
            var recordLayout = type.layout
            recordLayout.codePage = codePage
            var object = JSONObject()
            do throws(RecordDecodingError) {
                object = try recordLayout.decode(buffer)
            } catch {
                events.append(.problem(Problem(
                    record: number, line: line, offset: offset + error.offset, recordType: type.name, field: error.field,
                    hex: error.hex, reason: error.reason)))
            }
            return events + taken(type, object, number: number, line: line, offset: offset)
        }
    }

    /// The record after its control totals have seen it, and what they found.
    private mutating func taken(_ type: FileLayout.RecordType, _ object: JSONObject, number: Int, line: Int?, offset: Int) -> [Event] {
        var events: [Event] = []
        for finding in controls.take(type: type.name, object: object, number: number) {
            events.append(.problem(Problem(
                record: finding.record, line: finding.record == number ? line : nil, recordType: finding.recordType,
                reason: finding.reason)))
        }
        if type.output { events.append(.record(Record(number: number, line: line, offset: offset, type: type.name, output: true, object: object))) }
        return events
    }

    // MARK: CSV

    /// One line of a CSV file: joined to the next while a quoted value is open, the header row
    /// checked against the declared headings, blank lines skipped.
    private mutating func decodeCSV(_ raw: RecordReader.Record, _ csv: CSVFormat) -> [Event] {
        // Taken out of `unfinished` before growing, so the bytes are not copied at every line.
        var pending = unfinished ?? ([], raw.number, raw.offset, CSVFormat.Scan())
        let continued = unfinished != nil
        unfinished = nil
        if continued { pending.bytes.append(0x0A) }
        var line = raw.bytes[...]
        if raw.offset == 0, layout.isUTF8, line.starts(with: [0xEF, 0xBB, 0xBF]) {
            line = line.dropFirst(3)  // the byte order mark spreadsheet exports start with
            pending.offset = 3
        }
        pending.bytes += line
        let codePage = layout.codePage
        let delimiter = codePage.byte(csv.delimiter) ?? 0x2C
        let quote = codePage.byte("\"") ?? 0x22
        // Only the new bytes are scanned for an open quote: a long value costs linear time.
        pending.scan.advance(over: pending.bytes, delimiter: delimiter, quote: quote)
        if pending.scan.quoted {
            guard pending.bytes.count <= CSVFormat.maximumRecordLength else {
                number += 1
                return [.problem(Problem(
                    record: number, line: pending.line, offset: pending.offset,
                    reason: "a quoted value runs on for more than \(CSVFormat.maximumRecordLength) bytes without its closing quote"))]
            }
            unfinished = pending
            return []
        }
        // A line of nothing (or only spaces) is skipped; `""` is a record with one empty value.
        if pending.bytes.allSatisfy({ $0 == codePage.space }) { return [] }
        let values: [(start: Int, bytes: [UInt8])]
        switch CSVFormat.split(pending.bytes, delimiter: delimiter, quote: quote) {
        case .unfinished:
            number += 1
            return [.problem(Problem(record: number, line: pending.line, offset: pending.offset, reason: "a quoted value is not closed"))]
        case .malformed(let at, let reason):
            number += 1
            return [.problem(Problem(record: number, line: pending.line, offset: pending.offset + at, reason: reason))]
        case .values(let split):
            values = split
        }
        var texts: [String] = []
        for value in values {
            guard let text = CSVFormat.text(value.bytes, codePage: codePage, utf8: layout.isUTF8) else {
                number += 1
                return [.problem(Problem(
                    record: number, line: pending.line, offset: pending.offset + value.start,
                    reason: "value \(texts.count + 1) is not valid UTF-8"))]
            }
            texts.append(text)
        }
        if headerRowPending {
            headerRowPending = false
            return headerRowProblems(texts, line: pending.line, offset: pending.offset)
        }
        number += 1
        let number = number
        guard let type = layout.recordTypes.first(where: { type in
            guard let column = type.matchColumn else { return true }
            return column < texts.count && texts[column].trimmingCharacters(" ") == type.matchText
        }) else {
            return [.problem(Problem(
                record: number, line: pending.line, offset: pending.offset,
                reason: "no record type matches a line starting '\(String(texts.first?.prefix(8) ?? ""))'"))]
        }
        var object = JSONObject()
        var events: [Event] = []
        for column in type.columns {
            // Values missing at the end of a line are empty (some writers drop trailing delimiters).
            let present = column.index < values.count
            do throws(FieldDecodingError) {
                object[column.node.name] = try csv.decode(present ? texts[column.index] : "", column, invalidValues: type.layout.invalidValues)
            } catch {
                events.append(.problem(Problem(
                    record: number, line: pending.line, offset: pending.offset + (present ? values[column.index].start : 0),
                    recordType: type.name, field: column.node.name,
                    reason: present ? error.reason : "the line has \(values.count) values; \(column.node.name) is value \(column.index + 1)")))
            }
        }
        return events + taken(type, object, number: number, line: pending.line, offset: pending.offset)
    }

    /// The header row must name the declared columns, in their order (a reordered export would
    /// otherwise put names in amounts).
    private func headerRowProblems(_ texts: [String], line: Int, offset: Int) -> [Event] {
        guard let type = layout.recordTypes.first else { return [] }
        for column in type.columns where column.index != type.matchColumn {
            let found = column.index < texts.count ? texts[column.index].trimmingCharacters(" ") : ""
            if found.lowercased() != column.heading.lowercased() {
                return [.problem(Problem(
                    line: line, offset: offset, field: column.node.name,
                    reason: "the header row names column \(column.index + 1) '\(found)', not '\(column.heading)'"))]
            }
        }
        return []
    }

    /// A UTF-8 line as one byte per character with a code page for it: fields are measured in
    /// characters. Nil when the line has more than 128 distinct non-ASCII characters.
    static func oneBytePerCharacter(_ bytes: [UInt8]) -> ([UInt8], CodePage)? {
        var extra: [UInt16] = []
        var codes: [UInt32: UInt8] = [:]
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x80 {
                result.append(UInt8(scalar.value))
            } else if let code = codes[scalar.value] {
                result.append(code)
            } else {
                guard extra.count < 128 else { return nil }
                let code = UInt8(0x80 + extra.count)
                codes[scalar.value] = code
                extra.append(scalar.value <= 0xFFFF ? UInt16(scalar.value) : 0xFFFD)
                result.append(code)
            }
        }
        return (result, CodePage.ascii(with: extra))
    }
}

extension String {
    /// Without leading and trailing `character`s.
    func trimmingCharacters(_ character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
