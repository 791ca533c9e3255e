/// Why a round trip to a backend failed, before the kind turns it into a `GatewayError`.
public enum TransportError: Error, Sendable, Equatable {
    /// The connection could not be opened (refused, unreachable…).
    case connectFailed(String)
    case connectTimeout
    /// No whole response frame arrived before the read deadline.
    case readTimeout
    /// The backend closed the connection; `receivedBytes` of a frame had arrived (0: none).
    case closed(receivedBytes: Int)
    /// A frame header announced more than the configured maximum.
    case frameTooLong(Int)
    /// Every connection stayed leased until the deadline.
    case poolExhausted
    case shuttingDown
}

extension TransportError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .connectFailed(let reason): return "connect failed: \(reason)"
        case .connectTimeout: return "connect timed out"
        case .readTimeout: return "no response before the read deadline"
        case .closed(let received): return "connection closed after \(received) bytes of a response"
        case .frameTooLong(let length): return "frame of \(length) bytes exceeds the maximum"
        case .poolExhausted: return "every connection stayed busy until the deadline"
        case .shuttingDown: return "shutting down"
        }
    }
}
