import Logging
import NIOCore
import NIOPosix

/// Record exchange over pooled TCP connections with a declared framing.
public final class TCPTransport: LegacyTransport {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var framing: Framing
        /// The most connections the backend accepts from this gateway. Default: 4.
        public var maxConnections: Int
        /// How long opening one connection may take. Default: 1 s.
        public var connectTimeout: TimeAmount
        /// How long one response may take once the request is written. Default: 5 s.
        public var readTimeout: TimeAmount
        /// Frames announcing more than this are refused. Default: 1 MiB.
        public var maximumFrameLength: Int

        public init(
            host: String, port: Int, framing: Framing, maxConnections: Int = 4, connectTimeout: TimeAmount = .seconds(1),
            readTimeout: TimeAmount = .seconds(5), maximumFrameLength: Int = 1 << 20
        ) {
            self.host = host
            self.port = port
            self.framing = framing
            self.maxConnections = maxConnections
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.maximumFrameLength = maximumFrameLength
        }
    }

    public let configuration: Configuration
    private let pool: ConnectionPool

    public init(configuration: Configuration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.pool = ConnectionPool(configuration: configuration, group: eventLoopGroup, logger: logger)
    }

    public func roundTrip(_ request: ByteBuffer, deadline: NIODeadline) async throws(TransportError) -> ByteBuffer {
        guard request.readableBytes <= configuration.framing.maximumRecordLength else {
            throw .frameTooLong(request.readableBytes)
        }
        let connection = try await pool.lease(deadline: deadline)
        // Never send a request whose caller has already given up: the backend would act on it.
        guard deadline > .now() else {
            pool.release(connection, reusable: true)
            throw .readTimeout
        }
        let readDeadline = min(deadline, .now() + configuration.readTimeout)
        do {
            let response = try await connection.exchange(request, readDeadline: readDeadline)
            pool.record(success: true)
            pool.release(connection, reusable: true)
            return response
        } catch {
            pool.record(success: false, error: "\(error)")
            pool.release(connection, reusable: false)
            throw error
        }
    }

    public func status() async -> PoolStatus {
        pool.status()
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}
