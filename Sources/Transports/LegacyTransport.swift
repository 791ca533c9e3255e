import NIOCore

/// Carries one request record to a backend and brings back its response record.
public protocol LegacyTransport: Sendable {
    func roundTrip(_ request: ByteBuffer, deadline: NIODeadline) async throws(TransportError) -> ByteBuffer
    func status() async -> PoolStatus
    func shutdown() async
}

/// A pool's figures for `/status`.
public struct PoolStatus: Sendable, Equatable {
    public var open: Int
    public var idle: Int
    public var leased: Int
    public var waiting: Int
    public var maxConnections: Int
    /// Whether the last attempt to connect or exchange succeeded; nil before the first.
    public var lastSucceeded: Bool?
    public var lastError: String?
    public var connectionsOpened: Int
}
