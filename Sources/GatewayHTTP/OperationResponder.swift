import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Serves one declared operation: collects path, query and JSON body inputs, runs the adapter
/// pipeline and writes the JSON answer.
struct OperationResponder: HTTPResponder {
    typealias Context = GatewayRequestContext

    /// Request bodies beyond this are refused (legacy records are small). Default: 1 MiB.
    static let maximumBodySize = 1 << 20

    let operation: OperationDeclaration
    let pipeline: AdapterHandler

    func respond(to request: Request, context: GatewayRequestContext) async throws -> Response {
        var path: [String: String] = [:]
        for name in operation.route.parameterNames {
            guard let raw = context.parameters.get(name) else { throw GatewayError.missingParameter(name) }
            path[name] = raw.removingPercentEncoding ?? raw
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where query[String(key)] == nil {
            query[String(key)] = String(value)
        }
        var body: JSONValue?
        if ["POST", "PUT", "PATCH"].contains(operation.route.method) {
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: Self.maximumBodySize)
            } catch is NIOTooManyBytesError {
                throw GatewayError.bodyTooLarge(limit: Self.maximumBodySize)
            }
            if buffer.readableBytes > 0 {
                do {
                    body = try JSONParser.parse(buffer.readableBytesView)
                } catch {
                    throw GatewayError.malformedJSON(error)
                }
                guard case .object = body else {
                    throw GatewayError.invalidBody(
                        en: "The request body must be a JSON object, not \(body!.typeName).",
                        fr: "Le corps de la requête doit être un objet JSON, pas : \(body!.typeName).")
                }
            }
        }
        var headers: [String: String] = [:]
        for name in AdapterRequest.forwardedHeaders {
            if let field = HTTPField.Name(name), let value = request.headers[field] { headers[name] = value }
        }
        var call = AdapterRequest(
            operation: operation.name, path: path, query: query, body: body, headers: headers, correlationId: context.correlationId)
        // A caller may want its answer sooner than the declared timeout (never later).
        if let text = request.headers[.requestTimeout] {
            guard let timeout = Self.requestTimeout(text) else {
                throw GatewayError.badRequest(
                    status: 400, reason: "Request-Timeout must be a number of seconds (2, 0.5) or a duration (500ms), found '\(text)'")
            }
            call.deadline = .now() + timeout.timeAmount
        }
        let answer = try await pipeline(call, context.logger)
        var response: Response
        if answer.status == 304 {
            response = Response(status: .notModified)
        } else if let encoded = answer.encodedBody {
            response = Response(
                status: .init(code: answer.status), headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: encoded)))
        } else {
            response = Self.json(answer.body, status: answer.status)
        }
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { response.headers.append(HTTPField(name: field, value: value)) }
        }
        return response
    }

    /// `Request-Timeout: 2`, `0.5` (seconds) or `500ms`, `3s`: greater than zero, at most 24 h.
    static func requestTimeout(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let duration: Duration?
        if let seconds = Double(trimmed), seconds.isFinite {
            duration = .milliseconds(Int64((seconds * 1000).rounded()))
        } else {
            duration = DeclarationReader.parseDuration(trimmed)
        }
        guard let duration, duration > .zero, duration <= .seconds(86_400) else { return nil }
        return duration
    }

    static func json(_ value: JSONValue, status: Int = 200) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter().bytes(value))))
    }
}
