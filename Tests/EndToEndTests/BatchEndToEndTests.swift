import DemoBackends
import Foundation
import GatewayCore
import Testing

/// A temporary installation: the demo's payments declaration pointed at fresh drop directories
/// and journal, polling fast.
struct BatchWorkspace {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let contracts = repository.appendingPathComponent("Contracts").path

    let root: String
    var adapters: String { root + "/Adapters" }
    var inbox: String { root + "/inbox" }
    var outbox: String { root + "/outbox" }
    var archive: String { root + "/archive" }
    var errors: String { root + "/error" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-batch-e2e-\(UUID().uuidString)").path
        for directory in [adapters, inbox, outbox] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let demo = try String(contentsOfFile: Self.repository.appendingPathComponent("Adapters/payments.yaml").path, encoding: .utf8)
        try demo.replacingOccurrences(of: "var/payments", with: root)
            .replacingOccurrences(of: "poll-every: 500ms", with: "poll-every: 50ms")
            .write(toFile: adapters + "/payments.yaml", atomically: true, encoding: .utf8)
    }

    func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    static func items(_ count: Int) -> String {
        let list = (1...count).map { index in
            let account = index % 10 == 0 ? "000012345678" : String(format: "4%011d", index)
            let amount = index % 25 == 0 ? "0" : "\(index).\(String(format: "%02d", index % 100))"
            return #"{"paymentId":"P\#(String(format: "%011d", index))","payeeAccount":"\#(account)","payeeName":"Bénéficiaire \#(index)","amount":\#(amount),"currency":"CAD"}"#
        }
        return #"{"items":[\#(list.joined(separator: ","))]}"#
    }

    /// Polls a job until it reaches one of `states`.
    static func awaitJob(_ gateway: GatewayProcess, _ location: String, _ states: Set<String>, timeout: Duration = .seconds(30)) async -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let job = await gateway.request(location)?.json, let state = job["state"]?.scalarText, states.contains(state) { return job }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await gateway.request(location)?.json
    }
}

extension RealBackends {
    @Suite("Batch end to end: the GnuCOBOL payment batch behind portage serve", .serialized)
    struct BatchEndToEndTests {
        static var available: Bool {
            guard PayBatchSpooler.compilerInstalled else {
                if PayBatchSpooler.isCI { Issue.record("GnuCOBOL (cobc) is missing in CI") } else { print("skipping: GnuCOBOL (cobc) is not installed") }
                return false
            }
            return true
        }

        @Test("a batch of 250 payments goes through the COBOL program: its balance check passes, every result comes back")
        func cobolBatch() async throws {
            guard Self.available else { return }
            let workspace = try BatchWorkspace()
            defer { workspace.remove() }
            let spooler = try await PayBatchSpooler.start(inbox: workspace.inbox, outbox: workspace.outbox, work: workspace.root + "/work")
            defer { spooler.stop() }
            let gateway = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts)
            defer { gateway.stop() }

            let accepted = try #require(await gateway.request("/v1/payment-batches", method: .POST, body: BatchWorkspace.items(250)))
            #expect(accepted.status == 202)
            let location = try #require(accepted.location)
            let job = try #require(await BatchWorkspace.awaitJob(gateway, location, ["completed", "failed", "expired"]))
            #expect(job["state"] == "completed", "\(job)")
            #expect(job["results"]?["count"] == 250)
            var results: [JSONValue] = []
            var cursor: String?
            repeat {
                let page = try #require(await gateway.request(location + "/results?limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))?.json)
                if case .array(let items)? = page["items"] { results += items }
                cursor = page["nextCursor"]?.scalarText
            } while cursor != nil
            #expect(results.count == 250)
            let rejectedAccount = results.filter { $0["reasonCode"] == "ACCT" }.count
            let rejectedAmount = results.filter { $0["reasonCode"] == "AMT" }.count
            #expect(rejectedAccount == 20)  // accounts 0000…: every 10th, less those already rejected for amount
            #expect(rejectedAmount == 10)   // amount 0: every 25th
            #expect(results.first?["status"] == "PAID")
            #expect(results.first?["reference"]?.scalarText?.hasPrefix("EFT") == true)
            #expect(results[2]["amount"] == .number("3.03"))
            #expect(spooler.received == ["PAYREQ.\(job["id"]!.scalarText!).DAT"])
            #expect(workspace.files(workspace.archive).contains("PAYRES.\(job["id"]!.scalarText!).DAT"))
            let status = try #require(await gateway.request("/status")?.json)
            #expect(status["backends"]?["payments"]?["jobs"]?["completed"] == 1)
        }

        @Test("while the batch system is down the job expires; its response, once the system is back, is still recorded")
        func lateResponse() async throws {
            guard Self.available else { return }
            let workspace = try BatchWorkspace()
            defer { workspace.remove() }
            let declaration = workspace.adapters + "/payments.yaml"
            try String(contentsOfFile: declaration, encoding: .utf8).replacingOccurrences(of: "deadline: 1h", with: "deadline: 1s")
                .write(toFile: declaration, atomically: true, encoding: .utf8)
            let gateway = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts)
            defer { gateway.stop() }
            let accepted = try #require(await gateway.request("/v1/payment-batches", method: .POST, body: BatchWorkspace.items(3)))
            let location = try #require(accepted.location)
            let expired = try #require(await BatchWorkspace.awaitJob(gateway, location, ["expired", "completed"]))
            #expect(expired["state"] == "expired", "\(expired)")
            // The scheduler comes back and runs the batch that waited in its inbox.
            let spooler = try await PayBatchSpooler.start(inbox: workspace.inbox, outbox: workspace.outbox, work: workspace.root + "/work")
            defer { spooler.stop() }
            var job = expired
            let deadline = ContinuousClock.now + .seconds(20)
            while job["lateResponseAt"] == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                job = await gateway.request(location)?.json ?? job
            }
            #expect(job["state"] == "expired")
            #expect(job["lateResponseAt"] != nil)
            #expect(job["results"]?["count"] == 3)
            #expect(await gateway.request(location + "/results")?.json["items"]?[0]?["status"] == "PAID")
        }
    }
}
