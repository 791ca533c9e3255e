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
            #expect(breaker.acquire(at: start + .seconds(second)).0 == .allow(trial: false))
            #expect(breaker.record(success: false, trial: false, at: start + .seconds(second)) == nil)
        }
        #expect(breaker.record(success: false, trial: false, at: start + .seconds(2)) == .open)
        #expect(breaker.acquire(at: start + .seconds(5)).0 == .reject(retryAfter: .seconds(7)))
        #expect(breaker.retryAfter(at: start + .seconds(5)) == .seconds(7))
        // After open-for: two trials let through, a third call waits for their verdict.
        let (first, transition) = breaker.acquire(at: start + .seconds(12))
        #expect(first == .allow(trial: true))
        #expect(transition == .halfOpen)
        #expect(breaker.acquire(at: start + .seconds(12)).0 == .allow(trial: true))
        #expect(breaker.acquire(at: start + .seconds(12)).0 == .reject(retryAfter: .seconds(1)))
        #expect(breaker.record(success: true, trial: true, at: start + .seconds(13)) == nil)
        #expect(breaker.record(success: true, trial: true, at: start + .seconds(13)) == .closed)
        #expect(breaker.state == .closed)
        #expect(breaker.acquire(at: start + .seconds(13)).0 == .allow(trial: false))
    }

    @Test("a failed trial opens it again for a full period")
    func failedTrial() {
        var breaker = breaker { $0.consecutiveFailures = 1; $0.openFor = .seconds(10) }
        _ = breaker.record(success: false, trial: false, at: start)
        #expect(breaker.state == .open)
        #expect(breaker.acquire(at: start + .seconds(10)).0 == .allow(trial: true))
        #expect(breaker.record(success: false, trial: true, at: start + .seconds(11)) == .open)
        #expect(breaker.acquire(at: start + .seconds(20)).0 == .reject(retryAfter: .seconds(1)))
        #expect(breaker.acquire(at: start + .seconds(21)).0 == .allow(trial: true))
    }

    @Test("the failure ratio counts only with enough calls, over the sliding window")
    func failureRatio() {
        var breaker = breaker { $0.failureRatio = 0.5; $0.minimumCalls = 10; $0.consecutiveFailures = 100; $0.window = .seconds(10) }
        // 9 calls, 5 failed: over the ratio but under min-calls.
        for index in 0..<9 { _ = breaker.record(success: index % 2 == 1, trial: false, at: start + .milliseconds(index * 100)) }
        #expect(breaker.state == .closed)
        // Old calls leave the window: successes now are not diluted by them.
        for index in 0..<6 { _ = breaker.record(success: true, trial: false, at: start + .seconds(11) + .milliseconds(index)) }
        for index in 0..<3 { _ = breaker.record(success: false, trial: false, at: start + .seconds(11) + .milliseconds(10 + index)) }
        #expect(breaker.state == .closed)  // 3 of 9 in the window
        _ = breaker.record(success: false, trial: false, at: start + .seconds(11) + .milliseconds(20))
        #expect(breaker.state == .closed)  // 4 of 10
        _ = breaker.record(success: false, trial: false, at: start + .seconds(11) + .milliseconds(30))
        #expect(breaker.state == .closed)  // 5 of 11
        #expect(breaker.record(success: false, trial: false, at: start + .seconds(11) + .milliseconds(40)) == .open)  // 6 of 12
    }

    @Test("a trial's verdict arriving after the circuit moved on is ignored")
    func lateTrial() {
        var breaker = breaker { $0.consecutiveFailures = 1; $0.openFor = .seconds(1); $0.trialCalls = 1 }
        _ = breaker.record(success: false, trial: false, at: start)
        _ = breaker.acquire(at: start + .seconds(1))
        #expect(breaker.record(success: true, trial: true, at: start + .seconds(1)) == .closed)
        #expect(breaker.record(success: false, trial: true, at: start + .seconds(2)) == nil)
        #expect(breaker.state == .closed)
    }
}
