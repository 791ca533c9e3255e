import AsyncHTTPClient
import Foundation
import GatewayCore
import NIOCore
import NIOHTTP1
import Synchronization

/// `portage serve` as a child process, so that a test can kill it with SIGKILL and start it again
/// over the same journal and drop directories.
final class GatewayProcess: @unchecked Sendable {
    /// The `portage` built beside the test bundle (`swift build --build-tests` builds both).
    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["PORTAGE_BINARY"] { return path }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("portage").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/portage").path
    }

    let process: ChildProcess
    let base: String

    /// Starts the gateway and waits (30 s at most) for its "listening" log line, then for `/readyz`;
    /// `environment` is added to ours. Waits without blocking a thread of the shared pool.
    init(adapters: String, contracts: String, environment: [String: String] = [:]) async throws {
        let text = Mutex("")
        process = try ChildProcess(
            Self.executable, ["serve", "--adapters", adapters, "--contracts", contracts, "--port", "0", "--log-level", "info"],
            environment: environment, errors: { data in text.withLock { $0 += String(decoding: data, as: UTF8.self) } })
        let deadline = ContinuousClock.now + .seconds(30)
        var base: String?
        while base == nil {
            if let match = text.withLock({ $0.firstMatch(of: /"url":"(http:\/\/127\.0\.0\.1:[0-9]+)"/) }) {
                base = String(match.1)
                break
            }
            guard process.isRunning, ContinuousClock.now < deadline else {
                process.stop()
                throw PayBatchSpooler.Failure("portage serve did not start listening: \(text.withLock { $0 })")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        self.base = base!
        // Listening comes before the adapters have started; a call before then is a (correct)
        // 503 not-ready. Wait for /readyz — or for the process to end, when a test makes it die.
        while process.isRunning, ContinuousClock.now < deadline {
            if await request("/readyz")?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until the process has ended; true when SIGKILL ended it.
    func waitForKill(timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return process.terminatingSignal == SIGKILL
    }

    func stop() {
        process.stop()
    }

    /// One request; nil when no answer came (the gateway died mid-request).
    func request(_ path: String, method: HTTPMethod = .GET, body: String? = nil, headers: [(String, String)] = []) async -> (status: Int, json: JSONValue, location: String?)? {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let bytes = try await response.body.collect(upTo: 1 << 24)
            let json = (try? JSONParser.parse(Array(bytes.readableBytesView))) ?? .null
            return (Int(response.status.code), json, response.headers.first(name: "Location"))
        } catch {
            return nil
        }
    }
}
