import Cache
import Resilience

extension Gateway {
    /// `/metrics` in the Prometheus text format (0.0.4): per backend, the resilience counters,
    /// circuit state, bulkhead load and attempt latency; per adapter, the cache counters; for the
    /// store, its size. Names are stable and labels few (the adapter only).
    func metrics() -> String {
        var lines: [String] = []
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name)\(sample.labels) \(sample.value)") }
        }
        let names = adapters.map(\.declaration.name)
        func label(_ adapter: String, _ extra: String = "") -> String { "{adapter=\"\(adapter)\"\(extra)}" }
        func perBackend(_ value: (BackendGuard) -> Int) -> [(String, String)] {
            names.compactMap { name in backends[name].map { (label(name), String(value($0))) } }
        }
        family("portage_backend_calls_total", "counter", "Attempts let through to the backend.", perBackend { $0.counters.calls })
        family("portage_backend_failures_total", "counter", "Attempts that failed on the backend's side.", perBackend { $0.counters.failures })
        family("portage_backend_retries_total", "counter", "Retries made.", perBackend { $0.counters.retries })
        family(
            "portage_backend_retry_budget_exhausted_total", "counter", "Retries not made because the budget was spent.",
            perBackend { $0.counters.retryBudgetExhausted })
        family("portage_backend_rejected_open_total", "counter", "Calls refused by an open circuit.", perBackend { $0.counters.rejectedOpen })
        family("portage_backend_shed_total", "counter", "Calls shed by the bulkhead.", perBackend { $0.load.shed })
        family(
            "portage_backend_maintenance_rejected_total", "counter", "Calls refused in a maintenance window.",
            perBackend { $0.counters.maintenanceRejected })
        family(
            "portage_circuit_transitions_total", "counter", "Circuit breaker transitions.",
            names.flatMap { name -> [(String, String)] in
                guard let backend = backends[name] else { return [] }
                return [(label(name, ",to=\"open\""), String(backend.counters.breakerOpened)), (label(name, ",to=\"closed\""), String(backend.counters.breakerClosed))]
            })
        family(
            "portage_circuit_state", "gauge", "0 closed, 1 half-open, 2 open.",
            perBackend { backend in backend.circuit == .closed ? 0 : backend.circuit == .halfOpen ? 1 : 2 })
        family("portage_backend_in_flight", "gauge", "Attempts in flight.", perBackend { $0.load.inFlight })
        family("portage_backend_queued", "gauge", "Attempts waiting for a place in the bulkhead.", perBackend { $0.load.queued })
        lines.append("# HELP portage_backend_attempt_seconds Duration of each attempt at the backend.")
        lines.append("# TYPE portage_backend_attempt_seconds histogram")
        for name in names {
            guard let latency = backends[name]?.latency else { continue }
            var cumulative = 0
            for (index, bound) in BackendGuard.LatencyHistogram.bounds.enumerated() {
                cumulative += latency.counts[index]
                lines.append("portage_backend_attempt_seconds_bucket\(label(name, ",le=\"\(bound)\"")) \(cumulative)")
            }
            cumulative += latency.counts.last!
            lines.append("portage_backend_attempt_seconds_bucket\(label(name, ",le=\"+Inf\"")) \(cumulative)")
            lines.append("portage_backend_attempt_seconds_sum\(label(name)) \(latency.sum)")
            lines.append("portage_backend_attempt_seconds_count\(label(name)) \(cumulative)")
        }
        func perCache(_ value: (CacheMiddleware.Counters) -> Int) -> [(String, String)] {
            names.compactMap { name in
                guard let cache = caches[name], !cache.isEmpty else { return nil }
                return (label(name), String(value(cache.statistics)))
            }
        }
        family("portage_cache_hits_total", "counter", "Answers served from the cache (fresh or stale while revalidating).", perCache { $0.hits })
        family("portage_cache_misses_total", "counter", "Calls the cache could not answer.", perCache { $0.misses })
        family("portage_cache_stale_served_total", "counter", "Stale answers served (revalidating or because of an error).", perCache { $0.staleServed })
        family("portage_cache_coalesced_total", "counter", "Misses that shared another caller's backend call.", perCache { $0.coalesced })
        family("portage_cache_revalidations_total", "counter", "Background refreshes started.", perCache { $0.revalidations })
        family("portage_cache_not_modified_total", "counter", "304 answers to If-None-Match.", perCache { $0.notModified })
        let store = cache.statistics
        family("portage_cache_entries", "gauge", "Answers kept.", [("", String(store.entries))])
        family("portage_cache_bytes", "gauge", "Bytes kept.", [("", String(store.bytes))])
        family("portage_cache_capacity_bytes", "gauge", "The cache's byte budget.", [("", String(store.capacity))])
        family("portage_cache_evictions_total", "counter", "Answers evicted to stay within the budget.", [("", String(store.evictions))])
        return lines.joined(separator: "\n") + "\n"
    }
}
