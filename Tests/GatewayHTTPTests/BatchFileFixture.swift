import DemoBackends
import Foundation
import GatewayCore
import GatewayHTTP
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Transports

/// A `batch-file` adapter over temporary drop directories, declared like the demo's payments
/// adapter (the repository's layouts) but polling fast; the demo's payments system can be
/// started as the backend, or files can be dropped by hand.
struct BatchFileFixture {
    let root: String
    let gateway: Gateway
    var inbox: FileDrop { FileDrop(directory: root + "/inbox") }
    var outbox: FileDrop { FileDrop(directory: root + "/outbox") }
    var archive: FileDrop { FileDrop(directory: root + "/archive") }
    var errors: FileDrop { FileDrop(directory: root + "/error") }

    static let contracts = GatewayFixture.repository.appendingPathComponent("Contracts").path

    init(
        deadline: String = "1h", doneMarker: Bool = true, callbackSecretVariable: String? = nil, root: String? = nil, inbox: String? = nil
    ) throws {
        self.root = root ?? FileManager.default.temporaryDirectory.appendingPathComponent("portage-batch-\(UUID().uuidString)").path
        let root = self.root
        let adapters = root + "/Adapters"
        try FileManager.default.createDirectory(atPath: adapters, withIntermediateDirectories: true)
        let demo = try String(contentsOfFile: GatewayFixture.repository.appendingPathComponent("Adapters/payments.yaml").path, encoding: .utf8)
        var declaration = demo.replacingOccurrences(of: "var/payments", with: root)
            .replacingOccurrences(of: "poll-every: 500ms", with: "poll-every: 50ms\n  quiet-period: 100ms")
            .replacingOccurrences(of: "deadline: 1h", with: "deadline: \(deadline)")
        if let inbox { declaration = declaration.replacingOccurrences(of: "inbox: \(root)/inbox", with: "inbox: \(inbox)") }
        if let callbackSecretVariable {
            declaration = declaration.replacingOccurrences(of: "    max-items: 5000\n", with: "    max-items: 5000\n    callback-secret-env: \(callbackSecretVariable)\n    callback-hosts: [127.0.0.1]\n")
        }
        if !doneMarker { declaration = declaration.replacingOccurrences(of: "  done-marker: .done\n", with: "") }
        try declaration.write(toFile: adapters + "/payments.yaml", atomically: true, encoding: .utf8)
        gateway = try Gateway.load(
            adaptersDirectory: adapters, contractsDirectory: Self.contracts, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "batch-test"))
    }

    /// The adapter started, the demo's payments system as backend when `backend` (running each
    /// batch instantly), the router test client; everything stopped afterwards.
    func run(backend: Bool = true, extractRecords: Int = 20, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let simulator = try PaymentsBatchSimulator(contractsDirectory: Self.contracts, inbox: root + "/inbox", outbox: root + "/outbox", runTime: .zero)
        if backend { try simulator.start(extractRecords: extractRecords) }
        let adapter = gateway.adapters[0].adapter
        try await adapter.start()
        do {
            try await gateway.makeApplication(port: 0, logger: Logger(label: "batch-test")).test(.router) { client in try await body(client) }
        } catch {
            await adapter.shutdown()
            await simulator.stop()
            throw error
        }
        await adapter.shutdown()
        await simulator.stop()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    static func items(_ items: [(id: String, account: String, name: String, amount: String)]) -> String {
        let list = items.map {
            #"{"paymentId":"\#($0.id)","payeeAccount":"\#($0.account)","payeeName":"\#($0.name)","amount":\#($0.amount),"currency":"CAD"}"#
        }
        return #"{"items":[\#(list.joined(separator: ","))]}"#
    }
}

extension TestClientProtocol {
    func json(_ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: String? = nil) async throws -> (status: Int, json: JSONValue, headers: HTTPFields) {
        try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            (Int(response.status.code), try JSONParser.parse(Array(response.body.readableBytesView)), response.headers)
        }
    }

    /// Polls a job until it reaches one of `states` (10 s at most).
    func awaitJob(_ location: String, _ states: Set<String>) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let job = try await json(location).json
            if let state = job["state"]?.scalarText, states.contains(state) { return job }
            if ContinuousClock.now > deadline { return job }
            try await Task.sleep(for: .milliseconds(30))
        }
    }
}

