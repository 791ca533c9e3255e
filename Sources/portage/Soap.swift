import ArgumentParser
import Foundation
import GatewayCore
import XMLSOAP

struct Soap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what Portage sends to and reads from a SOAP service, offline, from its WSDL.",
        subcommands: [Request.self, Response.self])

    /// The WSDL, its schemas (imports read relative to it) and one operation.
    struct OperationOptions: ParsableArguments {
        @Option(help: "The WSDL 1.1 file (its xs:import and xs:include locations are read relative to it).")
        var wsdl: String

        @Option(help: "The operation's name.")
        var operation: String

        @Option(help: "The SOAP version of the port to use when the WSDL has both: 1.1 or 1.2.")
        var soapVersion: String?

        func load() throws -> (WSDL.ResolvedOperation, XMLSchemaSet) {
            guard let data = FileManager.default.contents(atPath: wsdl) else { throw ValidationError("cannot read the WSDL \(wsdl)") }
            let document: WSDL
            do {
                document = try WSDL.parse(Array(data))
            } catch {
                throw ValidationError("\(wsdl): \(error)")
            }
            let candidates = document.operations.filter { $0.binding.name == operation && (soapVersion == nil || $0.version.rawValue == soapVersion) }
            guard let resolved = candidates.first else {
                let names = Array(Set(document.operations.map(\.binding.name))).sorted()
                let reasons = document.unsupported.map { "\n  \($0)" }.joined()
                throw ValidationError("\(wsdl) has no SOAP operation '\(operation)'; operations: \(names.joined(separator: ", "))\(reasons)")
            }
            let base = URL(fileURLWithPath: wsdl).deletingLastPathComponent()
            let schemas = XMLSchemaSet(schemas: document.schemas) { location in
                FileManager.default.contents(atPath: base.appendingPathComponent(location).path).map(Array.init)
            }
            return (resolved, schemas)
        }
    }

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the SOAP envelope Portage would send for a JSON request.")

        @OptionGroup var options: OperationOptions

        @Option(help: "The JSON request (standard input when absent).")
        var json: String?

        func run() throws {
            let (operation, schemas) = try options.load()
            guard operation.binding.style == .document, let element = operation.input?.parts.first?.element else {
                throw ValidationError("'\(options.operation)' is an rpc-style operation; Portage writes document/literal requests so far")
            }
            let bytes: [UInt8]
            if let json {
                guard let data = FileManager.default.contents(atPath: json) else { throw ValidationError("cannot read \(json)") }
                bytes = Array(data)
            } else {
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            }
            let source = json ?? "stdin"
            let parsed = Result { try JSONParser.parse(bytes) }
            guard case .success(let value) = parsed else {
                if case .failure(let error as JSONParser.SyntaxError) = parsed {
                    throw ValidationError("\(source): line \(error.line), column \(error.column): \(error.reason)")
                }
                throw ValidationError("\(source): not JSON")
            }
            do {
                let body = try SchemaXMLEncoder(schemas: schemas).encode(value, element: element)
                FileHandle.standardOutput.write(Data(operation.version.envelope(body: body) + [0x0A]))
            } catch {
                throw ValidationError("\(json ?? "stdin"): \(error)")
            }
        }
    }

    struct Response: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the JSON Portage would return for a SOAP response (a problem for a fault; exit 1).")

        @OptionGroup var options: OperationOptions

        @Argument(help: "The SOAP response (XML).")
        var file: String

        func run() throws {
            let (_, schemas) = try options.load()
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let envelope: SOAPEnvelope
            do {
                envelope = try SOAPEnvelope.parse(Array(data))
            } catch {
                throw ValidationError("\(file): \(error)")
            }
            let writer = JSONWriter(prettyPrinted: true)
            if let fault = envelope.fault {
                var problem = JSONObject([
                    ("type", .string("urn:portage:problem:soap-fault")), ("title", .string("The service answered with a SOAP fault")),
                    ("status", .number(fault.kind == .client ? "400" : "502")), ("faultCode", .string(fault.code)),
                    ("faultReason", .string(fault.reason)),
                ])
                if let detail = fault.detail { problem["faultDetail"] = detail }
                FileHandle.standardOutput.write(Data(writer.bytes(.object(problem))))
                throw ExitCode(1)
            }
            guard let body = envelope.body.first else { throw ValidationError("\(file): the SOAP Body is empty") }
            FileHandle.standardOutput.write(Data(writer.bytes(SchemaJSONDecoder(schemas: schemas).decode(body, scope: envelope.bodyScope))))
        }
    }
}
