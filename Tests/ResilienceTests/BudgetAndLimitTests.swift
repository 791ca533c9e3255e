import Foundation
import GatewayCore
import Resilience
import Testing

@Suite("Retry budget, backoff, bulkhead, maintenance windows")
struct BudgetAndLimitTests {
    @Test("retries stay within ratio × calls + the floor, over a sliding window")
    func budget() {
        let start = ContinuousClock.now
        var budget = RetryBudget(configuration: .init(ratio: 0.2, minimumPerSecond: 0, window: .seconds(10)), now: start)
        for _ in 0..<100 { budget.recordCall(at: start) }
        var granted = 0
        for _ in 0..<100 where budget.withdraw(at: start + .seconds(1)) { granted += 1 }
        #expect(granted == 20)
        // Once the calls have left the window, nothing is left to spend.
        let later = budget.withdraw(at: start + .seconds(12))
        #expect(!later)
        var floor = RetryBudget(configuration: .init(ratio: 0.2, minimumPerSecond: 1, window: .seconds(10)), now: start)
        var quiet = 0
        for _ in 0..<50 where floor.withdraw(at: start) { quiet += 1 }
        #expect(quiet == 10)  // 1 per second over 10 s, with no calls at all
    }

    @Test("full jitter: a uniform wait under a doubling cap, never over the maximum")
    func backoff() {
        let backoff = Backoff(base: .milliseconds(50), maximum: .seconds(1))
        #expect(backoff.cap(retry: 1) == .milliseconds(50))
        #expect(backoff.cap(retry: 3) == .milliseconds(200))
        #expect(backoff.cap(retry: 10) == .seconds(1))
        #expect(backoff.delay(retry: 2, random: 0.5) == .milliseconds(50))
        #expect(backoff.delay(retry: 2, random: 0) == .zero)
    }

    @Test("the bulkhead admits up to its maximum, queues in order, sheds beyond its queue, times waiters out")
    func bulkhead() async {
        let limit = ConcurrencyLimit(configuration: { var c = ResiliencePolicy.Concurrency(); c.maximum = 2; c.queue = 1; return c }())
        #expect(await limit.acquire(timeout: .seconds(1)) == .admitted)
        #expect(await limit.acquire(timeout: .seconds(1)) == .admitted)
        async let waiting = limit.acquire(timeout: .seconds(30))
        while limit.snapshot.queued == 0 { await Task.yield() }
        #expect(await limit.acquire(timeout: .seconds(30)) == .shed)
        limit.release()
        #expect(await waiting == .admitted)
        #expect(limit.snapshot.inFlight == 2)
        #expect(await limit.acquire(timeout: .milliseconds(20)) == .timedOut)
        limit.release()
        limit.release()
        #expect(limit.snapshot.inFlight == 0)
        #expect(limit.snapshot.shed == 1)
    }

    @Test("a cancelled waiter leaves the queue and takes no place")
    func cancelledWaiter() async {
        let limit = ConcurrencyLimit(configuration: { var c = ResiliencePolicy.Concurrency(); c.maximum = 1; c.queue = 4; return c }())
        #expect(await limit.acquire(timeout: .seconds(1)) == .admitted)
        let waiter = Task { await limit.acquire(timeout: .seconds(30)) }
        while limit.snapshot.queued == 0 { await Task.yield() }
        waiter.cancel()
        #expect(await waiter.value == .timedOut)
        #expect(limit.snapshot.queued == 0)
        limit.release()
        #expect(limit.snapshot.inFlight == 0)
    }

    @Test("maintenance windows in the backend's time zone, across midnight and on chosen days")
    func maintenance() throws {
        let toronto = try #require(TimeZone(identifier: "America/Toronto"))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = toronto
        func at(_ day: Int, _ hour: Int, _ minute: Int) -> Date {
            calendar.date(from: DateComponents(year: 2026, month: 11, day: day, hour: hour, minute: minute))!
        }
        let nightly = MaintenanceWindow(from: 60, to: 180, timeZone: toronto)  // 01:00–03:00 every day
        #expect(nightly.end(ifInside: at(28, 1, 30)) == at(28, 3, 0))
        #expect(nightly.end(ifInside: at(28, 3, 0)) == nil)
        #expect(nightly.end(ifInside: at(28, 0, 59)) == nil)
        // Saturday 23:30 → Sunday 01:00 only (2026-11-28 is a Saturday).
        let weekend = MaintenanceWindow(days: [7], from: 23 * 60 + 30, to: 60, timeZone: toronto)
        #expect(weekend.end(ifInside: at(28, 23, 45)) == at(29, 1, 0))
        #expect(weekend.end(ifInside: at(29, 0, 30)) == at(29, 1, 0))
        #expect(weekend.end(ifInside: at(27, 23, 45)) == nil)  // Friday
        #expect(weekend.end(ifInside: at(30, 0, 30)) == nil)   // Monday: Sunday has no window
        // 2026-11-01: Toronto falls back from 02:00 EDT to 01:00 EST; 01:15 happens twice.
        let fallBack = MaintenanceWindow(from: 30, to: 90, timeZone: toronto)  // 00:30–01:30
        let firstPass = Date(timeIntervalSince1970: 1_793_510_100)  // 2026-11-01 01:15 EDT (05:15 UTC)
        let secondPass = firstPass.addingTimeInterval(3600)          // 01:15 EST
        for date in [firstPass, secondPass] {
            let end = try #require(fallBack.end(ifInside: date))
            #expect(end > date && end.timeIntervalSince(date) <= 2 * 3600, "the end is never in the past: \(end) after \(date)")
        }
        #expect(fallBack.end(ifInside: secondPass) == secondPass.addingTimeInterval(15 * 60))
        #expect(MaintenanceWindow.minutes("24:00") == 1440)
        #expect(MaintenanceWindow.minutes("+1:00") == nil)
        #expect(MaintenanceWindow.minutes("7:5") == nil)
    }
}
