/// What the resilience layer applies to every call of an adapter, as declared under `resilience:`
/// (every member has a default, so an adapter that declares nothing is still protected).
public struct ResiliencePolicy: Sendable, Hashable {
    /// The end-to-end deadline of one call. Default: 5 s.
    public var timeout: Duration = .seconds(5)
    public var retry = Retry()
    public var circuitBreaker = CircuitBreaker()
    public var concurrency = Concurrency()
    /// When the backend must not be called (nightly batch runs, backups).
    public var maintenance: [MaintenanceWindow] = []

    public init(timeout: Duration = .seconds(5)) {
        self.timeout = timeout
    }

    /// Retries of idempotent calls (reads, or writes with an `Idempotency-Key`) that failed in a
    /// way worth trying again, inside a budget per backend.
    public struct Retry: Sendable, Hashable {
        /// Attempts in all, the first included; 1 turns retries off. Default 3.
        public var attempts = 3
        /// The cap of the first retry's wait (full jitter), doubled each retry. Default 50 ms.
        public var backoff: Duration = .milliseconds(50)
        /// No wait is longer. Default 1 s.
        public var maxBackoff: Duration = .seconds(1)
        /// Each attempt's own deadline inside the call's (so that one hung attempt leaves time
        /// for another); nil: the call's deadline. Default nil.
        public var perAttempt: Duration?
        /// Retries allowed per call over the last 10 s. Default 0.2.
        public var budgetRatio = 0.2
        /// Retries allowed per second whatever the traffic. Default 1.
        public var budgetMinimumPerSecond = 1

        public init() {}
    }

    public struct CircuitBreaker: Sendable, Hashable {
        /// Opens when at least this share of the calls in `window` failed… Default 0.5.
        public var failureRatio = 0.5
        /// …over this sliding window. Default 30 s.
        public var window: Duration = .seconds(30)
        /// …and the window holds at least this many calls. Default 20.
        public var minimumCalls = 20
        /// Opens after this many failures in a row, however few calls. Default 5.
        public var consecutiveFailures = 5
        /// How long it stays open before trial calls. Default 15 s.
        public var openFor: Duration = .seconds(15)
        /// Trial calls let through half-open; all must succeed to close. Default 3.
        public var trialCalls = 3

        public init() {}
    }

    /// The bulkhead: what the legacy system can take at once, and how many may wait.
    public struct Concurrency: Sendable, Hashable {
        /// Calls in flight at once. Default 16.
        public var maximum = 16
        /// Calls waiting for a place; beyond it they are shed (503 + Retry-After). Default 64.
        public var queue = 64

        public init() {}
    }
}
