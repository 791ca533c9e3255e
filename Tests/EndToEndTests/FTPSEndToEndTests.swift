import Foundation
import GatewayCore
import Testing

extension RealBackends {
    /// The batch host is reached over FTPS (libcurl) on a real vsftpd that refuses anything
    /// without TLS; the GnuCOBOL batch runs there, the gateway writes requests and fetches results
    /// and extracts — the same pipeline as over SFTP.
    @Suite("FTPS end to end: a remote batch host behind vsftpd", .serialized)
    struct FTPSEndToEndTests {
        static var available: Bool {
            guard FTPServerProcess.installed else {
                if PayBatchSpooler.isCI { Issue.record("vsftpd is missing in CI") } else { print("skipping: vsftpd is not installed") }
                return false
            }
            guard getuid() == 0 else {
                if PayBatchSpooler.isCI { Issue.record("the FTPS tests need root in CI (they create the FTP user)") } else { print("skipping: the FTPS tests need root to create their FTP user") }
                return false
            }
            return BatchEndToEndTests.available
        }

        /// The workspace's declaration with its inbox and outbox on the FTP server.
        static func remoteDeclaration(_ workspace: BatchWorkspace, _ server: FTPServerProcess, url: String, caFile: String) throws {
            let declaration = workspace.adapters + "/payments.yaml"
            let text = try String(contentsOfFile: declaration, encoding: .utf8).replacingOccurrences(of: "  done-marker: .done\n", with: """
                  done-marker: .done
                  remote:
                    url: \(url)
                    user: \(FTPServerProcess.user)
                    password-env: PORTAGE_TEST_FTP_PASSWORD
                    ca-file: \(caFile)
                  incoming: \(workspace.root)/incoming

                """)
            try text.write(toFile: declaration, atomically: true, encoding: .utf8)
        }

        @Test("a payment batch and a nightly extract through FTPS (AUTH TLS, then implicit TLS): written, fetched, served", arguments: [false, true])
        func remoteBatchHost(implicit: Bool) async throws {
            guard Self.available else { return }
            let server = try await FTPServerProcess(implicit: implicit)
            defer { server.stop() }
            let workspace = try BatchWorkspace()
            defer { workspace.remove() }
            try server.share([workspace.inbox, workspace.outbox])
            try Self.remoteDeclaration(
                workspace, server, url: "\(implicit ? "ftps" : "ftp")://127.0.0.1:\(server.port)", caFile: server.certificate)
            try await SFTPEndToEndTests.exerciseRemoteHost(workspace, environment: ["PORTAGE_TEST_FTP_PASSWORD": server.password])
        }

        @Test("a certificate the gateway does not trust, or a wrong password, is refused: nothing is written, /status says why")
        func refusedHost() async throws {
            guard Self.available else { return }
            let server = try await FTPServerProcess()
            defer { server.stop() }
            for (caFile, password, expected) in [
                ("/etc/ssl/certs/ca-certificates.crt", server.password, "certificate"), (server.certificate, "wrong", "denied"),
            ] {
                let workspace = try BatchWorkspace()
                defer { workspace.remove() }
                try server.share([workspace.inbox, workspace.outbox])
                try Self.remoteDeclaration(workspace, server, url: "ftp://127.0.0.1:\(server.port)", caFile: caFile)
                let gateway = try await GatewayProcess(
                    adapters: workspace.adapters, contracts: BatchWorkspace.contracts, environment: ["PORTAGE_TEST_FTP_PASSWORD": password])
                defer { gateway.stop() }
                let accepted = try #require(await gateway.request("/v1/payment-batches", method: .POST, body: BatchWorkspace.items(2)))
                #expect(accepted.status == 202)
                var status = JSONValue.null
                let deadline = ContinuousClock.now + .seconds(10)
                while status["lastProblem"] == nil, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    status = await gateway.request("/status")?.json["backends"]?["payments"] ?? .null
                }
                #expect(status["state"] == "down")
                let problem = status["lastProblem"]?.scalarText ?? ""
                #expect(problem.contains("ftp://127.0.0.1") && problem.lowercased().contains(expected), "\(status)")
                #expect(!problem.contains(server.password))
                #expect(status["jobs"]?["accepted"] == 1)
                #expect(workspace.files(workspace.inbox).isEmpty)
            }
        }
    }
}
