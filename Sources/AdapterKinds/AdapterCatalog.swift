import GatewayCore

/// Every adapter kind Portage knows. A new kind is one folder beside this file and one line here.
public enum AdapterCatalog {
    public static let kinds: [any AdapterKind] = [
        FixedWidthTCPKind(),
        SOAPHTTPKind(),
        BatchFileKind(),
    ]

    public static func kind(named name: String) -> (any AdapterKind)? {
        kinds.first { $0.name == name }
    }

    /// Loads and checks every declaration, then builds the adapters; throws every problem found.
    public static func load(adaptersDirectory: String, environment: AdapterEnvironment) throws(DeclarationErrors) -> [PreparedAdapter] {
        let loader = DeclarationLoader(adaptersDirectory: adaptersDirectory, contractsDirectory: environment.contractsDirectory)
        let (declarations, problems) = loader.load()
        let reader = DeclarationReader()
        problems.forEach(reader.report)
        var prepared: [PreparedAdapter] = []
        for declaration in declarations {
            guard let kind = kind(named: declaration.kind) else {
                reader.report(
                    declaration.node["kind"] ?? declaration.node,
                    "unknown adapter kind '\(declaration.kind)'; known kinds: \(kinds.map(\.name).joined(separator: ", "))")
                continue
            }
            if let adapter = kind.prepare(declaration, environment: environment, reader: reader) {
                prepared.append(adapter)
            }
        }
        guard reader.problems.isEmpty else { throw DeclarationErrors(reader.problems) }
        return prepared
    }
}
