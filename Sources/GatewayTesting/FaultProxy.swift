import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy between the gateway and a backend that misbehaves on demand — the faults legacy
/// systems and their networks produce — so that tests can show what the resilience layer does
/// about each. Framing-agnostic: it forwards bytes.
///
/// ```
/// gateway ──▶ FaultProxy(port) ──▶ backend(targetPort)
///               │ latency: each answer chunk held back
///               │ reset: the connection closed as soon as a request arrives
///               │ truncate(n): n bytes of the answer, then closed
///               │ blackhole: accepted, read, never answered
///               └ refuse: not listening (connection refused)
/// ```
public final class FaultProxy: Sendable {
    public enum Fault: Sendable, Equatable {
        case none
        case latency(Duration)
        case reset
        case truncate(bytes: Int)
        case blackhole
        case refuse
    }

    public let port: Int
    private let targetHost: String
    private let targetPort: Int
    private let group: any EventLoopGroup
    private struct State {
        var fault: Fault = .none
        var listener: (any Channel)?
        var task: Task<Void, Never>?
        var accepted = 0
        var forwarded = 0
        /// Open client connections: a new fault closes them, so that it applies from the next call.
        var open: [ObjectIdentifier: any Channel] = [:]
    }
    private let state = Mutex(State())

    private init(port: Int, targetHost: String, targetPort: Int, group: any EventLoopGroup) {
        self.port = port
        self.targetHost = targetHost
        self.targetPort = targetPort
        self.group = group
    }

    /// Starts listening on `port` (a free one by default) on loopback, forwarding to `targetPort`.
    public static func start(
        port: Int = 0, targetHost: String = "127.0.0.1", targetPort: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> FaultProxy {
        let (channel, port) = try await bind(port: port, group: group)
        let proxy = FaultProxy(port: port, targetHost: targetHost, targetPort: targetPort, group: group)
        proxy.serve(channel)
        return proxy
    }

    /// Connections accepted, and those passed on to the backend (what the backend saw).
    public var counts: (accepted: Int, forwarded: Int) { state.withLock { ($0.accepted, $0.forwarded) } }

    public var fault: Fault { state.withLock { $0.fault } }

    /// Changes the fault for connections and answers from now on; `refuse` stops listening and
    /// any other fault listens again on the same port.
    public func set(_ fault: Fault) async throws {
        let (previous, listener, task, open) = state.withLock { state in
            defer { state.fault = fault; state.open = [:] }
            return (state.fault, state.listener, state.task, Array(state.open.values))
        }
        for channel in open { try? await channel.close() }
        if fault == .refuse, previous != .refuse {
            state.withLock { $0.listener = nil; $0.task = nil }
            try? await listener?.close()
            task?.cancel()
            await task?.value
        } else if fault != .refuse, previous == .refuse {
            let (channel, _) = try await Self.bind(port: port, group: group)
            serve(channel)
        }
    }

    public func stop() async {
        let (listener, task) = state.withLock { state in
            defer { state.listener = nil; state.task = nil }
            return (state.listener, state.task)
        }
        try? await listener?.close()
        task?.cancel()
        await task?.value
    }

    // MARK: Forwarding

    private typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    private static func bind(port: Int, group: any EventLoopGroup) async throws -> (NIOAsyncChannel<Connection, Never>, Int) {
        let server = try await ServerBootstrap.testServer(group: group)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
            }
        return (server, server.channel.localAddress?.port ?? port)
    }

    private func serve(_ server: NIOAsyncChannel<Connection, Never>) {
        let task = Task<Void, Never> {
            await withDiscardingTaskGroup { group in
                try? await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        state.withLock {
                            $0.accepted += 1
                            $0.open[ObjectIdentifier(connection.channel)] = connection.channel
                        }
                        group.addTask { await self.handle(connection) }
                    }
                }
            }
        }
        state.withLock { $0.listener = server.channel; $0.task = task }
    }

    private func handle(_ client: Connection) async {
        defer { _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(client.channel)) } }
        try? await client.executeThenClose { clientIn, clientOut in
            switch fault {
            case .blackhole:
                for try await _ in clientIn {}
                return
            case .reset:
                var iterator = clientIn.makeAsyncIterator()
                _ = try await iterator.next()
                return
            case .refuse:
                // Accepted just before the listener closed: closed at once, never forwarded.
                return
            default:
                break
            }
            let backend = try await ClientBootstrap(group: group).connect(host: targetHost, port: targetPort) { channel in
                channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
            }
            state.withLock { $0.forwarded += 1 }
            try await backend.executeThenClose { backendIn, backendOut in
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask {
                        for try await chunk in clientIn {
                            if self.fault == .reset { return }
                            try await backendOut.write(chunk)
                        }
                    }
                    tasks.addTask {
                        var sent = 0
                        for try await chunk in backendIn {
                            switch self.fault {
                            case .latency(let delay):
                                try await Task.sleep(for: delay)
                                try await clientOut.write(chunk)
                            case .truncate(let bytes):
                                let part = chunk.getSlice(at: chunk.readerIndex, length: max(0, min(bytes - sent, chunk.readableBytes)))
                                if let part, part.readableBytes > 0 { try await clientOut.write(part) }
                                sent += part?.readableBytes ?? 0
                                if sent >= bytes { return }
                            case .blackhole:
                                continue
                            default:
                                try await clientOut.write(chunk)
                            }
                        }
                    }
                    // Either side ending ends the exchange: both connections are closed.
                    try await tasks.next()
                    tasks.cancelAll()
                }
            }
        }
    }
}
