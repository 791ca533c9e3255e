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
        // Names that differ only in case or separators (`GetCase`, `get_case`) get a number.
        var seen: Set<String> = []
        var used: Set<String> = []
        var named: [(name: String, wsdlOperation: String)] = []
        for operation in operations where seen.insert(operation.binding.name).inserted {
            var operationName = lowerCamelCase(operation.binding.name)
            if taken.contains(operationName) { operationName = lowerCamelCase(name + "-" + operation.binding.name) }
            let stem = operationName
            var counter = 2
            while taken.contains(operationName) || used.contains(operationName) {
                operationName = stem + String(counter)
                counter += 1
            }
            used.insert(operationName)
            named.append((operationName, operation.binding.name))
        }
        let wsdlFolder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        let yaml = declaration(
            name: name, source: source ?? path, wsdlFile: "\(name)/\(contract.files[0])", url: url, operation: first,
            operations: named, unsupported: contract.unsupported)
        do {
            // Read every source first: with --overwrite the source may be the folder being replaced.
            let sources = try contract.files.map { file in (file, try Data(contentsOf: wsdlFolder.appendingPathComponent(file))) }
            if options.overwrite, fileManager.fileExists(atPath: contractFolder.path) { try fileManager.removeItem(at: contractFolder) }
            try fileManager.createDirectory(at: root.appendingPathComponent("Adapters"), withIntermediateDirectories: true)
            var copied: [String] = []
            for (file, data) in sources {
                let target = contractFolder.appendingPathComponent(file)
                try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: target, options: .atomic)
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

    static func declaration(
        name: String, source: String, wsdlFile: String, url: String, operation first: WSDL.ResolvedOperation,
        operations: [(name: String, wsdlOperation: String)], unsupported: [WSDL.Unsupported]
    ) -> String {
        func quoted(_ text: String) -> String { JSONWriter().string(.string(text)) }
        var lines = [
            "# Written by `portage import wsdl \(commentText(source))`; edit freely (routes, GET with path parameters,",
            "# `fields`, `errors` per fault) and check with `portage validate`.",
        ]
        if !unsupported.isEmpty {
            lines.append("# Not read from the WSDL (named here so nothing is dropped silently):")
            lines += unsupported.map { "#   " + commentText("\($0)") }
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
        var routes: Set<String> = []
        for operation in operations {
            // The route follows the WSDL's name; one that differs only in case or separators gets a number.
            var route = kebabCase(operation.wsdlOperation)
            var counter = 2
            while !routes.insert(route).inserted {
                route = kebabCase(operation.wsdlOperation) + "-\(counter)"
                counter += 1
            }
            lines += [
                "  \(operation.name):",
                "    route: POST /v1/\(name)/\(route)",
                "    operation: \(quoted(operation.wsdlOperation))",
                "    summary: { en: \(quoted("Call \(operation.wsdlOperation)")), fr: \(quoted("Appeler \(operation.wsdlOperation)")) }",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text for a YAML comment: a line break in a WSDL's text must not end the comment.
    static func commentText(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{85}" ? " " : Character($0) })
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
