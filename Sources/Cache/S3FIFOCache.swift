import GatewayCore
import Synchronization

/// Where cached answers live: looked up, stored, purged, within a byte budget.
public protocol ResponseCache: Sendable {
    /// The answer for `key`, if kept and not past its lifetime at `now`; counts as an access.
    func answer(for key: CacheKey, at now: ContinuousClock.Instant) -> CachedAnswer?
    func store(_ answer: CachedAnswer, for key: CacheKey)
    /// Removes an adapter's answers, or one operation's; returns how many.
    func purge(adapter: String, operation: String?) -> Int
    var statistics: CacheStatistics { get }
}

public struct CacheStatistics: Sendable, Equatable {
    public var entries = 0
    public var bytes = 0
    public var capacity = 0
    public var stores = 0
    public var evictions = 0

    public init() {}
}

/// An in-memory cache bounded by bytes, evicting by S3-FIFO (Yang et al., SOSP 2023): new
/// answers enter a small FIFO (10 % of the bytes); those read again while there move to the main
/// FIFO, the others leave (their keys stay a while in a ghost FIFO, so that a quick return goes
/// straight to main). Main gives each entry as many second chances as its reads (up to 3). A scan
/// of one-time keys passes through the small queue without pushing out what is read often —
/// which plain LRU does not resist.
///
/// ```
/// insert ──▶ [ small 10% ] ──read again──▶ [ main 90% ] ──▶ reinserted while reads > 0, else out
///                 │ not read again                ▲
///                 └──▶ ghost (keys only) ──return─┘
/// ```
public final class S3FIFOCache: ResponseCache {
    /// The largest single answer kept: a quarter of the budget (one answer must not empty the cache).
    public var largestEntry: Int { capacity / 4 }
    public let capacity: Int
    private let state: Mutex<State>

    struct Slot {
        var answer: CachedAnswer
        var size: Int
        var reads: UInt8 = 0
        var inMain = false
        var generation: Int
    }

    struct State {
        var slots: [CacheKey: Slot] = [:]
        var small = FIFO<(CacheKey, Int)>()
        var main = FIFO<(CacheKey, Int)>()
        /// Keys recently evicted from small, with the generation of their ghost entry.
        var ghost = FIFO<(CacheKey, Int)>()
        var ghostKeys: [CacheKey: Int] = [:]
        var smallLive = 0
        var mainLive = 0
        var smallBytes = 0
        var mainBytes = 0
        var generation = 0
        var statistics = CacheStatistics()
    }

    public init(capacity: Int) {
        self.capacity = max(capacity, 1024)
        var state = State()
        state.statistics.capacity = self.capacity
        self.state = Mutex(state)
    }

    public var statistics: CacheStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.entries = state.slots.count
            statistics.bytes = state.smallBytes + state.mainBytes
            return statistics
        }
    }

    public func answer(for key: CacheKey, at now: ContinuousClock.Instant) -> CachedAnswer? {
        state.withLock { state in
            guard let slot = state.slots[key] else { return nil }
            if now - slot.answer.storedAt >= slot.answer.keepFor {
                Self.remove(key, from: &state)
                Self.compact(&state)
                return nil
            }
            state.slots[key]!.reads = min(slot.reads + 1, 3)
            return slot.answer
        }
    }

    public func store(_ answer: CachedAnswer, for key: CacheKey) {
        let size = answer.size + key.size
        guard size <= largestEntry else { return }
        state.withLock { state in
            // A refreshed answer keeps its place (and its queue entry): it is updated in place.
            if var slot = state.slots[key] {
                if slot.inMain { state.mainBytes += size - slot.size } else { state.smallBytes += size - slot.size }
                slot.answer = answer
                slot.size = size
                state.slots[key] = slot
            } else {
                state.generation += 1
                let toMain = state.ghostKeys.removeValue(forKey: key) != nil
                state.slots[key] = Slot(answer: answer, size: size, inMain: toMain, generation: state.generation)
                if toMain {
                    state.main.push((key, state.generation))
                    state.mainBytes += size
                    state.mainLive += 1
                } else {
                    state.small.push((key, state.generation))
                    state.smallBytes += size
                    state.smallLive += 1
                }
            }
            state.statistics.stores += 1
            while state.smallBytes + state.mainBytes > capacity {
                if state.smallBytes > capacity / 10 || state.main.isEmpty {
                    evictSmall(&state)
                } else {
                    evictMain(&state)
                }
            }
            Self.compact(&state)
        }
    }

    public func purge(adapter: String, operation: String?) -> Int {
        state.withLock { state in
            let keys = state.slots.keys.filter { $0.adapter == adapter && (operation == nil || $0.operation == operation) }
            for key in keys { Self.remove(key, from: &state) }
            Self.compact(&state)
            return keys.count
        }
    }

    // MARK: Eviction

    /// The oldest of the small queue: to main if read again, else out (its key to the ghosts).
    private func evictSmall(_ state: inout State) {
        guard let (key, generation) = state.small.pop() else { return }
        guard var slot = state.slots[key], slot.generation == generation, !slot.inMain else { return }
        state.smallBytes -= slot.size
        state.smallLive -= 1
        if slot.reads > 0 {
            slot.inMain = true
            slot.reads = 0
            state.slots[key] = slot
            state.main.push((key, generation))
            state.mainBytes += slot.size
            state.mainLive += 1
        } else {
            state.slots[key] = nil
            state.statistics.evictions += 1
            state.ghost.push((key, generation))
            state.ghostKeys[key] = generation
            // As many ghosts as live entries: enough to recognise a quick return.
            while state.ghostKeys.count > max(state.slots.count, 16), let (old, oldGeneration) = state.ghost.pop() {
                if state.ghostKeys[old] == oldGeneration { state.ghostKeys[old] = nil }
            }
        }
    }

    /// The oldest of the main queue: another round if it was read since, else out.
    private func evictMain(_ state: inout State) {
        guard let (key, generation) = state.main.pop() else { return }
        guard var slot = state.slots[key], slot.generation == generation, slot.inMain else { return }
        if slot.reads > 0 {
            slot.reads -= 1
            state.slots[key] = slot
            state.main.push((key, generation))
        } else {
            state.slots[key] = nil
            state.mainBytes -= slot.size
            state.mainLive -= 1
            state.statistics.evictions += 1
        }
    }

    /// Drops the queue entries of removed or expired answers (and of ghosts that came back) once
    /// they outnumber the live ones: queues stay proportional to what the cache holds.
    private static func compact(_ state: inout State) {
        let slots = state.slots
        if state.small.count > 2 * state.smallLive + 64 {
            state.small.retain { key, generation in slots[key].map { $0.generation == generation && !$0.inMain } ?? false }
        }
        if state.main.count > 2 * state.mainLive + 64 {
            state.main.retain { key, generation in slots[key].map { $0.generation == generation && $0.inMain } ?? false }
        }
        if state.ghost.count > 2 * state.ghostKeys.count + 64 {
            let ghosts = state.ghostKeys
            state.ghost.retain { key, generation in ghosts[key] == generation }
        }
    }

    /// Removes an entry; its queue position is skipped when reached (lazy deletion).
    private static func remove(_ key: CacheKey, from state: inout State) {
        guard let slot = state.slots.removeValue(forKey: key) else { return }
        if slot.inMain {
            state.mainBytes -= slot.size
            state.mainLive -= 1
        } else {
            state.smallBytes -= slot.size
            state.smallLive -= 1
        }
    }
}

/// A first-in first-out queue over an array with a moving head, compacted when half is dead.
struct FIFO<Element> {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    /// Keeps only the entries `keep` accepts, in order.
    mutating func retain(_ keep: (Element) -> Bool) {
        items = items[head...].filter(keep)
        head = 0
    }

    mutating func push(_ item: Element) { items.append(item) }

    mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 1024, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}
