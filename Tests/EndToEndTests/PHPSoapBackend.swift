import Foundation
import NIOCore
import NIOPosix

/// PHP's built-in web server running a `SoapServer` script from `SOAP/` on a free loopback port.
final class PHPSoapBackend: @unchecked Sendable {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SOAP")
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// Whether `php` runs and has its SOAP and DOM extensions.
    static let installed: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/php") else { return false }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/php")
        check.arguments = ["-r", "exit(class_exists('SoapServer') && class_exists('DOMDocument') ? 0 : 1);"]
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }()

    let port: Int

    /// `script`: a router script in `SOAP/`; `environment`: added to the server's.
    init(script: String, environment: [String: String] = [:]) async throws {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try await Self.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/php")
            process.arguments = ["-S", "127.0.0.1:\(port)", Self.directory.appendingPathComponent(script).path]
            process.currentDirectoryURL = Self.directory
            // One PHP process (no PHP_CLI_SERVER_WORKERS): the suite is serialized, and a worker pool
            // does not exit on SIGTERM.
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if await Self.waitUntilListening(port: port, process: process) {
                self.port = port
                self.processHandle = process
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lastError = Failure("php -S did not listen on port \(port)")
        }
        throw lastError ?? Failure("php -S did not start")
    }

    private var processHandle: Process?

    /// SIGKILL: PHP has nothing to clean up, and a child started by `Process` does not always
    /// act on SIGTERM (it ignored it for two seconds every time here).
    func stop() {
        guard let process = processHandle, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A port the kernel just handed out (closed again at once, so PHP can take it).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    static func waitUntilListening(port: Int, process: Process) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
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
