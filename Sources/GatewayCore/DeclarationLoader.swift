import Foundation

/// Loads `Adapters/*.yaml` and checks everything that does not depend on the adapter kind:
/// the document's keys and types, routes (syntax and collisions), request mappings against
/// route parameters, response mappings, and that referenced contract files exist.
public struct DeclarationLoader {
    public static let topLevelKeys = ["adapter", "kind", "title", "description", "endpoint", "contracts", "resilience", "operations"]
    public static let operationKeys = ["route", "summary", "description", "operation", "contracts", "request", "response", "parameters", "cache"]
    /// Paths the gateway serves itself; no declaration may take them.
    public static let reservedPaths = ["/openapi.json", "/healthz", "/readyz", "/status", "/metrics"]

    public var adaptersDirectory: String
    public var contractsDirectory: String

    public init(adaptersDirectory: String, contractsDirectory: String) {
        self.adaptersDirectory = adaptersDirectory
        self.contractsDirectory = contractsDirectory
    }

    /// Every declaration that could be read, and every problem found in any of them.
    public func load() -> (declarations: [AdapterDeclaration], problems: [DeclarationProblem]) {
        let reader = DeclarationReader()
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: adaptersDirectory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .sorted()
        } catch {
            reader.report(DeclarationProblem(
                file: adaptersDirectory, line: 0, column: 0, keyPath: "",
                message: "cannot read the adapters directory: \(error.localizedDescription)"))
            return ([], reader.problems)
        }
        if files.isEmpty {
            reader.report(DeclarationProblem(
                file: adaptersDirectory, line: 0, column: 0, keyPath: "", message: "no adapter declarations (*.yaml) found"))
        }
        var declarations: [AdapterDeclaration] = []
        for name in files {
            let path = (adaptersDirectory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                reader.report(DeclarationProblem(file: path, line: 0, column: 0, keyPath: "", message: "cannot read the file as UTF-8"))
                continue
            }
            if let declaration = parse(yaml: text, file: path, reader: reader) {
                declarations.append(declaration)
            }
        }
        checkAcrossFiles(declarations, reader: reader)
        return (declarations, reader.problems)
    }

    /// Parses one declaration; problems go to `reader`. Returns nil when it is unusable.
    public func parse(yaml: String, file: String, reader: DeclarationReader) -> AdapterDeclaration? {
        let root: DeclarationNode
        switch DeclarationNode.parse(yaml: yaml, file: file) {
        case .success(let node): root = node
        case .failure(let problem):
            reader.report(problem)
            return nil
        }
        guard reader.mapping(root, allowed: Self.topLevelKeys, required: ["adapter", "kind", "title", "endpoint", "operations"]) != nil
        else { return nil }

        let name = reader.string(root["adapter"]) ?? ""
        if let node = root["adapter"], !name.isEmpty, !Self.isAdapterName(name) {
            reader.report(node, "adapter name '\(name)' must be lower-case letters, digits and '-', starting with a letter")
        }
        if let node = root["adapter"], Self.isAdapterName(name) {
            let expected = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            if expected != name { reader.report(node, "adapter '\(name)' must be declared in a file named \(name).yaml") }
        }
        let kind = reader.string(root["kind"]) ?? ""
        let title = reader.localized(root["title"])
        let description = root["description"].flatMap { reader.localized($0) }
        let contracts = root["contracts"].map { readContracts($0, reader: reader) } ?? [:]
        let resilience = root["resilience"].map { readResilience($0, reader: reader) } ?? ResiliencePolicy()

        var operations: [OperationDeclaration] = []
        if let node = root["operations"], let entries = reader.mapping(node) {
            if entries.isEmpty { reader.report(node, "declare at least one operation") }
            for entry in entries {
                if !RouteTemplate.isIdentifier(entry.key) {
                    reader.report(entry.keyNode, "operation name '\(entry.key)' must be letters and digits, starting with a letter (it becomes the operationId)")
                }
                if let operation = readOperation(entry.key, entry.value, reader: reader) { operations.append(operation) }
            }
        }
        // Kind-specific checks still run on a declaration with problems, so every problem is reported at once.
        guard let title, let endpoint = root["endpoint"], !name.isEmpty, !kind.isEmpty else { return nil }
        return AdapterDeclaration(
            name: name, kind: kind, title: title, description: description, endpoint: endpoint, contracts: contracts,
            resilience: resilience, operations: operations, file: file, node: root)
    }

    public static func isAdapterName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    private func readContracts(_ node: DeclarationNode, reader: DeclarationReader) -> [String: ContractReference] {
        var contracts: [String: ContractReference] = [:]
        for entry in reader.mapping(node) ?? [] {
            guard let path = reader.string(entry.value) else { continue }
            if path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                reader.report(entry.value, "contract paths are relative to the contracts directory and stay inside it, found '\(path)'")
                continue
            }
            let full = (contractsDirectory as NSString).appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) || isDirectory.boolValue {
                reader.report(entry.value, "contract file '\(path)' does not exist (looked for \(full))")
                continue
            }
            contracts[entry.key] = ContractReference(path: path, node: entry.value)
        }
        return contracts
    }

    private func readOperation(_ name: String, _ node: DeclarationNode, reader: DeclarationReader) -> OperationDeclaration? {
        guard reader.mapping(node, allowed: Self.operationKeys, required: ["route", "summary"]) != nil else { return nil }
        var route: RouteTemplate?
        if let routeNode = node["route"], let text = reader.string(routeNode) {
            switch RouteTemplate.parse(text) {
            case .success(let parsed):
                route = parsed
                if Self.reservedPaths.contains(parsed.path) || parsed.path.hasPrefix("/admin/") || parsed.path.hasPrefix("/demo/") {
                    reader.report(routeNode, "\(parsed.path) is served by the gateway itself")
                }
            case .failure(let error): reader.report(routeNode, error.message)
            }
        }
        let summary = reader.localized(node["summary"])
        let description = node["description"].flatMap { reader.localized($0) }
        let contracts = node["contracts"].map { readContracts($0, reader: reader) } ?? [:]
        let backendOperation = node["operation"].flatMap { operationNode in reader.string(operationNode).map { ($0, operationNode) } }

        var request: [FieldMapping] = []
        if let requestNode = node["request"] {
            for entry in reader.mapping(requestNode) ?? [] {
                guard let text = reader.string(entry.value) else { continue }
                switch ValueSource.parse(text) {
                case .success(let source): request.append(FieldMapping(field: entry.key, source: source, node: entry.value))
                case .failure(let error): reader.report(entry.value, error.message)
                }
            }
        }
        let response = node["response"].map { readResponse($0, reader: reader) } ?? ResponseMapping()

        var parameters: [String: ParameterDeclaration] = [:]
        if let parametersNode = node["parameters"] {
            for entry in reader.mapping(parametersNode) ?? [] {
                guard reader.mapping(entry.value, allowed: ["example", "description"]) != nil else { continue }
                parameters[entry.key] = ParameterDeclaration(
                    example: entry.value["example"].flatMap { reader.string($0) },
                    description: entry.value["description"].flatMap { reader.localized($0) },
                    node: entry.keyNode)
            }
        }

        if let route {
            checkParameters(route: route, request: request, parameters: parameters, node: node, reader: reader)
        }
        guard let route, let summary else { return nil }
        var operation = OperationDeclaration(
            name: name, route: route, summary: summary, description: description, backendOperation: backendOperation,
            contracts: contracts, request: request,
            response: response, parameters: parameters, node: node)
        if let cacheNode = node["cache"] { operation.cache = readCache(cacheNode, operation: operation, reader: reader) }
        return operation
    }

    /// Every path parameter must feed a field; `$path.x` must name a route parameter; body
    /// parameters only on methods with a body; documented parameters must exist.
    private func checkParameters(
        route: RouteTemplate, request: [FieldMapping], parameters: [String: ParameterDeclaration],
        node: DeclarationNode, reader: DeclarationReader
    ) {
        let routeNode = node["route"]!
        for name in route.parameterNames where !request.contains(where: { $0.source == .path(name) }) {
            reader.report(routeNode, "path parameter {\(name)} is not used by any request mapping (map a field to $path.\(name))")
        }
        var used: Set<String> = []
        for mapping in request {
            switch mapping.source {
            case .path(let name) where !route.parameterNames.contains(name):
                reader.report(mapping.node, "$path.\(name) is not a parameter of route \(route)")
            case .body where route.method == "GET" || route.method == "DELETE":
                reader.report(mapping.node, "\(route.method) requests have no body; use $path or $query")
            default: break
            }
            if let name = mapping.source.parameterName { used.insert(name) }
        }
        for (name, declaration) in parameters where !used.contains(name) {
            reader.report(declaration.node, "parameter '\(name)' is documented but no request mapping uses it")
        }
    }

    private func readResponse(_ node: DeclarationNode, reader: DeclarationReader) -> ResponseMapping {
        var response = ResponseMapping()
        guard reader.mapping(node, allowed: ["success-when", "errors", "fields", "segments"]) != nil else { return response }
        if let successNode = node["success-when"] {
            for entry in reader.mapping(successNode) ?? [] {
                if let value = reader.string(entry.value) { response.successWhen.append((entry.key, value, entry.value)) }
            }
        }
        if let errorsNode = node["errors"] {
            response.errorsNode = errorsNode
            for entry in reader.mapping(errorsNode) ?? [] {
                guard reader.mapping(entry.value, allowed: ["status", "code", "title", "retryable"], required: ["status", "code"]) != nil
                else { continue }
                let status = reader.integer(entry.value["status"], in: 400...599)
                let code = reader.string(entry.value["code"])
                if let code, let codeNode = entry.value["code"], !Self.isAdapterName(code) {
                    reader.report(codeNode, "error code '\(code)' must be lower-case words joined by '-'")
                }
                let title = entry.value["title"].flatMap { reader.localized($0) }
                let retryable = entry.value["retryable"].flatMap { reader.boolean($0) } ?? false
                if let status, let code {
                    response.errors[entry.key] = DeclaredError(status: status, code: code, title: title, retryable: retryable)
                }
            }
        }
        if let segmentsNode = node["segments"],
            reader.mapping(segmentsNode, allowed: ["field", "groups"], required: ["field", "groups"]) != nil,
            let field = reader.string(segmentsNode["field"]), let groupsNode = segmentsNode["groups"]
        {
            var groups: [(String, String, DeclarationNode)] = []
            for entry in reader.mapping(groupsNode) ?? [] {
                if let group = reader.string(entry.value) { groups.append((entry.key, group, entry.value)) }
            }
            if groups.isEmpty { reader.report(groupsNode, "name at least one VALUE: GROUP") }
            response.segments = (field, groups, segmentsNode)
        }
        if let fieldsNode = node["fields"] {
            var fields: [(String, String, DeclarationNode)] = []
            for entry in reader.mapping(fieldsNode) ?? [] {
                if let field = reader.string(entry.value) { fields.append((entry.key, field, entry.value)) }
            }
            response.fields = fields
        }
        return response
    }

    private func checkAcrossFiles(_ declarations: [AdapterDeclaration], reader: DeclarationReader) {
        var names: [String: AdapterDeclaration] = [:]
        var routes: [String: (adapter: String, operation: OperationDeclaration)] = [:]
        var operationIds: [String: String] = [:]
        var parameterNames: [String: (names: [String], operation: OperationDeclaration)] = [:]
        for declaration in declarations {
            if let other = names[declaration.name] {
                reader.report(declaration.node["adapter"]!, "adapter '\(declaration.name)' is also declared in \(other.file)")
            }
            names[declaration.name] = declaration
            for operation in declaration.operations {
                if let other = operationIds[operation.name] {
                    reader.report(
                        operation.node, "operation name '\(operation.name)' is also used by adapter \(other); it is the OpenAPI operationId and must be unique")
                }
                operationIds[operation.name] = declaration.name
                let shape = operation.route.shape
                // One path shape, one set of parameter names: the router cannot tell them apart.
                let pathShape = String(shape.drop { $0 != " " })
                if let other = parameterNames[pathShape], other.names != operation.route.parameterNames {
                    reader.report(
                        operation.node["route"]!,
                        "route \(operation.route) has the same path as \(other.operation.route) (\(other.operation.name)) but other parameter names; use the same names")
                } else {
                    parameterNames[pathShape] = (operation.route.parameterNames, operation)
                }
                if let other = routes[shape] {
                    reader.report(
                        operation.node["route"]!,
                        "route \(operation.route) collides with \(other.operation.route) of \(other.adapter).\(other.operation.name) (\(other.operation.node.file):\(other.operation.node["route"]!.line))")
                } else {
                    routes[shape] = (declaration.name, operation)
                }
            }
        }
    }
}
