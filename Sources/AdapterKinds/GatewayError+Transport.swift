import GatewayCore
import Transports

extension GatewayError {
    /// The problem a caller sees when a transport could not complete a round trip.
    init(transport error: TransportError, adapter: String, frameLimit: Int, maxConnections: Int) {
        switch error {
        case .connectFailed(let reason): self = .backendUnreachable(adapter: adapter, reason: reason)
        case .connectTimeout: self = .backendTimeout(adapter: adapter, phase: "connect")
        case .readTimeout: self = .backendTimeout(adapter: adapter, phase: "read")
        case .closed(let received): self = .backendClosed(adapter: adapter, receivedBytes: received)
        case .frameTooLong(let length): self = .frameTooLong(adapter: adapter, announced: length, limit: frameLimit)
        case .poolExhausted: self = .backendBusy(adapter: adapter, maxConnections: maxConnections)
        case .shuttingDown: self = .shuttingDown
        }
    }
}
