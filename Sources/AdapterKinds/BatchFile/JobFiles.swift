import FixedWidth
import Foundation
import GatewayCore

/// Request files written from posted items, response files read into results.
extension BatchFileConfiguration.Jobs {
    /// The request file for `items`: the header from the job, one record per item, the trailer
    /// with its totals computed from the layout's checks. Every item that does not fit is named.
    func requestFile(items: [JSONValue], jobId: String, now: Date) throws(GatewayError) -> [UInt8] {
        var records: [JSONObject] = []
        if let header {
            var record = JSONObject([("recordType", .string(header.record))])
            for (name, value) in header.fields { record[name] = .string(Self.jobValue(value, jobId: jobId, items: items.count, now: now)) }
            records.append(record)
        }
        var problems: [(item: Int, field: String, reason: LocalizedText)] = []
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item else {
                problems.append((index + 1, "", LocalizedText(en: "an item must be a JSON object, not \(item.typeName)", fr: "un élément doit être un objet JSON, pas : \(item.typeName)")))
                continue
            }
            var record = JSONObject([("recordType", .string(itemRecord))])
            for (key, value) in fields where key != "recordType" { record[key] = value }
            records.append(record)
        }
        if let trailer { records.append(JSONObject([("recordType", .string(trailer))])) }
        records = requestLayout.fillingTotals(records)
        var bytes = requestLayout.prologue
        let firstItem = header == nil ? 0 : 1
        for (index, record) in records.enumerated() {
            do {
                bytes += try FileEncoder.encode(record, layout: requestLayout) + requestLayout.lineEnding
            } catch {
                let item = index - firstItem + 1
                if item >= 1 && item <= items.count {
                    problems.append((item, error.field, error.reason))
                } else {
                    // A header or trailer value the job fills in does not fit: the declaration's fault.
                    problems.append((0, error.field, error.reason))
                }
            }
        }
        // A header or trailer that overflows because of a bad item says nothing more.
        if problems.contains(where: { $0.item > 0 }) { problems.removeAll { $0.item == 0 } }
        guard problems.isEmpty else { throw .invalidItems(problems) }
        return bytes
    }

    static func jobValue(_ template: String, jobId: String, items: Int, now: Date) -> String {
        switch template {
        case "$job.id": return jobId
        case "$job.items": return String(items)
        case "$job.date": return Self.utc(now, "yyyyMMdd")
        case "$job.time": return Self.utc(now, "HHmmss")
        default: return template
        }
    }

    static func utc(_ date: Date, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }

    /// A response file read in full: the result records as JSON text, or the first problem
    /// (record, offset, field, reason) with how many there were.
    func readResponse(_ bytes: [UInt8]) -> (results: [String], failure: JSONObject?) {
        var records: [String] = []
        var problems: [FileDecoder.Problem] = []
        for event in FileDecoder.decode(bytes, layout: responseLayout) {
            switch event {
            case .record(let record) where record.output && results.contains(record.type):
                records.append(String(decoding: JSONWriter().bytes(.object(record.object)), as: UTF8.self))
            case .record:
                continue
            case .problem(let problem):
                problems.append(problem)
            }
        }
        if bytes.isEmpty { return ([], ["reason": "the response file is empty", "message": "the response file is empty"]) }
        guard let first = problems.first else { return (records, nil) }
        return ([], Self.failure(first, count: problems.count))
    }

    static func failure(_ problem: FileDecoder.Problem, count: Int) -> JSONObject {
        var failure: JSONObject = ["reason": .string(problem.reason)]
        if let record = problem.record { failure["record"] = .number(String(record)) }
        if let line = problem.line { failure["line"] = .number(String(line)) }
        if let offset = problem.offset { failure["offset"] = .number(String(offset)) }
        if let type = problem.recordType { failure["recordType"] = .string(type) }
        if let field = problem.field { failure["field"] = .string(field) }
        failure["message"] = .string(JobFileText.problem(problem))
        if count > 1 { failure["problems"] = .number(String(count)) }
        return failure
    }
}
