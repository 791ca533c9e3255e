import GatewayCore

/// How many retries a backend may get: at most `ratio` of its recent calls, plus a small floor so
/// that a quiet backend can still be retried. During an outage every call fails, and the budget is
/// what keeps the backend from seeing more than (1 + ratio) times its normal load.
public struct RetryBudget: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var ratio: Double
        public var minimumPerSecond: Int
        /// The sliding window calls and retries are counted over. Default 10 s.
        public var window: Duration

        public init(ratio: Double = 0.2, minimumPerSecond: Int = 1, window: Duration = .seconds(10)) {
            self.ratio = ratio
            self.minimumPerSecond = minimumPerSecond
            self.window = window
        }

        public init(_ policy: ResiliencePolicy.Retry) {
            self.init(ratio: policy.budgetRatio, minimumPerSecond: policy.budgetMinimumPerSecond)
        }
    }

    public let configuration: Configuration
    private var calls: SlidingCounts
    private var retries: SlidingCounts

    public init(configuration: Configuration, now: ContinuousClock.Instant) {
        self.configuration = configuration
        calls = SlidingCounts(window: configuration.window, now: now)
        retries = SlidingCounts(window: configuration.window, now: now)
    }

    /// A first attempt: it adds to what retries may be spent.
    public mutating func recordCall(at now: ContinuousClock.Instant) {
        calls.add(success: true, at: now)
    }

    /// Takes one retry from the budget; false when it is spent.
    public mutating func withdraw(at now: ContinuousClock.Instant) -> Bool {
        let made = calls.totals(at: now).calls
        let spent = retries.totals(at: now).calls
        let seconds = Double(configuration.window.components.seconds)
        let allowed = configuration.ratio * Double(made) + Double(configuration.minimumPerSecond) * seconds
        guard Double(spent + 1) <= allowed else { return false }
        retries.add(success: true, at: now)
        return true
    }
}

/// Exponential backoff with full jitter (a uniformly random wait between zero and the capped
/// exponential): retries from many callers spread out instead of arriving together.
public struct Backoff: Sendable, Hashable {
    /// The cap of the first retry's wait, doubled each retry. Default 50 ms.
    public var base: Duration
    /// No wait is longer. Default 1 s.
    public var maximum: Duration

    public init(base: Duration = .milliseconds(50), maximum: Duration = .seconds(1)) {
        self.base = base
        self.maximum = maximum
    }

    /// The cap for retry number `retry` (from 1).
    public func cap(retry: Int) -> Duration {
        let doubled = base * (1 << min(max(retry - 1, 0), 30))
        return min(doubled, maximum)
    }

    /// The wait before retry number `retry`, `random` in 0..<1 picking within the cap.
    public func delay(retry: Int, random: Double) -> Duration {
        cap(retry: retry) * min(max(random, 0), 1)
    }
}
