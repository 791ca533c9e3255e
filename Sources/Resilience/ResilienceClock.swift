import Foundation

/// Where the resilience layer gets time and chance: the real clocks in service, a hand-driven one
/// in tests so that state machines (breaker, budget, windows) are tested fast and exactly.
public struct ResilienceClock: Sendable {
    public var now: @Sendable () -> ContinuousClock.Instant
    /// Wall-clock time, for maintenance windows declared in local time.
    public var date: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Uniform in 0..<1, for backoff jitter.
    public var random: @Sendable () -> Double

    public init(
        now: @escaping @Sendable () -> ContinuousClock.Instant, date: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (Duration) async throws -> Void, random: @escaping @Sendable () -> Double
    ) {
        self.now = now
        self.date = date
        self.sleep = sleep
        self.random = random
    }

    public static let system = ResilienceClock(
        now: { ContinuousClock.now }, date: { Date() }, sleep: { try await Task.sleep(for: $0) }, random: { Double.random(in: 0..<1) })
}
