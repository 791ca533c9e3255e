import FixedWidth
import Foundation
import GatewayCore
import Synchronization
import Transports

/// The demo's nightly payments system: it takes each complete request file (`PAYREQ.*.DAT` with its
/// `.done` marker) from its inbox, "runs the batch" for a moment, and writes a result file with
/// its own totals into its outbox; at start it publishes last night's extract there. The files
/// are laid out by the same declared layouts the gateway reads: fixed 80/100-byte records, packed
/// amounts.
public final class PaymentsBatchSimulator: Sendable {
    public let request: FileLayout
    public let result: FileLayout
    public let extract: FileLayout
    let inbox: FileDrop
    let outbox: FileDrop
    /// How long one batch "runs" before its result file appears.
    let runTime: Duration
    let task = Mutex<Task<Void, Never>?>(nil)

    public init(contractsDirectory: String, inbox: String, outbox: String, runTime: Duration = .seconds(2)) throws {
        func layout(_ name: String) throws -> FileLayout {
            let path = (contractsDirectory as NSString).appendingPathComponent("payments/\(name)")
            return try FileLayout(yaml: try String(contentsOfFile: path, encoding: .utf8), file: name)
        }
        request = try layout("payment-request.yaml")
        result = try layout("payment-result.yaml")
        extract = try layout("payment-extract.yaml")
        self.inbox = FileDrop(directory: inbox)
        self.outbox = FileDrop(directory: outbox)
        self.runTime = runTime
    }

    /// Creates the directories, writes last night's extract (`payments` records for the demo's
    /// clients) and starts taking request files.
    public func start(extractRecords: Int = 500) throws {
        try inbox.create()
        try outbox.create()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let yesterday = formatter.string(from: Date().addingTimeInterval(-86_400))
        // A new name at every start: a restarted demo publishes a new extract, not a duplicate.
        let name = "PAYEXT.\(yesterday.replacingOccurrences(of: "-", with: "")).\(Self.digits(Date(), "HHmmss")).DAT"
        try outbox.write(try extractFile(date: yesterday, count: extractRecords), as: name, doneMarker: ".done")
        let task = Task { [self] in
            while !Task.isCancelled {
                for entry in (try? inbox.list()) ?? [] where entry.name.hasPrefix("PAYREQ.") && entry.name.hasSuffix(".DAT") {
                    guard inbox.contains(entry.name + ".done") else { continue }
                    try? await Task.sleep(for: runTime)
                    process(entry.name)
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        self.task.withLock { $0 = task }
    }

    public func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    /// One batch run: every payment paid, except zero or negative amounts and accounts starting
    /// with 0000 (closed), which are rejected with a reason code.
    func process(_ name: String) {
        guard let bytes = try? inbox.read(name) else { return }
        inbox.remove(name)
        inbox.remove(name + ".done")
        var batchId = ""
        var records: [JSONObject] = []
        for event in FileDecoder.decode(bytes, layout: request) {
            guard case .record(let record) = event else { continue }
            switch record.type {
            case "header":
                batchId = record.object["batchId"]?.scalarText ?? ""
            case "payment":
                let amount = ExactDecimal(record.object["amount"]?.scalarText ?? "0") ?? ExactDecimal(significand: 0, scale: 0)
                let account = record.object["payeeAccount"]?.scalarText ?? ""
                let rejection = amount.significand <= 0 ? "AMT" : account.hasPrefix("0000") ? "ACCT" : nil
                records.append([
                    "recordType": "result", "paymentId": record.object["paymentId"] ?? "",
                    "status": .string(rejection == nil ? "PAID" : "REJECTED"), "reasonCode": .string(rejection ?? ""),
                    "amount": record.object["amount"] ?? 0, "reference": .string(rejection == nil ? "EFT\(batchId.suffix(8))\(records.count + 1)" : ""),
                ])
            default:
                continue
            }
        }
        let date = Self.digits(Date(), "yyyyMMdd")
        records.insert(["recordType": "header", "batchId": .string(batchId), "processedOn": .number(date)], at: 0)
        records.append(["recordType": "trailer", "paidCount": .number(String(records.filter { $0["status"] == "PAID" }.count))])
        let file = (try? result.prologue + result.fillingTotals(records).flatMap { try FileEncoder.encode($0, layout: result) + result.lineEnding }) ?? []
        try? outbox.write(file, as: name.replacingOccurrences(of: "PAYREQ.", with: "PAYRES."), doneMarker: ".done")
    }

    /// Last night's extract: `count` payments spread over the demo clients 10000001–10000003.
    public func extractFile(date: String, count: Int) throws -> [UInt8] {
        var records: [JSONObject] = [["recordType": "header", "extractDate": .string(date)]]
        let descriptions = ["Child benefit", "Housing allowance", "Disability supplement", "Winter heating grant"]
        for index in 1...max(count, 1) {
            let cents = 2_500 + (index * 7_919) % 150_000
            records.append([
                "recordType": "payment", "paymentId": .string(String(format: "PAY%09d", index)),
                "clientId": .string(String(10_000_001 + index % 3)), "payeeAccount": .string(String(format: "%012d", 4_000_000 + index * 13)),
                "status": .string(index % 17 == 0 ? "RETURNED" : "PAID"),
                "amount": .number("\(cents / 100).\(String(format: "%02d", cents % 100))"), "paidOn": .string(date),
                "description": .string(descriptions[index % descriptions.count]),
            ])
        }
        records.append(["recordType": "trailer"])
        var bytes = extract.prologue
        for record in extract.fillingTotals(records) { bytes += try FileEncoder.encode(record, layout: extract) + extract.lineEnding }
        return bytes
    }

    static func digits(_ date: Date, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
