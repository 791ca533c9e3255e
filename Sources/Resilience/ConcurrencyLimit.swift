import GatewayCore
import Synchronization

/// A bulkhead: at most `maximum` calls to a backend at once (what the legacy system can take),
/// then a bounded queue, then shedding. Waiters are resumed in order when a call ends — never
/// polled — and each gives up at its own deadline.
public final class ConcurrencyLimit: Sendable {
    public typealias Configuration = ResiliencePolicy.Concurrency

    public enum Admission: Sendable, Equatable {
        case admitted
        /// The queue is full.
        case shed
        /// The deadline came first (or the task was cancelled) while waiting.
        case timedOut
    }

    /// The state machine under the lock: places, and waiters by id in arrival order.
    struct State {
        var inFlight = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Admission, Never>)] = []
        var nextId = 0
        /// Waiters between deciding to wait and being queued, and those of them already given up.
        var arriving: Set<Int> = []
        var abandoned: Set<Int> = []
        var shed = 0
        var peakQueue = 0
    }

    public let configuration: Configuration
    private let state = Mutex(State())

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Calls in flight, waiters, shed so far, the longest queue seen.
    public var snapshot: (inFlight: Int, queued: Int, shed: Int, peakQueue: Int) {
        state.withLock { ($0.inFlight, $0.waiters.count, $0.shed, $0.peakQueue) }
    }

    /// Waits for a place until `timeout` has passed; `release()` must follow an admission.
    public func acquire(timeout: Duration) async -> Admission {
        enum Immediate { case admitted, shed, wait(Int) }
        let first: Immediate = state.withLock { state in
            if state.inFlight < configuration.maximum {
                state.inFlight += 1
                return .admitted
            }
            guard (state.waiters.count + state.arriving.count < configuration.queue) && (timeout > .zero) else {
                state.shed += 1
                return .shed
            }
            state.nextId += 1
            state.arriving.insert(state.nextId)
            return .wait(state.nextId)
        }
        let id: Int
        switch first {
        case .admitted: return .admitted
        case .shed: return .shed
        case .wait(let waiter): id = waiter
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.giveUp(id)
        }
        let admission = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Admission, Never>) in
                let immediate = state.withLock { state -> Admission? in
                    state.arriving.remove(id)
                    if state.abandoned.remove(id) != nil { return .timedOut }
                    // A place may have come free between the two locks.
                    if state.inFlight < configuration.maximum {
                        state.inFlight += 1
                        return .admitted
                    }
                    state.waiters.append((id, continuation))
                    state.peakQueue = max(state.peakQueue, state.waiters.count)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            self.giveUp(id)
        }
        timer.cancel()
        return admission
    }

    /// Ends a call: its place goes to the first waiter, or is freed.
    public func release() {
        let next = state.withLock { state -> CheckedContinuation<Admission, Never>? in
            guard !state.waiters.isEmpty else {
                state.inFlight -= 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: .admitted)
    }

    private func giveUp(_ id: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Admission, Never>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                if state.arriving.contains(id) { state.abandoned.insert(id) }
                return nil
            }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(returning: .timedOut)
    }
}
