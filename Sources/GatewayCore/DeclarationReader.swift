/// Reads declaration nodes strictly, collecting a problem for every unknown key, missing key and
/// value of the wrong type instead of stopping at the first.
public final class DeclarationReader {
    public private(set) var problems: [DeclarationProblem] = []

    public init() {}

    public func report(_ problem: DeclarationProblem) {
        problems.append(problem)
    }

    public func report(_ node: DeclarationNode, _ message: String) {
        problems.append(node.problem(message))
    }

    /// The entries of a mapping, reporting keys not in `allowed` and `required` keys that are absent.
    public func mapping(
        _ node: DeclarationNode, allowed: [String]? = nil, required: [String] = []
    ) -> [(key: String, keyNode: DeclarationNode, value: DeclarationNode)]? {
        guard case .mapping(let entries) = node.content else {
            report(node, "expected a mapping, found \(node.typeName)")
            return nil
        }
        if let allowed {
            for entry in entries where !allowed.contains(entry.key) {
                let hint = Self.closest(to: entry.key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                report(entry.keyNode, "unknown key '\(entry.key)'\(hint); allowed keys: \(allowed.joined(separator: ", "))")
            }
        }
        for key in required where !entries.contains(where: { $0.key == key }) {
            report(node, "missing required key '\(key)'")
        }
        return entries
    }

    public func string(_ node: DeclarationNode?) -> String? {
        guard let node else { return nil }
        guard let text = node.scalar else {
            report(node, "expected a string, found \(node.typeName)")
            return nil
        }
        return text
    }

    public func integer(_ node: DeclarationNode?, in range: ClosedRange<Int>) -> Int? {
        guard let node, let text = string(node) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            report(node, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text)'")
            return nil
        }
        return value
    }

    public func boolean(_ node: DeclarationNode?) -> Bool? {
        guard let node, let text = string(node) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(node, "expected true or false, found '\(text)'")
            return nil
        }
    }

    /// A duration such as `250ms`, `2s`, `5m`, `1h`.
    public func duration(_ node: DeclarationNode?) -> Duration? {
        guard let node, let text = string(node) else { return nil }
        guard let duration = Self.parseDuration(text) else {
            report(node, "expected a duration up to 24h such as 250ms, 2s, 5m or 1h, found '\(text)'")
            return nil
        }
        return duration
    }

    /// A duration that must be greater than zero (timeouts): reported when it is not.
    public func positiveDuration(_ node: DeclarationNode?) -> Duration? {
        guard let node, let duration = duration(node) else { return nil }
        if duration <= .zero { report(node, "must be greater than zero") }
        return duration
    }

    /// The longest duration a declaration may give (a day): longer is a typo, and bounded values
    /// keep deadline arithmetic far from overflow.
    public static let maximumDuration = Duration.seconds(86_400)

    public static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            guard let count = Int64(text.dropLast(suffix.count)), count >= 0 else { return nil }
            let (total, overflow) = count.multipliedReportingOverflow(by: milliseconds)
            guard !overflow, total <= 86_400_000 else { return nil }
            return .milliseconds(total)
        }
        return nil
    }

    /// A `{ en: …, fr: … }` text; both languages are required.
    public func localized(_ node: DeclarationNode?) -> LocalizedText? {
        guard let node, let entries = mapping(node, allowed: ["en", "fr"], required: ["en", "fr"]) else { return nil }
        var en: String?
        var fr: String?
        for entry in entries {
            let text = string(entry.value)
            if let text, text.isEmpty { report(entry.value, "text must not be empty") }
            if entry.key == "en" { en = text }
            if entry.key == "fr" { fr = text }
        }
        guard let en, let fr else { return nil }
        return LocalizedText(en: en, fr: fr)
    }

    /// The allowed word nearest to a misspelt one, if it is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var current = [i + 1]
                for (j, cb) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let scored = candidates.map { ($0, distance(Array(word), Array($0))) }.min { $0.1 < $1.1 }
        guard let scored, scored.1 <= max(1, word.count / 3) else { return nil }
        return scored.0
    }
}
