import Foundation
import NIOCore
import NIOPosix

/// OpenSSH's `sshd` on a free loopback port with its own host key, a client key allowed to log
/// in as the current user, and SFTP: a real remote batch host for the tests.
final class SSHServerProcess: @unchecked Sendable {
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") }

    let directory: String
    let port: Int
    let user: String
    let clientKey: String
    /// The host key's SHA-256 fingerprint, base64, as `ssh-keygen -l -E sha256` prints it.
    let hostKeySHA256: String
    private let process: ChildProcess

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("portage-sshd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for key in ["hostkey", "clientkey"] {
            try Command.run("/usr/bin/ssh-keygen", ["-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "", "-f", directory + "/" + key])
        }
        clientKey = directory + "/clientkey"
        try FileManager.default.copyItem(atPath: directory + "/clientkey.pub", toPath: directory + "/authorized_keys")
        let fingerprint = try Command.run("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", directory + "/hostkey.pub"])
        guard let match = fingerprint.firstMatch(of: /SHA256:([A-Za-z0-9+\/=]+)/) else { throw PayBatchSpooler.Failure("no fingerprint in \(fingerprint)") }
        hostKeySHA256 = String(match.1)
        user = String(cString: getpwuid(getuid()).pointee.pw_name)

        var started: (ChildProcess, Int)?
        for _ in 0..<5 {
            let port = try await Self.freePort()
            let configuration = """
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(directory)/hostkey
                PidFile \(directory)/sshd.pid
                AuthorizedKeysFile \(directory)/authorized_keys
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                StrictModes no
                UsePAM no
                Subsystem sftp internal-sftp
                LogLevel ERROR
                """
            try configuration.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
            let process = try ChildProcess("/usr/sbin/sshd", ["-D", "-e", "-f", directory + "/sshd_config"])
            if await Self.waitUntilListening(port: port, process: process) {
                started = (process, port)
                break
            }
            process.stop()
        }
        guard let started else { throw PayBatchSpooler.Failure("sshd did not start listening") }
        (process, port) = started
    }

    func stop() {
        process.stop(grace: 5)
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    static func waitUntilListening(port: Int, process: ChildProcess) async -> Bool {
        for _ in 0..<100 {
            guard process.isRunning else { return false }
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
                try? await channel.close()
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
