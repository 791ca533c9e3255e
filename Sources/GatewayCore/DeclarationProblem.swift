/// One thing wrong with an adapter declaration: where (file, line, column, key path) and why.
public struct DeclarationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// Dotted path to the offending key, e.g. `operations.getClient.route`.
    public var keyPath: String
    public var message: String

    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        "\(file):\(line):\(column): \(keyPath.isEmpty ? "(document)" : keyPath): \(message)"
    }
}

/// Thrown when declarations cannot be used; carries every problem found, not just the first.
public struct DeclarationErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [DeclarationProblem]

    public init(_ problems: [DeclarationProblem]) { self.problems = problems }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
