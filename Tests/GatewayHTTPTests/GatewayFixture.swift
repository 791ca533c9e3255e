import DemoBackends
import FixedWidth
import Foundation
import GatewayCore
import GatewayHTTP
import GatewayTesting
import Logging
import NIOPosix

/// The repository's own demo declarations against the simulated client master, plus a `notes`
/// adapter whose fake backend misbehaves on request, and a `down` adapter with nothing listening.
struct GatewayFixture {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    let root: URL
    let clientMaster: RecordServer
    let notes: RecordServer
    let gateway: Gateway

    static let notesRequest = """
               01  NOTEREQ.
                   05  NOTEREQ-CODE    PIC X(10).
                   05  NOTEREQ-COUNT   PIC 9(4).
                   05  NOTEREQ-TEXT    PIC X(30).
        """
    static let notesResponse = """
               01  NOTERESP.
                   05  NOTERESP-RC     PIC X(2).
                   05  NOTERESP-CODE   PIC X(10).
                   05  NOTERESP-TEXT   PIC X(30).
                   05  NOTERESP-AMOUNT PIC S9(5)V99 COMP-3.
        """

    static func notesDeclaration(port: Int) -> String {
        """
        adapter: notes
        kind: fixed-width-tcp
        title: { en: Notes, fr: Notes }
        endpoint: { host: 127.0.0.1, port: \(port), framing: length-prefix-2, encoding: ascii, max-connections: 2, read-timeout: 3s }
        contracts: { request: notes/NOTEREQ.cpy, response: notes/NOTERESP.cpy }
        resilience: { timeout: 3s }
        operations:
          getNote:
            route: GET /v1/notes/{code}
            summary: { en: Read a note, fr: Lire une note }
            parameters: { code: { example: HELLO }, text: { example: Bonjour } }
            request: { NOTEREQ-CODE: $path.code, NOTEREQ-TEXT: $query.text }
            response:
              success-when: { NOTERESP-RC: "00" }
              errors: { "04": { status: 404, code: note-not-found, title: { en: Note not found, fr: Note introuvable } } }
          createNote:
            route: POST /v1/notes
            summary: { en: Write a note, fr: Écrire une note }
            request: { NOTEREQ-CODE: $body.code, NOTEREQ-COUNT: $body.count, NOTEREQ-TEXT: $body.text }
            response:
              success-when: { NOTERESP-RC: "00" }
        """
    }

    static let downDeclaration = """
        adapter: down
        kind: fixed-width-tcp
        title: { en: A backend that is down, fr: Un système en panne }
        endpoint: { host: 127.0.0.1, port: 1, framing: length-prefix-4, encoding: ascii }
        contracts: { request: notes/NOTEREQ.cpy, response: notes/NOTERESP.cpy }
        operations:
          getDown:
            route: GET /v1/down/{code}
            summary: { en: Always fails, fr: Échoue toujours }
            request: { NOTEREQ-CODE: $path.code }
        """

    init() async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-http-\(UUID().uuidString)")
        let adapters = root.appendingPathComponent("Adapters")
        let contracts = root.appendingPathComponent("Contracts")
        try FileManager.default.createDirectory(at: adapters, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: contracts.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.repository.appendingPathComponent("Contracts/client-master"), to: contracts.appendingPathComponent("client-master"))
        try Self.notesRequest.write(to: contracts.appendingPathComponent("notes/NOTEREQ.cpy"), atomically: true, encoding: .utf8)
        try Self.notesResponse.write(to: contracts.appendingPathComponent("notes/NOTERESP.cpy"), atomically: true, encoding: .utf8)

        let simulator = try ClientMasterSimulator(contractsDirectory: contracts.path)
        clientMaster = try await simulator.start(port: 0)
        notes = try await Self.startNotesBackend()

        let demo = try String(contentsOf: Self.repository.appendingPathComponent("Adapters/client-master.yaml"), encoding: .utf8)
        try demo.replacingOccurrences(of: "port: 7001", with: "port: \(clientMaster.port)")
            .write(to: adapters.appendingPathComponent("client-master.yaml"), atomically: true, encoding: .utf8)
        try Self.notesDeclaration(port: notes.port).write(to: adapters.appendingPathComponent("notes.yaml"), atomically: true, encoding: .utf8)
        try Self.downDeclaration.write(to: adapters.appendingPathComponent("down.yaml"), atomically: true, encoding: .utf8)

        gateway = try Gateway.load(
            adaptersDirectory: adapters.path, contractsDirectory: contracts.path,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
    }

    func stop() async {
        await clientMaster.stop()
        await notes.stop()
    }

    /// Answers by the request's code: CLOSE closes mid-record, SHORT sends a record of the wrong
    /// length, SLOW answers after 700 ms, MISSING is "not found", anything else is echoed.
    static func startNotesBackend() async throws -> RecordServer {
        let request = try RecordLayout(copybook: Copybook.parse(notesRequest), codePage: .ascii)
        let response = try RecordLayout(copybook: Copybook.parse(notesResponse), codePage: .ascii)
        return try await RecordServer.start(framing: .lengthPrefix(bytes: 2)) { bytes in
            guard let fields = try? request.decode(bytes), let code = fields["code"]?.scalarText else { return .close }
            switch code {
            case "CLOSE": return .rawThenClose([0, 49, 0x30, 0x30, 0x41])
            case "SHORT": return .record(Array("00SHORT".utf8))
            case "MISSING": return .record((try? response.encode(["rc": "04", "code": .string(code)])) ?? [])
            case "SLOW": try? await Task.sleep(for: .milliseconds(700))
            default: break
            }
            let answer: JSONObject = [
                "rc": "00", "code": .string(code), "text": fields["text"] ?? "", "amount": .number("-42.50"),
            ]
            return .record((try? response.encode(answer)) ?? [])
        }
    }
}
