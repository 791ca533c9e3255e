import FixedWidth
import Foundation
import GatewayCore
import HTTPTypes
import HummingbirdTesting
import Testing
import Transports

/// The batch-file kind end to end in process: the demo's payments system (FixedWidth files with
/// packed amounts) as backend, or files dropped by hand to play a misbehaving one.
@Suite("batch-file: jobs and extracts over drop directories", .serialized)
struct BatchFileKindTests {
    static let twoPayments = BatchFileFixture.items([
        ("PAY-0001", "004000013", "Ana Silva", "125.50"), ("PAY-0002", "000012345678", "Zoë Tremblay", "80"),
    ])
    static let json: HTTPFields = [.contentType: "application/json"]

    /// Sends the two payments and waits until their request file is in the inbox.
    static func submitTwo(_ client: some TestClientProtocol) async throws -> (id: String, location: String) {
        let (_, job, headers) = try await client.json("/v1/payment-batches", method: .post, headers: json, body: twoPayments)
        let location = try #require(headers[.location])
        _ = try await client.awaitJob(location, ["submitted"])
        return (try #require(job["id"]?.scalarText), location)
    }

    @Test("a job goes accepted → submitted → completed; results page with a cursor")
    func lifecycle() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run { client in
            let (status, job, headers) = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: Self.twoPayments)
            #expect(status == 202)
            let location = try #require(headers[.location])
            #expect(location == "/v1/payment-batches/\(job["id"]?.scalarText ?? "")")
            #expect(job["state"] == "accepted")
            let done = try await client.awaitJob(location, ["completed", "failed"])
            #expect(done["state"] == "completed", "\(done)")
            #expect(done["results"]?["count"] == 2)
            #expect(done["submittedAt"] != nil && done["completedAt"] != nil)
            let first = try await client.json(location + "/results?limit=1").json
            #expect(first["items"]?[0]?["paymentId"] == "PAY-0001")
            #expect(first["items"]?[0]?["status"] == "PAID")
            let cursor = try #require(first["nextCursor"]?.scalarText)
            let second = try await client.json(location + "/results?limit=1&cursor=\(cursor)").json
            #expect(second["items"]?[0]?["status"] == "REJECTED")
            #expect(second["items"]?[0]?["reasonCode"] == "ACCT")
            #expect(second["nextCursor"] == .null)
            #expect(try await client.json(location + "/results?cursor=bogus").status == 400)
            #expect(try await client.json("/v1/payment-batches/NOSUCHJOB").status == 404)
        }
        #expect(try fixture.archive.list().contains { $0.name.hasPrefix("PAYRES.") })
        #expect(try fixture.inbox.list().isEmpty)
    }

    @Test("the request file carries a header from the job and a trailer whose totals check")
    func requestFile() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            let (id, _) = try await Self.submitTwo(client)
            #expect(fixture.inbox.contains("PAYREQ.\(id).DAT.done"))
            let bytes = try fixture.inbox.read("PAYREQ.\(id).DAT")
            #expect(bytes.count == 4 * 80)
            let layout = try FileLayout(yaml: String(contentsOfFile: BatchFileFixture.contracts + "/payments/payment-request.yaml", encoding: .utf8), file: "request")
            var records: [FileDecoder.Record] = []
            for event in FileDecoder.decode(bytes, layout: layout) {
                switch event {
                case .record(let record): records.append(record)
                case .problem(let problem): Issue.record("problem: \(problem)")
                }
            }
            #expect(records.map(\.type) == ["header", "payment", "payment", "trailer"])
            #expect(records[0].object["batchId"]?.scalarText == id)
            #expect(records[2].object["payeeName"] == "Zoë Tremblay")
            #expect(records[3].object["recordCount"] == 2)
            #expect(records[3].object["totalAmount"] == .number("205.50"))
        }
    }

    @Test("Idempotency-Key: the same body gives the same job, another body 422")
    func idempotency() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            var headers = Self.json
            headers[HTTPField.Name("Idempotency-Key")!] = "order-7"
            let first = try await client.json("/v1/payment-batches", method: .post, headers: headers, body: Self.twoPayments)
            let again = try await client.json("/v1/payment-batches", method: .post, headers: headers, body: Self.twoPayments)
            #expect(first.status == 202 && again.status == 202)
            #expect(first.json["id"] == again.json["id"])
            let other = try await client.json(
                "/v1/payment-batches", method: .post, headers: headers,
                body: BatchFileFixture.items([("PAY-0003", "004000013", "Ana Silva", "1")]))
            #expect(other.status == 422)
            #expect(other.json["code"] == "idempotency-key-reused")
            #expect(other.json["jobId"] == first.json["id"])
            let unkeyed = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: Self.twoPayments)
            #expect(unkeyed.json["id"] != first.json["id"])
            _ = try await client.awaitJob(first.headers[.location]!, ["submitted"])
            _ = try await client.awaitJob(unkeyed.headers[.location]!, ["submitted"])
        }
        #expect(try fixture.inbox.list().filter { !$0.name.hasSuffix(".done") }.count == 2)
    }

    @Test("items that do not fit the layout: 400 naming every item and field, nothing journaled")
    func invalidItems() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            let body = BatchFileFixture.items([
                ("PAY-0001", "004000013", "Ana Silva", "12.50"),
                ("PAY-0002-TOO-LONG", "004000013", "Ana Silva", "1"),
                ("PAY-0003", "004000013", "Ana Silva", "123456789012.00"),
            ])
            let (status, problem, _) = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: body)
            #expect(status == 400)
            #expect(problem["code"] == "invalid-items")
            guard case .array(let errors)? = problem["errors"] else { Issue.record("no errors list"); return }
            #expect(errors.compactMap { $0["item"]?.scalarText } == ["2", "3"])
            #expect(errors[0]["field"]?.scalarText?.contains("paymentId") == true)
            #expect(errors[1]["field"]?.scalarText?.contains("amount") == true)
            #expect(try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: #"{"items":[]}"#).status == 400)
            #expect(try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: #"{"things":[]}"#).status == 400)
        }
        #expect(try fixture.inbox.list().isEmpty)
    }

    /// A result file written by hand: header, results, trailer with its totals.
    static func resultFile(jobId: String, results: [(id: String, status: String, amount: String)], tamper: ((inout [UInt8]) -> Void)? = nil) throws -> [UInt8] {
        let layout = try FileLayout(yaml: String(contentsOfFile: BatchFileFixture.contracts + "/payments/payment-result.yaml", encoding: .utf8), file: "result")
        var records: [JSONObject] = [["recordType": "header", "batchId": .string(jobId), "processedOn": 20261127]]
        for result in results {
            records.append(["recordType": "result", "paymentId": .string(result.id), "status": .string(result.status), "amount": .number(result.amount)])
        }
        records.append(["recordType": "trailer", "paidCount": .number(String(results.count))])
        var bytes = try layout.fillingTotals(records).flatMap { try FileEncoder.encode($0, layout: layout) }
        tamper?(&bytes)
        return bytes
    }

    @Test("a malformed response file fails the job with record, offset and field; a total that does not check fails it too")
    func malformedResponses() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            var ids: [String] = []
            var locations: [String] = []
            for _ in 0..<2 {
                let (_, job, headers) = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: Self.twoPayments)
                ids.append(job["id"]!.scalarText!)
                locations.append(headers[.location]!)
                _ = try await client.awaitJob(headers[.location]!, ["submitted"])
            }
            // Job 1: record 3's packed amount has a bad sign nibble.
            let broken = try Self.resultFile(jobId: ids[0], results: [("PAY-0001", "PAID", "125.50"), ("PAY-0002", "PAID", "80")]) { bytes in
                bytes[2 * 80 + 30] = 0xA3  // neither a digit nor a sign
            }
            try fixture.outbox.write(broken, as: "PAYRES.\(ids[0]).DAT", doneMarker: ".done")
            // Job 2: the trailer's total paid is one cent off.
            let wrongTotal = try Self.resultFile(jobId: ids[1], results: [("PAY-0001", "PAID", "125.50"), ("PAY-0002", "PAID", "80")]) { bytes in
                bytes[3 * 80 + 19] = 0x1C  // …205.50 → …205.51
            }
            try fixture.outbox.write(wrongTotal, as: "PAYRES.\(ids[1]).DAT", doneMarker: ".done")
            let failed = try await client.awaitJob(locations[0], ["failed", "completed"])
            #expect(failed["state"] == "failed")
            #expect(failed["failure"]?["record"] == 3)
            #expect(failed["failure"]?["record"] == 3)
            #expect(failed["failure"]?["offset"] == 185)  // the field's first byte in the file
            #expect(failed["failure"]?["field"]?.scalarText?.contains("amount") == true)
            let mismatch = try await client.awaitJob(locations[1], ["failed", "completed"])
            #expect(mismatch["state"] == "failed")
            #expect(mismatch["failure"]?["message"]?.scalarText?.contains("totalPaid") == true)
            #expect(try await client.json(locations[1] + "/results").json["items"] == [])
            try await Task.sleep(for: .milliseconds(200))
        }
        let rejected = try fixture.errors.list().map(\.name)
        #expect(rejected.contains { $0.hasSuffix(".DAT.reason.txt") })
        #expect(rejected.filter { $0.hasSuffix(".DAT") }.count == 2)
    }

    @Test("unexpected names, unknown jobs and duplicate response files go to error/ with their reason")
    func strayFiles() async throws {
        let fixture = try BatchFileFixture(doneMarker: false)
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            let (id, location) = try await Self.submitTwo(client)
            let good = try Self.resultFile(jobId: id, results: [("PAY-0001", "PAID", "125.50"), ("PAY-0002", "PAID", "80")])
            try fixture.outbox.write(good, as: "PAYRES.\(id).DAT")
            try fixture.outbox.write(Array("hello".utf8), as: "README.txt")
            try fixture.outbox.write(good, as: "PAYRES.NOSUCHJOB.DAT")
            let completed = try await client.awaitJob(location, ["completed", "failed"])
            #expect(completed["state"] == "completed")
            // The same response again, once the first is archived: a duplicate.
            let archived = ContinuousClock.now + .seconds(5)
            while fixture.outbox.contains("PAYRES.\(id).DAT"), ContinuousClock.now < archived { try await Task.sleep(for: .milliseconds(20)) }
            try fixture.outbox.write(good, as: "PAYRES.\(id).DAT")
            let deadline = ContinuousClock.now + .seconds(5)
            while try fixture.outbox.list().count > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            let status = try await client.json("/status").json
            #expect(status["backends"]?["payments"]?["files"]?["rejected"] == 3)
            #expect(status["backends"]?["payments"]?["jobs"]?["completed"] == 1)
        }
        let reasons = try fixture.errors.list().filter { $0.name.hasSuffix(".reason.txt") }
        #expect(reasons.count == 3)
        let texts = try reasons.map { String(decoding: try fixture.errors.read($0.name), as: UTF8.self) }
        #expect(texts.contains { $0.contains("unexpected file name") })
        #expect(texts.contains { $0.contains("no job NOSUCHJOB") })
        #expect(texts.contains { $0.contains("duplicate") })
    }

    @Test("a callback address on the gateway's own machine or a link-local address is refused")
    func callbackAddresses() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            for (address, status) in [
                ("http://127.0.0.1:9/hook", 400), ("http://localhost/hook", 400), ("http://169.254.169.254/latest/meta-data", 400),
                ("http://[::1]/hook", 400), ("ftp://hooks.example.org/x", 400), ("https://hooks.example.org/payments", 202),
            ] {
                let body = #"{"callbackUrl":"\#(address)","# + Self.twoPayments.dropFirst()
                let answer = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: String(body))
                #expect(answer.status == status, "\(address)")
            }
        }
    }

    @Test("a file whose handling failed is handled again on a later pass")
    func retryAfterFailure() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            let (id, location) = try await Self.submitTwo(client)
            // The archive is not a directory: moving the response there fails.
            try FileManager.default.removeItem(atPath: fixture.root + "/archive")
            try Data().write(to: URL(fileURLWithPath: fixture.root + "/archive"))
            let response = try Self.resultFile(jobId: id, results: [("PAY-0001", "PAID", "125.50"), ("PAY-0002", "PAID", "80")])
            try fixture.outbox.write(response, as: "PAYRES.\(id).DAT", doneMarker: ".done")
            let completed = try await client.awaitJob(location, ["completed"])
            #expect(completed["state"] == "completed")
            try await Task.sleep(for: .milliseconds(300))
            #expect(fixture.outbox.contains("PAYRES.\(id).DAT"))
            #expect(try await client.json("/status").json["backends"]?["payments"]?["state"] == "down")
            try FileManager.default.removeItem(atPath: fixture.root + "/archive")
            try FileManager.default.createDirectory(atPath: fixture.root + "/archive", withIntermediateDirectories: false)
            let deadline = ContinuousClock.now + .seconds(5)
            while fixture.outbox.contains("PAYRES.\(id).DAT"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(fixture.archive.contains("PAYRES.\(id).DAT"))
            #expect(try await client.json(location).json["results"]?["count"] == 2)
        }
    }

    @Test("a job past its deadline expires; its late response file is still recorded")
    func expiry() async throws {
        let fixture = try BatchFileFixture(deadline: "300ms")
        defer { fixture.remove() }
        try await fixture.run(backend: false) { client in
            let (_, job, headers) = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: Self.twoPayments)
            let location = headers[.location]!
            let expired = try await client.awaitJob(location, ["expired"])
            #expect(expired["state"] == "expired")
            #expect(expired["expiredAt"] != nil)
            let late = try Self.resultFile(jobId: job["id"]!.scalarText!, results: [("PAY-0001", "PAID", "125.50"), ("PAY-0002", "PAID", "80")])
            try fixture.outbox.write(late, as: "PAYRES.\(job["id"]!.scalarText!).DAT", doneMarker: ".done")
            let deadline = ContinuousClock.now + .seconds(5)
            var recorded = try await client.json(location).json
            while recorded["lateResponseAt"] == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                recorded = try await client.json(location).json
            }
            #expect(recorded["state"] == "expired")
            #expect(recorded["lateResponseAt"] != nil)
            #expect(recorded["results"]?["count"] == 2)
        }
    }

    @Test("an extract is served with asOf; a new one replaces it only when complete and its totals check")
    func extracts() async throws {
        let fixture = try BatchFileFixture()
        defer { fixture.remove() }
        try await fixture.run(extractRecords: 30) { client in
            var lookup = try await client.json("/v1/payments/PAY000000017")
            let deadline = ContinuousClock.now + .seconds(5)
            while lookup.status != 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                lookup = try await client.json("/v1/payments/PAY000000017")
            }
            #expect(lookup.status == 200)
            #expect(lookup.json["record"]?["status"] == "RETURNED")
            let asOf = try #require(lookup.json["asOf"]?.scalarText)
            #expect(try await client.json("/v1/payments/PAY999999999").status == 404)
            let page = try await client.json("/v1/payments?clientId=10000002&limit=4").json
            guard case .array(let items)? = page["items"] else { Issue.record("no items"); return }
            #expect(items.count == 4)
            #expect(items.allSatisfy { $0["clientId"] == "10000002" })
            let next = try await client.json("/v1/payments?clientId=10000002&limit=4&cursor=\(page["nextCursor"]!.scalarText!)").json
            #expect(next["items"]?[0]?["paymentId"] != items[0]["paymentId"])
            #expect(try await client.json("/v1/payments?limit=5000").status == 400)

            // A new extract whose trailer count is wrong: rejected, the previous one keeps serving.
            let simulator = try DemoBackendsAccess.simulator(fixture)
            var bad = try simulator.extractFile(date: "2030-01-01", count: 5)
            bad[bad.count - 100 + 8] = UInt8(ascii: "9")
            try fixture.outbox.write(bad, as: "PAYEXT.20300101.DAT", doneMarker: ".done")
            // A complete, consistent one replaces it.
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await client.json("/v1/payments/PAY000000017").json["asOf"]?.scalarText == asOf)
            try fixture.outbox.write(try simulator.extractFile(date: "2030-01-02", count: 5), as: "PAYEXT.20300102.DAT", doneMarker: ".done")
            var replaced = try await client.json("/v1/payments/PAY000000003").json
            let until = ContinuousClock.now + .seconds(5)
            while replaced["asOf"] != "2030-01-02", ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(50))
                replaced = try await client.json("/v1/payments/PAY000000003").json
            }
            #expect(replaced["asOf"] == "2030-01-02")
            #expect(try await client.json("/v1/payments/PAY000000017").status == 404)
            let status = try await client.json("/status").json
            #expect(status["backends"]?["payments"]?["extract"]?["records"] == 5)
        }
        #expect(try fixture.errors.list().contains { $0.name == "PAYEXT.20300101.DAT" })
    }
}

import DemoBackends

enum DemoBackendsAccess {
    static func simulator(_ fixture: BatchFileFixture) throws -> PaymentsBatchSimulator {
        try PaymentsBatchSimulator(contractsDirectory: BatchFileFixture.contracts, inbox: fixture.root + "/inbox", outbox: fixture.root + "/outbox")
    }
}
