import Synchronization

/// Whether the gateway may take traffic: declarations loaded and backends' pools started, not
/// shutting down.
public final class Readiness: Sendable {
    private let state = Mutex<String?>("starting")

    public init() {}

    /// nil when ready; otherwise why not.
    public var reason: String? { state.withLock { $0 } }

    public func ready() { state.withLock { $0 = nil } }
    public func notReady(_ reason: String) { state.withLock { $0 = reason } }
}
