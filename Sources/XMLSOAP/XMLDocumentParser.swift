import CLibXML2

/// Parses untrusted XML safely with libxml2's streaming reader into `XMLElement`s.
///
/// Safe by construction, not by configuration left to callers:
/// - no network (`XML_PARSE_NONET`), no entity substitution (never `XML_PARSE_NOENT`), no DTD
///   loading or defaulted attributes (never `XML_PARSE_DTDLOAD` / `DTDATTR` / `DTDVALID`), no
///   XInclude, and a process-wide external entity loader that refuses every load;
/// - a document with a DTD (`<!DOCTYPE …>`, where entity declarations live) is refused as soon
///   as the reader meets it, so billion-laughs and external-entity (XXE) payloads go no further;
/// - limits on input size, element depth and node count, checked while streaming, before any
///   tree is built.
public struct XMLDocumentParser: Sendable {
    public struct Limits: Sendable {
        /// Default: 16 MB.
        public var maximumBytes = 16 << 20
        /// Default: 64 levels; SOAP responses seldom go past 20.
        public var maximumDepth = 64
        /// Elements and text nodes. Default: 2,000,000.
        public var maximumNodes = 2_000_000

        public init() {}
    }

    public var limits: Limits
    /// A document that claims UTF-8 but holds invalid bytes (a legacy server pasting Latin-1 into
    /// a fault string) is read again with each invalid byte as U+FFFD, rather than lost whole.
    /// Default: true.
    public var repairsInvalidUTF8 = true

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The root element of `bytes`, or why the document is refused.
    public func parse(_ bytes: [UInt8]) throws(XMLError) -> XMLElement {
        do {
            return try parseOnce(bytes)
        } catch where repairsInvalidUTF8 && error.code == .malformed && error.message.contains("UTF-8") {
            let repaired = Array(String(decoding: bytes, as: UTF8.self).utf8)
            guard repaired != bytes else { throw error }
            return try parseOnce(repaired)
        }
    }

    private func parseOnce(_ bytes: [UInt8]) throws(XMLError) -> XMLElement {
        guard bytes.count <= limits.maximumBytes else {
            throw XMLError(.tooLarge, line: 0, "the document is \(bytes.count) bytes, more than the \(limits.maximumBytes) allowed")
        }
        guard !bytes.isEmpty else { throw XMLError(.malformed, line: 1, "the document is empty") }
        if let line = Self.doctypeLine(bytes) { throw Self.dtdRefused(line: line) }
        Self.initialize
        let collector = ErrorCollector()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOWARNING.rawValue)
        let reader: xmlTextReaderPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                xmlReaderForMemory(characters.baseAddress, Int32(characters.count), nil, nil, options)
            }
        }
        guard let reader else { throw XMLError(.malformed, line: 0, "libxml2 could not start reading the document") }
        defer { xmlFreeTextReader(reader) }
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            Unmanaged<ErrorCollector>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
        }, Unmanaged.passUnretained(collector).toOpaque())
        // Bytes must outlive the reader, which reads them in place.
        return try withExtendedLifetime(bytes) { () throws(XMLError) -> XMLElement in
            try read(reader, collector)
        }
    }

    private func read(_ reader: xmlTextReaderPtr, _ collector: ErrorCollector) throws(XMLError) -> XMLElement {
        var names = InternedNames()
        var stack: [XMLElement] = []
        var root: XMLElement?
        var nodes = 0
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            let line = xmlTextReaderCurrentNode(reader).map { Int(xmlGetLineNo($0)) } ?? Int(xmlTextReaderGetParserLineNumber(reader))
            guard status == 1 else {
                throw collector.error ?? XMLError(.malformed, line: line, "the document is not well-formed XML")
            }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue), Int32(XML_READER_TYPE_ENTITY.rawValue),
                Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
                throw Self.dtdRefused(line: line)
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                nodes += 1
                guard nodes <= limits.maximumNodes else {
                    throw XMLError(.tooManyNodes, line: line, "the document has more than \(limits.maximumNodes) nodes")
                }
                guard stack.count < limits.maximumDepth else {
                    throw XMLError(.tooDeep, line: line, "elements are nested deeper than the \(limits.maximumDepth) levels allowed")
                }
                let element = Self.element(reader, line: line, names: &names)
                if xmlTextReaderIsEmptyElement(reader) == 1 {
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    stack.append(element)
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                guard let element = stack.popLast() else { break }
                if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue):
                nodes += 1
                guard nodes <= limits.maximumNodes else {
                    throw XMLError(.tooManyNodes, line: line, "the document has more than \(limits.maximumNodes) nodes")
                }
                if !stack.isEmpty { stack[stack.count - 1].text += Self.string(xmlTextReaderConstValue(reader)) ?? "" }
            default:
                continue  // comments, processing instructions
            }
        }
        if let error = collector.error { throw error }
        guard let root else { throw XMLError(.malformed, line: 1, "the document has no root element") }
        return root
    }

    static func dtdRefused(line: Int) -> XMLError {
        XMLError(.dtd, line: line, "the document carries a DTD (<!DOCTYPE …>), which Portage refuses: DTDs declare the entities that expansion and external-entity (XXE) attacks use")
    }

    /// The line of a `<!DOCTYPE` in the prolog (after the XML declaration, comments and
    /// processing instructions, before the root element), found before libxml2 reads a byte of it.
    static func doctypeLine(_ bytes: [UInt8]) -> Int? {
        let doctype = Array("<!DOCTYPE".utf8)
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func starts(_ prefix: String) -> Bool { bytes[index...].starts(with: prefix.utf8) }
        func skip(past end: String) {
            let terminator = Array(end.utf8)
            while index < bytes.count, !bytes[index...].starts(with: terminator) { index += 1 }
            index += terminator.count
        }
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            case UInt8(ascii: "<"):
                if starts("<?") { skip(past: "?>") } else if starts("<!--") { skip(past: "-->") } else if bytes[index...].starts(with: doctype) {
                    return 1 + bytes[..<index].filter { $0 == 0x0A }.count
                } else {
                    return nil
                }
            default: return nil
            }
        }
        return nil
    }

    /// Names and namespace URIs come from libxml2's dictionary, one pointer per distinct string:
    /// each becomes a Swift string once.
    struct InternedNames {
        private var strings: [UnsafePointer<xmlChar>: String] = [:]

        mutating func string(_ text: UnsafePointer<xmlChar>?) -> String? {
            guard let text else { return nil }
            if let known = strings[text] { return known }
            let string = String(cString: text)
            strings[text] = string
            return string
        }
    }

    private static func element(_ reader: xmlTextReaderPtr, line: Int, names: inout InternedNames) -> XMLElement {
        var element = XMLElement(
            name: names.string(xmlTextReaderConstLocalName(reader)) ?? "", namespace: names.string(xmlTextReaderConstNamespaceUri(reader)),
            prefix: names.string(xmlTextReaderConstPrefix(reader)), line: line)
        guard xmlTextReaderHasAttributes(reader) == 1 else { return element }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            let namespace = names.string(xmlTextReaderConstNamespaceUri(reader))
            let value = string(xmlTextReaderConstValue(reader)) ?? ""
            if namespace == "http://www.w3.org/2000/xmlns/" {
                // A declared prefix is not a dictionary string: libxml2 frees it as the reader
                // moves on, so its address may later hold another prefix. Never cached.
                let name = string(xmlTextReaderConstLocalName(reader)) ?? ""
                // xmlns="…" has local name "xmlns"; xmlns:p="…" has local name "p".
                element.namespaceDeclarations[string(xmlTextReaderConstPrefix(reader)) == nil ? "" : name] = value
            } else {
                let name = names.string(xmlTextReaderConstLocalName(reader)) ?? ""
                element.attributes.append(XMLElement.Attribute(name: name, namespace: namespace, value: value))
            }
        }
        xmlTextReaderMoveToElement(reader)
        return element
    }

    private static func string(_ text: UnsafePointer<xmlChar>?) -> String? {
        guard let text else { return nil }
        return String(cString: text)
    }

    /// Once per process: libxml2's globals, and an external entity loader that loads nothing, so
    /// no document can make libxml2 open a file or a URL whatever the options.
    private static let initialize: Void = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()

    /// The first error libxml2 reports, with its line.
    private final class ErrorCollector: @unchecked Sendable {
        var error: XMLError?

        func record(_ error: xmlError) {
            // Warnings (a relative namespace URI…) do not make a document unusable.
            guard self.error == nil, error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            // libxml2's messages end with a newline.
            let message = error.message.map { String(String(cString: $0).prefix { $0 != "\n" }) } ?? "not well-formed"
            self.error = XMLError(.malformed, line: Int(error.line), message)
        }
    }
}
