/// A declared route: `GET /v1/clients/{clientId}`. Parameters are whole path segments.
public struct RouteTemplate: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    public static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    public var method: String
    public var segments: [Segment]

    public var parameterNames: [String] {
        segments.compactMap { if case .parameter(let name) = $0 { return name } else { return nil } }
    }

    /// The OpenAPI form, `/v1/clients/{clientId}`.
    public var path: String {
        "/" + segments.map { segment in
            switch segment {
            case .literal(let text): return text
            case .parameter(let name): return "{\(name)}"
            }
        }.joined(separator: "/")
    }

    /// The shape two routes collide on: parameters are anonymous.
    public var shape: String {
        method + " /" + segments.map { if case .literal(let text) = $0 { return text } else { return "{}" } }.joined(separator: "/")
    }

    public var description: String { "\(method) \(path)" }

    /// Parses `METHOD /path`; the error text says what is wrong.
    public static func parse(_ text: String) -> Result<RouteTemplate, RouteError> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return .failure(RouteError("expected 'METHOD /path', e.g. 'GET /v1/clients/{clientId}'")) }
        let method = String(parts[0])
        guard methods.contains(method) else {
            return .failure(RouteError("method '\(method)' is not one of \(methods.joined(separator: ", "))"))
        }
        let path = parts[1]
        guard path.hasPrefix("/") else { return .failure(RouteError("path must start with '/'")) }
        var segments: [Segment] = []
        var seen: Set<String> = []
        for piece in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard !piece.isEmpty else { return .failure(RouteError("path has an empty segment")) }
            if piece.hasPrefix("{") || piece.hasSuffix("}") || piece.contains("{") {
                guard piece.hasPrefix("{"), piece.hasSuffix("}"), piece.count > 2 else {
                    return .failure(RouteError("a path parameter must be a whole segment such as {clientId}, found '\(piece)'"))
                }
                let name = String(piece.dropFirst().dropLast())
                guard isIdentifier(name) else {
                    return .failure(RouteError("path parameter name '\(name)' must be letters, digits or '_', starting with a letter"))
                }
                guard seen.insert(name).inserted else { return .failure(RouteError("path parameter {\(name)} appears twice")) }
                segments.append(.parameter(name))
            } else {
                guard piece.allSatisfy({ $0.isLetter || $0.isNumber || "-._~".contains($0) }) else {
                    return .failure(RouteError("path segment '\(piece)' has characters outside letters, digits and -._~"))
                }
                segments.append(.literal(String(piece)))
            }
        }
        return .success(RouteTemplate(method: method, segments: segments))
    }

    /// Whether a request path (`/v1/clients/42`) has this route's shape, whatever the method.
    public func matches(path: String) -> Bool {
        let pieces = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard pieces.count == segments.count else { return false }
        for (piece, segment) in zip(pieces, segments) {
            switch segment {
            case .literal(let text) where text != piece: return false
            case .parameter where piece.isEmpty: return false
            default: continue
            }
        }
        return true
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    public struct RouteError: Error, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}
