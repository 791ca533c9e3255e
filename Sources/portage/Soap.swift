import ArgumentParser
import Foundation
import GatewayCore
import GatewayHTTP
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

        func load() throws -> SOAPOperationCodec {
            let contract: SOAPContract
            do {
                contract = try SOAPContract.load(path: wsdl)
            } catch {
                throw ValidationError("\(wsdl): \(error)")
            }
            let version = soapVersion.flatMap(SOAPVersion.init(rawValue:))
            if let soapVersion, version == nil { throw ValidationError("--soap-version must be 1.1 or 1.2, found '\(soapVersion)'") }
            guard let resolved = contract.wsdl.operations.first(where: { $0.binding.name == operation && (version == nil || $0.version == version) })
            else {
                let names = Array(Set(contract.wsdl.operations.map(\.binding.name))).sorted()
                let reasons = contract.unsupported.map { "\n  \($0)" }.joined()
                throw ValidationError("\(wsdl) has no SOAP operation '\(operation)'; operations: \(names.joined(separator: ", "))\(reasons)")
            }
            do {
                return try contract.codec(for: resolved)
            } catch {
                throw ValidationError("\(wsdl): \(error)")
            }
        }
    }

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the SOAP envelope Portage would send for a JSON request.")

        @OptionGroup var options: OperationOptions

        @Option(help: "The JSON request (standard input when absent).")
        var json: String?

        func run() throws {
            let codec = try options.load()
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
                FileHandle.standardOutput.write(Data(try codec.requestEnvelope(value) + [0x0A]))
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
            let codec = try options.load()
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let outcome: SOAPOperationCodec.Outcome
            do {
                outcome = try codec.response(Array(data))
            } catch {
                throw ValidationError("\(file): \(error)")
            }
            let writer = JSONWriter(prettyPrinted: true)
            switch outcome {
            case .success(let value):
                try FileHandle.standardOutput.write(contentsOf: writer.bytes(value))
                // Done: exit now rather than free a large answer's values one by one (the
                // system takes the whole heap back at once).
                Foundation.exit(0)
            case .fault(let fault):
                let error = fault.gatewayError(adapter: "the service", declared: [:], idempotent: false)
                let problem = ProblemDocument.json(error, language: .en, correlationId: "-", instance: options.operation)
                FileHandle.standardOutput.write(Data(writer.bytes(problem)))
                throw ExitCode(1)
            }
        }
    }
}
