import Foundation
import GatewayCore
import NIOCore
import Transports
import XMLSOAP

/// `soap-http`: a SOAP 1.1 or 1.2 service over HTTP(S), described by its WSDL.
///
/// ```yaml
/// endpoint: { url: http://127.0.0.1:7002/filing-status, max-connections: 8, connect-timeout: 1s, read-timeout: 5s }
/// contracts: { wsdl: tax-filing/TaxFilingStatus.wsdl }
/// operations:
///   getFilingStatus:
///     route: GET /v1/clients/{clientId}/tax-filings/{taxYear}
///     operation: GetFilingStatus          # the WSDL operation (default: the name, first letter either case)
///     request: { ClientId: $path.clientId, TaxYear: $path.taxYear }
///     response:
///       errors: { ClientNotFound: { status: 404, code: client-not-found } }   # by detail element or fault code
/// ```
public struct SOAPHTTPKind: AdapterKind {
    public let name = "soap-http"
    static let endpointKeys = [
        "url", "service", "port", "soap-version", "envelope", "max-connections", "connect-timeout", "read-timeout", "max-response-bytes",
        "security", "tls",
    ]

    public init() {}

    /// `tls: { ca-file, certificate-file, private-key-file }`: PEM files read when the declaration
    /// is loaded (so `portage validate` reports a missing or unreadable one), for an https url only.
    static func readTLS(_ node: DeclarationNode, url: String?, reader: DeclarationReader) -> HTTPTransport.TLS? {
        guard reader.mapping(node, allowed: ["ca-file", "certificate-file", "private-key-file"]) != nil else { return nil }
        if let url, !url.lowercased().hasPrefix("https://") {
            reader.report(node, "tls needs an https:// url, found '\(url)'")
            return nil
        }
        let certificate = node["certificate-file"].flatMap { reader.string($0) }
        let key = node["private-key-file"].flatMap { reader.string($0) }
        if (certificate == nil) != (key == nil) {
            reader.report(node, "certificate-file and private-key-file go together: the gateway's certificate and its key")
            return nil
        }
        do {
            return try HTTPTransport.TLS.load(
                caFile: node["ca-file"].flatMap { reader.string($0) }, certificateFile: certificate, privateKeyFile: key)
        } catch {
            let culprit = ["ca-file", "certificate-file", "private-key-file"].first { node[$0].flatMap { reader.string($0) } == error.file }
            reader.report(culprit.flatMap { node[$0] } ?? node, error.description)
            return nil
        }
    }

    public func prepare(_ declaration: AdapterDeclaration, environment: AdapterEnvironment, reader: DeclarationReader) -> PreparedAdapter? {
        let before = reader.problems.count
        let endpoint = declaration.endpoint
        guard reader.mapping(endpoint, allowed: Self.endpointKeys) != nil else { return nil }
        let service = endpoint["service"].flatMap { reader.string($0) }
        let port = endpoint["port"].flatMap { reader.string($0) }
        var version: SOAPVersion?
        if let node = endpoint["soap-version"], let text = reader.string(node) {
            version = SOAPVersion(rawValue: text)
            if version == nil { reader.report(node, "soap-version must be 1.1 or 1.2, found '\(text)'") }
        }
        let maxConnections = endpoint["max-connections"].flatMap { reader.integer($0, in: 1...1024) } ?? 8
        let connectTimeout = reader.positiveDuration(endpoint["connect-timeout"]) ?? .seconds(1)
        let readTimeout = reader.positiveDuration(endpoint["read-timeout"]) ?? .seconds(5)
        let maximumResponse = endpoint["max-response-bytes"].flatMap { reader.integer($0, in: 1024...(1 << 30)) } ?? 16 << 20
        let security = endpoint["security"].flatMap { UsernameTokenSecurity.read($0, reader: reader) }
        // `envelope: none`: plain XML over HTTP POST (the WSDL's elements, no SOAP envelope), as
        // ASMX services' HttpPost endpoints and many in-house XML services answer.
        var plainXML = false
        if let node = endpoint["envelope"], let text = reader.string(node) {
            switch text {
            case "soap": break
            case "none": plainXML = true
            default: reader.report(node, "envelope must be soap or none, found '\(text)'")
            }
            if plainXML, let securityNode = endpoint["security"] {
                reader.report(securityNode, "a UsernameToken travels in a SOAP header: it needs envelope: soap")
            }
        }

        guard let reference = declaration.contracts["wsdl"] else {
            reader.report(declaration.node["contracts"] ?? declaration.node, "soap-http needs contracts.wsdl: the service's WSDL 1.1")
            return nil
        }
        let contract: SOAPContract
        do {
            contract = try SOAPContract.load(
                path: (environment.contractsDirectory as NSString).appendingPathComponent(reference.path),
                root: environment.contractsDirectory)
        } catch {
            reader.report(reference.node, "WSDL \(reference.path): \(error)")
            return nil
        }
        let available = contract.operations(service: service, port: port, version: version)
        if available.isEmpty {
            let ports = contract.wsdl.operations.map { "\($0.service)/\($0.port) (SOAP \($0.version.rawValue))" }
            reader.report(
                endpoint, "\(reference.path) has no SOAP port\(service.map { " in service \($0)" } ?? "")\(port.map { " named \($0)" } ?? "")"
                    + (version.map { " for SOAP \($0.rawValue)" } ?? "")
                    + "; ports: \(Array(Set(ports)).sorted().joined(separator: ", "))"
                    + contract.unsupported.map { "\n  not read: \($0)" }.joined())
            return nil
        }

        var url = endpoint["url"].flatMap { reader.string($0) }
        if let node = endpoint["url"], let text = url {
            let parsed = URL(string: text)
            if parsed.map({ !["http", "https"].contains($0.scheme?.lowercased() ?? "") || $0.host == nil }) ?? true {
                reader.report(node, "url must be an http:// or https:// address, found '\(text)'")
            } else if parsed?.user != nil || parsed?.password != nil {
                url = nil
                reader.report(node, "the url carries credentials; declare them under security (from the environment or a file) instead")
            }
        }
        if url == nil { url = available[0].address }
        if url == nil { reader.report(endpoint, "the WSDL's port has no soap:address; declare endpoint.url") }
        let tls = endpoint["tls"].flatMap { Self.readTLS($0, url: url, reader: reader) }

        var operations: [String: SOAPOperation] = [:]
        var schemas: [String: OperationSchema] = [:]
        for operation in declaration.operations {
            let wanted = operation.backendOperation?.name ?? operation.name
            guard let resolved = available.first(where: { $0.binding.name == wanted })
                ?? (operation.backendOperation == nil ? available.first(where: { $0.binding.name.lowercased() == wanted.lowercased() }) : nil)
            else {
                reader.report(
                    operation.backendOperation?.node ?? operation.node,
                    "\(reference.path) has no operation '\(wanted)' on port \(available[0].port); operations: \(available.map(\.binding.name).joined(separator: ", "))")
                continue
            }
            do {
                let codec = try contract.codec(for: resolved, plainXML: plainXML)
                if let compiled = SOAPOperation.compile(operation, codec: codec, reader: reader) {
                    operations[operation.name] = compiled
                    schemas[operation.name] = compiled.schema
                }
            } catch {
                reader.report(operation.backendOperation?.node ?? operation.node, "\(reference.path): \(error)")
            }
        }
        guard reader.problems.count == before, let url else { return nil }

        var logger = environment.logger
        logger[metadataKey: "adapter"] = "\(declaration.name)"
        for construct in contract.unsupported {
            logger.warning("WSDL construct not read", metadata: ["contract": "\(reference.path)", "construct": "\(construct)"])
        }
        let transport = HTTPTransport(
            configuration: .init(
                url: url, maxConnections: maxConnections, connectTimeout: connectTimeout.timeAmount, readTimeout: readTimeout.timeAmount,
                maximumResponseSize: maximumResponse, tls: tls),
            eventLoopGroup: environment.eventLoopGroup)
        let adapter = SOAPHTTPAdapter(
            declaration: declaration, operations: operations, transport: transport, security: security,
            unsupported: contract.unsupported.map(\.description))
        return PreparedAdapter(adapter: adapter, operations: schemas)
    }
}
