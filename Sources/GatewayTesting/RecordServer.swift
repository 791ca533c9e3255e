import NIOCore
import NIOPosix
import Synchronization
import Transports

/// A record-exchanging TCP server on loopback for tests and simulated backends: each framed
/// request goes to a handler whose `Reply` can also misbehave (close mid-record, stay silent…).
public final class RecordServer: Sendable {
    public enum Reply: Sendable {
        /// A well-formed answer, framed like the requests.
        case record([UInt8])
        /// Bytes written as they are, without framing.
        case raw([UInt8])
        /// Bytes written as they are, then the connection is closed.
        case rawThenClose([UInt8])
        case close
        /// No answer; the connection stays open.
        case silence
    }

    public typealias Handler = @Sendable (_ request: [UInt8]) async -> Reply

    /// Connection figures, for tests of pool limits and reconnection.
    public struct Statistics: Sendable, Equatable {
        public var accepted = 0
        public var active = 0
        public var maximumActive = 0
        public var requests = 0
    }

    public let port: Int
    private let statistics: Mutex<Statistics>
    private let task: Mutex<Task<Void, Never>?>
    private let serverChannel: any Channel

    private init(port: Int, serverChannel: any Channel) {
        self.port = port
        self.serverChannel = serverChannel
        self.statistics = Mutex(Statistics())
        self.task = Mutex(nil)
    }

    public var stats: Statistics { statistics.withLock { $0 } }

    public static func start(
        host: String = "127.0.0.1", port: Int = 0, framing: Framing,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, handler: @escaping Handler
    ) async throws -> RecordServer {
        let server = try await ServerBootstrap.testServer(group: group)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(framing: framing)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let boundPort = server.channel.localAddress?.port ?? port
        let recordServer = RecordServer(port: boundPort, serverChannel: server.channel)
        let task = Task<Void, Never> {
            await withDiscardingTaskGroup { group in
                try? await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        recordServer.statistics.withLock {
                            $0.accepted += 1
                            $0.active += 1
                            $0.maximumActive = max($0.maximumActive, $0.active)
                        }
                        group.addTask {
                            try? await connection.executeThenClose { input, output in
                                for try await frame in input {
                                    recordServer.statistics.withLock { $0.requests += 1 }
                                    switch await handler(Array(frame.readableBytesView)) {
                                    case .record(let bytes):
                                        try await output.write(framing.frame(ByteBuffer(bytes: bytes), allocator: .init()))
                                    case .raw(let bytes):
                                        try await output.write(ByteBuffer(bytes: bytes))
                                    case .rawThenClose(let bytes):
                                        try await output.write(ByteBuffer(bytes: bytes))
                                        return
                                    case .close:
                                        return
                                    case .silence:
                                        continue
                                    }
                                }
                            }
                            recordServer.statistics.withLock { $0.active -= 1 }
                        }
                    }
                }
            }
        }
        recordServer.task.withLock { $0 = task }
        return recordServer
    }

    /// Stops accepting and closes every connection.
    public func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        try? await serverChannel.close()
        await task?.value
    }
}

/// Splits inbound bytes into request frames with the transport's own framing code.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let framing: Framing

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        switch framing.extract(from: &buffer, maximumLength: 1 << 20) {
        case .needMoreData: return .needMoreData
        case .frame(let frame):
            context.fireChannelRead(wrapInboundOut(frame))
            return .continue
        case .tooLong(let length): throw TransportError.frameTooLong(length)
        }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

extension ServerBootstrap {
    /// The listener every test server uses: the address reusable at once, a deep accept backlog.
    static func testServer(group: any EventLoopGroup) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
    }
}
