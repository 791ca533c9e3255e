import Foundation
import NIOCore
import NIOPosix

/// A real SOAP server from `SOAP/` as a child process on a free loopback port: PHP's built-in web
/// server running a `SoapServer` script, or a spyne application under Python's wsgiref.
final class SOAPBackendProcess: @unchecked Sendable {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SOAP")
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether `php` runs and has its SOAP and DOM extensions.
    static let phpInstalled = succeeds("/usr/bin/php", ["-r", "exit(class_exists('SoapServer') && class_exists('DOMDocument') ? 0 : 1);"])
    /// Whether Debian's Python has spyne and lxml.
    static let spyneInstalled = succeeds("/usr/bin/python3", ["-c", "import spyne, lxml"])

    private static func succeeds(_ executable: String, _ arguments: [String]) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return false }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: executable)
        check.arguments = arguments
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }

    /// `php -S 127.0.0.1:PORT script` (one PHP process: the suites are serialized).
    static func php(script: String, environment: [String: String] = [:]) async throws -> SOAPBackendProcess {
        try await SOAPBackendProcess(executable: "/usr/bin/php", environment: environment) { port in
            ["-S", "127.0.0.1:\(port)", directory.appendingPathComponent(script).path]
        }
    }

    /// `python3 script PORT` with Debian's Python (where python3-spyne is installed).
    static func spyne(script: String, environment: [String: String] = [:]) async throws -> SOAPBackendProcess {
        try await SOAPBackendProcess(executable: "/usr/bin/python3", environment: environment) { port in
            [directory.appendingPathComponent(script).path, String(port)]
        }
    }

    let port: Int
    private let process: Process

    private init(executable: String, environment: [String: String], arguments: (Int) -> [String]) async throws {
        for _ in 0..<5 {
            let port = try await Self.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments(port)
            process.currentDirectoryURL = Self.directory
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if await Self.waitUntilListening(port: port, process: process) {
                self.port = port
                self.process = process
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        throw Failure("\(executable) did not listen on a loopback port after five tries")
    }

    /// SIGKILL: the servers have nothing to clean up, and a child started by `Process` does not
    /// always act on SIGTERM (PHP ignored it for two seconds every time here).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A port the kernel just handed out (closed again at once, so the server can take it).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    static func waitUntilListening(port: Int, process: Process) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, process.isRunning {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            {
                try? await channel.close()
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
