import Foundation
import GatewayCore
import Store

/// A job as callers see it.
enum JobView {
    static func json(_ job: BatchJob, location: String?) -> JSONValue {
        var object: JSONObject = [
            "id": .string(job.id),
            "state": .string(job.state.published.rawValue),
            "items": .number(String(job.itemCount)),
            "acceptedAt": .string(timestamp(job.acceptedAt)),
            "deadline": .string(timestamp(job.deadlineAt)),
        ]
        if let at = job.submittedAt { object["submittedAt"] = .string(timestamp(at)) }
        if let at = job.processingAt { object["processingAt"] = .string(timestamp(at)) }
        if let at = job.finishedAt {
            let key = job.state == .completed ? "completedAt" : job.state == .failed ? "failedAt" : "expiredAt"
            object[key] = .string(timestamp(at))
        }
        if let at = job.lateResponseAt { object["lateResponseAt"] = .string(timestamp(at)) }
        if let failure = job.failure, let value = try? JSONParser.parse(Array(failure.utf8)) { object["failure"] = value }
        if job.state == .completed || job.lateResponseAt != nil {
            var results: JSONObject = ["count": .number(String(job.resultCount))]
            if let location { results["href"] = .string(location + "/results") }
            object["results"] = .object(results)
        }
        if let callback = job.callback {
            let state = callback.deliveredAt != nil ? "delivered" : callback.nextAt != nil ? "pending" : "abandoned"
            var value: JSONObject = ["state": .string(state), "attempts": .number(String(callback.attempts))]
            if let at = callback.deliveredAt { value["deliveredAt"] = .string(timestamp(at)) }
            object["callback"] = .object(value)
        }
        if let location { object["href"] = .string(location) }
        return .object(object)
    }

    static var schema: ValueSchema {
        let time = ValueSchema.string(maxLength: nil, format: "date-time")
        return .object([
            ("id", .string(maxLength: 26)),
            ("state", .choice(.string(maxLength: nil), values: ["accepted", "submitted", "processing", "completed", "failed", "expired"], names: [])),
            ("items", .number(integer: true)),
            ("acceptedAt", time),
            ("deadline", time),
            ("submittedAt", .optional(time)),
            ("processingAt", .optional(time)),
            ("completedAt", .optional(time)),
            ("failedAt", .optional(time)),
            ("expiredAt", .optional(time)),
            ("lateResponseAt", .optional(time)),
            ("failure", .optional(.any(description: "why the job failed: reason, record, offset, field"))),
            ("results", .optional(.object([("count", .number(integer: true)), ("href", .optional(.string(maxLength: nil)))]))),
            ("callback", .optional(.any(description: "delivery of the completion notice"))),
            ("href", .optional(.string(maxLength: nil))),
        ])
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(milliseconds % 1000)
        let fraction = String(repeating: "0", count: 3 - String(millis).count) + String(millis)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
