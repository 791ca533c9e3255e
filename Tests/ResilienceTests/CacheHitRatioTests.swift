import Cache
import CorpusSupport
import Foundation
import GatewayCore
import Testing

/// The eviction policy measured against plain LRU on the same request traces, within the same byte
/// budget: the issue allows LRU only if it is measured no worse on a skewed workload, so S3-FIFO
/// has to do at least as well on each. Deterministic (seeded traces), so the figures are
/// reproducible: `swift test --filter CacheHitRatio` prints them (quoted in the README).
@Suite("Cache hit ratio: S3-FIFO against LRU")
struct CacheHitRatioTests {
    struct Workload: CustomStringConvertible {
        var keys: Int
        var skew: Double
        var requests: Int
        /// Every `scanEvery` requests, `scanLength` one-time keys (a listing crawled page by page, a bot).
        var scanEvery = 0
        var scanLength = 0
        /// The budget as a share of the bytes of all keys.
        var budgetShare: Double

        var description: String {
            let scans = scanEvery == 0 ? "no scans" : "scans of \(scanLength) one-time keys every \(scanEvery)"
            return "Zipf \(skew) over \(keys) keys, \(requests) requests, \(scans), budget \(Int(budgetShare * 100)) %"
        }
    }

    static let workloads = [
        Workload(keys: 10_000, skew: 0.8, requests: 100_000, budgetShare: 0.05),
        Workload(keys: 10_000, skew: 1.0, requests: 100_000, budgetShare: 0.05),
        Workload(keys: 10_000, skew: 1.0, requests: 100_000, budgetShare: 0.20),
        Workload(keys: 10_000, skew: 0.8, requests: 100_000, scanEvery: 10_000, scanLength: 2_500, budgetShare: 0.05),
        Workload(keys: 10_000, skew: 1.0, requests: 100_000, scanEvery: 10_000, scanLength: 2_500, budgetShare: 0.10),
    ]

    @Test("S3-FIFO hits at least as often as LRU on skewed traces, with and without scans", arguments: workloads)
    func hitRatio(_ workload: Workload) {
        let trace = Self.trace(workload)
        let totalBytes = (0..<workload.keys).reduce(0) { $0 + Self.bodySize(of: $1) + Self.overhead }
        let capacity = Int(Double(totalBytes) * workload.budgetShare)
        let s3fifo = Self.replay(trace, in: S3FIFOCache(capacity: capacity))
        let lru = Self.replay(trace, in: ReferenceLRU(capacity: capacity))
        print("hit ratio, \(workload): S3-FIFO \(Self.percent(s3fifo)), LRU \(Self.percent(lru))")
        #expect(s3fifo >= lru, "S3-FIFO \(Self.percent(s3fifo)) against LRU \(Self.percent(lru)) on \(workload)")
    }

    // MARK: Traces

    /// Key numbers; negative ones are one-time scan keys.
    static func trace(_ workload: Workload) -> [Int] {
        var random = SeededGenerator(seed: 0x5EED_CAC4E)
        // Cumulative Zipf weights, drawn by binary search.
        var cumulative = [Double]()
        cumulative.reserveCapacity(workload.keys)
        var sum = 0.0
        for rank in 1...workload.keys {
            sum += 1 / pow(Double(rank), workload.skew)
            cumulative.append(sum)
        }
        // Ranks land on scattered key numbers, so popularity is not the insertion order.
        let keyOfRank = (0..<workload.keys).shuffled(using: &random)
        var trace = [Int]()
        trace.reserveCapacity(workload.requests + workload.requests / max(workload.scanEvery, 1) * workload.scanLength)
        var nextScanKey = -1
        for index in 0..<workload.requests {
            if workload.scanEvery > 0, index > 0, index % workload.scanEvery == 0 {
                for _ in 0..<workload.scanLength {
                    trace.append(nextScanKey)
                    nextScanKey -= 1
                }
            }
            let target = Double.random(in: 0..<sum, using: &random)
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
            }
            trace.append(keyOfRank[low])
        }
        return trace
    }

    /// Answers of 200 to 2,200 bytes, fixed per key.
    static func bodySize(of key: Int) -> Int { 200 + (key &* 2_654_435_761 & 0x7FFF_FFFF) % 2_000 }
    /// What an entry costs beyond its body (key and bookkeeping), roughly.
    static let overhead = 200

    /// Share of requests answered from the cache; a miss stores the answer, as the cache layer does.
    static func replay(_ trace: [Int], in cache: some ResponseCache) -> Double {
        let start = ContinuousClock.now
        let policy = CachePolicy(ttl: .seconds(3600))
        var hits = 0
        for key in trace {
            let cacheKey = CacheKey(adapter: "a", operation: "o", parameters: [("id", String(key))], scope: "public")
            if cache.answer(for: cacheKey, at: start) != nil {
                hits += 1
            } else {
                let body = [UInt8](repeating: 0x41, count: bodySize(of: abs(key)))
                cache.store(CachedAnswer(content: .response(status: 200, json: body, headers: []), storedAt: start, policy: policy), for: cacheKey)
            }
        }
        return Double(hits) / Double(trace.count)
    }

    static func percent(_ ratio: Double) -> String {
        let tenths = Int((ratio * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }
}

/// Plain least-recently-used eviction within the same byte budget and the same entry sizes: the
/// baseline the issue names. A doubly linked list over arrays (indices, no allocation per access).
final class ReferenceLRU: ResponseCache, @unchecked Sendable {
    let capacity: Int
    private var index: [CacheKey: Int] = [:]
    private var keys: [CacheKey?] = []
    private var answers: [CachedAnswer?] = []
    private var sizes: [Int] = []
    private var previous: [Int] = []
    private var next: [Int] = []
    private var free: [Int] = []
    private var head = -1  // most recent
    private var tail = -1  // least recent
    private var bytes = 0

    init(capacity: Int) { self.capacity = max(capacity, 1024) }

    var statistics: CacheStatistics {
        var statistics = CacheStatistics()
        statistics.entries = index.count
        statistics.bytes = bytes
        statistics.capacity = capacity
        return statistics
    }

    func answer(for key: CacheKey, at now: ContinuousClock.Instant) -> CachedAnswer? {
        guard let slot = index[key] else { return nil }
        unlink(slot)
        pushFront(slot)
        return answers[slot]
    }

    func store(_ answer: CachedAnswer, for key: CacheKey) {
        let size = answer.size + key.size
        guard size <= capacity / 4 else { return }  // the same largest entry as S3FIFOCache
        if let slot = index[key] {
            bytes += size - sizes[slot]
            answers[slot] = answer
            sizes[slot] = size
            unlink(slot)
            pushFront(slot)
        } else {
            let slot: Int
            if let reused = free.popLast() {
                slot = reused
                keys[slot] = key
                answers[slot] = answer
                sizes[slot] = size
            } else {
                slot = keys.count
                keys.append(key)
                answers.append(answer)
                sizes.append(size)
                previous.append(-1)
                next.append(-1)
            }
            index[key] = slot
            bytes += size
            pushFront(slot)
        }
        while bytes > capacity, tail >= 0 {
            let victim = tail
            unlink(victim)
            index[keys[victim]!] = nil
            bytes -= sizes[victim]
            keys[victim] = nil
            answers[victim] = nil
            free.append(victim)
        }
    }

    func purge(adapter: String, operation: String?) -> Int { 0 }

    private func unlink(_ slot: Int) {
        if previous[slot] >= 0 { next[previous[slot]] = next[slot] } else { head = next[slot] }
        if next[slot] >= 0 { previous[next[slot]] = previous[slot] } else { tail = previous[slot] }
        previous[slot] = -1
        next[slot] = -1
    }

    private func pushFront(_ slot: Int) {
        next[slot] = head
        previous[slot] = -1
        if head >= 0 { previous[head] = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
