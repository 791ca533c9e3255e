import Cache
import GatewayCore
import Logging
import NIOCore
import Synchronization
import Testing

/// The cache layer over an in-process fake backend and a hand-driven clock: freshness, staleness,
/// coalescing, validators, scopes, purge and the store's eviction.
@Suite("Cache layer")
struct CacheTests {
    final class Backend: Sendable {
        let calls = Mutex(0)
        let answer = Mutex<Result<JSONValue, GatewayError>>(.success(["name": "Anne", "balance": .number("12.50")]))
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let hold = Mutex(false)

        var handler: AdapterHandler {
            { request, _ in
                self.calls.withLock { $0 += 1 }
                if self.hold.withLock({ $0 }) { await withCheckedContinuation { continuation in self.gate.withLock { $0 = continuation } } }
                switch self.answer.withLock({ $0 }) {
                case .success(let body): return AdapterResponse(body: body)
                case .failure(let error): throw error
                }
            }
        }

        func release() {
            hold.withLock { $0 = false }
            gate.withLock { $0 }?.resume()
        }
    }

    final class Clock: Sendable {
        let start = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
        var now: @Sendable () -> ContinuousClock.Instant { { self.start + self.offset.withLock { $0 } } }
    }

    static func declaration(cache: String) throws -> AdapterDeclaration {
        let yaml = """
            adapter: clients
            kind: test
            title: { en: Clients, fr: Clients }
            endpoint: {}
            operations:
              getClient:
                route: GET /v1/clients/{clientId}
                summary: { en: A client, fr: Un client }
                request: { ID: $path.clientId, LANG: $query.lang }
                cache: \(cache)
            """
        let reader = DeclarationReader()
        let declaration = DeclarationLoader(adaptersDirectory: "", contractsDirectory: "").parse(yaml: yaml, file: "clients.yaml", reader: reader)
        #expect(reader.problems.isEmpty, "\(reader.problems)")
        return try #require(declaration)
    }

    static func request(_ id: String = "1", lang: String? = nil, scope: String = "public", headers: [String: String] = [:]) -> AdapterRequest {
        var request = AdapterRequest(
            operation: "getClient", path: ["clientId": id], query: lang.map { ["lang": $0] } ?? [:], headers: headers,
            deadline: .now() + .seconds(5), correlationId: "test")
        request.scope = scope
        return request
    }

    static func header(_ response: AdapterResponse, _ name: String) -> String? {
        response.headers.first { $0.name == name }?.value
    }

    @Test("a miss is stored, then hits until the ttl; Age, ETag and If-None-Match → 304")
    func missThenHit() async throws {
        let backend = Backend()
        let clock = Clock()
        let cache = CacheMiddleware(declaration: try Self.declaration(cache: "{ ttl: 60s }"), store: S3FIFOCache(capacity: 1 << 20), now: clock.now)
        let logger = Logger(label: "cache-test")
        let first = try await cache.call(Self.request(), logger: logger, next: backend.handler)
        #expect(Self.header(first, "Cache-Status") == "Portage; fwd=miss; stored")
        let etag = try #require(Self.header(first, "ETag"))
        clock.advance(.seconds(20))
        let second = try await cache.call(Self.request(), logger: logger, next: backend.handler)
        #expect(Self.header(second, "Cache-Status") == "Portage; hit; ttl=40")
        #expect(Self.header(second, "Age") == "20")
        #expect(Self.header(second, "ETag") == etag)
        #expect(String(decoding: second.encodedBody ?? [], as: UTF8.self) == #"{"name":"Anne","balance":12.50}"#)
        let unchanged = try await cache.call(Self.request(headers: ["if-none-match": "\"x\", \(etag)"]), logger: logger, next: backend.handler)
        #expect(unchanged.status == 304)
        // Another id, another language, another scope: each its own answer.
        _ = try await cache.call(Self.request("2"), logger: logger, next: backend.handler)
        _ = try await cache.call(Self.request(lang: "fr"), logger: logger, next: backend.handler)
        _ = try await cache.call(Self.request(scope: "agency-7"), logger: logger, next: backend.handler)
        #expect(backend.calls.withLock { $0 } == 4)
        clock.advance(.seconds(41))
        let expired = try await cache.call(Self.request(), logger: logger, next: backend.handler)
        #expect(Self.header(expired, "Cache-Status") == "Portage; fwd=miss; stored")
        #expect(backend.calls.withLock { $0 } == 5)
        // Refetched after expiry, the same answer: the caller holding it is told 304.
        clock.advance(.seconds(61))
        let refetched = try await cache.call(Self.request(headers: ["if-none-match": etag]), logger: logger, next: backend.handler)
        #expect(refetched.status == 304)
        #expect(Self.header(refetched, "Cache-Status") == "Portage; fwd=miss; stored")
        #expect(Self.header(refetched, "ETag") == etag)
        #expect(backend.calls.withLock { $0 } == 6)
        #expect(cache.statistics.hits == 2)  // the first 304 was a hit too
        #expect(cache.statistics.notModified == 2)
    }

    @Test("1,000 concurrent identical misses make one backend call; every waiter gets the answer")
    func coalescing() async throws {
        let backend = Backend()
        backend.hold.withLock { $0 = true }
        let cache = CacheMiddleware(declaration: try Self.declaration(cache: "{ ttl: 60s }"), store: S3FIFOCache(capacity: 1 << 20))
        let statuses = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<1000 {
                group.addTask { Self.header(try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler), "Cache-Status") }
            }
            while cache.statistics.misses < 1000 { await Task.yield() }
            backend.release()
            var all: [String?] = []
            for try await status in group { all.append(status) }
            return all
        }
        #expect(backend.calls.withLock { $0 } == 1)
        #expect(statuses.filter { $0 == "Portage; fwd=miss; stored" }.count == 1)
        #expect(statuses.filter { $0 == "Portage; fwd=miss; collapsed" }.count == 999)
        #expect(cache.statistics.coalesced == 999)
    }

    @Test("waiters share the leader's error too, and each stops at its own deadline")
    func sharedErrorAndDeadline() async throws {
        let backend = Backend()
        backend.hold.withLock { $0 = true }
        backend.answer.withLock { $0 = .failure(GatewayError.backendUnreachable(adapter: "clients", reason: "refused")) }
        let cache = CacheMiddleware(declaration: try Self.declaration(cache: "{ ttl: 60s }"), store: S3FIFOCache(capacity: 1 << 20))
        let leader = Task { try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler) }
        while cache.statistics.misses < 1 { await Task.yield() }
        var impatient = Self.request()
        impatient.deadline = .now() + .milliseconds(50)
        await #expect(throws: GatewayError.self) { try await cache.call(impatient, logger: Logger(label: "t"), next: backend.handler) }
        let follower = Task { try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler) }
        while cache.statistics.misses < 3 { await Task.yield() }
        backend.release()
        for result in [await leader.result, await follower.result] {
            guard case .failure(let error as GatewayError) = result else { Issue.record("\(result)"); continue }
            #expect(error.code == "backend-unreachable")
        }
        #expect(backend.calls.withLock { $0 } == 1)
    }

    @Test("stale-while-revalidate answers at once and refreshes once in the background")
    func staleWhileRevalidate() async throws {
        let backend = Backend()
        let clock = Clock()
        let cache = CacheMiddleware(
            declaration: try Self.declaration(cache: "{ ttl: 10s, stale-while-revalidate: 30s }"), store: S3FIFOCache(capacity: 1 << 20), now: clock.now)
        _ = try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler)
        backend.answer.withLock { $0 = .success(["name": "Anne B."]) }
        clock.advance(.seconds(15))
        let stale = try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler)
        #expect(Self.header(stale, "Cache-Status") == "Portage; hit; ttl=-5; detail=stale-while-revalidate")
        #expect(String(decoding: stale.encodedBody ?? [], as: UTF8.self).contains("Anne\""))
        while backend.calls.withLock({ $0 }) < 2 || cache.statistics.revalidations < 1 { await Task.yield() }
        var fresh = stale
        for _ in 0..<1000 {
            fresh = try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler)
            if Self.header(fresh, "Cache-Status")?.hasPrefix("Portage; hit; ttl=10") == true { break }
            await Task.yield()
        }
        #expect(String(decoding: fresh.encodedBody ?? [], as: UTF8.self).contains("Anne B."))
        #expect(backend.calls.withLock { $0 } == 2)
    }

    @Test("stale-if-error serves the stored answer when the backend fails, within its limit; not-found answers are remembered")
    func staleIfErrorAndNotFound() async throws {
        let backend = Backend()
        let clock = Clock()
        let cache = CacheMiddleware(
            declaration: try Self.declaration(cache: "{ ttl: 10s, stale-if-error: 1h, not-found-ttl: 30s }"), store: S3FIFOCache(capacity: 1 << 20),
            now: clock.now)
        _ = try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler)
        backend.answer.withLock { $0 = .failure(GatewayError.circuitOpen(adapter: "clients", retryAfter: .seconds(15))) }
        clock.advance(.seconds(70))
        let stale = try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler)
        // The circuit answered, not the backend: no fwd-status.
        #expect(Self.header(stale, "Cache-Status") == "Portage; fwd=stale; ttl=-60; detail=stale-if-error")
        #expect(Self.header(stale, "Age") == "70")
        backend.answer.withLock { $0 = .failure(GatewayError.backendUnreachable(adapter: "clients", reason: "refused")) }
        let refused = try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler)
        #expect(Self.header(refused, "Cache-Status") == "Portage; fwd=stale; fwd-status=502; ttl=-60; detail=stale-if-error")
        // A backend that never answers: the deadline comes, the stale copy is served all the same.
        backend.hold.withLock { $0 = true }
        var impatient = Self.request()
        impatient.deadline = .now() + .milliseconds(50)
        let timedOut = try await cache.call(impatient, logger: Logger(label: "t"), next: backend.handler)
        #expect(Self.header(timedOut, "Cache-Status") == "Portage; fwd=stale; ttl=-60; detail=stale-if-error")
        backend.release()
        while cache.callsInFlight > 0 { await Task.yield() }
        clock.advance(.seconds(3600))
        await #expect(throws: GatewayError.self) { try await cache.call(Self.request(), logger: Logger(label: "t"), next: backend.handler) }

        backend.answer.withLock { $0 = .failure(GatewayError.notFound(adapter: "clients", what: LocalizedText(en: "client", fr: "client"), id: "9")) }
        for expected in ["Portage; fwd=miss; stored", "Portage; hit; ttl=30"] {
            do {
                _ = try await cache.call(Self.request("9"), logger: Logger(label: "t"), next: backend.handler)
                Issue.record("no error")
            } catch let error as GatewayError {
                #expect(error.status == 404)
                #expect(error.headers.first { $0.name == "Cache-Status" }?.value == expected)
            }
        }
        #expect(backend.calls.withLock { $0 } == 6)
        #expect(cache.purge(operation: "getClient") == 1)  // the remembered 404; the expired answer is gone
    }

    @Test("S3-FIFO keeps what is read often through a scan of one-time keys, within its byte budget")
    func scanResistance() {
        let store = S3FIFOCache(capacity: 64 * 1024)
        let start = ContinuousClock.now
        func answer(_ size: Int) -> CachedAnswer {
            CachedAnswer(content: .response(status: 200, json: Array(repeating: 0x41, count: size), headers: []), storedAt: start, policy: CachePolicy(ttl: .seconds(3600)))
        }
        func key(_ name: String) -> CacheKey { CacheKey(adapter: "a", operation: "o", parameters: [("id", name)], scope: "public") }
        for index in 0..<20 { store.store(answer(600), for: key("hot\(index)")) }
        for _ in 0..<3 {
            for index in 0..<20 { _ = store.answer(for: key("hot\(index)"), at: start) }
        }
        for index in 0..<2000 { store.store(answer(600), for: key("scan\(index)")) }
        let survivors = (0..<20).filter { store.answer(for: key("hot\($0)"), at: start) != nil }.count
        #expect(survivors == 20, "hot entries left after the scan: \(survivors)")
        #expect(store.statistics.bytes <= 64 * 1024)
        #expect(store.statistics.evictions > 1900)
    }
}
