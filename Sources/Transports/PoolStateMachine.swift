/// The bookkeeping of a connection pool as a value: each event returns what the owner must do
/// (use, open or close a connection, wake a waiter), and the owner does it outside any lock.
///
/// Invariant: `idle.count + leased.count + connecting <= maxConnections`. Waiters are served in
/// arrival order: a returned connection goes straight to the oldest waiter, and a freed slot is
/// used to open a connection on the oldest waiter's behalf.
struct PoolStateMachine: Sendable {
    enum LeaseAction: Equatable {
        /// Use this idle connection.
        case use(Int)
        /// Open a new connection for the caller (a slot is reserved).
        case connect
        /// Queue the caller until a connection or slot frees, or its deadline.
        case wait
        case fail(TransportError)
    }

    enum WakeAction: Equatable {
        /// Give this connection to the waiter.
        case handOver(connection: Int, waiter: Int)
        /// Open a connection on the waiter's behalf (a slot is reserved).
        case connect(waiter: Int)
    }

    struct ReleaseAction: Equatable {
        /// Close this connection (it failed, or the pool is shutting down).
        var close: Int?
        var wake: WakeAction?
    }

    let maxConnections: Int
    private(set) var idle: [Int] = []
    private(set) var leased: Set<Int> = []
    private(set) var connecting = 0
    private(set) var waiters: [Int] = []
    private(set) var shuttingDown = false

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    var open: Int { idle.count + leased.count + connecting }

    mutating func lease(waiter: Int) -> LeaseAction {
        if shuttingDown { return .fail(.shuttingDown) }
        if let connection = idle.popLast() {
            leased.insert(connection)
            return .use(connection)
        }
        if open < maxConnections {
            connecting += 1
            return .connect
        }
        waiters.append(waiter)
        return .wait
    }

    /// A connection opened for a reserved slot; false means close it at once (shutting down).
    mutating func connected(_ connection: Int) -> Bool {
        connecting -= 1
        guard !shuttingDown else { return false }
        leased.insert(connection)
        return true
    }

    /// Opening a connection failed: its slot is free again.
    mutating func connectFailed() -> WakeAction? {
        connecting -= 1
        return wakeForFreeSlot()
    }

    mutating func release(_ connection: Int, reusable: Bool) -> ReleaseAction {
        guard leased.remove(connection) != nil else { return ReleaseAction() }
        if reusable, !shuttingDown {
            if !waiters.isEmpty {
                leased.insert(connection)
                return ReleaseAction(wake: .handOver(connection: connection, waiter: waiters.removeFirst()))
            }
            idle.append(connection)
            return ReleaseAction()
        }
        return ReleaseAction(close: connection, wake: wakeForFreeSlot())
    }

    /// The peer closed a connection. An idle one leaves the pool now; a leased one when released.
    mutating func closed(_ connection: Int) -> WakeAction? {
        guard let index = idle.firstIndex(of: connection) else { return nil }
        idle.remove(at: index)
        return wakeForFreeSlot()
    }

    /// A waiter gave up (deadline or cancellation); false if it was already served.
    mutating func abandon(waiter: Int) -> Bool {
        guard let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Stop: every waiter fails, every idle connection closes; leased ones close when released.
    mutating func shutdown() -> (waiters: [Int], idle: [Int]) {
        shuttingDown = true
        defer {
            waiters = []
            idle = []
        }
        return (waiters, idle)
    }

    private mutating func wakeForFreeSlot() -> WakeAction? {
        guard !shuttingDown, !waiters.isEmpty, open < maxConnections else { return nil }
        connecting += 1
        return .connect(waiter: waiters.removeFirst())
    }
}
