import Crypto
import Foundation
import GatewayCore
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

/// What the batch-file kind does when its disk fills up, and how it tells callers a job is done.
@Suite("batch-file: full disks and signed callbacks", .serialized)
struct BatchFileStorageTests {
    static let json: HTTPFields = [.contentType: "application/json"]
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// A 2 MB tmpfs of our own (root only), so the disk can be filled without touching the machine's;
    /// nil, said or recorded as a failure in CI, when it cannot be mounted.
    static func smallDisk() throws -> String? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("portage-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=2m", "tmpfs", path]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            if isCI { Issue.record("cannot mount a tmpfs (the full-disk tests need root)") } else { print("skipping: mounting a tmpfs needs root") }
            return nil
        }
        return path
    }

    static func unmount(_ path: String) {
        let unmount = Process()
        unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
        unmount.arguments = [path]
        try? unmount.run()
        unmount.waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes a file until the disk is full.
    static func fill(_ path: String) {
        let handle = FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        let chunk = Data(count: 16 * 1024)
        while (try? handle?.write(contentsOf: chunk)) != nil {}
        try? handle?.close()
    }

    @Test("a full disk: 503 storage-unavailable, nothing half-written, the journal intact; freed, work resumes")
    func diskFull() async throws {
        guard let disk = try Self.smallDisk() else { return }
        defer { Self.unmount(disk) }
        let fixture = try BatchFileFixture(root: disk + "/payments")
        try await fixture.run(backend: false) { client in
            let body = BatchFileFixture.items([("PAY-0001", "004000013", "Ana Silva", "1")])
            let first = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: body)
            #expect(first.status == 202)
            _ = try await client.awaitJob(first.headers[.location]!, ["submitted"])
            Self.fill(disk + "/filler")
            let refused = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: body)
            #expect(refused.status == 503)
            #expect(refused.json["code"] == "storage-unavailable")
            #expect(refused.json["title"] == "Storage full")
            #expect(refused.json["retryable"] == true)
            // The journal still answers for what it holds.
            #expect(try await client.json(first.headers[.location]!).json["state"] == "submitted")
            try FileManager.default.removeItem(atPath: disk + "/filler")
            let accepted = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: body)
            #expect(accepted.status == 202)
            let submitted = try await client.awaitJob(accepted.headers[.location]!, ["submitted"])
            #expect(submitted["state"] == "submitted")
        }
    }

    @Test("a request file that cannot be written waits, shown in /status, and goes out once there is room")
    func inboxFull() async throws {
        guard let disk = try Self.smallDisk() else { return }
        defer { Self.unmount(disk) }
        // Journal elsewhere; only the backend's inbox is on the small disk, full.
        let fixture = try BatchFileFixture(inbox: disk + "/inbox")
        defer { fixture.remove() }
        try FileManager.default.createDirectory(atPath: disk + "/inbox", withIntermediateDirectories: true)
        Self.fill(disk + "/filler")
        try await fixture.run(backend: false) { client in
            let body = BatchFileFixture.items((1...200).map { ("PAY-\($0)", "004000013", "Ana Silva", "1") })
            let accepted = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: body)
            #expect(accepted.status == 202)
            try await Task.sleep(for: .milliseconds(300))
            let status = try await client.json("/status").json["backends"]?["payments"]
            #expect(status?["state"] == "down")
            #expect(status?["lastProblem"]?.scalarText?.contains("no space left") == true, "\(String(describing: status))")
            #expect(try await client.json(accepted.headers[.location]!).json["state"] == "accepted")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: disk + "/inbox"))?.isEmpty == true)
            try FileManager.default.removeItem(atPath: disk + "/filler")
            let submitted = try await client.awaitJob(accepted.headers[.location]!, ["submitted"])
            #expect(submitted["state"] == "submitted")
        }
    }

    @Test("completion is POSTed to the callback address, signed with HMAC-SHA256, retried after a failure")
    func callback() async throws {
        setenv("PORTAGE_TEST_CALLBACK_SECRET", "s3cret-for-tests", 1)
        let received = Mutex<[HTTPServer.Request]>([])
        let server = try await HTTPServer.start { request in
            let count = received.withLock { list in
                list.append(request)
                return list.count
            }
            return HTTPServer.Response(status: count == 1 ? 500 : 204)
        }
        let fixture = try BatchFileFixture(callbackSecretVariable: "PORTAGE_TEST_CALLBACK_SECRET")
        defer { fixture.remove() }
        try await fixture.run { client in
            let body = #"{"callbackUrl":"http://127.0.0.1:\#(server.port)/hooks/payments","#
                + BatchFileFixture.items([("PAY-0001", "004000013", "Ana Silva", "12.50")]).dropFirst()
            let accepted = try await client.json("/v1/payment-batches", method: .post, headers: Self.json, body: String(body))
            #expect(accepted.status == 202)
            // The first attempt gets a 500; the second, a second later, is delivered.
            let deadline = ContinuousClock.now + .seconds(10)
            var job = try await client.json(accepted.headers[.location]!).json
            while job["callback"]?["state"] != "delivered", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                job = try await client.json(accepted.headers[.location]!).json
            }
            #expect(job["callback"]?["state"] == "delivered")
            #expect(job["callback"]?["attempts"] == 2)
        }
        await server.stop()
        let requests = received.withLock { $0 }
        #expect(requests.count == 2)
        guard let last = requests.last else { return }
        #expect(last.uri == "/hooks/payments")
        let notice = try JSONParser.parse(last.body)
        #expect(notice["state"] == "completed")
        #expect(notice["results"]?["count"] == 1)
        // The receiver's check: HMAC-SHA256 of "t.body" with the shared secret.
        let signature = try #require(last.header("Portage-Signature"))
        let parts = Dictionary(uniqueKeysWithValues: signature.split(separator: ",").map { part in
            let pair = part.split(separator: "=", maxSplits: 1)
            return (String(pair[0]), String(pair[1]))
        })
        let expected = HMAC<SHA256>.authenticationCode(
            for: Array((parts["t"]! + ".").utf8) + last.body, using: SymmetricKey(data: Array("s3cret-for-tests".utf8)))
        #expect(parts["v1"] == expected.map { String(format: "%02x", $0) }.joined())
        #expect(last.header("Portage-Job") == notice["id"]?.scalarText)
    }
}
