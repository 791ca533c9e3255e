import GatewayCore

/// What tells cached answers apart: the adapter, the operation, the parameters that matter
/// (canonical: sorted, escaped) and the caller's data-access scope — so two callers with
/// different rights never share an answer.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    public let adapter: String
    public let operation: String
    public let parameters: String
    public let scope: String

    public init(adapter: String, operation: String, parameters: [(String, String)], scope: String) {
        self.adapter = adapter
        self.operation = operation
        self.parameters = parameters.sorted { $0.0 < $1.0 }.map { Self.escape($0.0) + "=" + Self.escape($0.1) }.joined(separator: "&")
        self.scope = scope
    }

    public var description: String { "\(adapter)/\(operation)?\(parameters) [\(scope)]" }

    /// Bytes the key holds, for the cache's byte budget.
    public var size: Int { adapter.utf8.count + operation.utf8.count + parameters.utf8.count + scope.utf8.count + 64 }

    /// `%`, `&` and `=` escaped, so that `a=1&b` and `a=1%26b` stay different keys.
    private static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "%" || $0 == "&" || $0 == "=" }) else { return text }
        var escaped = ""
        for character in text {
            switch character {
            case "%": escaped += "%25"
            case "&": escaped += "%26"
            case "=": escaped += "%3D"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// One cached answer: a response (its JSON already written, with its ETag) or a declared
/// "not found", when it was stored and under which policy.
public struct CachedAnswer: Sendable {
    public enum Content: Sendable {
        case response(status: Int, json: [UInt8], headers: [(name: String, value: String)])
        case notFound(GatewayError)
    }

    public let content: Content
    public let storedAt: ContinuousClock.Instant
    public let policy: CachePolicy
    /// A strong validator: FNV-1a 64 of the JSON bytes, quoted.
    public let etag: String

    public init(content: Content, storedAt: ContinuousClock.Instant, policy: CachePolicy) {
        self.content = content
        self.storedAt = storedAt
        self.policy = policy
        switch content {
        case .response(_, let json, _): etag = Self.etag(json)
        case .notFound(let error): etag = Self.etag(Array(error.code.utf8))
        }
    }

    /// How long it is served without asking the backend.
    var freshFor: Duration {
        if case .notFound = content { return policy.notFoundTTL ?? .zero }
        return policy.ttl
    }

    /// How long it is worth keeping (stale copies included).
    var keepFor: Duration {
        if case .notFound = content { return policy.notFoundTTL ?? .zero }
        return policy.lifetime
    }

    /// Bytes the answer holds, for the cache's byte budget.
    public var size: Int {
        switch content {
        case .response(_, let json, let headers): return json.count + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count } + 128
        case .notFound: return 512
        }
    }

    static func etag(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}
