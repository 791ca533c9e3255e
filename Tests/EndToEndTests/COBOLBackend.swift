import Foundation
import Testing

/// The GnuCOBOL account program, compiled by `COBOL/build.sh` and served by its C listener on an
/// ephemeral loopback port for the duration of a test.
final class COBOLBackend: @unchecked Sendable {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("COBOL")
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var compilerInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/cobc") }

    let process: Process
    let port: Int
    let lifeline = Pipe()

    init() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("portage-cobol-\(UUID().uuidString)")
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/bin/bash")
        build.arguments = [Self.directory.appendingPathComponent("build.sh").path, output.path]
        try build.run()
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { throw Failure("COBOL/build.sh failed with status \(build.terminationStatus)") }

        process = Process()
        process.executableURL = output.appendingPathComponent("acctsrv")
        process.arguments = ["0", "--exit-on-stdin-eof"]
        let pipe = Pipe()
        process.standardOutput = pipe
        // Held open for the listener's life: if this test process dies, the listener sees end of
        // file on its standard input and stops, rather than outliving the test run.
        process.standardInput = lifeline
        try process.run()
        // The listener prints "listening PORT" once it accepts connections.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw Failure("the COBOL listener exited before listening") }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, words[0] == "listening", let port = Int(words[1]) else {
            throw Failure("unexpected listener output: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
