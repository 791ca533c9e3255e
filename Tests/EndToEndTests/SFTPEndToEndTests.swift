import Foundation
import GatewayCore
import Testing
import Transports

extension RealBackends {
    /// The batch host is remote: its inbox and outbox are reached over SFTP (libcurl) on a real
    /// OpenSSH server, the GnuCOBOL batch runs there, and the gateway fetches results and extracts.
    @Suite("SFTP end to end: a remote batch host behind OpenSSH", .serialized)
    struct SFTPEndToEndTests {
        static var available: Bool {
            guard SSHServerProcess.installed else {
                if PayBatchSpooler.isCI { Issue.record("openssh-server (sshd) is missing in CI") } else { print("skipping: openssh-server is not installed") }
                return false
            }
            return BatchEndToEndTests.available
        }

        /// The workspace's declaration with its inbox and outbox on the SSH server.
        static func remoteDeclaration(_ workspace: BatchWorkspace, _ server: SSHServerProcess) throws {
            let declaration = workspace.adapters + "/payments.yaml"
            let text = try String(contentsOfFile: declaration, encoding: .utf8).replacingOccurrences(of: "  done-marker: .done\n", with: """
                  done-marker: .done
                  remote:
                    url: sftp://127.0.0.1:\(server.port)
                    user: \(server.user)
                    private-key-file: \(server.clientKey)
                    public-key-file: \(server.clientKey).pub
                    host-key-sha256: "SHA256:\(server.hostKeySHA256)"
                  incoming: \(workspace.root)/incoming

                """)
            try text.write(toFile: declaration, atomically: true, encoding: .utf8)
        }

        @Test("a payment batch and a nightly extract through SFTP: written, fetched, served")
        func remoteBatchHost() async throws {
            guard Self.available else { return }
            let server = try await SSHServerProcess()
            defer { server.stop() }
            let workspace = try BatchWorkspace()
            defer { workspace.remove() }
            try Self.remoteDeclaration(workspace, server)
            try await Self.exerciseRemoteHost(workspace)
        }

        /// With the workspace's inbox and outbox declared remote: the COBOL batch runs on the
        /// "host", a 30-payment job completes, a 50-record extract is served, fetched files are
        /// removed from the host and archived, no temporary upload name is left there.
        static func exerciseRemoteHost(_ workspace: BatchWorkspace, environment: [String: String] = [:]) async throws {
            let spooler = try await PayBatchSpooler.start(inbox: workspace.inbox, outbox: workspace.outbox, work: workspace.root + "/work")
            defer { spooler.stop() }
            try PaymentsBatchSimulatorFiles(workspace).drop(date: "2026-11-27", count: 50)

            let gateway = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts, environment: environment)
            defer { gateway.stop() }
            let accepted = try #require(await gateway.request("/v1/payment-batches", method: .POST, body: BatchWorkspace.items(30)))
            #expect(accepted.status == 202)
            let location = try #require(accepted.location)
            let job = try #require(await BatchWorkspace.awaitJob(gateway, location, ["completed", "failed", "expired"]))
            let status = await gateway.request("/status")?.json["backends"]?["payments"]
            #expect(job["state"] == "completed", "\(job) \(String(describing: status))")
            #expect(job["results"]?["count"] == 30)
            let id = try #require(job["id"]?.scalarText)
            #expect(spooler.received == ["PAYREQ.\(id).DAT"])
            #expect(await BatchCrashTests.awaitExtract(gateway, asOf: "2026-11-27", records: 50))
            #expect(await gateway.request("/v1/payments/PAY000000050")?.json["record"]?["paymentId"] == "PAY000000050")
            try await Task.sleep(for: .milliseconds(300))
            #expect(workspace.files(workspace.outbox).isEmpty)
            #expect(workspace.files(workspace.archive) == ["PAYEXT.20261127.DAT", "PAYRES.\(id).DAT"])
            #expect(workspace.files(workspace.inbox).isEmpty)
        }

        @Test("a host key that is not the declared one is refused: nothing is written, /status says why")
        func wrongHostKey() async throws {
            guard Self.available else { return }
            let server = try await SSHServerProcess()
            defer { server.stop() }
            let workspace = try BatchWorkspace()
            defer { workspace.remove() }
            try Self.remoteDeclaration(workspace, server)
            let declaration = workspace.adapters + "/payments.yaml"
            try String(contentsOfFile: declaration, encoding: .utf8)
                .replacingOccurrences(of: server.hostKeySHA256, with: String(repeating: "A", count: 43))
                .write(toFile: declaration, atomically: true, encoding: .utf8)
            let gateway = try await GatewayProcess(adapters: workspace.adapters, contracts: BatchWorkspace.contracts)
            defer { gateway.stop() }
            let accepted = try #require(await gateway.request("/v1/payment-batches", method: .POST, body: BatchWorkspace.items(2)))
            #expect(accepted.status == 202)
            try await Task.sleep(for: .milliseconds(500))
            let status = try #require(await gateway.request("/status")?.json["backends"]?["payments"])
            #expect(status["state"] == "down")
            #expect(status["lastProblem"]?.scalarText?.contains("sftp://127.0.0.1") == true, "\(status)")
            #expect(status["jobs"]?["accepted"] == 1)
            #expect(workspace.files(workspace.inbox).isEmpty)
        }
    }
}
