import GatewayCore
import Synchronization

/// Everything the resilience layer knows about one backend: its circuit breaker, retry budget,
/// bulkhead and maintenance windows, and counters for `/status` and metrics. Shared by the
/// middlewares of one adapter; state machines are changed under a lock, I/O happens outside it.
public final class BackendGuard: Sendable {
    public let name: String
    public let policy: ResiliencePolicy
    public let clock: ResilienceClock
    let limit: ConcurrencyLimit
    private let state: Mutex<State>

    struct State {
        var breaker: CircuitBreaker
        var budget: RetryBudget
        var counters = Counters()
    }

    /// Monotonic counts since start (names are stable: they become metric names).
    public struct Counters: Sendable, Equatable {
        public var calls = 0
        public var failures = 0
        public var retries = 0
        public var retryBudgetExhausted = 0
        public var rejectedOpen = 0
        public var maintenanceRejected = 0
        public var breakerOpened = 0
        public var breakerClosed = 0
    }

    public init(name: String, policy: ResiliencePolicy, clock: ResilienceClock = .system) {
        self.name = name
        self.policy = policy
        self.clock = clock
        let now = clock.now()
        limit = ConcurrencyLimit(configuration: policy.concurrency)
        state = Mutex(State(
            breaker: CircuitBreaker(configuration: policy.circuitBreaker, now: now),
            budget: RetryBudget(configuration: RetryBudget.Configuration(policy.retry), now: now)))
    }

    public var counters: Counters { state.withLock { $0.counters } }
    public var circuit: CircuitBreaker.State { state.withLock { $0.breaker.state } }

    /// Asks the breaker; counts the call (and any rejection).
    func admit() -> CircuitBreaker.Decision {
        let now = clock.now()
        return state.withLock { state in
            let (decision, _) = state.breaker.acquire(at: now)
            if case .reject = decision { state.counters.rejectedOpen += 1 } else { state.counters.calls += 1 }
            return decision
        }
    }

    func record(success: Bool, trial: Bool) {
        let now = clock.now()
        state.withLock { state in
            if !success { state.counters.failures += 1 }
            switch state.breaker.record(success: success, trial: trial, at: now) {
            case .open?: state.counters.breakerOpened += 1
            case .closed?: state.counters.breakerClosed += 1
            default: break
            }
        }
    }

    func recordFirstAttempt() {
        let now = clock.now()
        state.withLock { $0.budget.recordCall(at: now) }
    }

    /// Takes a retry from the budget; false (and counted) when it is spent.
    func withdrawRetry() -> Bool {
        let now = clock.now()
        return state.withLock { state in
            let granted = state.budget.withdraw(at: now)
            if granted { state.counters.retries += 1 } else { state.counters.retryBudgetExhausted += 1 }
            return granted
        }
    }

    func count(_ update: (inout Counters) -> Void) {
        state.withLock { update(&$0.counters) }
    }

    /// The end of the maintenance window the backend is in now, if any.
    func maintenanceEnd() -> (end: ContinuousClock.Instant, seconds: Int)? {
        let date = clock.date()
        for window in policy.maintenance {
            guard let end = window.end(ifInside: date) else { continue }
            let seconds = max(1, Int((end.timeIntervalSince(date)).rounded(.up)))
            return (clock.now() + .seconds(seconds), seconds)
        }
        return nil
    }

    /// `/status`: the circuit, the bulkhead and the counters.
    public var status: JSONObject {
        let now = clock.now()
        let (breaker, counters) = state.withLock { ($0.breaker, $0.counters) }
        let load = limit.snapshot
        var circuit: JSONObject = ["state": .string(breaker.state.rawValue)]
        if let retryAfter = breaker.retryAfter(at: now) { circuit["retryAfterSeconds"] = .number(String(retryAfter.components.seconds + 1)) }
        let inMaintenance = maintenanceEnd() != nil
        return [
            "circuit": .object(circuit),
            "maintenance": .bool(inMaintenance),
            "inFlight": .number(String(load.inFlight)),
            "queued": .number(String(load.queued)),
            "counters": .object([
                "calls": .number(String(counters.calls)), "failures": .number(String(counters.failures)),
                "retries": .number(String(counters.retries)), "retryBudgetExhausted": .number(String(counters.retryBudgetExhausted)),
                "rejectedOpen": .number(String(counters.rejectedOpen)), "shed": .number(String(load.shed)),
                "maintenanceRejected": .number(String(counters.maintenanceRejected)),
                "breakerOpened": .number(String(counters.breakerOpened)), "breakerClosed": .number(String(counters.breakerClosed)),
            ]),
        ]
    }

    /// Whether an error is the backend failing (it counts against the circuit): backend-layer
    /// errors with a 5xx status, and anything unexpected. A 4xx mapped from a legacy return code
    /// (not found, invalid) is the backend answering, not failing.
    public static func isFailure(_ error: any Error) -> Bool {
        if error is CancellationError { return false }
        guard let error = error as? GatewayError else { return true }
        return error.layer == .backend && error.status >= 500
    }
}
