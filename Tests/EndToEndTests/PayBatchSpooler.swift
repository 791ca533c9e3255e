import Foundation
import Synchronization

/// The real batch backend: the GnuCOBOL program `Batch/PAYBATCH.cob` (record-sequential files,
/// COMP-3 amounts), compiled once per test run, driven by `Batch/spooler.py` the way a scheduler
/// would — each complete request file taken from the inbox, the program run over it, its result
/// file published in the outbox. `ledger` lists every request file it took, one per line.
final class PayBatchSpooler: @unchecked Sendable {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Batch")
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var compilerInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/cobc") }

    /// `paybatch`, compiled by `cobc -x` the first time it is asked for.
    static let program: Result<String, Failure> = {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("portage-paybatch-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let executable = output.appendingPathComponent("paybatch").path
        do {
            try Command.run("/usr/bin/cobc", ["-x", "-o", executable, directory.appendingPathComponent("PAYBATCH.cob").path])
        } catch {
            return .failure(Failure("\(error)"))
        }
        return .success(executable)
    }()

    let process: ChildProcess
    let ledger: String

    /// Compiles the batch program (once) and starts the spooler, off the shared pool.
    static func start(inbox: String, outbox: String, work: String) async throws -> PayBatchSpooler {
        try await Command.offPool { try PayBatchSpooler(inbox: inbox, outbox: outbox, work: work) }
    }

    private init(inbox: String, outbox: String, work: String) throws {
        let program = try Self.program.get()
        ledger = work + "/received.log"
        let output = Mutex("")
        process = try ChildProcess(
            "/usr/bin/python3", [Self.directory.appendingPathComponent("spooler.py").path, program, inbox, outbox, work, ledger],
            output: { data in output.withLock { $0 += String(decoding: data, as: UTF8.self) } })
        let deadline = Date().addingTimeInterval(20)
        while !output.withLock({ $0.contains("ready") }) {
            guard process.isRunning, Date() < deadline else {
                process.stop()
                throw Failure("the spooler did not start")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// The request files the spooler took, in order.
    var received: [String] {
        ((try? String(contentsOfFile: ledger, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        process.stop(grace: 5)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
