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
        var latency = LatencyHistogram()
    }

    /// Attempt durations, in Prometheus's cumulative-bucket shape.
    public struct LatencyHistogram: Sendable, Equatable {
        /// Upper bounds in seconds; a last, implicit bucket is +Inf.
        public static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        public var counts = Array(repeating: 0, count: bounds.count + 1)
        public var sum = 0.0

        mutating func record(_ duration: Duration) {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            sum += seconds
            counts[Self.bounds.firstIndex { seconds <= $0 } ?? Self.bounds.count] += 1
        }
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
    public var latency: LatencyHistogram { state.withLock { $0.latency } }
    /// Calls in flight, waiting, and shed so far by the bulkhead.
    public var load: (inFlight: Int, queued: Int, shed: Int) {
        let snapshot = limit.snapshot
        return (snapshot.inFlight, snapshot.queued, snapshot.shed)
    }
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

    func returnTrial(_ trial: Int) {
        state.withLock { $0.breaker.returnTrial(trial) }
    }

    func record(success: Bool, trial: Int?, duration: Duration? = nil) {
        let now = clock.now()
        state.withLock { state in
            if let duration { state.latency.record(duration) }
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

    /// What an attempt's error says about the backend: it failed (a backend or mapping error with
    /// a 5xx status — unreachable, timed out, a server fault, an answer that cannot be read — or
    /// anything unexpected), it answered (a 4xx mapped from a legacy return code is an answer), or
    /// nothing at all (the gateway refused the call itself: shed, cancelled).
    public enum Verdict: Sendable { case failed, answered, untouched }

    public static func verdict(_ error: any Error) -> Verdict {
        if error is CancellationError { return .untouched }
        guard let error = error as? GatewayError else { return .failed }
        if error.layer == .gateway { return .untouched }
        return error.status >= 500 ? .failed : .answered
    }
}
