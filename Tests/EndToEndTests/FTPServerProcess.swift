import Foundation

/// vsftpd on a free loopback port, TLS required for logins and data (explicit FTPS, `AUTH TLS`)
/// with a certificate for 127.0.0.1 made by openssl, and a system user with a fresh random
/// password: a real FTPS batch host for the tests. Creating the user needs root, as in CI.
final class FTPServerProcess: @unchecked Sendable {
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/vsftpd") }
    static let user = "portage-ftp"

    let directory: String
    let port: Int
    let password: String
    /// The server's self-signed certificate: the CA file the gateway trusts.
    let certificate: String
    private let process: ChildProcess

    /// `implicit`: TLS from the first byte (`ftps://`) instead of `AUTH TLS`.
    init(implicit: Bool = false) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("portage-vsftpd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/empty", withIntermediateDirectories: true)
        certificate = directory + "/cert.pem"
        try Command.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-keyout", directory + "/key.pem", "-out", certificate, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        if getpwnam(Self.user) == nil {
            // Home /tmp: vsftpd changes into it at login; the tests use absolute paths.
            try Command.run("/usr/sbin/useradd", ["--no-create-home", "--home-dir", "/tmp", "--shell", "/bin/sh", Self.user])
        }
        password = UUID().uuidString
        let hash = try Command.run("/usr/bin/openssl", ["passwd", "-6", password]).trimmingCharacters(in: .whitespacesAndNewlines)
        try Command.run("/usr/sbin/usermod", ["--password", hash, Self.user])

        var started: (ChildProcess, Int)?
        for _ in 0..<5 {
            let port = try await SSHServerProcess.freePort()
            let configuration = """
                listen=YES
                listen_ipv6=NO
                listen_address=127.0.0.1
                listen_port=\(port)
                background=NO
                anonymous_enable=NO
                local_enable=YES
                write_enable=YES
                local_umask=022
                pam_service_name=vsftpd
                userlist_enable=NO
                seccomp_sandbox=NO
                isolate=NO
                isolate_network=NO
                secure_chroot_dir=\(directory)/empty
                pasv_enable=YES
                pasv_address=127.0.0.1
                ssl_enable=YES
                implicit_ssl=\(implicit ? "YES" : "NO")
                force_local_logins_ssl=YES
                force_local_data_ssl=YES
                require_ssl_reuse=NO
                ssl_ciphers=HIGH
                rsa_cert_file=\(certificate)
                rsa_private_key_file=\(directory)/key.pem
                xferlog_enable=NO
                vsftpd_log_file=\(directory)/vsftpd.log
                """
            try (configuration + "\n").write(toFile: directory + "/vsftpd.conf", atomically: true, encoding: .utf8)
            let process = try ChildProcess("/usr/sbin/vsftpd", [directory + "/vsftpd.conf"])
            if await SSHServerProcess.waitUntilListening(port: port, process: process) {
                started = (process, port)
                break
            }
            process.stop()
        }
        guard let started else { throw PayBatchSpooler.Failure("vsftpd did not start listening") }
        (process, port) = started
    }

    /// Lets the FTP user write the test's drop directories (they belong to root).
    func share(_ directories: [String]) throws {
        for directory in directories {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        }
    }

    func stop() {
        process.stop(grace: 5)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
