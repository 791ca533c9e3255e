import Foundation

extension DeclarationLoader {
    static let resilienceKeys = ["timeout", "retry", "circuit-breaker", "concurrency", "maintenance"]

    /// `resilience: { timeout, retry: {…}, circuit-breaker: {…}, concurrency: {…}, maintenance: [ … ] }`
    /// (see `Adapters/README.md`); every value checked, every problem reported with its line.
    func readResilience(_ node: DeclarationNode, reader: DeclarationReader) -> ResiliencePolicy {
        var policy = ResiliencePolicy()
        guard reader.mapping(node, allowed: Self.resilienceKeys) != nil else { return policy }
        if let timeout = reader.positiveDuration(node["timeout"]) { policy.timeout = timeout }
        if let retry = node["retry"], reader.mapping(retry, allowed: ["attempts", "backoff", "max-backoff", "budget", "per-attempt"]) != nil {
            if let perAttempt = reader.positiveDuration(retry["per-attempt"]) {
                policy.retry.perAttempt = perAttempt
                if perAttempt > policy.timeout, let perAttemptNode = retry["per-attempt"] {
                    reader.report(perAttemptNode, "per-attempt is longer than the timeout of the whole call")
                }
            }
            if let attempts = reader.integer(retry["attempts"], in: 1...10) { policy.retry.attempts = attempts }
            if let backoff = reader.positiveDuration(retry["backoff"]) { policy.retry.backoff = backoff }
            if let maximum = reader.positiveDuration(retry["max-backoff"]) { policy.retry.maxBackoff = maximum }
            if policy.retry.maxBackoff < policy.retry.backoff, let at = retry["max-backoff"] ?? retry["backoff"] {
                reader.report(at, "max-backoff (\(policy.retry.maxBackoff)) is shorter than backoff (\(policy.retry.backoff))")
            }
            if let budget = retry["budget"], reader.mapping(budget, allowed: ["ratio", "min-per-second"]) != nil {
                if let ratio = fraction(budget["ratio"], reader: reader) { policy.retry.budgetRatio = ratio }
                if let floor = reader.integer(budget["min-per-second"], in: 0...1000) { policy.retry.budgetMinimumPerSecond = floor }
            }
        }
        if let breaker = node["circuit-breaker"],
            reader.mapping(breaker, allowed: ["failure-ratio", "window", "min-calls", "consecutive-failures", "open-for", "trial-calls"]) != nil
        {
            if let ratio = fraction(breaker["failure-ratio"], reader: reader) { policy.circuitBreaker.failureRatio = ratio }
            if let window = reader.positiveDuration(breaker["window"]) { policy.circuitBreaker.window = window }
            if let calls = reader.integer(breaker["min-calls"], in: 1...100_000) { policy.circuitBreaker.minimumCalls = calls }
            if let failures = reader.integer(breaker["consecutive-failures"], in: 1...100_000) { policy.circuitBreaker.consecutiveFailures = failures }
            if let openFor = reader.positiveDuration(breaker["open-for"]) { policy.circuitBreaker.openFor = openFor }
            if let trials = reader.integer(breaker["trial-calls"], in: 1...100) { policy.circuitBreaker.trialCalls = trials }
        }
        if let concurrency = node["concurrency"], reader.mapping(concurrency, allowed: ["max", "queue"]) != nil {
            if let maximum = reader.integer(concurrency["max"], in: 1...10_000) { policy.concurrency.maximum = maximum }
            if let queue = reader.integer(concurrency["queue"], in: 0...100_000) { policy.concurrency.queue = queue }
        }
        if let maintenance = node["maintenance"] {
            guard case .sequence(let items) = maintenance.content else {
                reader.report(maintenance, "expected a list of windows such as { days: [sat, sun], from: \"01:00\", to: \"03:00\", time-zone: America/Toronto }")
                return policy
            }
            policy.maintenance = items.compactMap { window($0, reader: reader) }
        }
        return policy
    }

    private func fraction(_ node: DeclarationNode?, reader: DeclarationReader) -> Double? {
        guard let node, let text = reader.string(node) else { return nil }
        guard let value = Double(text), value > 0, value <= 1 else {
            reader.report(node, "expected a fraction greater than 0 and at most 1, such as 0.2")
            return nil
        }
        return value
    }

    private func window(_ node: DeclarationNode, reader: DeclarationReader) -> MaintenanceWindow? {
        guard reader.mapping(node, allowed: ["days", "from", "to", "time-zone"], required: ["from", "to", "time-zone"]) != nil else { return nil }
        func time(_ key: String) -> Int? {
            guard let child = node[key], let text = reader.string(child) else { return nil }
            guard let minutes = MaintenanceWindow.minutes(text) else {
                reader.report(child, "expected a local time HH:MM (00:00 to 24:00), found '\(text)'")
                return nil
            }
            return minutes
        }
        let from = time("from")
        let to = time("to")
        var timeZone: TimeZone?
        if let zoneNode = node["time-zone"], let name = reader.string(zoneNode) {
            timeZone = TimeZone(identifier: name)
            if timeZone == nil { reader.report(zoneNode, "unknown time zone '\(name)'; use an IANA name such as America/Toronto or UTC") }
        }
        var days = Set(1...7)
        if let daysNode = node["days"] {
            let names: [DeclarationNode]
            switch daysNode.content {
            case .sequence(let items): names = items
            case .scalar: names = [daysNode]
            default: names = []
            }
            days = []
            for item in names {
                guard let name = reader.string(item) else { continue }
                let fullNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
                if let index = MaintenanceWindow.dayNames.firstIndex(of: name.lowercased()) ?? fullNames.firstIndex(of: name.lowercased()) {
                    days.insert(index + 1)
                } else {
                    reader.report(item, "expected a day (mon, tue, wed, thu, fri, sat, sun), found '\(name)'")
                }
            }
            if days.isEmpty, names.isEmpty { reader.report(daysNode, "expected a list of days such as [sat, sun]") }
        }
        if let from, let to, from == to { reader.report(node, "the window starts and ends at the same time") }
        guard let from, let to, let timeZone else { return nil }
        return MaintenanceWindow(days: days, from: from, to: to, timeZone: timeZone)
    }
}
