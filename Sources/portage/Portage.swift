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
struct CacheOptions: ParsableArguments {
    @Option(help: "Memory for cached answers, shared by every adapter: bytes, or with KB, MB, GB (e.g. 256MB).")
    var cacheSize = "64MB"

    /// `--cache-size` in bytes; a value that is not a size is refused by name.
    func bytes() throws -> Int {
        let text = cacheSize.uppercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        let (suffix, multiplier) = units.first { text.hasSuffix($0.0) } ?? ("", 1)
        guard let number = Int(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), number >= 0,
            number <= Int.max / multiplier
        else {
            throw ValidationError("--cache-size: expected a size such as 64MB, 1GB or 1048576, found '\(cacheSize)'")
        }
        return number * multiplier
    }
}

struct DirectoryOptions: ParsableArguments {
    @Option(help: "Directory of adapter declarations (*.yaml).")
    var adapters = "Adapters"

    @Option(help: "Directory of legacy contracts (copybooks, WSDLs, layouts).")
    var contracts = "Contracts"
}
