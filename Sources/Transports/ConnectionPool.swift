import Logging
import NIOCore
import NIOPosix

/// A bounded pool of connections to one backend: at most `maxConnections` open at once, idle
/// ones reused, broken ones dropped and replaced, callers beyond the limit queued until their deadline.
actor ConnectionPool {
    private let configuration: TCPTransport.Configuration
    private let group: any EventLoopGroup
    private let logger: Logger

    private var idle: [PooledConnection] = []
    private var connections: [Int: PooledConnection] = [:]
    /// Connections open or being opened.
    private var open = 0
    private var nextID = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>, timer: Task<Void, Never>)] = []
    private var shuttingDown = false
    private var lastSucceeded: Bool?
    private var lastError: String?
    private var connectionsOpened = 0

    init(configuration: TCPTransport.Configuration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    func lease(deadline: NIODeadline) async throws(TransportError) -> PooledConnection {
        while true {
            if shuttingDown { throw .shuttingDown }
            while let connection = idle.popLast() {
                if connection.isActive { return connection }
                forget(connection)
            }
            if open < configuration.maxConnections {
                open += 1
                let connection: PooledConnection
                do throws(TransportError) {
                    connection = try await connect(deadline: deadline)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
                if shuttingDown {
                    connection.close()
                    throw .shuttingDown
                }
                return connection
            }
            try await waitForSlot(deadline: deadline)
        }
    }

    /// Gives a connection back; a connection whose exchange failed is closed, not reused.
    func release(_ connection: PooledConnection, reusable: Bool) {
        if reusable, connection.isActive, !shuttingDown {
            idle.append(connection)
        } else {
            connection.close()
            forget(connection)
        }
        wakeOne()
    }

    func record(success: Bool, error: String? = nil) {
        lastSucceeded = success
        if let error { lastError = error }
    }

    func status() -> PoolStatus {
        PoolStatus(
            open: open, idle: idle.count, leased: open - idle.count, waiting: waiters.count,
            maxConnections: configuration.maxConnections, lastSucceeded: lastSucceeded, lastError: lastError,
            connectionsOpened: connectionsOpened)
    }

    func shutdown() async {
        shuttingDown = true
        for waiter in waiters {
            waiter.timer.cancel()
            waiter.continuation.resume(throwing: TransportError.shuttingDown)
        }
        waiters.removeAll()
        let all = Array(connections.values)
        idle.removeAll()
        for connection in all {
            try? await connection.channel.close()
        }
    }

    /// Called when a connection's channel closes, whether idle or leased.
    private func closed(_ id: Int) {
        guard let connection = connections[id] else { return }
        idle.removeAll { $0 === connection }
        forget(connection)
        wakeOne()
    }

    private func forget(_ connection: PooledConnection) {
        if connections.removeValue(forKey: connection.id) != nil { open -= 1 }
    }

    private func wakeOne() {
        guard !waiters.isEmpty else { return }
        let waiter = waiters.removeFirst()
        waiter.timer.cancel()
        waiter.continuation.resume()
    }

    private func waitForSlot(deadline: NIODeadline) async throws(TransportError) {
        nextID += 1
        let id = nextID
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let timer = Task { [weak self] in
                        let delay = deadline - .now()
                        if delay > .zero { try? await Task.sleep(for: .nanoseconds(delay.nanoseconds)) }
                        if Task.isCancelled { return }
                        await self?.expire(id, error: .poolExhausted)
                    }
                    waiters.append((id, continuation, timer))
                }
            } onCancel: {
                Task { [weak self] in await self?.expire(id, error: .poolExhausted) }
            }
        } catch let error as TransportError {
            throw error
        } catch {
            throw .poolExhausted
        }
    }

    private func expire(_ id: Int, error: TransportError) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timer.cancel()
        waiter.continuation.resume(throwing: error)
    }

    private func connect(deadline: NIODeadline) async throws(TransportError) -> PooledConnection {
        let remaining = deadline - .now()
        let timeout = min(configuration.connectTimeout, remaining)
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
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch let error as ChannelError {
            lastSucceeded = false
            if case .connectTimeout = error {
                lastError = "connect timeout"
                throw .connectTimeout
            }
            lastError = "\(error)"
            throw .connectFailed("\(error)")
        } catch {
            lastSucceeded = false
            let reason = Self.describe(error)
            lastError = reason
            throw .connectFailed(reason)
        }
        nextID += 1
        connectionsOpened += 1
        let connection = PooledConnection(id: nextID, channel: channel)
        connections[connection.id] = connection
        let id = connection.id
        channel.closeFuture.whenComplete { [weak self] _ in
            Task { await self?.closed(id) }
        }
        logger.debug("connection opened", metadata: ["backend": "\(configuration.host):\(configuration.port)", "connection": "\(id)"])
        return connection
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}
