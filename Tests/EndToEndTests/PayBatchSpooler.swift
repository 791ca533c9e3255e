import Foundation

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
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/cobc")
        build.arguments = ["-x", "-o", executable, directory.appendingPathComponent("PAYBATCH.cob").path]
        do {
            try build.run()
        } catch {
            return .failure(Failure("cannot run cobc: \(error)"))
        }
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { return .failure(Failure("cobc failed with status \(build.terminationStatus)")) }
        return .success(executable)
    }()

    let process: Process
    let ledger: String
    private let lifeline = Pipe()

    init(inbox: String, outbox: String, work: String) throws {
        let program = try Self.program.get()
        ledger = work + "/received.log"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.directory.appendingPathComponent("spooler.py").path, program, inbox, outbox, work, ledger]
        let output = Pipe()
        process.standardOutput = output
        // Held open for the spooler's life: if the test process dies, the spooler sees end of file and stops.
        process.standardInput = lifeline
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw Failure("the spooler exited before it was ready") }
            line.append(chunk)
        }
    }

    /// The request files the spooler took, in order.
    var received: [String] {
        ((try? String(contentsOfFile: ledger, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        try? lifeline.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
