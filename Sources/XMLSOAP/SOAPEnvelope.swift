/// A parsed SOAP envelope: its version, header blocks, body elements, and the fault if the body
/// carries one.
public struct SOAPEnvelope: Sendable {
    public var version: SOAPVersion
    public var headers: [XMLElement]
    public var body: [XMLElement]
    /// The namespace prefixes in scope inside the Body (QName values such as `xsi:type` in the body
    /// elements resolve through them).
    public var bodyScope: NamespaceScope
    public var fault: SOAPFault?

    /// Reads an envelope from a parsed document; a document that is not an envelope, or an envelope
    /// without a Body, is an error naming what was found.
    public init(_ root: XMLElement) throws(SOAPError) {
        guard root.name == "Envelope", let version = SOAPVersion(namespace: root.namespace) else {
            throw SOAPError(
                .notAnEnvelope, line: root.line,
                "expected a SOAP Envelope (SOAP 1.1 or 1.2 namespace), found \(root.qualifiedName)")
        }
        let scope = NamespaceScope().entering(root)
        let namespace = version.envelopeNamespace
        guard let body = root.child("Body", namespace: namespace) else {
            throw SOAPError(.notAnEnvelope, line: root.line, "the SOAP Envelope has no Body")
        }
        self.version = version
        self.headers = root.child("Header", namespace: namespace)?.children ?? []
        self.body = body.children
        let bodyScope = scope.entering(body)
        self.bodyScope = bodyScope
        self.fault = body.children.first { SOAPFault.looksLikeFault($0) }.map { SOAPFault($0, scope: bodyScope.entering($0), version: version) }
    }

    /// Parses bytes into an envelope, with the parser's protections.
    public static func parse(_ bytes: [UInt8], parser: XMLDocumentParser = XMLDocumentParser()) throws(SOAPError) -> SOAPEnvelope {
        do {
            return try SOAPEnvelope(try parser.parse(bytes))
        } catch let error as XMLError {
            throw SOAPError(.xml(error.code), line: error.line, error.message)
        } catch let error as SOAPError {
            throw error
        } catch {
            throw SOAPError(.notAnEnvelope, line: 0, "\(error)")
        }
    }
}

/// Why a SOAP message could not be read.
public struct SOAPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case xml(XMLError.Code)
        case notAnEnvelope
        /// Not a WSDL 1.1 document.
        case notAWSDL
    }

    public var code: Code
    public var line: Int
    public var message: String

    public init(_ code: Code, line: Int, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// The namespace prefixes in scope at an element, for QName values (`soap:Server`).
public struct NamespaceScope: Sendable {
    public private(set) var prefixes: [String: String] = [:]

    public init() {}

    /// The scope inside `element`: its own declarations added.
    public func entering(_ element: XMLElement) -> NamespaceScope {
        var scope = self
        scope.prefixes.merge(element.namespaceDeclarations) { _, inner in inner }
        return scope
    }

    /// `prefix:local` → (namespace, local); an unprefixed name takes the default namespace. Nil
    /// namespace when the prefix is not declared.
    public func resolve(_ qualifiedName: String) -> (namespace: String?, local: String) {
        let trimmed = qualifiedName.trimmingWhitespace
        guard let colon = trimmed.firstIndex(of: ":") else { return (prefixes[""], trimmed) }
        return (prefixes[String(trimmed[..<colon])], String(trimmed[trimmed.index(after: colon)...]))
    }
}

extension String {
    var trimmingWhitespace: String {
        // The usual case, ASCII around the text, without Unicode property lookups.
        let utf8 = self.utf8
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80 {
            func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
            if !isSpace(first) && !isSpace(last) { return self }
            guard let start = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
            let end = utf8.lastIndex(where: { !isSpace($0) })!
            if utf8[start] < 0x80 && utf8[end] < 0x80 { return String(self[start...end]) }
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
