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

    /// Imports a WSDL from an address. Every schema it names that lives on the same server (same
    /// scheme, host and port) is fetched, wherever it sits and however it is named — WCF's
    /// `Service.svc?xsd=xsd0` included — and staged beside the WSDL: under its relative path when
    /// it sits in the WSDL's folder, else under `schemas/`, with the `schemaLocation` that names it
    /// rewritten to the copy so the contract reads offline. A schema on another server is not
    /// fetched: it is reported. The staged folder is then imported as a file.
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
        let folder = URL(string: ".", relativeTo: url)?.absoluteString ?? address
        do {
            let wsdlBytes = try await fetch(url)
            var wsdl = try WSDL.parse(wsdlBytes)
            // Address → where its copy goes (relative to the staging folder) and its bytes.
            var documents: [String: (local: String, bytes: [UInt8])] = [url.absoluteString: (fileName, wsdlBytes)]
            // Address of a document → its locations as written → the copy's path relative to it.
            var rewrites: [String: [String: String]] = [:]
            var importRewrites: [String: [String: String]] = [:]
            func sameServer(_ other: URL) -> Bool { other.scheme == url.scheme && other.host == url.host && other.port == url.port }
            // wsdl:import first (WCF: `?wsdl=wsdl0`), merged so their schemas are found too.
            // A hostile server must not make the import fetch without end: bounded in documents and bytes.
            var fetchedBytes = wsdlBytes.count
            func fetchBounded(_ address: URL) async throws -> [UInt8] {
                guard documents.count < Self.maximumDocuments else {
                    throw Failure("\(address.absoluteString): more than \(Self.maximumDocuments) WSDL and schema documents; import from files instead")
                }
                let bytes = try await fetch(address)
                fetchedBytes += bytes.count
                guard fetchedBytes <= Self.maximumFetchedBytes else {
                    throw Failure("\(address.absoluteString): the WSDL and its schemas exceed \(Self.maximumFetchedBytes >> 20) MB")
                }
                return bytes
            }
            var imports = wsdl.imports.map { ($0, url.absoluteString) }
            while !imports.isEmpty {
                let (reference, importer) = imports.removeFirst()
                guard let importURL = URL(string: reference.location, relativeTo: URL(string: importer))?.absoluteURL.standardized, sameServer(importURL)
                else { continue }
                let key = importURL.absoluteString
                if documents[key] == nil {
                    let bytes = try await fetchBounded(importURL)
                    documents[key] = (stagedName(importURL, folder: folder, taken: Set(documents.values.map(\.local)), kind: "wsdl"), bytes)
                    let imported = try WSDL.parse(bytes, checkingReferences: false)
                    wsdl.merge(imported, source: key)
                    imports += imported.imports.map { ($0, key) }
                }
                if let target = documents[key], let referring = documents[importer] {
                    let relative = relativePath(target.local, from: referring.local)
                    if relative != reference.location { importRewrites[importer, default: [:]][reference.location] = relative }
                }
            }
            for _ in 0..<32 {
                var missing: [URL] = []
                _ = XMLSchemaSet(schemas: wsdl.schemas, sources: wsdl.schemaSources) { location, from in
                    let referrer = from ?? url.absoluteString
                    guard let schemaURL = URL(string: location, relativeTo: URL(string: referrer))?.absoluteURL.standardized, sameServer(schemaURL)
                    else { return nil }
                    guard let document = documents[schemaURL.absoluteString] else {
                        missing.append(schemaURL)
                        return nil
                    }
                    if let referring = documents[referrer] {
                        let relative = relativePath(document.local, from: referring.local)
                        if relative != location { rewrites[referrer, default: [:]][location] = relative }
                    }
                    return XMLSchemaSet.SchemaDocument(path: schemaURL.absoluteString, bytes: document.bytes)
                }
                if missing.isEmpty { break }
                for schemaURL in missing where documents[schemaURL.absoluteString] == nil {
                    let bytes = try await fetchBounded(schemaURL)
                    documents[schemaURL.absoluteString] = (stagedName(schemaURL, folder: folder, taken: Set(documents.values.map(\.local))), bytes)
                }
            }
            for (address, document) in documents {
                var bytes = document.bytes
                for (location, local) in rewrites[address] ?? [:] {
                    bytes = rewritingLocation(location, to: local, attribute: "schemaLocation", in: bytes)
                }
                for (location, local) in importRewrites[address] ?? [:] {
                    bytes = rewritingLocation(location, to: local, attribute: "location", in: bytes)
                }
                let target = staging.appendingPathComponent(document.local).standardizedFileURL
                guard target.path.hasPrefix(staging.standardizedFileURL.path + "/") else {
                    throw Failure("\(address): would be written outside the import folder (\(document.local))")
                }
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: target)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(address): \(error)")
        }
        return try importFile(staging.appendingPathComponent(fileName).path, source: address, options: options)
    }

    /// Where a fetched schema's copy goes: its path below the WSDL's folder when it has one and
    /// no query; else `schemas/` and a file name made from its address (`Service.svc?xsd=xsd0` →
    /// `schemas/Service.svc-xsd-xsd0.xsd`).
    static func stagedName(_ url: URL, folder: String, taken: Set<String>, kind: String = "xsd") -> String {
        let text = url.absoluteString
        if text.hasPrefix(folder), url.query == nil, url.fragment == nil {
            let relative = String(text.dropFirst(folder.count))
            let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
            // Only plain names below the folder keep their path (never `..`, `.`, empty or encoded parts).
            if !relative.isEmpty, !taken.contains(relative),
                parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("%") && !$0.contains("\\") })
            {
                return relative
            }
        }
        var stem = (url.lastPathComponent + (url.query.map { "-" + $0 } ?? ""))
            .map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? String($0) : "-" }.joined()
        if !stem.lowercased().hasSuffix("." + kind) { stem += "." + kind }
        let directory = kind == "xsd" ? "schemas/" : "wsdl/"
        var name = directory + stem
        var counter = 2
        while taken.contains(name) {
            name = directory + "\(counter)-" + stem
            counter += 1
        }
        return name
    }

    /// `target` as seen from the document at `origin` (both relative to the staging folder).
    static func relativePath(_ target: String, from origin: String) -> String {
        var base = origin.split(separator: "/").dropLast().map(String.init)
        var parts = target.split(separator: "/").map(String.init)
        while let first = base.first, first == parts.first {
            base.removeFirst()
            parts.removeFirst()
        }
        return (Array(repeating: "..", count: base.count) + parts).joined(separator: "/")
    }

    /// The document with `attribute="location"` (either quote, any spacing, `&` written either
    /// way) naming `local` instead.
    static func rewritingLocation(_ location: String, to local: String, attribute: String, in bytes: [UInt8]) -> [UInt8] {
        var text = String(decoding: bytes, as: UTF8.self)
        for written in Set([location, location.replacingOccurrences(of: "&", with: "&amp;")]) {
            let pattern = "(\\s" + attribute + "\\s*=\\s*)([\"'])" + NSRegularExpression.escapedPattern(for: written) + "\\2"
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            text = expression.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1$2" + NSRegularExpression.escapedTemplate(for: local) + "$2")
        }
        return Array(text.utf8)
    }

    /// The most documents (the WSDL, imported WSDLs, schemas) and bytes an import from an address fetches.
    static let maximumDocuments = 256
    static let maximumFetchedBytes = 64 << 20

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
