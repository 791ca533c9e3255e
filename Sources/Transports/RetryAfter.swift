import Foundation

/// A backend's `Retry-After` header (RFC 9110 §10.2.3): a number of seconds, or an HTTP date in
/// any of the three forms recipients must accept (IMF-fixdate, RFC 850, asctime). A date in the
/// past means "now"; more than a day away, or unreadable, is ignored (a broken clock or header must
/// not park calls for days).
public enum RetryAfter {
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text) {
            return seconds >= 0 && seconds <= 86_400 ? .seconds(seconds) : nil
        }
        guard let date = httpDate(text) else { return nil }
        let wait = max(0, date.timeIntervalSince(now)).rounded(.up)
        return wait <= 86_400 ? .seconds(Int(wait)) : nil
    }

    /// The three HTTP date forms, in GMT.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            // asctime pads a one-digit day with a space: "Nov  6".
            let candidate = format.hasPrefix("EEE MMM") ? text.replacingOccurrences(of: "  ", with: " ") : text
            if let date = formatter.date(from: candidate) { return date }
        }
        return nil
    }
}
