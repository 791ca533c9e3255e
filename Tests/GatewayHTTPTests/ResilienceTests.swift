import Foundation
import GatewayCore
import GatewayHTTP
import GatewayTesting
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Resilience
import Synchronization
import Testing

/// The resilience layer between routes and a fixed-width backend, with a fault-injecting proxy in
/// between: what the backend sees and what callers get when it is killed, slow, cut off mid-answer
/// or in maintenance. Time is a hand-driven clock (backoff waits and open periods pass at once),
/// except where a real deadline is the point.
@Suite("Resilience: circuit breaker, retries, budget, bulkhead, maintenance", .serialized)
struct ResilienceTests {
    /// A clock whose time moves only when told (or when something sleeps on it).
    final class ManualClock: Sendable {
        let base = ContinuousClock.now
        let baseDate: Date
        private let offset = Mutex(Duration.zero)

        init(date: Date = Date()) { baseDate = date }

        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }

        var resilienceClock: ResilienceClock {
            ResilienceClock(
                now: { self.base + self.offset.withLock { $0 } },
                date: { self.baseDate.addingTimeInterval(Double(self.offset.withLock { $0 }.components.seconds)) },
                sleep: { self.advance($0) },
                random: { 0.5 })
        }
    }

    struct Setup {
        let backend: RecordServer
        let proxy: FaultProxy
        let gateway: Gateway
        let root: URL
        let clock: ManualClock

        /// The notes backend behind the proxy; `resilience`: the declaration's `resilience:` value.
        /// `realTime`: the system clock instead of the hand-driven one.
        init(resilience: String, cache: String? = nil, clock: ManualClock = ManualClock(), realTime: Bool = false) async throws {
            backend = try await RecordServer.start(framing: .lengthPrefix(bytes: 2)) { request in
                let code = Array(request.prefix(10))
                return .record(Array("00".utf8) + code + Array(repeating: UInt8(ascii: " "), count: 30) + [0x00, 0x00, 0x12, 0x3C])
            }
            proxy = try await FaultProxy.start(targetPort: backend.port)
            root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-resilience-\(UUID().uuidString)")
            let adapters = root.appendingPathComponent("Adapters")
            let contracts = root.appendingPathComponent("Contracts/notes")
            try FileManager.default.createDirectory(at: adapters, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: contracts, withIntermediateDirectories: true)
            try GatewayFixture.notesRequest.write(to: contracts.appendingPathComponent("NOTEREQ.cpy"), atomically: true, encoding: .utf8)
            try GatewayFixture.notesResponse.write(to: contracts.appendingPathComponent("NOTERESP.cpy"), atomically: true, encoding: .utf8)
            let declaration = GatewayFixture.notesDeclaration(port: proxy.port)
                .replacingOccurrences(of: "resilience: { timeout: 3s }", with: "resilience: \(resilience)")
                // Generous transport timeouts: other suites running beside these may starve the
                // shared pool for seconds; tests about deadlines declare their own, short ones.
                .replacingOccurrences(of: "read-timeout: 3s", with: "read-timeout: 10s, connect-timeout: 5s")
                .replacingOccurrences(
                    of: "request: { NOTEREQ-CODE: $path.code, NOTEREQ-TEXT: $query.text }",
                    with: "request: { NOTEREQ-CODE: $path.code, NOTEREQ-TEXT: $query.text }" + (cache.map { "\n    cache: \($0)" } ?? ""))
            try declaration.write(to: adapters.appendingPathComponent("notes.yaml"), atomically: true, encoding: .utf8)
            let loaded = try Gateway.load(
                adaptersDirectory: adapters.path, contractsDirectory: root.appendingPathComponent("Contracts").path,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "resilience-test"))
            gateway = Gateway(adapters: loaded.adapters, clock: realTime ? .system : clock.resilienceClock)
            self.clock = clock
        }

        func run(testing: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            defer { try? FileManager.default.removeItem(at: root) }
            do {
                try await gateway.makeApplication(port: 0, logger: Logger(label: "resilience-test")).test(testing) { try await body($0) }
            } catch {
                await shutdown()
                throw error
            }
            await shutdown()
        }

        func shutdown() async {
            for prepared in gateway.adapters { await prepared.adapter.shutdown() }
            await proxy.stop()
            await backend.stop()
        }

        var guardStatus: JSONObject { gateway.backends["notes"]!.status }
    }

    @Test("backend down: after consecutive failures the circuit opens — 503 at once, nothing sent — and one good trial closes it")
    func circuitOpensAndRecovers() async throws {
        let setup = try await Setup(resilience: "{ timeout: 15s, retry: { attempts: 1 }, circuit-breaker: { consecutive-failures: 3, open-for: 10s, trial-calls: 1 } }")
        try await setup.run { client in
            #expect(try await client.json("/v1/notes/HELLO").status == 200)
            try await setup.proxy.set(.refuse)
            for _ in 0..<3 {
                let failed = try await client.json("/v1/notes/HELLO")
                #expect(failed.status == 502, "\(failed.json)")
            }
            let accepted = setup.proxy.counts.accepted
            for _ in 0..<20 {
                let (status, problem, headers) = try await client.json("/v1/notes/HELLO")
                #expect(status == 503)
                #expect(problem["code"] == "backend-circuit-open")
                #expect(headers[.retryAfter] == "10")
            }
            #expect(setup.proxy.counts.accepted == accepted, "the open circuit sent nothing to the backend")
            let status = try await client.json("/status").json
            #expect(status["backends"]?["notes"]?["resilience"]?["circuit"]?["state"] == "open")
            #expect(status["status"] == "degraded")

            // The backend comes back; once open-for has passed, one trial call closes the circuit.
            try await setup.proxy.set(.none)
            setup.clock.advance(.seconds(5))
            #expect(try await client.json("/v1/notes/HELLO").json["code"] == "backend-circuit-open")
            setup.clock.advance(.seconds(5))
            #expect(try await client.json("/v1/notes/HELLO").status == 200)
            #expect(try await client.json("/v1/notes/HELLO").status == 200)
            #expect(setup.guardStatus["circuit"]?["state"] == "closed")
            #expect(setup.guardStatus["counters"]?["breakerOpened"] == 1)
            #expect(setup.guardStatus["counters"]?["breakerClosed"] == 1)
        }
    }

    @Test("a connection cut mid-answer is retried for reads only; a keyed write is retried only when it never reached the backend")
    func retriesOnlyWhatIsIdempotent() async throws {
        let setup = try await Setup(resilience: "{ timeout: 15s, retry: { attempts: 3, budget: { min-per-second: 10 } }, circuit-breaker: { consecutive-failures: 100 } }")
        try await setup.run { client in
            try await setup.proxy.set(.truncate(bytes: 3))
            let read = try await client.json("/v1/notes/HELLO")
            #expect(read.status == 502)
            #expect(read.json["code"] == "backend-closed-connection")
            #expect(setup.backend.stats.requests == 3, "a read: three attempts")

            // The backend got these writes and may have carried them out: never sent again, key or not
            // (a record-oriented legacy program knows nothing of Idempotency-Key).
            let body = #"{"code":"N1","count":1,"text":"x"}"#
            _ = try await client.json("/v1/notes", method: .post, body: body)
            #expect(setup.backend.stats.requests == 4, "a write without a key: one attempt")
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "k1"]
            _ = try await client.json("/v1/notes", method: .post, headers: key, body: body)
            #expect(setup.backend.stats.requests == 5, "a keyed write cut off mid-answer: one attempt")
            #expect(setup.guardStatus["counters"]?["retries"] == 2)

            // Refused connections prove the write never left: a keyed write is tried again, a plain one is not.
            try await setup.proxy.set(.refuse)
            _ = try await client.json("/v1/notes", method: .post, body: body)
            #expect(setup.guardStatus["counters"]?["retries"] == 2)
            _ = try await client.json("/v1/notes", method: .post, headers: key, body: body)
            #expect(setup.guardStatus["counters"]?["retries"] == 4)

            // The fault clears between attempts: the caller never sees it.
            try await setup.proxy.set(.none)
            #expect(try await client.json("/v1/notes/HELLO").status == 200)
        }
    }

    @Test("during an outage retries stay within the budget: the backend sees at most 20 % more calls")
    func retryBudgetBoundsTheExtraLoad() async throws {
        let setup = try await Setup(resilience: "{ timeout: 15s, retry: { attempts: 3, budget: { ratio: 0.2, min-per-second: 0 } }, circuit-breaker: { consecutive-failures: 100000, min-calls: 100000 } }")
        try await setup.run { client in
            try await setup.proxy.set(.reset)
            for _ in 0..<100 { _ = try await client.json("/v1/notes/HELLO") }
            let seen = setup.proxy.counts.accepted
            #expect(seen >= 100 && seen <= 120, "the backend saw \(seen) connections for 100 calls (300 without a budget)")
            #expect(setup.guardStatus["counters"]?["retryBudgetExhausted"]?.scalarText.flatMap(Int.init).map { $0 >= 80 } == true)
        }
    }

    @Test("slow backend: each call ends by its deadline; two in flight, two queued, the rest shed at once")
    func bulkheadAndDeadline() async throws {
        // The real clock here: the deadline is the point.
        let setup = try await Setup(
            resilience: "{ timeout: 400ms, retry: { attempts: 1 }, concurrency: { max: 2, queue: 2 }, circuit-breaker: { consecutive-failures: 100 } }",
            realTime: true)
        try await setup.proxy.set(.latency(.seconds(3)))
        try await setup.run { client in
            let started = ContinuousClock.now
            let codes = try await withThrowingTaskGroup(of: (String, Duration).self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let answer = try await client.json("/v1/notes/SLOW")
                        return (answer.json["code"]?.scalarText ?? "", ContinuousClock.now - started)
                    }
                }
                var all: [(String, Duration)] = []
                for try await result in group { all.append(result) }
                return all
            }
            let byCode = Dictionary(grouping: codes, by: \.0).mapValues(\.count)
            // Two calls reach the backend and time out; two wait, and when the first two give up at
            // the deadline they either get the place (and time out at once) or give up too.
            #expect((2...4).contains(byCode["backend-timeout"] ?? 0), "\(byCode)")
            #expect((byCode["backend-timeout"] ?? 0) + (byCode["backend-overloaded"] ?? 0) == 10, "\(byCode)")
            #expect(codes.allSatisfy { $0.1 < .seconds(2) }, "every call ended near its 400 ms deadline: \(codes.map(\.1))")
            #expect(setup.guardStatus["inFlight"] == 0)
            #expect(setup.guardStatus["queued"] == 0)
            #expect(setup.guardStatus["counters"]?["shed"] == 6, "the 7th to 10th callers found two in flight and two waiting")
        }
    }

    @Test("backend killed: cached reads keep answering, stale and marked so; uncached writes fail fast once the circuit opens")
    func cachedReadsOutliveTheBackend() async throws {
        let setup = try await Setup(
            resilience: "{ timeout: 15s, retry: { attempts: 1 }, circuit-breaker: { consecutive-failures: 3, open-for: 30s } }",
            cache: "{ ttl: 10s, stale-if-error: 1h }")
        try await setup.run { client in
            let fresh = try await client.json("/v1/notes/HELLO")
            #expect(fresh.status == 200)
            #expect(fresh.headers[HTTPField.Name("Cache-Status")!] == "Portage; fwd=miss; stored")
            try await setup.proxy.set(.refuse)
            setup.clock.advance(.seconds(60))
            for _ in 0..<5 {
                let stale = try await client.json("/v1/notes/HELLO")
                #expect(stale.status == 200)
                #expect(stale.json["text"] != nil)
                #expect(stale.headers[HTTPField.Name("Cache-Status")!]?.contains("detail=stale-if-error") == true, "\(stale.headers)")
                #expect(stale.headers[.age] == "60")
            }
            // Writes are not cached: they fail — at once, without the backend, once the circuit is open.
            let body = #"{"code":"N1","count":1,"text":"x"}"#
            let write = try await client.json("/v1/notes", method: .post, body: body)
            #expect(write.status == 503)
            #expect(write.json["code"] == "backend-circuit-open")
            #expect(setup.guardStatus["circuit"]?["state"] == "open")
            // Stale reads go on after the circuit opened; the backend was not asked, so no fwd-status.
            let stale = try await client.json("/v1/notes/HELLO")
            #expect(stale.headers[HTTPField.Name("Cache-Status")!] == "Portage; fwd=stale; ttl=-50; detail=stale-if-error")
            let never = try await client.json("/v1/notes/NEVER")
            #expect(never.status == 503)
        }
    }

    @Test("1,000 concurrent identical cold requests through the gateway make exactly one backend call")
    func coalescedColdRequests() async throws {
        let setup = try await Setup(resilience: "{ timeout: 5s }", cache: "{ ttl: 60s }", realTime: true)
        try await setup.proxy.set(.latency(.milliseconds(300)))
        try await setup.run { client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<1000 { group.addTask { try await client.json("/v1/notes/COLD").status } }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(setup.backend.stats.requests == 1)
        }
    }

    @Test("a caller's Request-Timeout shortens the deadline; each attempt may have its own inside it")
    func callerAndAttemptDeadlines() async throws {
        let setup = try await Setup(
            resilience: "{ timeout: 3s, retry: { attempts: 3, per-attempt: 200ms, budget: { min-per-second: 10 } }, circuit-breaker: { consecutive-failures: 100 } }")
        try await setup.run { client in
            try await setup.proxy.set(.blackhole)
            let started = ContinuousClock.now
            let hung = try await client.json("/v1/notes/HANG")
            #expect(hung.status == 504)
            #expect(setup.proxy.counts.accepted == 3, "three attempts of 200 ms each, not one of 3 s")
            #expect(ContinuousClock.now - started < .seconds(2.5), "well before the 3 s a single attempt would have waited")

            let impatient = try await client.json("/v1/notes/HANG", headers: [.requestTimeout: "0.1"])
            #expect(impatient.status == 504)
            let invalid = try await client.json("/v1/notes/HANG", headers: [.requestTimeout: "soon"])
            #expect(invalid.status == 400)
            #expect("\(invalid.json["detail"] ?? .null)".contains("Request-Timeout"))
        }
    }

    @Test("/metrics gives the counters, circuit state, latency histogram and cache figures in Prometheus format")
    func metrics() async throws {
        let setup = try await Setup(resilience: "{ timeout: 15s }", cache: "{ ttl: 60s }")
        try await setup.run { client in
            _ = try await client.json("/v1/notes/HELLO")
            _ = try await client.json("/v1/notes/HELLO")
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            for line in [
                #"portage_backend_calls_total{adapter="notes"} 1"#, #"portage_circuit_state{adapter="notes"} 0"#,
                #"portage_backend_attempt_seconds_count{adapter="notes"} 1"#, #"portage_backend_attempt_seconds_bucket{adapter="notes",le="+Inf"} 1"#,
                #"portage_cache_hits_total{adapter="notes"} 1"#, #"portage_cache_misses_total{adapter="notes"} 1"#, "portage_cache_entries 1",
                "# TYPE portage_backend_attempt_seconds histogram",
            ] {
                #expect(text.contains(line + "\n"), "\(line) missing from\n\(text)")
            }
        }
    }

    @Test("cache purge: from this host it empties the adapter's (or one operation's) answers; from elsewhere 403")
    func purge() async throws {
        let setup = try await Setup(resilience: "{ timeout: 15s }", cache: "{ ttl: 60s }", realTime: true)
        try await setup.run(testing: .live) { client in
            _ = try await client.json("/v1/notes/HELLO")
            _ = try await client.json("/v1/notes/OTHER")
            #expect(try await client.json("/v1/notes/HELLO").headers[HTTPField.Name("Cache-Status")!]?.hasPrefix("Portage; hit; ttl=") == true)
            let one = try await client.json("/admin/cache/notes/getNote", method: .delete)
            #expect(one.status == 200)
            #expect(one.json == ["adapter": "notes", "purged": 2])
            #expect(try await client.json("/v1/notes/HELLO").headers[HTTPField.Name("Cache-Status")!] == "Portage; fwd=miss; stored")
            // An operation that is not cached (or does not exist) is named as not found.
            #expect(try await client.json("/admin/cache/notes/createNote", method: .delete).status == 404)
            #expect(try await client.json("/admin/cache/notes", method: .delete).json["purged"] == 1)
            // Through a proxy on this host: the connection is local, the caller may not be.
            for header in ["Forwarded", "X-Forwarded-For", "X-Real-IP"] {
                let proxied = try await client.json(
                    "/admin/cache/notes", method: .delete, headers: [HTTPField.Name(header)!: "203.0.113.7"])
                #expect(proxied.status == 403, "\(header)")
            }
            let unknown = try await client.json("/admin/cache/nothing", method: .delete)
            #expect(unknown.status == 404)
            #expect(setup.backend.stats.requests == 3)
        }
        // The router test client has no address: not known to be on this host, so refused.
        let remote = try await Setup(resilience: "{ timeout: 15s }", cache: "{ ttl: 60s }")
        try await remote.run { client in
            let refused = try await client.json("/admin/cache/notes", method: .delete, headers: [.acceptLanguage: "fr"])
            #expect(refused.status == 403)
            #expect(refused.json["code"] == "admin-not-local")
            #expect(refused.json["title"] == "Administration depuis cette machine seulement")
        }
    }

    @Test("which callers count as on this host: loopback v4 and v6, v4-mapped loopback, Unix sockets; not others, not unknown")
    func localCallers() throws {
        for local in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"] {
            #expect(GatewayRequestContext.isLocal(try SocketAddress(ipAddress: local, port: 1)), "\(local)")
        }
        for other in ["10.0.0.1", "192.168.1.127", "::2", "::ffff:10.0.0.1", "fe80::1", "128.0.0.1"] {
            #expect(!GatewayRequestContext.isLocal(try SocketAddress(ipAddress: other, port: 1)), "\(other)")
        }
        #expect(GatewayRequestContext.isLocal(try SocketAddress(unixDomainSocketPath: "/tmp/portage.sock")))
        #expect(!GatewayRequestContext.isLocal(nil))
    }

    @Test("in a maintenance window nothing is sent; 503 with Retry-After at the window's end")
    func maintenanceWindow() async throws {
        let zone = TimeZone(identifier: "America/Toronto")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let oneThirty = calendar.date(from: DateComponents(year: 2026, month: 11, day: 28, hour: 1, minute: 30))!
        let setup = try await Setup(
            resilience: #"{ timeout: 15s, maintenance: [ { days: [sat, sun], from: "01:00", to: "03:00", time-zone: America/Toronto } ] }"#,
            clock: ManualClock(date: oneThirty))
        try await setup.run { client in
            let (status, problem, headers) = try await client.json("/v1/notes/HELLO")
            #expect(status == 503)
            #expect(problem["code"] == "backend-maintenance")
            #expect(headers[.retryAfter] == "5400")
            #expect(setup.proxy.counts.accepted == 0)
            setup.clock.advance(.seconds(5400))
            #expect(try await client.json("/v1/notes/HELLO").status == 200)
        }
    }

    @Test("resilience declarations are checked: every mistake named with its line")
    func declarationProblems() throws {
        let yaml = """
            adapter: notes
            kind: fixed-width-tcp
            title: { en: Notes, fr: Notes }
            endpoint: { host: 127.0.0.1, port: 7, framing: length-prefix-2, encoding: ascii }
            contracts: { request: notes/NOTEREQ.cpy, response: notes/NOTERESP.cpy }
            resilience:
              timeout: 0s
              retry: { attempts: 20, backoff: 2s, max-backoff: 1s, budget: { ratio: 1.5 } }
              circuit-breaker: { failure-ratio: half, open-for: soon }
              concurrency: { max: 0 }
              maintenance:
                - { from: "25:00", to: "03:00", time-zone: Mars/Olympus }
                - { days: [someday], from: "01:00", to: "01:00", time-zone: UTC }
            operations:
              getNote:
                route: GET /v1/notes/{code}
                summary: { en: Read, fr: Lire }
                request: { NOTEREQ-CODE: $path.code }
            """
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-resilience-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Adapters"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Contracts/notes"), withIntermediateDirectories: true)
        try GatewayFixture.notesRequest.write(to: root.appendingPathComponent("Contracts/notes/NOTEREQ.cpy"), atomically: true, encoding: .utf8)
        try GatewayFixture.notesResponse.write(to: root.appendingPathComponent("Contracts/notes/NOTERESP.cpy"), atomically: true, encoding: .utf8)
        try yaml.write(to: root.appendingPathComponent("Adapters/notes.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try Gateway.load(
                adaptersDirectory: root.appendingPathComponent("Adapters").path, contractsDirectory: root.appendingPathComponent("Contracts").path,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "resilience-test"))
            Issue.record("accepted")
        } catch {
            let text = error.problems.map(\.description).joined(separator: "\n")
            for expected in [
                "notes.yaml:7", "resilience.retry.attempts", "max-backoff (1.0 seconds) is shorter than backoff (2.0 seconds)", "expected a fraction greater than 0 and at most 1",
                "notes.yaml:9", "resilience.concurrency.max", "expected a local time HH:MM", "unknown time zone 'Mars/Olympus'",
                "expected a day (mon, tue, wed, thu, fri, sat, sun), found 'someday'", "the window starts and ends at the same time",
            ] {
                #expect(text.contains(expected), "\(expected) missing from:\n\(text)")
            }
        }
    }
}
