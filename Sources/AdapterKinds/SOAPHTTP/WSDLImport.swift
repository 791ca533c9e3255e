import Foundation
import GatewayCore
import XMLSOAP

/// `portage import wsdl`: a complete `soap-http` declaration for one port of a WSDL, one
/// `POST /v1/<adapter>/<operation>` route per operation, with the WSDL and its schemas copied
/// into `Contracts/<adapter>/`. What the WSDL holds that Portage does not read is listed at the
/// top of the declaration and returned, never dropped silently.
public struct WSDLImport: Sendable {
    public struct Options: Sendable {
        /// The adapter's name (default: the service's name in kebab case).
        public var name: String?
        public var service: String?
        public var port: String?
        public var version: SOAPVersion?
        /// The backend's address (default: the port's `soap:address`).
        public var url: String?
        /// The folder that holds `Adapters/` and `Contracts/`.
        public var outputDirectory: String
        /// Replace an existing declaration and contract folder of the same name.
        public var overwrite: Bool

        public init(
            name: String? = nil, service: String? = nil, port: String? = nil, version: SOAPVersion? = nil, url: String? = nil,
            outputDirectory: String = ".", overwrite: Bool = false
        ) {
            self.name = name
            self.service = service
            self.port = port
            self.version = version
            self.url = url
            self.outputDirectory = outputDirectory
            self.overwrite = overwrite
        }
    }

    public struct Output: Sendable {
        public var adapter: String
        /// The declaration written, and the contract files copied (paths under the output folder).
        public var declarationFile: String
        public var contractFiles: [String]
        /// Operation names in the declaration (its operationIds) and the WSDL operations they call.
        public var operations: [(name: String, wsdlOperation: String)]
        public var unsupported: [WSDL.Unsupported]
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Imports a WSDL file; its schemas are read relative to it and must sit in its folder or below.
    public static func importFile(_ path: String, source: String? = nil, options: Options) throws(Failure) -> Output {
        let contract: SOAPContract
        do {
            contract = try SOAPContract.load(path: path)
        } catch {
            throw Failure("\(path): \(error)")
        }
        let operations = contract.operations(service: options.service, port: options.port, version: options.version)
        guard let first = operations.first else {
            let ports = Set(contract.wsdl.operations.map { "service \($0.service), port \($0.port) (SOAP \($0.version.rawValue))" })
            throw Failure(
                "\(path) has no SOAP port"
                    + (options.service.map { " in service \($0)" } ?? "") + (options.port.map { " named \($0)" } ?? "")
                    + (options.version.map { " for SOAP \($0.rawValue)" } ?? "")
                    + (ports.isEmpty ? "" : "; it has: \(ports.sorted().joined(separator: "; "))")
                    + contract.unsupported.map { "\n  not read: \($0)" }.joined())
        }
        let name = options.name ?? kebabCase(first.service)
        guard DeclarationLoader.isAdapterName(name) else {
            throw Failure("adapter name '\(name)' must be lower-case letters, digits and '-', starting with a letter (use --name)")
        }
        guard let url = options.url ?? first.address, !url.isEmpty else {
            throw Failure("\(path): port \(first.port) names no soap:address; give the backend's address with --url")
        }

        let root = URL(fileURLWithPath: options.outputDirectory)
        let declarationURL = root.appendingPathComponent("Adapters/\(name).yaml")
        let contractFolder = root.appendingPathComponent("Contracts/\(name)")
        let fileManager = FileManager.default
        if !options.overwrite {
            for existing in [declarationURL, contractFolder] where fileManager.fileExists(atPath: existing.path) {
                throw Failure("\(existing.path) already exists (use --overwrite to replace it, or --name for another adapter)")
            }
        }

        // Operation names are operationIds, unique across the gateway: one already used by
        // another adapter in the folder gets the adapter's name in front (`caseloadGetCase`).
        let taken = Set(
            DeclarationLoader(adaptersDirectory: root.appendingPathComponent("Adapters").path, contractsDirectory: "")
                .load().declarations.filter { $0.name != name }.flatMap { $0.operations.map(\.name) })
        var seen: Set<String> = []
        var named: [(name: String, wsdlOperation: String)] = []
        for operation in operations where seen.insert(operation.binding.name).inserted {
            var operationName = lowerCamelCase(operation.binding.name)
            if taken.contains(operationName) { operationName = lowerCamelCase(name + "-" + operation.binding.name) }
            named.append((operationName, operation.binding.name))
        }
        let wsdlFolder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        let yaml = declaration(
            name: name, source: source ?? path, wsdlFile: "\(name)/\(contract.files[0])", url: url, operation: first,
            operations: named, unsupported: contract.unsupported)
        do {
            if options.overwrite, fileManager.fileExists(atPath: contractFolder.path) { try fileManager.removeItem(at: contractFolder) }
            try fileManager.createDirectory(at: root.appendingPathComponent("Adapters"), withIntermediateDirectories: true)
            var copied: [String] = []
            for file in contract.files {
                let target = contractFolder.appendingPathComponent(file)
                try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                if fileManager.fileExists(atPath: target.path) { try fileManager.removeItem(at: target) }
                try fileManager.copyItem(at: wsdlFolder.appendingPathComponent(file), to: target)
                copied.append("Contracts/\(name)/\(file)")
            }
            try Data(yaml.utf8).write(to: declarationURL, options: .atomic)
            return Output(
                adapter: name, declarationFile: "Adapters/\(name).yaml", contractFiles: copied, operations: named,
                unsupported: contract.unsupported)
        } catch {
            throw Failure("cannot write into \(root.path): \(error.localizedDescription)")
        }
    }

    /// Imports a WSDL from an address: it and the schemas it names (fetched relative to the
    /// document naming them, only from the WSDL's folder or below) are staged in a temporary
    /// folder, then imported as a file. A schema elsewhere is not fetched: it is reported.
    public static func importURL(
        _ address: String, options: Options, fetch: (URL) async throws -> [UInt8]
    ) async throws(Failure) -> Output {
        guard let url = URL(string: address), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw Failure("'\(address)' is not an http:// or https:// address")
        }
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("portage-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }
        var fileName = url.lastPathComponent
        if !fileName.lowercased().hasSuffix(".wsdl") { fileName = (options.name ?? "service") + ".wsdl" }
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            let wsdlBytes = try await fetch(url)
            try Data(wsdlBytes).write(to: staging.appendingPathComponent(fileName))
            let wsdl = try WSDL.parse(wsdlBytes)
            // Schemas are fetched relative to the document naming them, and only from the WSDL's
            // folder or below (staged at the same relative path, so the copy reads the same way).
            let folder = URL(string: ".", relativeTo: url)?.absoluteString ?? address
            var fetched: [String: [UInt8]] = [:]
            // Each round reads the schemas fetched so far and names the addresses still missing.
            for _ in 0..<32 {
                var missing: [URL] = []
                _ = XMLSchemaSet(schemas: wsdl.schemas) { location, from in
                    guard !location.contains("://"),
                        let schemaURL = URL(string: location, relativeTo: from.flatMap(URL.init(string:)) ?? url)?.absoluteURL,
                        schemaURL.absoluteString.hasPrefix(folder), schemaURL.query == nil
                    else { return nil }
                    if let bytes = fetched[schemaURL.absoluteString] {
                        return XMLSchemaSet.SchemaDocument(path: schemaURL.absoluteString, bytes: bytes)
                    }
                    missing.append(schemaURL)
                    return nil
                }
                if missing.isEmpty { break }
                for schemaURL in missing where fetched[schemaURL.absoluteString] == nil {
                    let bytes = try await fetch(schemaURL)
                    let target = staging.appendingPathComponent(String(schemaURL.absoluteString.dropFirst(folder.count)))
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(bytes).write(to: target)
                    fetched[schemaURL.absoluteString] = bytes
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(address): \(error)")
        }
        return try importFile(staging.appendingPathComponent(fileName).path, source: address, options: options)
    }

    static func declaration(
        name: String, source: String, wsdlFile: String, url: String, operation first: WSDL.ResolvedOperation,
        operations: [(name: String, wsdlOperation: String)], unsupported: [WSDL.Unsupported]
    ) -> String {
        func quoted(_ text: String) -> String { JSONWriter().string(.string(text)) }
        var lines = [
            "# Written by `portage import wsdl \(source)`; edit freely (routes, GET with path parameters,",
            "# `fields`, `errors` per fault) and check with `portage validate`.",
        ]
        if !unsupported.isEmpty {
            lines.append("# Not read from the WSDL (named here so nothing is dropped silently):")
            lines += unsupported.map { "#   \($0)" }
        }
        lines += [
            "adapter: \(name)",
            "kind: soap-http",
            "title: { en: \(quoted(first.service)), fr: \(quoted(first.service)) }",
            "description:",
            "  en: \(quoted("The \(first.service) SOAP service (port \(first.port), SOAP \(first.version.rawValue)), imported from its WSDL."))",
            "  fr: \(quoted("Le service SOAP \(first.service) (port \(first.port), SOAP \(first.version.rawValue)), importé de son WSDL."))",
            "endpoint:",
            "  url: \(quoted(url))",
            "  service: \(quoted(first.service))",
            "  port: \(quoted(first.port))",
            "  soap-version: \"\(first.version.rawValue)\"",
            "contracts: { wsdl: \(quoted(wsdlFile)) }",
            "operations:",
        ]
        for operation in operations {
            lines += [
                "  \(operation.name):",
                "    route: POST /v1/\(name)/\(kebabCase(operation.wsdlOperation))",
                "    operation: \(quoted(operation.wsdlOperation))",
                "    summary: { en: \(quoted("Call \(operation.wsdlOperation)")), fr: \(quoted("Appeler \(operation.wsdlOperation)")) }",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `checkVatService` → `check-vat-service`; `Get_Case` → `get-case`.
    public static func kebabCase(_ text: String) -> String {
        words(text).joined(separator: "-")
    }

    /// `GetHousehold` → `getHousehold`; `get_case` → `getCase` (an operationId: letters and digits).
    public static func lowerCamelCase(_ text: String) -> String {
        let parts = words(text)
        guard let head = parts.first else { return "operation" }
        let camel = head + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return camel.first?.isLetter == true ? camel : "operation" + camel.prefix(1).uppercased() + camel.dropFirst()
    }

    /// Lower-case ASCII words: split at non-alphanumerics and before an upper-case letter that
    /// follows a lower-case one or starts a capitalised word (`VATNumber` → `vat`, `number`).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            guard character.isASCII, character.isLetter || character.isNumber else {
                if !current.isEmpty { words.append(current) }
                current = ""
                continue
            }
            if character.isUppercase, !current.isEmpty {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    words.append(current)
                    current = ""
                }
            }
            current.append(Character(character.lowercased()))
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
