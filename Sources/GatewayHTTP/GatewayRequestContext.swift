import GatewayCore
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage, the caller's address, plus the
/// correlation id and the caller's language, set by `ProblemMiddleware` before any route runs.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var correlationId: String = ""
    public var language: Language = .en
    /// The connected caller (nil when not known, e.g. in router tests).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Whether the caller is on this host (see `isLocal`).
    public var callerIsLocal: Bool { Self.isLocal(remoteAddress) }

    /// An IPv4 loopback (127.0.0.0/8), `::1`, an IPv4-mapped loopback (`::ffff:127.x.y.z`) or a
    /// Unix socket. An unknown address is not local.
    public static func isLocal(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4(let address):
            // `s_addr` is in network order: its first byte in memory is the first octet.
            return withUnsafeBytes(of: address.address.sin_addr.s_addr) { $0[0] } == 127
        case .v6(let address):
            let bytes = withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
            if bytes == Array(repeating: 0, count: 15) + [1] { return true }
            return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
        case .unixDomainSocket: return true
        case nil: return false
        }
    }
}
