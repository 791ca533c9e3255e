import DemoBackends
import Foundation
import GatewayCore
import GatewayHTTP
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// https backends on a private PKI: a CA of the test's own (made with the openssl command),
/// a server certificate for 127.0.0.1, and a client certificate for mutual TLS.
@Suite("soap-http over TLS: private CA and client certificates", .serialized)
struct SOAPHTTPTLSTests {
    /// ca.pem, server.pem/server.key (for 127.0.0.1), client.pem/client.key, all signed by the CA.
    static func makePKI() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portage-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = """
            set -e
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=Portage Test CA" 2>/dev/null
            for name in server client; do
              openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $name.key -out $name.csr -subj "/CN=$name" 2>/dev/null
            done
            printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            for name in server client; do
              openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $name.pem -days 2 -extfile $name.ext 2>/dev/null
            done
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make the test PKI (is the openssl command installed?)")
        return folder
    }

    static func server(_ pki: URL, requireClientCertificate: Bool) async throws -> HTTPServer {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(pki.appendingPathComponent("server.pem").path).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: pki.appendingPathComponent("server.key").path, format: .pem)))
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(pki.appendingPathComponent("ca.pem").path))
        }
        return try await HTTPServer.start(tls: tls) { request in
            let (status, body) = TaxFilingSimulator().answer(request.body)
            return HTTPServer.Response(status: status, headers: [("Content-Type", "text/xml")], body: Array(body.utf8))
        }
    }

    static func declaration(url: String, tls: String) -> String {
        SOAPHTTPAdapterTests.declaration(url: url, endpoint: "read-timeout: 2s" + (tls.isEmpty ? "" : ", tls: \(tls)"))
    }

    /// The status and problem (or answer) of one call through a gateway with `tls` under its endpoint.
    static func call(port: Int, tls: String) async throws -> (HTTPResponse.Status, JSONValue) {
        let gateway = try SOAPHTTPAdapterTests.loadGateway(declaration(url: "https://127.0.0.1:\(port)/filing-status", tls: tls))
        return try await gateway.makeApplication(port: 0, logger: Logger(label: "soap-tls")).test(.router) { client in
            let response = try await client.execute(uri: "/v1/filings/10000001/2024", method: .get)
            return (response.status, try JSONParser.parse(response.body.readableBytesView))
        }
    }

    @Test func aPrivateCAIsTrustedOnlyWhenDeclared() async throws {
        let pki = try Self.makePKI()
        defer { try? FileManager.default.removeItem(at: pki) }
        let server = try await Self.server(pki, requireClientCertificate: false)
        do {
            let (status, answer) = try await Self.call(port: server.port, tls: "{ ca-file: \(pki.path)/ca.pem }")
            #expect(status == .ok, "\(answer)")
            #expect(answer["Filed"] == true)

            let (refused, problem) = try await Self.call(port: server.port, tls: "")
            #expect(refused == .badGateway, "the system's trust store does not know the private CA: \(problem)")
            #expect(problem["code"] == "backend-unreachable")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func mutualTLSPresentsTheGatewaysCertificate() async throws {
        let pki = try Self.makePKI()
        defer { try? FileManager.default.removeItem(at: pki) }
        let server = try await Self.server(pki, requireClientCertificate: true)
        do {
            let withCertificate = "{ ca-file: \(pki.path)/ca.pem, certificate-file: \(pki.path)/client.pem, private-key-file: \(pki.path)/client.key }"
            let (status, answer) = try await Self.call(port: server.port, tls: withCertificate)
            #expect(status == .ok, "\(answer)")

            let (refused, problem) = try await Self.call(port: server.port, tls: "{ ca-file: \(pki.path)/ca.pem }")
            #expect(refused.code >= 500, "no client certificate, no answer: \(problem)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func declarationProblemsNameTheFileAndKey() throws {
        let pki = try Self.makePKI()
        defer { try? FileManager.default.removeItem(at: pki) }
        let cases: [(url: String, tls: String, message: String)] = [
            ("http://127.0.0.1:9/x", "{ ca-file: \(pki.path)/ca.pem }", "tls needs an https:// url"),
            ("https://127.0.0.1:9/x", "{ ca-file: \(pki.path)/missing.pem }", "missing.pem: cannot read the CA certificate file"),
            ("https://127.0.0.1:9/x", "{ ca-file: \(pki.path)/server.ext }", "server.ext: not a PEM CA certificate"),
            ("https://127.0.0.1:9/x", "{ certificate-file: \(pki.path)/client.pem }", "certificate-file and private-key-file go together"),
            ("https://127.0.0.1:9/x", "{ ca-fle: x }", "unknown key 'ca-fle'"),
            ("https://127.0.0.1:9/x", "{ certificate-file: \(pki.path)/client.pem, private-key-file: \(pki.path)/server.key }", "does not fit together"),
        ]
        for (url, tls, message) in cases {
            do {
                _ = try SOAPHTTPAdapterTests.loadGateway(Self.declaration(url: url, tls: tls))
                Issue.record("accepted: \(tls)")
            } catch let error as DeclarationErrors {
                let text = error.problems.map(\.description).joined(separator: "\n")
                #expect(text.contains(message), "\(text)")
                #expect(text.contains("endpoint.tls"), "the key path is named: \(text)")
            }
        }
    }
}
