import Foundation
import GatewayCore
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer of every request: assigns the correlation id (the caller's `X-Request-ID`
/// when it is well formed), negotiates the language, and turns every failure into problem+json.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    /// Every declared route, to answer 405 with `Allow` when only the method is wrong.
    let routes: [RouteTemplate]

    func handle(
        _ request: Request, context: GatewayRequestContext,
        next: (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.correlationId = Self.correlationId(from: request.headers[.requestID])
        context.language = Language.negotiate(request.headers[.acceptLanguage])
        context.logger[metadataKey: "correlationId"] = "\(context.correlationId)"
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.correlationId
            log(request, status: response.status.code, since: start, context: context)
            return response
        } catch {
            let gatewayError = gatewayError(for: error, request: request)
            if gatewayError.status >= 500 {
                context.logger.warning(
                    "request failed", metadata: ["code": "\(gatewayError.code)", "layer": "\(gatewayError.layer.rawValue)"])
            }
            log(request, status: gatewayError.status, since: start, context: context)
            var response = ProblemDocument.response(
                gatewayError, language: context.language, correlationId: context.correlationId, instance: request.uri.path)
            if case .array(let allowed)? = gatewayError.extensions["allowed"] {
                response.headers[.allow] = allowed.compactMap(\.scalarText).joined(separator: ", ")
            }
            return response
        }
    }

    private func log(_ request: Request, status: Int, since start: ContinuousClock.Instant, context: GatewayRequestContext) {
        // The path's template, not its values: parameters may be personal data.
        let elapsed = ContinuousClock.now - start
        context.logger.info(
            "request", metadata: [
                "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "unmatched")",
                "status": "\(status)", "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
    }

    func gatewayError(for error: any Error, request: Request) -> GatewayError {
        switch error {
        case let error as GatewayError:
            return error
        case let error as HTTPError where error.status == .notFound:
            let path = request.uri.path
            let allowed = routes.filter { $0.matches(path: path) }.map(\.method)
            if !allowed.isEmpty {
                return .methodNotAllowed(method: request.method.rawValue, path: path, allowed: allowed)
            }
            return .routeNotFound(method: request.method.rawValue, path: path)
        case let error as HTTPError where error.status == .contentTooLarge:
            return .bodyTooLarge(limit: OperationResponder.maximumBodySize)
        case let error as HTTPError where (400..<500).contains(error.status.code):
            return .badRequest(status: error.status.code, reason: error.body ?? error.status.reasonPhrase)
        case let error as HTTPError:
            return .internalError("HTTP \(error.status.code)")
        default:
            return .internalError(String(describing: type(of: error)))
        }
    }

    static func correlationId(from header: String?) -> String {
        if let header, (1...128).contains(header.count),
            header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) })
        {
            return header
        }
        return UUID().uuidString.lowercased()
    }
}
