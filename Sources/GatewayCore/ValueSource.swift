/// Where a legacy request field's value comes from: a constant, or a part of the HTTP request.
///
/// Written in declarations as `$path.clientId`, `$query.asOf`, `$body.amount` (nested with dots),
/// or any other text for a constant (`$$` starts a constant beginning with `$`).
public enum ValueSource: Sendable, Hashable, CustomStringConvertible {
    case constant(String)
    case path(String)
    case query(String)
    case body([String])

    public static func parse(_ text: String) -> Result<ValueSource, RouteTemplate.RouteError> {
        if text.hasPrefix("$$") { return .success(.constant(String(text.dropFirst()))) }
        guard text.hasPrefix("$") else { return .success(.constant(text)) }
        let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.dropFirst().allSatisfy(RouteTemplate.isIdentifier) else {
            return .failure(.init("expected $path.NAME, $query.NAME or $body.NAME[.NAME…], found '\(text)'"))
        }
        switch parts[0] {
        case "path" where parts.count == 2: return .success(.path(parts[1]))
        case "query" where parts.count == 2: return .success(.query(parts[1]))
        case "body": return .success(.body(Array(parts.dropFirst())))
        default: return .failure(.init("expected $path.NAME, $query.NAME or $body.NAME[.NAME…], found '\(text)'"))
        }
    }

    /// The caller-facing parameter name (`clientId`, `amount`, `address.city`), nil for constants.
    public var parameterName: String? {
        switch self {
        case .constant: return nil
        case .path(let name), .query(let name): return name
        case .body(let path): return path.joined(separator: ".")
        }
    }

    public var description: String {
        switch self {
        case .constant(let text): return text
        case .path(let name): return "$path.\(name)"
        case .query(let name): return "$query.\(name)"
        case .body(let path): return "$body." + path.joined(separator: ".")
        }
    }
}
