import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A bounded pool of connections to one backend, driven by `PoolStateMachine`: at most
/// `maxConnections` open at once, idle ones reused, broken ones dropped and replaced, callers
/// beyond the limit queued in arrival order until their deadline.
final class ConnectionPool: Sendable {
    /// What a caller gets when its turn comes.
    private enum Turn: Sendable {
        case use(PooledConnection)
        case connect
        case fail(TransportError)
    }

    private struct Waiter {
        var continuation: CheckedContinuation<Turn, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var machine: PoolStateMachine
        var connections: [Int: PooledConnection] = [:]
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
        var lastSucceeded: Bool?
        var lastError: String?
        var connectionsOpened = 0

        mutating func makeID() -> Int {
            nextID += 1
            return nextID
        }

        /// Serves a waiter; resuming a continuation does not block, so this may run under the lock.
        mutating func perform(_ action: PoolStateMachine.WakeAction?) {
            switch action {
            case .handOver(let connection, let waiter):
                serve(waiter, .use(connections[connection]!))
            case .connect(let waiter):
                serve(waiter, .connect)
            case nil:
                break
            }
        }

        mutating func serve(_ id: Int, _ turn: Turn) {
            guard let waiter = waiters.removeValue(forKey: id) else { return }
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: turn)
        }
    }

    private let configuration: TCPTransport.Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state: Mutex<State>

    init(configuration: TCPTransport.Configuration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.state = Mutex(State(machine: PoolStateMachine(maxConnections: configuration.maxConnections)))
    }

    func lease(deadline: NIODeadline) async throws(TransportError) -> PooledConnection {
        while true {
            switch await turn(deadline: deadline) {
            case .use(let connection):
                if connection.isActive { return connection }
                release(connection, reusable: false)
            case .connect:
                return try await open(deadline: deadline)
            case .fail(let error):
                throw error
            }
        }
    }

    /// Gives a connection back; one whose exchange failed (or that closed) is closed, not reused.
    func release(_ connection: PooledConnection, reusable: Bool) {
        let toClose = state.withLock { state -> PooledConnection? in
            let action = state.machine.release(connection.id, reusable: reusable && connection.isActive)
            state.perform(action.wake)
            return action.close.flatMap { state.connections.removeValue(forKey: $0) }
        }
        toClose?.close()
    }

    func record(success: Bool, error: String? = nil) {
        state.withLock {
            $0.lastSucceeded = success
            if let error { $0.lastError = error }
        }
    }

    func status() -> PoolStatus {
        state.withLock { state in
            PoolStatus(
                open: state.machine.open, idle: state.machine.idle.count, leased: state.machine.leased.count,
                waiting: state.machine.waiters.count, maxConnections: configuration.maxConnections,
                lastSucceeded: state.lastSucceeded, lastError: state.lastError, connectionsOpened: state.connectionsOpened)
        }
    }

    /// Fails every waiter and closes every connection (in-flight requests have drained by now).
    func shutdown() async {
        let connections = state.withLock { state -> [PooledConnection] in
            let stopped = state.machine.shutdown()
            for waiter in stopped.waiters { state.serve(waiter, .fail(.shuttingDown)) }
            defer { state.connections = [:] }
            return Array(state.connections.values)
        }
        for connection in connections {
            try? await connection.channel.close()
        }
    }

    /// Waits for this caller's turn: an idle connection, a free slot, or its deadline.
    private func turn(deadline: NIODeadline) async -> Turn {
        let id = state.withLock { $0.makeID() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
                state.withLock { state in
                    switch state.machine.lease(waiter: id) {
                    case .use(let connection):
                        continuation.resume(returning: .use(state.connections[connection]!))
                    case .connect:
                        continuation.resume(returning: .connect)
                    case .fail(let error):
                        continuation.resume(returning: .fail(error))
                    case .wait where Task.isCancelled:
                        _ = state.machine.abandon(waiter: id)
                        continuation.resume(returning: .fail(.poolExhausted))
                    case .wait:
                        let timer = Task { [weak self] in
                            let delay = deadline - .now()
                            if delay > .zero { try? await Task.sleep(for: .nanoseconds(delay.nanoseconds)) }
                            guard !Task.isCancelled else { return }
                            self?.abandon(id)
                        }
                        state.waiters[id] = Waiter(continuation: continuation, timer: timer)
                    }
                }
            }
        } onCancel: {
            abandon(id)
        }
    }

    private func abandon(_ id: Int) {
        state.withLock { state in
            if state.machine.abandon(waiter: id) { state.serve(id, .fail(.poolExhausted)) }
        }
    }

    /// Opens a connection for a slot the state machine reserved.
    private func open(deadline: NIODeadline) async throws(TransportError) -> PooledConnection {
        let channel: any Channel
        do {
            channel = try await connect(deadline: deadline)
        } catch {
            state.withLock { state in
                state.perform(state.machine.connectFailed())
                state.lastSucceeded = false
                state.lastError = "\(error)"
            }
            throw error
        }
        let connection = state.withLock { state -> PooledConnection? in
            let connection = PooledConnection(id: state.makeID(), channel: channel)
            guard state.machine.connected(connection.id) else { return nil }
            state.connections[connection.id] = connection
            state.connectionsOpened += 1
            return connection
        }
        guard let connection else {
            channel.close(promise: nil)
            throw .shuttingDown
        }
        let id = connection.id
        channel.closeFuture.whenComplete { [weak self] _ in self?.closed(id) }
        logger.debug("connection opened", metadata: ["connection": "\(id)"])
        return connection
    }

    /// The channel closed (peer, error or us): an idle connection leaves the pool at once.
    private func closed(_ id: Int) {
        state.withLock { state in
            state.perform(state.machine.closed(id))
            if !state.machine.leased.contains(id) { state.connections[id] = nil }
        }
    }

    private func connect(deadline: NIODeadline) async throws(TransportError) -> any Channel {
        let timeout = min(configuration.connectTimeout, deadline - .now())
        guard timeout > .zero else { throw .connectTimeout }
        let framing = configuration.framing
        let maximumFrameLength = configuration.maximumFrameLength
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ExchangeHandler(framing: framing, maximumFrameLength: maximumFrameLength))
                }
            }
        do {
            return try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch ChannelError.connectTimeout {
            throw .connectTimeout
        } catch {
            throw .connectFailed(Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}
