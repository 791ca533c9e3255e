/// Why an XML document was refused: a stable code, the line, and a message for people.
public struct XMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Not well-formed XML (libxml2's message says where).
        case malformed = "xml-malformed"
        /// A DTD or entity declaration: refused outright.
        case dtd = "xml-dtd-refused"
        case tooLarge = "xml-too-large"
        case tooDeep = "xml-too-deep"
        case tooManyNodes = "xml-too-many-nodes"
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
