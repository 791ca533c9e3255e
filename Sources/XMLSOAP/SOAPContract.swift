import Foundation

/// A WSDL read from a file with the schemas it imports and includes, confined to a folder: a
/// `schemaLocation` is read relative to the document that names it (the WSDL, or a schema) and must stay inside `root`
/// (no absolute paths, no `..` out of it, nothing fetched over the network).
public struct SOAPContract: Sendable {
    public let wsdl: WSDL
    public let schemas: XMLSchemaSet
    public let decoder: SchemaJSONDecoder
    /// Every file read (the WSDL first), relative to `root`: what `portage import wsdl` copies.
    public let files: [String]

    /// `path` and `root` are file-system paths; `root` defaults to the WSDL's folder.
    public static func load(path: String, root: String? = nil) throws(SOAPError) -> SOAPContract {
        let wsdlURL = URL(fileURLWithPath: path).standardizedFileURL
        let rootURL = URL(fileURLWithPath: root ?? wsdlURL.deletingLastPathComponent().path).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: wsdlURL.path) else {
            throw SOAPError(.notAWSDL, line: 0, "cannot read \(path)")
        }
        var wsdl = try WSDL.parse(Array(data))
        var files = [relative(wsdlURL, to: rootURL) ?? wsdlURL.lastPathComponent]
        var refused: [WSDL.Unsupported] = []
        // wsdl:import: other WSDL documents, read relative to the one importing them, confined
        // like schemas, each once, their definitions merged in.
        var pending = wsdl.imports.map { ($0, wsdlURL) }
        var seen: Set<String> = [wsdlURL.path]
        while !pending.isEmpty, seen.count <= 64 {
            let (reference, importer) = pending.removeFirst()
            let url = importer.deletingLastPathComponent().appendingPathComponent(reference.location).standardizedFileURL
            guard !reference.location.contains("://"), !reference.location.hasPrefix("/"), let inside = relative(url, to: rootURL) else {
                refused.append(WSDL.Unsupported(
                    construct: "wsdl:import \(reference.location)", line: reference.line,
                    reason: "only files in the contract folder are read; download the WSDL beside the one importing it"))
                continue
            }
            guard seen.insert(url.path).inserted else { continue }
            guard let bytes = FileManager.default.contents(atPath: url.path) else {
                refused.append(WSDL.Unsupported(construct: "wsdl:import \(reference.location)", line: reference.line, reason: "cannot read \(inside)"))
                continue
            }
            do {
                let imported = try WSDL.parse(Array(bytes), checkingReferences: false)
                wsdl.merge(imported, source: url.path)
                pending += imported.imports.map { ($0, url) }
                files.append(inside)
            } catch {
                refused.append(WSDL.Unsupported(construct: "wsdl:import \(reference.location)", line: reference.line, reason: "\(inside): \(error)"))
            }
        }
        if !wsdl.imports.isEmpty { wsdl.finishImports() }
        let base = wsdlURL.deletingLastPathComponent()
        var read: Set<String> = []
        let schemas = XMLSchemaSet(schemas: wsdl.schemas, sources: wsdl.schemaSources) { location, from in
            guard !location.contains("://"), !location.hasPrefix("/") else {
                return .refused("only files beside the WSDL are read; download the schema into the contract folder")
            }
            // Relative to the document that names it: a schema, an imported WSDL, or the WSDL.
            let folder = from.map { URL(fileURLWithPath: $0).deletingLastPathComponent() } ?? base
            let url = folder.appendingPathComponent(location).standardizedFileURL
            guard let inside = relative(url, to: rootURL) else { return .refused("outside the contract folder \(rootURL.path)") }
            guard let bytes = FileManager.default.contents(atPath: url.path) else { return .unreadable }
            if read.insert(url.path).inserted { files.append(inside) }
            return .found(XMLSchemaSet.SchemaDocument(path: url.path, bytes: Array(bytes)))
        }
        var wsdlWithReasons = wsdl
        wsdlWithReasons.unsupported += refused
        return SOAPContract(wsdl: wsdlWithReasons, schemas: schemas, decoder: SchemaJSONDecoder(schemas: schemas), files: files)
    }

    /// The path of `url` inside `root`, or nil when it is not inside.
    private static func relative(_ url: URL, to root: URL) -> String? {
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        guard url.path.hasPrefix(rootPath) else { return nil }
        return String(url.path.dropFirst(rootPath.count))
    }

    /// Every construct that was not read, from the WSDL and its schemas.
    public var unsupported: [WSDL.Unsupported] { wsdl.unsupported + schemas.unsupported }

    /// The operations a port offers, chosen by service, port and SOAP version when the WSDL has several.
    public func operations(service: String? = nil, port: String? = nil, version: SOAPVersion? = nil) -> [WSDL.ResolvedOperation] {
        let all = wsdl.operations.filter {
            (service == nil || $0.service == service) && (port == nil || $0.port == port) && (version == nil || $0.version == version)
        }
        // One port: the first that matches (a WSDL commonly offers the same operations over 1.1 and 1.2).
        guard let first = all.first else { return [] }
        return all.filter { $0.service == first.service && $0.port == first.port }
    }

    /// `plainXML`: the operation's elements sent and read without an envelope (XML over HTTP POST).
    public func codec(for operation: WSDL.ResolvedOperation, plainXML: Bool = false) throws(SOAPError) -> SOAPOperationCodec {
        try SOAPOperationCodec(operation: operation, decoder: decoder, plainXML: plainXML)
    }
}
