import GatewayCore
import Resilience
import Testing

/// The breaker's state machine driven by hand-picked instants: no sleeping, exact transitions.
@Suite("Circuit breaker")
struct CircuitBreakerTests {
    let start = ContinuousClock.now

    func breaker(_ configure: (inout ResiliencePolicy.CircuitBreaker) -> Void = { _ in }) -> CircuitBreaker {
        var configuration = ResiliencePolicy.CircuitBreaker()
        configure(&configuration)
        return CircuitBreaker(configuration: configuration, now: start)
    }

    @Test("opens on consecutive failures, rejects with the time left, half-opens, closes after its trials")
    func consecutiveFailures() {
        var breaker = breaker { $0.consecutiveFailures = 3; $0.openFor = .seconds(10); $0.trialCalls = 2 }
        for second in 0..<2 {
            #expect(breaker.acquire(at: start + .seconds(second)).0 == .allow(trial: nil))
            #expect(breaker.record(success: false, trial: nil, at: start + .seconds(second)) == nil)
        }
        #expect(breaker.record(success: false, trial: nil, at: start + .seconds(2)) == .open)
        #expect(breaker.acquire(at: start + .seconds(5)).0 == .reject(retryAfter: .seconds(7)))
        #expect(breaker.retryAfter(at: start + .seconds(5)) == .seconds(7))
        // After open-for: two trials let through, a third call waits for their verdict.
        let (first, transition) = breaker.acquire(at: start + .seconds(12))
        #expect(first == .allow(trial: 1))
        #expect(transition == .halfOpen)
        #expect(breaker.acquire(at: start + .seconds(12)).0 == .allow(trial: 1))
        #expect(breaker.acquire(at: start + .seconds(12)).0 == .reject(retryAfter: .seconds(1)))
        #expect(breaker.record(success: true, trial: 1, at: start + .seconds(13)) == nil)
        #expect(breaker.record(success: true, trial: 1, at: start + .seconds(13)) == .closed)
        #expect(breaker.state == .closed)
        #expect(breaker.acquire(at: start + .seconds(13)).0 == .allow(trial: nil))
    }

    @Test("a failed trial opens it again for a full period")
    func failedTrial() {
        var breaker = breaker { $0.consecutiveFailures = 1; $0.openFor = .seconds(10) }
        _ = breaker.record(success: false, trial: nil, at: start)
        #expect(breaker.state == .open)
        #expect(breaker.acquire(at: start + .seconds(10)).0 == .allow(trial: 1))
        #expect(breaker.record(success: false, trial: 1, at: start + .seconds(11)) == .open)
        #expect(breaker.acquire(at: start + .seconds(20)).0 == .reject(retryAfter: .seconds(1)))
        #expect(breaker.acquire(at: start + .seconds(21)).0 == .allow(trial: 2))
    }

    @Test("the failure ratio counts only with enough calls, over the sliding window")
    func failureRatio() {
        var breaker = breaker { $0.failureRatio = 0.5; $0.minimumCalls = 10; $0.consecutiveFailures = 100; $0.window = .seconds(10) }
        // 9 calls, 5 failed: over the ratio but under min-calls.
        for index in 0..<9 { _ = breaker.record(success: index % 2 == 1, trial: nil, at: start + .milliseconds(index * 100)) }
        #expect(breaker.state == .closed)
        // Old calls leave the window: successes now are not diluted by them.
        for index in 0..<6 { _ = breaker.record(success: true, trial: nil, at: start + .seconds(11) + .milliseconds(index)) }
        for index in 0..<3 { _ = breaker.record(success: false, trial: nil, at: start + .seconds(11) + .milliseconds(10 + index)) }
        #expect(breaker.state == .closed)  // 3 of 9 in the window
        _ = breaker.record(success: false, trial: nil, at: start + .seconds(11) + .milliseconds(20))
        #expect(breaker.state == .closed)  // 4 of 10
        _ = breaker.record(success: false, trial: nil, at: start + .seconds(11) + .milliseconds(30))
        #expect(breaker.state == .closed)  // 5 of 11
        #expect(breaker.record(success: false, trial: nil, at: start + .seconds(11) + .milliseconds(40)) == .open)  // 6 of 12
    }

    @Test("a trial's verdict counts only in its own half-open period; a trial that never reached the backend gives its place back")
    func lateTrial() {
        var breaker = breaker { $0.consecutiveFailures = 1; $0.openFor = .seconds(2); $0.trialCalls = 2 }
        _ = breaker.record(success: false, trial: nil, at: start)
        #expect(breaker.acquire(at: start + .seconds(2)).0 == .allow(trial: 1))  // A: slow
        #expect(breaker.acquire(at: start + .seconds(2)).0 == .allow(trial: 1))  // B: fails
        #expect(breaker.record(success: false, trial: 1, at: start + .seconds(3)) == .open)
        #expect(breaker.acquire(at: start + .seconds(5)).0 == .allow(trial: 2))
        // A's late success belongs to period 1: it neither counts nor closes.
        #expect(breaker.record(success: true, trial: 1, at: start + .seconds(5)) == nil)
        #expect(breaker.record(success: true, trial: 2, at: start + .seconds(5)) == nil)
        #expect(breaker.state == .halfOpen)
        // The second trial of period 2 is shed before reaching the backend: its place comes back.
        #expect(breaker.acquire(at: start + .seconds(5)).0 == .allow(trial: 2))
        #expect(breaker.acquire(at: start + .seconds(5)).0 == .reject(retryAfter: .seconds(1)))
        breaker.returnTrial(2)
        #expect(breaker.acquire(at: start + .seconds(5)).0 == .allow(trial: 2))
        #expect(breaker.record(success: true, trial: 2, at: start + .seconds(6)) == .closed)
    }
}
