import GatewayCore
import Synchronization

/// One backend call that every concurrent identical miss waits for (request coalescing). Waiters
/// are resumed when it ends — never polled — and each stops waiting at its own deadline.
final class Flight: Sendable {
    typealias Outcome = Result<AdapterResponse, any Error>

    private struct State {
        var outcome: Outcome?
        var waiters: [Int: CheckedContinuation<Outcome?, Never>] = [:]
        var nextId = 0
        var arriving: Set<Int> = []
        var abandoned: Set<Int> = []
    }

    private let state = Mutex(State())

    /// Ends the flight: every waiter gets the outcome.
    func finish(_ outcome: Outcome) {
        let waiters = state.withLock { state in
            state.outcome = outcome
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    /// The outcome, or nil when `timeout` passed (or the task was cancelled) first.
    func wait(timeout: Duration) async -> Outcome? {
        let id: Int = state.withLock { state in
            state.nextId += 1
            state.arriving.insert(state.nextId)
            return state.nextId
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.giveUp(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome?, Never>) in
                let ready = state.withLock { state -> (Bool, Outcome?) in
                    state.arriving.remove(id)
                    if state.abandoned.remove(id) != nil { return (true, nil) }
                    if let outcome = state.outcome { return (true, outcome) }
                    state.waiters[id] = continuation
                    return (false, nil)
                }
                if ready.0 { continuation.resume(returning: ready.1) }
            }
        } onCancel: {
            self.giveUp(id)
        }
    }

    private func giveUp(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Outcome?, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            if state.arriving.contains(id) { state.abandoned.insert(id) }
            return nil
        }
        waiter?.resume(returning: nil)
    }
}
