import GatewayCore
import Hummingbird

/// The per-request context: Hummingbird's core storage plus the correlation id and the caller's
/// language, set by `ProblemMiddleware` before any route runs.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var correlationId: String = ""
    public var language: Language = .en

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
