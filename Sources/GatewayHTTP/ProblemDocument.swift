import GatewayCore
import HTTPTypes
import Hummingbird

/// Renders a `GatewayError` as an RFC 9457 `application/problem+json` response.
public enum ProblemDocument {
    public static func json(_ error: GatewayError, language: Language, correlationId: String, instance: String) -> JSONValue {
        var object: JSONObject = [
            "type": .string("urn:portage:problem:\(error.code)"),
            "title": .string(error.title[language]),
            "status": .number(String(error.status)),
            "detail": .string(error.detail[language]),
            "instance": .string(instance),
            "code": .string(error.code),
            "layer": .string(error.layer.rawValue),
            "retryable": .bool(error.retryable),
            "correlationId": .string(correlationId),
        ]
        for (key, value) in error.extensions where object[key] == nil {
            object[key] = value
        }
        return .object(object)
    }

    static func response(_ error: GatewayError, language: Language, correlationId: String, instance: String) -> Response {
        let body = JSONWriter().bytes(json(error, language: language, correlationId: correlationId, instance: instance))
        var headers: HTTPFields = [
            .contentType: "application/problem+json",
            .contentLanguage: language.rawValue,
            .requestID: correlationId,
        ]
        if let retryAfter = error.retryAfter {
            // Whole seconds, rounded up: a client that waits that long finds the reason gone.
            let (seconds, attoseconds) = retryAfter.components
            headers[.retryAfter] = String(max(1, seconds + (attoseconds > 0 ? 1 : 0)))
        } else if error.retryable, error.status == 503 {
            headers[.retryAfter] = "1"
        }
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: .init(code: error.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension HTTPField.Name {
    /// How long the caller will wait for its answer (it lowers the declared timeout).
    public static let requestTimeout = Self("Request-Timeout")!

    /// The correlation id header, echoed on every response.
    public static let requestID = Self("X-Request-ID")!
}
