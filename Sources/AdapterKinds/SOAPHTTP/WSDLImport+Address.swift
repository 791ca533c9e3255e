import Foundation
import GatewayCore
import XMLSOAP

/// `portage import wsdl https://…`: the WSDL and what it names on the same server, staged for
/// `importFile`.
extension WSDLImport {
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
                    else { return .unreadable }
                    guard let document = documents[schemaURL.absoluteString] else {
                        missing.append(schemaURL)
                        return .unreadable
                    }
                    if let referring = documents[referrer] {
                        let relative = relativePath(document.local, from: referring.local)
                        if relative != location { rewrites[referrer, default: [:]][location] = relative }
                    }
                    return .found(XMLSchemaSet.SchemaDocument(path: schemaURL.absoluteString, bytes: document.bytes))
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
}
