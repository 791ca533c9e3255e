import ArgumentParser
#if canImport(Glibc)
/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
private let mallocTopPad: Int32 = -2  // M_TOP_PAD
#endif

@main
struct Portage: AsyncParsableCommand {
    static func main() async {
        #if canImport(Glibc)
        // Grow the heap 32 MB at a time: a command translating a large file otherwise spends a
        // measurable share of its time in the kernel extending the heap page by page.
        _ = mallopt(mallocTopPad, 32 << 20)
        #endif
        await main(nil)
    }

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
