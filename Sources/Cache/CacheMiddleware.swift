import GatewayCore
import Logging
import NIOCore
import Synchronization

/// The cache layer of one adapter: answers its cached operations from the store when fresh,
/// serves them stale while one background call refreshes them (`stale-while-revalidate`) or while
/// the backend fails (`stale-if-error`), remembers declared "not found" answers, and makes
/// concurrent identical misses share one backend call. Every answer says how fresh it is:
/// `Cache-Status` (RFC 9211), `Age`, `ETag` (and `If-None-Match` → 304).
public final class CacheMiddleware: AdapterMiddleware {
    public let adapter: String
    private let policies: [String: (policy: CachePolicy, key: [String])]
    private let store: any ResponseCache
    /// The deadline of a background refresh (the adapter's declared timeout).
    private let timeout: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let flights = Mutex<[CacheKey: Flight]>([:])
    private let counters = Mutex(Counters())

    /// Monotonic counts since start (stable names: they become metric names).
    public struct Counters: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var staleServed = 0
        public var coalesced = 0
        public var revalidations = 0
        public var notModified = 0
    }

    public init(
        declaration: AdapterDeclaration, store: any ResponseCache, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        adapter = declaration.name
        var policies: [String: (CachePolicy, [String])] = [:]
        for operation in declaration.operations {
            guard let policy = operation.cache else { continue }
            let names = policy.key ?? Array(Set(operation.inputs.compactMap { $0.source.parameterName }).union(operation.route.parameterNames)).sorted()
            policies[operation.name] = (policy, names)
        }
        self.policies = policies
        self.store = store
        self.timeout = declaration.resilience.timeout
        self.now = now
    }

    public var statistics: Counters { counters.withLock { $0 } }
    /// Backend calls the cache is waiting for (misses and refreshes, one per key).
    public var callsInFlight: Int { flights.withLock { $0.count } }

    /// The operations whose answers are cached.
    public var cachedOperations: Set<String> { Set(policies.keys) }

    /// Whether the adapter has any cached operation (otherwise the layer is left out).
    public var isEmpty: Bool { policies.isEmpty }

    public func call(_ request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) async throws -> AdapterResponse {
        guard let (policy, names) = policies[request.operation] else { return try await next(request, logger) }
        let key = CacheKey(
            adapter: adapter, operation: request.operation,
            parameters: names.compactMap { name in (request.path[name] ?? request.query[name]).map { (name, $0) } }, scope: request.scope)
        let cached = store.answer(for: key, at: now())
        if let cached {
            let age = now() - cached.storedAt
            if age < cached.freshFor {
                count { $0.hits += 1 }
                return try serve(cached, age: age, status: "hit; ttl=\(Self.seconds(cached.freshFor - age))", request: request)
            }
            if age < cached.policy.ttl + cached.policy.staleWhileRevalidate, case .response = cached.content {
                count { $0.hits += 1; $0.staleServed += 1 }
                refreshInBackground(key, policy: policy, request: request, logger: logger, next: next)
                return try serve(
                    cached, age: age, status: "hit; ttl=\(Self.seconds(cached.freshFor - age)); detail=stale-while-revalidate", request: request)
            }
        }
        count { $0.misses += 1 }
        let (flight, leader) = join(key, policy: policy, request: request, logger: logger, next: next)
        if !leader { count { $0.coalesced += 1 } }
        let forward = cached == nil ? "fwd=miss" : "fwd=stale"
        guard let outcome = await flight.wait(timeout: max(request.remaining, Duration.zero)) else {
            try Task.checkCancellation()
            // The deadline came first: a stale copy still serves (stale if error covers timeouts).
            if let cached, case .response = cached.content, now() - cached.storedAt < cached.policy.ttl + cached.policy.staleIfError {
                count { $0.staleServed += 1 }
                let age = now() - cached.storedAt
                return try serve(
                    cached, age: age, status: "\(forward); ttl=\(Self.seconds(cached.freshFor - age)); detail=stale-if-error", request: request)
            }
            var error = GatewayError.backendTimeout(adapter: adapter, phase: leader ? "call" : "shared call")
            error.headers.append(("Cache-Status", "Portage; \(forward)"))
            throw error
        }
        switch outcome {
        case .success(var response):
            let stored = response.status == 200 ? "; stored" : ""
            response.headers.append(("Cache-Status", "Portage; \(forward)\(leader ? stored : "; collapsed")"))
            // The fresh answer may be the one the caller already holds (refetched after expiry).
            if let match = request.headers["if-none-match"], let etag = response.headers.first(where: { $0.name == "ETag" })?.value,
                Self.matches(match, etag)
            {
                count { $0.notModified += 1 }
                return AdapterResponse(status: 304, body: .null, headers: response.headers.filter { $0.name == "ETag" || $0.name == "Cache-Status" })
            }
            return response
        case .failure(var error as GatewayError):
            // Stale if error: the backend failed, timed out, is shut off or in maintenance.
            if let cached, error.status >= 500, case .response = cached.content,
                now() - cached.storedAt < cached.policy.ttl + cached.policy.staleIfError
            {
                count { $0.staleServed += 1 }
                let age = now() - cached.storedAt
                // fwd-status is the next hop's answer: only when the backend itself answered.
                let hop = error.layer == .gateway ? "" : "; fwd-status=\(error.status)"
                return try serve(
                    cached, age: age, status: "\(forward)\(hop); ttl=\(Self.seconds(cached.freshFor - age)); detail=stale-if-error",
                    request: request)
            }
            let remembered = error.status == 404 && policy.notFoundTTL != nil
            error.headers.append(("Cache-Status", "Portage; \(forward)\(leader ? (remembered ? "; stored" : "") : "; collapsed")"))
            throw error
        case .failure(let error):
            throw error
        }
    }

    /// Removes this adapter's answers (or one operation's).
    public func purge(operation: String?) -> Int {
        store.purge(adapter: adapter, operation: operation)
    }

    // MARK: Serving

    private func serve(_ cached: CachedAnswer, age: Duration, status: String, request: AdapterRequest) throws -> AdapterResponse {
        let headers: [(name: String, value: String)] = [
            ("Cache-Status", "Portage; \(status)"), ("Age", String(max(0, age.components.seconds))), ("ETag", cached.etag),
        ]
        switch cached.content {
        case .response(let code, let json, let stored):
            if let match = request.headers["if-none-match"], Self.matches(match, cached.etag) {
                count { $0.notModified += 1 }
                return AdapterResponse(status: 304, body: .null, headers: headers)
            }
            var response = AdapterResponse(status: code, body: .null, headers: stored + headers)
            response.encodedBody = json
            return response
        case .notFound(var error):
            error.headers += headers
            throw error
        }
    }

    /// `If-None-Match: "a", "b"` or `*`, weak validators compared weakly (RFC 9110 §13.1.2).
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(" ")
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    static func seconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds < 0 && attoseconds != 0 ? seconds - 1 : seconds
    }

    // MARK: Calls

    /// The flight for `key`: the one in the air, or a new one this caller leads. The flight runs
    /// in its own task, so the answer is stored even if every waiter gave up.
    private func join(
        _ key: CacheKey, policy: CachePolicy, request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler
    ) -> (Flight, leader: Bool) {
        let (flight, leader) = flights.withLock { flights -> (Flight, Bool) in
            if let flight = flights[key] { return (flight, false) }
            let flight = Flight()
            flights[key] = flight
            return (flight, true)
        }
        guard leader else { return (flight, false) }
        var call = request
        call.headers["if-none-match"] = nil
        // The shared call has the declared timeout, not its leader's (perhaps impatient) deadline:
        // each waiter, the leader included, stops at its own.
        call.deadline = .now() + timeout.timeAmount
        Task {
            let outcome: Flight.Outcome
            do {
                var response = try await next(call, logger)
                if response.status == 200 {
                    let json = response.encodedBody ?? JSONWriter().bytes(response.body)
                    let answer = CachedAnswer(content: .response(status: 200, json: json, headers: response.headers), storedAt: now(), policy: policy)
                    store.store(answer, for: key)
                    response.encodedBody = json
                    response.headers.append(("ETag", answer.etag))
                }
                outcome = .success(response)
            } catch {
                outcome = .failure(error)
                if let error = error as? GatewayError, error.status == 404, policy.notFoundTTL != nil {
                    store.store(CachedAnswer(content: .notFound(error), storedAt: now(), policy: policy), for: key)
                }
            }
            _ = flights.withLock { $0.removeValue(forKey: key) }
            flight.finish(outcome)
        }
        return (flight, true)
    }

    /// One background call to refresh a stale answer (none if one is already in the air).
    private func refreshInBackground(_ key: CacheKey, policy: CachePolicy, request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) {
        let (_, leader) = join(key, policy: policy, request: request, logger: logger, next: next)
        if leader { count { $0.revalidations += 1 } }
    }

    private func count(_ update: (inout Counters) -> Void) {
        counters.withLock { update(&$0) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(_ character: Character) -> String {
        var text = self
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
