import Foundation

/// A recurring period when a backend must not be called — its nightly batch, its backups — in the
/// backend's own time zone, so that daylight saving time moves it the way the backend's clock does.
/// A window may cross midnight (`from: "23:30"`, `to: "01:00"`): it then belongs to the day it starts on.
public struct MaintenanceWindow: Sendable, Hashable {
    /// Days the window starts on, as `Calendar` weekdays (1 = Sunday … 7 = Saturday).
    public var days: Set<Int>
    /// Minutes after local midnight.
    public var from: Int
    public var to: Int
    public var timeZone: TimeZone

    public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(days: Set<Int> = Set(1...7), from: Int, to: Int, timeZone: TimeZone) {
        self.days = days
        self.from = from
        self.to = to
        self.timeZone = timeZone
    }

    /// When the window holding `date` ends, or nil when `date` is outside it.
    public func end(ifInside date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return nil }
        let now = hour * 60 + minute
        // Inside: the end is the next time the clock shows `to` — whatever daylight saving time
        // does in between (a repeated or skipped hour).
        let end = {
            calendar.nextDate(
                after: date, matching: DateComponents(hour: (self.to / 60) % 24, minute: self.to % 60, second: 0),
                matchingPolicy: .nextTime, repeatedTimePolicy: .last, direction: .forward)
        }
        if from < to {
            return days.contains(weekday) && now >= from && now < to ? end() : nil
        }
        // Across midnight: started today, or started yesterday and not over yet.
        if days.contains(weekday), now >= from { return end() }
        let yesterday = (weekday + 5) % 7 + 1
        if days.contains(yesterday), now < to { return end() }
        return nil
    }

    /// `"HH:MM"` → minutes after midnight.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 24 * 60
        else { return nil }
        return hour * 60 + minute
    }
}
