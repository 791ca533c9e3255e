import Yams

/// A node of a YAML declaration that remembers where it came from, so every problem can name the
/// file, line, column and key path.
public struct DeclarationNode: Sendable {
    public enum Content: Sendable {
        case scalar(String)
        case mapping([(key: String, keyNode: DeclarationNode, value: DeclarationNode)])
        case sequence([DeclarationNode])
        /// A YAML alias (`*name`): not supported, so that every value is written where it applies.
        case alias
    }

    public let content: Content
    public let file: String
    public let line: Int
    public let column: Int
    public let path: [String]

    public var keyPath: String { path.joined(separator: ".") }

    init(_ node: Node, file: String, path: [String]) {
        self.file = file
        self.line = node.mark?.line ?? 1
        self.column = node.mark?.column ?? 1
        self.path = path
        switch node {
        case .scalar(let scalar):
            content = .scalar(scalar.string)
        case .mapping(let mapping):
            content = .mapping(mapping.map { key, value in
                let name = key.scalar?.string ?? "?"
                return (name, DeclarationNode(key, file: file, path: path + [name]), DeclarationNode(value, file: file, path: path + [name]))
            })
        case .sequence(let sequence):
            content = .sequence(sequence.enumerated().map { DeclarationNode($1, file: file, path: path + ["\($0)"]) })
        case .alias:
            content = .alias
        }
    }

    /// The items of a list node, nil for any other node.
    public var sequence: [DeclarationNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var scalar: String? {
        if case .scalar(let text) = content { return text }
        return nil
    }

    public var typeName: String {
        switch content {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "a YAML alias (aliases are not supported)"
        }
    }

    /// A problem located at this node.
    public func problem(_ message: String) -> DeclarationProblem {
        DeclarationProblem(file: file, line: line, column: column, keyPath: keyPath, message: message)
    }

    /// The value of `key` if this node is a mapping that has it.
    public subscript(key: String) -> DeclarationNode? {
        if case .mapping(let entries) = content { return entries.first { $0.key == key }?.value }
        return nil
    }

    /// Parses a YAML document; a syntax error becomes a problem at the line the parser names.
    public static func parse(yaml: String, file: String) -> Result<DeclarationNode, DeclarationProblem> {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                return .failure(DeclarationProblem(file: file, line: 1, column: 1, keyPath: "", message: "the file is empty"))
            }
            return .success(DeclarationNode(node, file: file, path: []))
        } catch let error as YamlError {
            return .failure(Self.problem(from: error, file: file))
        } catch {
            return .failure(DeclarationProblem(file: file, line: 1, column: 1, keyPath: "", message: "invalid YAML: \(error)"))
        }
    }

    private static func problem(from error: YamlError, file: String) -> DeclarationProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return DeclarationProblem(file: file, line: mark.line, column: mark.column, keyPath: "", message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.joined(separator: ", ")
            return DeclarationProblem(
                file: file, line: context.mark.line, column: context.mark.column, keyPath: "",
                message: "duplicated key(s) in mapping: \(names)")
        default:
            return DeclarationProblem(file: file, line: 1, column: 1, keyPath: "", message: "invalid YAML: \(error)")
        }
    }
}
