import Foundation

/// Limits on a simple value beyond its type, as XML Schema's facets state them. Bounds are exact
/// decimal text; `patterns` are XML Schema regular expressions, all of which must match.
public struct ValueFacets: Sendable, Hashable {
    public var minLength: Int?
    public var maxLength: Int?
    public var patterns: [String] = []
    public var minimum: String?
    public var minimumExclusive = false
    public var maximum: String?
    public var maximumExclusive = false
    public var totalDigits: Int?
    public var fractionDigits: Int?

    public init() {}

    public var isEmpty: Bool { self == ValueFacets() }

    /// An XML Schema `pattern` as an anchored ICU regular expression, or nil when it uses what
    /// only XML Schema has (`\i`, `\c`, block names, class subtraction) or does not compile:
    /// such a pattern is left to the backend rather than guessed at.
    public static func regularExpression(forXMLSchemaPattern pattern: String) -> String? {
        compiledExpression(forXMLSchemaPattern: pattern)?.pattern
    }

    /// The same, compiled (for checking values).
    public static func compiledExpression(forXMLSchemaPattern pattern: String) -> NSRegularExpression? {
        guard !["\\i", "\\c", "\\I", "\\C", "\\p{Is", "\\P{Is", "-["].contains(where: pattern.contains) else { return nil }
        return try? NSRegularExpression(pattern: "^(?:" + pattern + ")$")
    }

    /// These facets restricting `base`'s further: each limit stated here wins, patterns add up.
    public func restricting(_ base: ValueFacets) -> ValueFacets {
        var merged = base
        if let minLength { merged.minLength = minLength }
        if let maxLength { merged.maxLength = maxLength }
        merged.patterns += patterns
        if let minimum { (merged.minimum, merged.minimumExclusive) = (minimum, minimumExclusive) }
        if let maximum { (merged.maximum, merged.maximumExclusive) = (maximum, maximumExclusive) }
        if let totalDigits { merged.totalDigits = totalDigits }
        if let fractionDigits { merged.fractionDigits = fractionDigits }
        return merged
    }
}

/// The shape of a value an adapter accepts or returns, as the kinds know it from their contracts;
/// the HTTP module turns it into JSON Schema for OpenAPI.
public indirect enum ValueSchema: Sendable {
    /// Text; `format` is a JSON Schema format (`date`, `date-time`…) when the contract says one.
    case string(maxLength: Int?, format: String? = nil)
    /// An exact decimal with at most this many digits before and after the point.
    case decimal(integerDigits: Int, fractionDigits: Int, signed: Bool)
    /// An exact number without a declared number of digits (XML Schema's `decimal`, `long`…).
    case number(integer: Bool)
    /// Members in order; a member wrapped in `optional` may be absent.
    case object([(name: String, schema: ValueSchema)])
    /// `maxItems` nil: no limit.
    case array(ValueSchema, minItems: Int, maxItems: Int?)
    case boolean
    /// One of a fixed set of values (COBOL 88-level condition names, XML Schema enumerations), each with its name.
    case choice(ValueSchema, values: [String], names: [String])
    /// An object member that may be left out.
    case optional(ValueSchema)
    /// The value, or null.
    case nullable(ValueSchema)
    /// Any JSON value (content the contract does not describe, or a recursive type's deeper levels).
    case any(description: String?)
    /// A value of the inner shape within limits (XML Schema facets: lengths, bounds, digits, patterns).
    case restricted(ValueSchema, ValueFacets)

    /// A regular expression for the value written as text (path and query parameters).
    public var textPattern: String? {
        switch self {
        case .decimal(let integerDigits, let fractionDigits, let signed):
            let sign = signed ? "[+-]?" : "\\+?"
            let integer = integerDigits > 0 ? "[0-9]{1,\(integerDigits)}" : "0?"
            let fraction = fractionDigits > 0 ? "(\\.[0-9]{1,\(fractionDigits)})?" : ""
            return "^\(sign)\(integer)\(fraction)$"
        case .number(let integer):
            return integer ? "^[+-]?[0-9]+$" : "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$"
        case .boolean:
            return "^(true|false|1|0)$"
        case .choice(let base, _, _), .optional(let base), .nullable(let base), .restricted(let base, _):
            return base.textPattern
        default:
            return nil
        }
    }

    /// The schema without `optional` and `nullable` around it.
    public var unwrapped: ValueSchema {
        switch self {
        case .optional(let inner), .nullable(let inner): return inner.unwrapped
        default: return self
        }
    }
}

extension ValueSchema {
    /// The shape of the member at `path` (object members, through `optional`/`nullable`), or nil
    /// when there is none; lists are not entered.
    public func member(at path: some Collection<String>) -> ValueSchema? {
        guard let first = path.first else { return self }
        guard case .object(let members) = unwrapped, let member = members.first(where: { $0.name == first }) else { return nil }
        return member.schema.member(at: path.dropFirst())
    }

    /// The member names of an object shape (for "expected one of" messages).
    public var memberNames: [String] {
        if case .object(let members) = unwrapped { return members.map(\.name) }
        return []
    }
}

extension JSONValue {
    /// This value with `value` put at `path`, creating objects on the way (a non-object on the
    /// way is replaced).
    public func setting(_ value: JSONValue, at path: some Collection<String>) -> JSONValue {
        guard let first = path.first else { return value }
        var object: JSONObject
        if case .object(let existing) = self { object = existing } else { object = JSONObject() }
        object[first] = (object[first] ?? .null).setting(value, at: path.dropFirst())
        return .object(object)
    }

    /// The value at `path` through objects, nil when absent.
    public func value(at path: some Collection<String>) -> JSONValue? {
        guard let first = path.first else { return self }
        return self[first]?.value(at: path.dropFirst())
    }
}
