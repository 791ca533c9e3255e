import FixedWidth
import Foundation
import GatewayCore
import NIOCore
import Transports

/// `fixed-width-tcp`: COBOL-copybook records over pooled TCP connections.
///
/// ```yaml
/// endpoint: { host: 127.0.0.1, port: 7001, framing: length-prefix-4, encoding: cp037, max-connections: 4,
///             connect-timeout: 1s, read-timeout: 5s }
/// contracts: { request: client-master/CLIREQ.cpy, response: client-master/CLIRESP.cpy }
/// ```
public struct FixedWidthTCPKind: AdapterKind {
    public let name = "fixed-width-tcp"
    static let endpointKeys = ["host", "port", "framing", "encoding", "max-connections", "connect-timeout", "read-timeout"]
    static let framings = ["fixed", "length-prefix-2", "length-prefix-4", "line"]

    public init() {}

    public func prepare(_ declaration: AdapterDeclaration, environment: AdapterEnvironment, reader: DeclarationReader) -> PreparedAdapter? {
        let before = reader.problems.count
        let endpoint = declaration.endpoint
        guard reader.mapping(endpoint, allowed: Self.endpointKeys, required: ["host", "port", "framing"]) != nil else { return nil }
        let host = reader.string(endpoint["host"]) ?? ""
        let port = reader.integer(endpoint["port"], in: 1...65535) ?? 0
        let framingName = reader.string(endpoint["framing"]) ?? ""
        if let node = endpoint["framing"], !framingName.isEmpty, !Self.framings.contains(framingName) {
            reader.report(node, "unknown framing '\(framingName)'; one of \(Self.framings.joined(separator: ", "))")
        }
        var codePage = CodePage.cp037
        if let node = endpoint["encoding"], let name = reader.string(node) {
            if let page = CodePage.named(name) { codePage = page } else {
                reader.report(node, "unknown encoding '\(name)'; one of \(CodePage.supportedNames.joined(separator: ", "))")
            }
        }
        let maxConnections = endpoint["max-connections"].flatMap { reader.integer($0, in: 1...1024) } ?? 4
        let connectTimeout = reader.positiveDuration(endpoint["connect-timeout"]) ?? .seconds(1)
        let readTimeout = reader.positiveDuration(endpoint["read-timeout"]) ?? .seconds(5)

        var layouts: [String: RecordLayout] = [:]
        func layout(_ reference: ContractReference?, role: String, operation: OperationDeclaration) -> RecordLayout? {
            guard let reference else {
                reader.report(operation.node, "no '\(role)' contract: declare contracts.\(role) on the adapter or the operation")
                return nil
            }
            if let cached = layouts[reference.path] { return cached }
            let path = (environment.contractsDirectory as NSString).appendingPathComponent(reference.path)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                reader.report(reference.node, "cannot read copybook \(reference.path)")
                return nil
            }
            do {
                let parsed = try RecordLayout(copybook: Copybook.parse(text, file: reference.path), codePage: codePage)
                layouts[reference.path] = parsed
                return parsed
            } catch {
                reader.report(reference.node, "copybook \(error)")
                return nil
            }
        }

        var operations: [String: FixedWidthOperation] = [:]
        var schemas: [String: OperationSchema] = [:]
        for operation in declaration.operations {
            let request = layout(operation.contract("request", adapter: declaration), role: "request", operation: operation)
            let response = layout(operation.contract("response", adapter: declaration), role: "response", operation: operation)
            guard let request, let response else { continue }
            if let compiled = FixedWidthOperation.compile(operation, request: request, response: response, reader: reader) {
                operations[operation.name] = compiled
                schemas[operation.name] = compiled.schema
            }
        }
        if framingName == "fixed" {
            let lengths = Set(operations.values.map(\.response.length))
            if lengths.count > 1, let node = endpoint["framing"] {
                reader.report(node, "fixed framing needs one response length, but the response layouts have \(lengths.sorted())")
            }
            if operations.values.contains(where: { $0.response.minimumLength != $0.response.length }), let node = endpoint["framing"] {
                reader.report(node, "fixed framing cannot carry a response with OCCURS DEPENDING ON; use a length prefix")
            }
        }
        if let node = endpoint["framing"] {
            if framingName == "line", layouts.values.contains(where: \.containsBinaryFields) {
                reader.report(node, "line framing carries text records only; a COMP-3 or binary field can hold the newline byte: use a length prefix")
            }
            let limit = framingName == "length-prefix-2" ? Int(UInt16.max) : 1 << 20
            for (path, layout) in layouts.sorted(by: { $0.key < $1.key }) where layout.length > limit {
                reader.report(node, "\(path) is \(layout.length) bytes, more than \(framingName) framing carries (\(limit))")
            }
        }
        guard reader.problems.count == before else { return nil }

        let framing: Framing
        switch framingName {
        case "fixed": framing = .fixed(responseLength: operations.values.first?.response.length ?? 0)
        case "length-prefix-2": framing = .lengthPrefix(bytes: 2)
        case "line": framing = .line(delimiter: codePage.isEBCDIC ? 0x25 : 0x0A)
        default: framing = .lengthPrefix(bytes: 4)
        }
        let configuration = TCPTransport.Configuration(
            host: host, port: port, framing: framing, maxConnections: maxConnections,
            connectTimeout: connectTimeout.timeAmount, readTimeout: readTimeout.timeAmount)
        var logger = environment.logger
        logger[metadataKey: "adapter"] = "\(declaration.name)"
        let transport = TCPTransport(configuration: configuration, eventLoopGroup: environment.eventLoopGroup, logger: logger)
        let adapter = FixedWidthTCPAdapter(
            declaration: declaration, operations: operations, transport: transport, encoding: codePage.name)
        return PreparedAdapter(adapter: adapter, operations: schemas)
    }
}
