/// An element of a parsed XML document: namespace-aware name, attributes, children in document
/// order and the text directly inside it (CDATA included).
public struct XMLElement: Sendable, Hashable {
    public struct Attribute: Sendable, Hashable {
        public var name: String
        /// The namespace URI, nil for an unprefixed attribute.
        public var namespace: String?
        public var value: String
    }

    /// The local name (`Envelope`, without its prefix).
    public var name: String
    /// The namespace URI, nil when the element is in no namespace.
    public var namespace: String?
    /// The prefix used in the document: only for messages; compare namespaces, never prefixes.
    public var prefix: String?
    public var attributes: [Attribute] = []
    /// The `xmlns` and `xmlns:p` declarations made on this element: prefix ("" for the default
    /// namespace) → URI. QName values (`soap:Server`, `xsi:type="tns:Item"`) resolve through them.
    public var namespaceDeclarations: [String: String] = [:]
    public var children: [XMLElement] = []
    /// Text and CDATA directly inside the element, concatenated in document order.
    public var text = ""
    /// Where the element starts in the document.
    public var line: Int

    public init(name: String, namespace: String? = nil, prefix: String? = nil, line: Int = 0) {
        self.name = name
        self.namespace = namespace
        self.prefix = prefix
        self.line = line
    }

    /// `{namespace}name`, or `name` without a namespace: for messages.
    public var qualifiedName: String {
        namespace.map { "{\($0)}\(name)" } ?? name
    }

    /// The first child with this local name (and namespace, when given).
    public func child(_ name: String, namespace: String? = nil) -> XMLElement? {
        children.first { $0.name == name && (namespace == nil || $0.namespace == namespace) }
    }

    /// The value of an attribute by local name (and namespace, when given).
    public func attribute(_ name: String, namespace: String? = nil) -> String? {
        attributes.first { $0.name == name && $0.namespace == namespace }?.value
    }
}
