import ArgumentParser

@main
struct Portage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portage",
        abstract: "A JSON facade gateway for legacy systems (fixed-width records over TCP, SOAP, batch files).",
        subcommands: [Serve.self, Validate.self, Demo.self, Import.self, Decode.self, Encode.self, Layout.self, Soap.self])
}

/// Where declarations and contracts are read from.
struct DirectoryOptions: ParsableArguments {
    @Option(help: "Directory of adapter declarations (*.yaml).")
    var adapters = "Adapters"

    @Option(help: "Directory of legacy contracts (copybooks, WSDLs, layouts).")
    var contracts = "Contracts"
}
