import Foundation
import Testing
import Transports

@Suite("Retry-After")
struct RetryAfterTests {
    /// 1994-11-06 08:49:37 GMT, RFC 9110's example date.
    let example = Date(timeIntervalSince1970: 784_111_777)

    @Test("seconds, within a day")
    func seconds() {
        #expect(RetryAfter.parse("120") == .seconds(120))
        #expect(RetryAfter.parse(" 0 ") == .seconds(0))
        #expect(RetryAfter.parse("-5") == nil)
        #expect(RetryAfter.parse("86401") == nil)
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse("") == nil)
    }

    @Test("the three HTTP date forms, counted from now")
    func dates() {
        let before = example.addingTimeInterval(-90)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: before) == .seconds(90))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: before) == .seconds(90))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: before) == .seconds(90))
        // A fraction of a second still to wait rounds up, never to "now" too early.
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: example.addingTimeInterval(-0.4)) == .seconds(1))
    }

    @Test("a date in the past means now; more than a day away or malformed is ignored")
    func limits() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: example.addingTimeInterval(3600)) == .seconds(0))
        #expect(RetryAfter.parse("Mon, 07 Nov 1994 08:49:38 GMT", now: example) == nil)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 CET", now: example) == nil)
        #expect(RetryAfter.parse("Sun, 32 Nov 1994 08:49:37 GMT", now: example) == nil)
    }
}
