import Testing

@testable import Transports

@Suite("Pool state machine")
struct PoolStateMachineTests {
    @Test func opensUpToTheLimitThenQueues() {
        var pool = PoolStateMachine(maxConnections: 2)
        #expect(pool.lease(waiter: 1) == .connect)
        #expect(pool.lease(waiter: 2) == .connect)
        #expect(pool.lease(waiter: 3) == .wait)
        let first = pool.connected(101)
        let second = pool.connected(102)
        #expect(first && second)
        #expect(pool.open == 2)
        // A returned connection goes straight to the oldest waiter.
        #expect(pool.release(101, reusable: true) == .init(close: nil, wake: .handOver(connection: 101, waiter: 3)))
        #expect(pool.release(101, reusable: true) == .init())
        #expect(pool.lease(waiter: 4) == .use(101))
    }

    @Test func aFailedConnectionFreesItsSlotForTheNextWaiter() {
        var pool = PoolStateMachine(maxConnections: 1)
        #expect(pool.lease(waiter: 1) == .connect)
        #expect(pool.lease(waiter: 2) == .wait)
        #expect(pool.lease(waiter: 3) == .wait)
        #expect(pool.connectFailed() == .connect(waiter: 2))
        #expect(pool.open == 1)
        #expect(pool.waiters == [3])
    }

    @Test func brokenConnectionsAreClosedAndReplaced() {
        var pool = PoolStateMachine(maxConnections: 1)
        _ = pool.lease(waiter: 1)
        _ = pool.connected(7)
        #expect(pool.lease(waiter: 2) == .wait)
        #expect(pool.release(7, reusable: false) == .init(close: 7, wake: .connect(waiter: 2)))
        _ = pool.connected(8)
        _ = pool.release(8, reusable: true)
        // The peer closes the idle connection: it leaves the pool, and the slot is free.
        #expect(pool.closed(8) == nil)
        #expect(pool.open == 0)
        #expect(pool.lease(waiter: 3) == .connect)
    }

    @Test func closingALeasedConnectionWaitsForItsRelease() {
        var pool = PoolStateMachine(maxConnections: 1)
        _ = pool.lease(waiter: 1)
        _ = pool.connected(5)
        #expect(pool.closed(5) == nil)
        #expect(pool.open == 1, "still leased until the caller releases it")
        #expect(pool.release(5, reusable: false).close == 5)
        #expect(pool.open == 0)
    }

    @Test func abandonedWaitersAreForgotten() {
        var pool = PoolStateMachine(maxConnections: 1)
        _ = pool.lease(waiter: 1)
        _ = pool.connected(5)
        _ = pool.lease(waiter: 2)
        _ = pool.lease(waiter: 3)
        let abandoned = pool.abandon(waiter: 2)
        let again = pool.abandon(waiter: 2)
        #expect(abandoned && !again)
        #expect(pool.release(5, reusable: true).wake == .handOver(connection: 5, waiter: 3))
    }

    @Test func shutdownFailsWaitersAndRefusesNewLeases() {
        var pool = PoolStateMachine(maxConnections: 1)
        _ = pool.lease(waiter: 1)
        _ = pool.connected(5)
        _ = pool.lease(waiter: 2)
        let stopped = pool.shutdown()
        #expect(stopped.waiters == [2])
        #expect(pool.lease(waiter: 3) == .fail(.shuttingDown))
        #expect(pool.release(5, reusable: true) == .init(close: 5, wake: nil))
        #expect(pool.open == 0)
    }

    @Test func aConnectionThatOpensDuringShutdownIsClosed() {
        var pool = PoolStateMachine(maxConnections: 1)
        _ = pool.lease(waiter: 1)
        _ = pool.shutdown()
        let kept = pool.connected(9)
        #expect(!kept)
        #expect(pool.open == 0)
    }
}
