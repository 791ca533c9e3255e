import FixedWidth
import GatewayCore
import Logging
import NIOCore
import Transports

/// A running `fixed-width-tcp` backend: encode the request record, exchange it over the pool,
/// decode the response record.
final class FixedWidthTCPAdapter: LegacyAdapter {
    let declaration: AdapterDeclaration
    let operations: [String: FixedWidthOperation]
    let transport: TCPTransport
    let encoding: String

    init(declaration: AdapterDeclaration, operations: [String: FixedWidthOperation], transport: TCPTransport, encoding: String) {
        self.declaration = declaration
        self.operations = operations
        self.transport = transport
        self.encoding = encoding
    }

    func start() async throws {
        // Connections open on first use, so a backend that is down at start-up does not stop the gateway.
    }

    func call(_ request: AdapterRequest, logger: Logger) async throws -> AdapterResponse {
        guard let operation = operations[request.operation] else {
            throw GatewayError.internalError("operation \(request.operation) is not declared for \(declaration.name)")
        }
        let record = try operation.encodeRequest(request)
        let response: ByteBuffer
        do {
            response = try await transport.roundTrip(ByteBuffer(bytes: record), deadline: request.deadline)
        } catch {
            throw gatewayError(error)
        }
        logger.debug("exchanged records", metadata: ["requestBytes": "\(record.count)", "responseBytes": "\(response.readableBytes)"])
        return AdapterResponse(body: try operation.decodeResponse(response, adapter: declaration.name))
    }

    private func gatewayError(_ error: TransportError) -> GatewayError {
        let configuration = transport.configuration
        return GatewayError(
            transport: error, adapter: declaration.name, frameLimit: configuration.maximumFrameLength,
            maxConnections: configuration.maxConnections)
    }

    func status() async -> BackendStatus {
        let pool = await transport.status()
        let state: BackendStatus.State = pool.lastSucceeded.map { $0 ? .up : .down } ?? .unknown
        let configuration = transport.configuration
        var details: JSONObject = [
            "endpoint": .string("\(configuration.host):\(configuration.port)"),
            "framing": .string(configuration.framing.description),
            "encoding": .string(encoding),
            "pool": [
                "open": .number(String(pool.open)), "idle": .number(String(pool.idle)),
                "leased": .number(String(pool.leased)), "waiting": .number(String(pool.waiting)),
                "maxConnections": .number(String(pool.maxConnections)),
                "connectionsOpened": .number(String(pool.connectionsOpened)),
            ],
        ]
        if let error = pool.lastError, state == .down { details["lastError"] = .string(error) }
        return BackendStatus(state: state, details: details)
    }

    func shutdown() async {
        await transport.shutdown()
    }
}
