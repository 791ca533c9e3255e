import Foundation
import GatewayCore
import Testing

extension RealBackends {
    /// Exactly once, nothing lost: `portage serve` is killed with SIGKILL at each point of a job's
    /// and an extract's life (`PORTAGE_CRASH_AT`), then started again over the same journal and
    /// directories, with the real COBOL batch behind it. Every accepted job completes once, no
    /// request file reaches the batch system twice, no response file is lost or applied twice, and
    /// an extract is never half visible.
    @Suite("Batch durability: SIGKILL at every step, restart, exactly once", .serialized)
    struct BatchCrashTests {
        static let jobPoints = ["after-accept", "mid-write", "after-stage", "after-publish", "after-submit", "mid-pickup", "after-pickup"]

        @Test("a job survives a SIGKILL at each step", arguments: jobPoints)
        func job(point: String) async throws {
            guard BatchEndToEndTests.available else { return }
            let workspace = try BatchWorkspace()
            defer { workspace.remove() }
            let spooler = try await PayBatchSpooler.start(inbox: workspace.inbox, outbox: workspace.outbox, work: workspace.root + "/work")
            defer { spooler.stop() }
            let body = BatchWorkspace.items(40)
            let key = [("Idempotency-Key", "crash-\(point)")]

            let doomed = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts, environment: ["PORTAGE_CRASH_AT": point])
            let first = await doomed.request("/v1/payment-batches", method: .POST, body: body, headers: key)
            if point == "after-accept" {
                #expect(first == nil, "the gateway answered although it was to die first")
            } else if let first {
                // The pipeline runs beside the call: under load it can reach its crash point before
                // the 202 is on the wire, and the client is left unsure, as after a real crash.
                #expect(first.status == 202)
            }
            let killed = await doomed.waitForKill()
            #expect(killed, "portage serve was not killed at \(point)")
            doomed.stop()

            let gateway = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts)
            defer { gateway.stop() }
            // The client was not sure (or was): it sends the same request again with the same key.
            let again = try #require(await gateway.request("/v1/payment-batches", method: .POST, body: body, headers: key))
            #expect(again.status == 202)
            if let first { #expect(first.json["id"] == again.json["id"]) }
            let id = try #require(again.json["id"]?.scalarText)
            let location = try #require(again.location)
            let job = try #require(await BatchWorkspace.awaitJob(gateway, location, ["completed", "failed", "expired"]))
            #expect(job["state"] == "completed", "\(job)")
            #expect(job["results"]?["count"] == 40)

            // Exactly once, everywhere: one request delivered, one response archived, nothing rejected, nothing left.
            #expect(spooler.received == ["PAYREQ.\(id).DAT"])
            try await Task.sleep(for: .milliseconds(300))
            #expect(workspace.files(workspace.archive).filter { $0.hasPrefix("PAYRES.") } == ["PAYRES.\(id).DAT"])
            #expect(workspace.files(workspace.errors).isEmpty)
            #expect(workspace.files(workspace.outbox).filter { $0.hasPrefix("PAYRES.") }.isEmpty)
            #expect(workspace.files(workspace.inbox).isEmpty)
            let status = try #require(await gateway.request("/status")?.json)
            #expect(status["backends"]?["payments"]?["jobs"]?["completed"] == 1)
            #expect(status["backends"]?["payments"]?["files"]?["rejected"] == 0)
            let results = try #require(await gateway.request("/v1/payment-batches/\(id)/results?limit=1000")?.json)
            if case .array(let items)? = results["items"] {
                #expect(Set(items.compactMap { $0["paymentId"]?.scalarText }).count == 40)
            } else {
                Issue.record("no results")
            }
        }

        @Test("an extract killed mid-load or just after is never half visible", arguments: ["mid-ingest", "after-ingest"])
        func extract(point: String) async throws {
            let workspace = try BatchWorkspace()
            defer { workspace.remove() }
            let simulator = try PaymentsBatchSimulatorFiles(workspace)
            // Last night's extract, loaded cleanly.
            try simulator.drop(date: "2026-11-26", count: 10)
            var gateway = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts)
            #expect(await Self.awaitExtract(gateway, asOf: "2026-11-26", records: 10))
            gateway.stop()

            // Tonight's, bigger: the gateway dies while loading it.
            try simulator.drop(date: "2026-11-27", count: 12_000)
            let doomed = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts, environment: ["PORTAGE_CRASH_AT": point])
            #expect(await doomed.waitForKill(), "portage serve was not killed at \(point)")
            doomed.stop()

            gateway = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts)
            defer { gateway.stop() }
            // From the first answer on, only whole extracts are served: last night's or tonight's, never a part.
            var sawTonight = false
            let deadline = ContinuousClock.now + .seconds(60)
            while !sawTonight, ContinuousClock.now < deadline {
                guard let extract = await gateway.request("/status")?.json["backends"]?["payments"]?["extract"] else { continue }
                let pair = (extract["asOf"]?.scalarText, extract["records"]?.scalarText)
                #expect(pair == ("2026-11-26", "10") || pair == ("2026-11-27", "12000"), "\(extract)")
                sawTonight = pair == ("2026-11-27", "12000")
                if !sawTonight { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(sawTonight)
            let record = try #require(await gateway.request("/v1/payments/PAY000011999"))
            #expect(record.status == 200)
            #expect(record.json["asOf"] == "2026-11-27")
            try await Task.sleep(for: .milliseconds(300))
            #expect(workspace.files(workspace.archive).filter { $0.hasPrefix("PAYEXT.") } == ["PAYEXT.20261126.DAT", "PAYEXT.20261127.DAT"])
            #expect(workspace.files(workspace.errors).isEmpty)
        }

        static func awaitExtract(_ gateway: GatewayProcess, asOf: String, records: Int) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let extract = await gateway.request("/status")?.json["backends"]?["payments"]?["extract"]
                if extract?["asOf"]?.scalarText == asOf, extract?["records"]?.scalarText == String(records) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
    }
}

import DemoBackends
import Transports

/// Extract files as the demo's payments system writes them, dropped into a workspace's outbox.
struct PaymentsBatchSimulatorFiles {
    let simulator: PaymentsBatchSimulator
    let outbox: FileDrop

    init(_ workspace: BatchWorkspace) throws {
        simulator = try PaymentsBatchSimulator(contractsDirectory: BatchWorkspace.contracts, inbox: workspace.inbox, outbox: workspace.outbox)
        outbox = FileDrop(directory: workspace.outbox)
    }

    func drop(date: String, count: Int) throws {
        try outbox.write(try simulator.extractFile(date: date, count: count), as: "PAYEXT.\(date.replacingOccurrences(of: "-", with: "")).DAT", doneMarker: ".done")
    }
}
