import GatewayCore
import Logging
import NIOCore
import Transports
import XMLSOAP

/// A running `soap-http` backend: JSON → envelope, POST, envelope → JSON or the fault's problem.
final class SOAPHTTPAdapter: LegacyAdapter {
    let declaration: AdapterDeclaration
    let operations: [String: SOAPOperation]
    let transport: HTTPTransport
    let security: UsernameTokenSecurity?
    let unsupported: [String]

    init(
        declaration: AdapterDeclaration, operations: [String: SOAPOperation], transport: HTTPTransport,
        security: UsernameTokenSecurity?, unsupported: [String]
    ) {
        self.declaration = declaration
        self.operations = operations
        self.transport = transport
        self.security = security
        self.unsupported = unsupported
    }

    func start() async throws {
        // Credentials are read now, so a missing secret stops the gateway at start-up, not on the first call.
        try security?.checkCredentials()
    }

    func call(_ request: AdapterRequest, logger: Logger) async throws -> AdapterResponse {
        guard let operation = operations[request.operation] else {
            throw GatewayError.internalError("operation \(request.operation) is not declared for \(declaration.name)")
        }
        let name = declaration.name
        let (value, headerValues) = try operation.requestValue(request)
        let envelope: [UInt8]
        do {
            envelope = try operation.codec.requestEnvelope(value, headerValues: headerValues, headers: try security?.header() ?? [])
        } catch let error as SchemaXMLEncoder.EncodingError {
            throw GatewayError.invalidBody(
                en: "The request does not fit \(operation.codec.name): \(error).",
                fr: "La requête ne correspond pas à \(operation.codec.name) : \(error).")
        }
        let answer: HTTPTransport.Answer
        do {
            answer = try await transport.post(envelope, headers: operation.codec.httpHeaders, deadline: request.deadline)
        } catch {
            if case .frameTooLong = error {
                throw GatewayError.invalidResponse(
                    adapter: name, httpStatus: nil, reason: "the answer is larger than \(transport.configuration.maximumResponseSize) bytes")
            }
            throw GatewayError(transport: error, adapter: name, frameLimit: transport.configuration.maximumResponseSize, maxConnections: transport.configuration.maxConnections)
        }
        logger.debug("exchanged SOAP messages", metadata: ["requestBytes": "\(envelope.count)", "responseBytes": "\(answer.body.readableBytes)", "httpStatus": "\(answer.status)"])
        do {
            return try answered(answer, operation: operation)
        } catch var error as GatewayError {
            // A busy service that says when to come back: the retry layer waits at least that long.
            if error.retryAfter == nil, let wait = answer.retryAfter, !(200..<300).contains(answer.status) { error.retryAfter = wait }
            throw error
        }
    }

    /// The JSON answer, or the problem, for what the service sent back.
    private func answered(_ answer: HTTPTransport.Answer, operation: SOAPOperation) throws -> AdapterResponse {
        let name = declaration.name
        let overloaded = [502, 503, 504].contains(answer.status)
        let outcome: SOAPOperationCodec.Outcome
        do {
            outcome = try operation.codec.response(Array(answer.body.readableBytesView), httpStatus: answer.status)
        } catch {
            let reason = answer.body.readableBytes == 0 ? "the body is empty" : "\(error)"
            throw GatewayError.invalidResponse(
                adapter: name, httpStatus: answer.status, reason: reason, retryable: overloaded && operation.idempotent)
        }
        switch outcome {
        case .fault(let fault):
            throw fault.gatewayError(adapter: name, declared: operation.errors, idempotent: operation.idempotent)
        case .success(let value):
            guard (200..<300).contains(answer.status) else {
                throw GatewayError.invalidResponse(
                    adapter: name, httpStatus: answer.status, reason: "an HTTP error status without a SOAP fault",
                    retryable: overloaded && operation.idempotent)
            }
            return AdapterResponse(body: operation.responseValue(value))
        }
    }

    func status() async -> BackendStatus {
        let status = transport.status()
        let state: BackendStatus.State = status.lastSucceeded.map { $0 ? .up : .down } ?? .unknown
        var details: JSONObject = [
            "endpoint": .string(transport.configuration.url),
            "requests": .number(String(status.requests)),
            "maxConnections": .number(String(transport.configuration.maxConnections)),
        ]
        if let error = status.lastError, state == .down { details["lastError"] = .string(error) }
        if !unsupported.isEmpty { details["contractNotRead"] = .array(unsupported.map { .string($0) }) }
        return BackendStatus(state: state, details: details)
    }

    func shutdown() async {
        await transport.shutdown()
    }
}
