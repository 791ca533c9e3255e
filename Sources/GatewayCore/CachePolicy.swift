/// How long an operation's answers may be served from the cache, declared per operation:
///
/// ```yaml
/// cache: { ttl: 5m, stale-while-revalidate: 1m, stale-if-error: 24h, not-found-ttl: 30s, key: [clientId] }
/// ```
public struct CachePolicy: Sendable, Hashable {
    /// Fresh for this long: served without asking the backend.
    public var ttl: Duration
    /// After `ttl`, served stale for this long while one background call refreshes it.
    public var staleWhileRevalidate: Duration = .zero
    /// After `ttl`, served stale for this long when the backend fails, times out, its circuit is
    /// open or it is in a maintenance window.
    public var staleIfError: Duration = .zero
    /// Declared "not found" answers (404) are remembered this long; nil: not at all.
    public var notFoundTTL: Duration?
    /// The parameters (path or query) that tell answers apart; nil: every parameter the operation maps.
    public var key: [String]?

    public init(ttl: Duration) {
        self.ttl = ttl
    }

    /// How long an entry is worth keeping at all.
    public var lifetime: Duration { ttl + max(staleWhileRevalidate, staleIfError) }
}
