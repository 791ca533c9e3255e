/// The shape of a value an adapter accepts or returns, as the kinds know it from their contracts;
/// the HTTP module turns it into JSON Schema for OpenAPI.
public indirect enum ValueSchema: Sendable {
    case string(maxLength: Int?)
    /// An exact decimal with at most this many digits before and after the point.
    case decimal(integerDigits: Int, fractionDigits: Int, signed: Bool)
    case object([(name: String, schema: ValueSchema)])
    case array(ValueSchema, minItems: Int, maxItems: Int)
    case boolean
    /// One of a fixed set of values (COBOL 88-level condition names), each with its name.
    case choice(ValueSchema, values: [String], names: [String])

    /// A regular expression for the value written as text (path and query parameters).
    public var textPattern: String? {
        switch self {
        case .decimal(let integerDigits, let fractionDigits, let signed):
            let sign = signed ? "[+-]?" : "\\+?"
            let integer = integerDigits > 0 ? "[0-9]{1,\(integerDigits)}" : "0?"
            let fraction = fractionDigits > 0 ? "(\\.[0-9]{1,\(fractionDigits)})?" : ""
            return "^\(sign)\(integer)\(fraction)$"
        case .choice(let base, _, _):
            return base.textPattern
        default:
            return nil
        }
    }
}
