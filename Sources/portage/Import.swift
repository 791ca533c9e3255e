import AdapterKinds
import ArgumentParser
import Foundation
import GatewayCore
import Logging
import NIOCore
import NIOPosix
import Transports
import XMLSOAP

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an adapter declaration from a legacy contract.", subcommands: [Wsdl.self])

    struct Wsdl: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wsdl",
            abstract: "Write a soap-http adapter for a WSDL: one POST route per operation, the WSDL and its schemas copied into Contracts/<name>/.")

        @Argument(help: "The WSDL: a file, or an http(s) address (its schemas on the same server are fetched and copied with it).")
        var source: String

        @Option(help: "The adapter's name (default: the service's name in kebab case).")
        var name: String?

        @Option(help: "The service, when the WSDL has several.")
        var service: String?

        @Option(help: "The port, when the service has several.")
        var port: String?

        @Option(help: "The SOAP version of the port to use when the WSDL offers both: 1.1 or 1.2.")
        var soapVersion: String?

        @Option(help: "The backend's address (default: the port's soap:address).")
        var url: String?

        @Option(help: "The folder that holds Adapters/ and Contracts/.")
        var out = "."

        @Flag(help: "Replace an existing declaration and contract folder of the same name.")
        var overwrite = false

        func run() async throws {
            let version = soapVersion.flatMap(SOAPVersion.init(rawValue:))
            if let soapVersion, version == nil { throw ValidationError("--soap-version must be 1.1 or 1.2, found '\(soapVersion)'") }
            let options = WSDLImport.Options(
                name: name, service: service, port: port, version: version, url: url, outputDirectory: out, overwrite: overwrite)
            let output: WSDLImport.Output
            do {
                if source.contains("://") {
                    let transport = HTTPTransport(
                        configuration: .init(url: source, connectTimeout: .seconds(5), readTimeout: .seconds(30)),
                        eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
                    do {
                        output = try await WSDLImport.importURL(source, options: options) { url in
                            let answer = try await transport.get(url.absoluteString, deadline: .now() + .seconds(60))
                            guard answer.status == 200 else { throw WSDLImport.Failure("\(url.absoluteString) answered HTTP \(answer.status)") }
                            return Array(buffer: answer.body)
                        }
                    } catch {
                        await transport.shutdown()
                        throw error
                    }
                    await transport.shutdown()
                } else {
                    output = try WSDLImport.importFile(source, options: options)
                }
            } catch {
                FileHandle.standardError.write(Data("portage import wsdl: \(error)\n".utf8))
                throw ExitCode(1)
            }
            print("Wrote \(output.declarationFile) with \(output.operations.count) operation(s):")
            for operation in output.operations { print("  \(operation.name) → \(operation.wsdlOperation)") }
            for file in output.contractFiles { print("Copied \(file)") }
            for construct in output.unsupported { print("Not read: \(construct)") }
            print("Check it with: portage validate --adapters \(out)/Adapters --contracts \(out)/Contracts")
        }
    }
}
