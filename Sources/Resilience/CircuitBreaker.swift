import GatewayCore

/// The circuit breaker of one backend, as a value-type state machine: the owner asks before each
/// call, reports each outcome, and performs whatever the answers say outside any lock. Time is
/// passed in, never read, so tests drive it with any instants they like.
///
/// ```
///            failure ratio ≥ limit over the window (with enough calls), or N failures in a row
///   closed ─────────────────────────────────────────────────────────────────────────────▶ open
///     ▲                                                                                    │ open-for
///     │ every trial succeeded                                      a trial failed          ▼
///     └──────────────────────────────────── half-open ◀─────────────────────────────── (elapsed)
///                                             │  └──── trial calls only; others rejected
///                                             └──────────────────────────────────────────▶ open
/// ```
public struct CircuitBreaker: Sendable {
    public typealias Configuration = ResiliencePolicy.CircuitBreaker

    public enum State: String, Sendable {
        case closed
        case open
        case halfOpen = "half-open"
    }

    public enum Decision: Sendable, Equatable {
        /// Call the backend; a trial call (with the half-open period it belongs to) decides
        /// whether the circuit closes.
        case allow(trial: Int?)
        /// Fail at once; the circuit may let calls through after `retryAfter`.
        case reject(retryAfter: Duration)
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    /// Since when the state holds (for `/status` and `Retry-After`).
    public private(set) var since: ContinuousClock.Instant
    private var buckets: SlidingCounts
    private var failuresInARow = 0
    private var trialsStarted = 0
    private var trialsSucceeded = 0
    /// Numbers the half-open periods: a trial's verdict counts only in its own.
    private var period = 0

    public init(configuration: Configuration, now: ContinuousClock.Instant) {
        self.configuration = configuration
        self.since = now
        self.buckets = SlidingCounts(window: configuration.window, now: now)
    }

    /// Whether a call may go to the backend now; the second value is a state change to report.
    public mutating func acquire(at now: ContinuousClock.Instant) -> (Decision, State?) {
        switch state {
        case .closed:
            return (.allow(trial: nil), nil)
        case .open:
            let reopens = since + configuration.openFor
            guard now >= reopens else { return (.reject(retryAfter: reopens - now), nil) }
            enter(.halfOpen, at: now)
            trialsStarted = 1
            return (.allow(trial: period), .halfOpen)
        case .halfOpen:
            guard trialsStarted < configuration.trialCalls else {
                // Trials are out; the others wait for their verdict (about one call's time).
                return (.reject(retryAfter: .seconds(1)), nil)
            }
            trialsStarted += 1
            return (.allow(trial: period), nil)
        }
    }

    /// Reports how an allowed call ended; returns a state change to report.
    public mutating func record(success: Bool, trial: Int?, at now: ContinuousClock.Instant) -> State? {
        if let trial {
            // A trial's verdict counts only in the half-open period it belongs to.
            guard state == .halfOpen, trial == period else { return nil }
            guard success else {
                enter(.open, at: now)
                return .open
            }
            trialsSucceeded += 1
            guard trialsSucceeded >= configuration.trialCalls else { return nil }
            enter(.closed, at: now)
            return .closed
        }
        buckets.add(success: success, at: now)
        failuresInARow = success ? 0 : failuresInARow + 1
        guard state == .closed, !success else { return nil }
        let (calls, failures) = buckets.totals(at: now)
        let ratioReached = calls >= configuration.minimumCalls && Double(failures) >= configuration.failureRatio * Double(calls)
        guard ratioReached || failuresInARow >= configuration.consecutiveFailures else { return nil }
        enter(.open, at: now)
        return .open
    }

    /// A trial that never reached the backend (shed, cancelled before sending) gives its place back.
    public mutating func returnTrial(_ trial: Int) {
        guard state == .halfOpen, trial == period, trialsStarted > 0 else { return }
        trialsStarted -= 1
    }

    /// How long until an open circuit lets a trial through (nil unless open).
    public func retryAfter(at now: ContinuousClock.Instant) -> Duration? {
        state == .open ? max(.zero, since + configuration.openFor - now) : nil
    }

    private mutating func enter(_ next: State, at now: ContinuousClock.Instant) {
        state = next
        since = now
        if next == .halfOpen { period += 1 }
        trialsStarted = 0
        trialsSucceeded = 0
        if next == .closed {
            buckets = SlidingCounts(window: configuration.window, now: now)
            failuresInARow = 0
        }
    }
}

/// Successes and failures over a sliding window, in ten buckets: constant memory, and old calls
/// leave the window a bucket at a time.
struct SlidingCounts: Sendable {
    private struct Bucket {
        var start: ContinuousClock.Instant
        var calls = 0
        var failures = 0
    }

    let window: Duration
    private let width: Duration
    private var buckets: [Bucket]

    init(window: Duration, now: ContinuousClock.Instant, count: Int = 10) {
        self.window = window
        self.width = window / count
        self.buckets = [Bucket(start: now)]
    }

    mutating func add(success: Bool, at now: ContinuousClock.Instant) {
        add(calls: 1, failures: success ? 0 : 1, at: now)
    }

    mutating func add(calls: Int, failures: Int, at now: ContinuousClock.Instant) {
        if let last = buckets.last, now - last.start < width {
            buckets[buckets.count - 1].calls += calls
            buckets[buckets.count - 1].failures += failures
        } else {
            buckets.append(Bucket(start: now, calls: calls, failures: failures))
        }
        buckets.removeAll { now - $0.start >= window }
    }

    func totals(at now: ContinuousClock.Instant) -> (calls: Int, failures: Int) {
        buckets.reduce(into: (0, 0)) { sum, bucket in
            guard now - bucket.start < window else { return }
            sum.0 += bucket.calls
            sum.1 += bucket.failures
        }
    }
}
