extension DeclarationLoader {
    /// `cache: { ttl, stale-while-revalidate, stale-if-error, not-found-ttl, key: [parameters] }`
    /// on a GET operation; the key's names must be parameters the operation maps.
    func readCache(_ node: DeclarationNode, operation: OperationDeclaration, reader: DeclarationReader) -> CachePolicy? {
        guard reader.mapping(node, allowed: ["ttl", "stale-while-revalidate", "stale-if-error", "not-found-ttl", "key"], required: ["ttl"]) != nil
        else { return nil }
        if operation.route.method != "GET" {
            reader.report(node, "only GET operations are cached (\(operation.route.method) changes something)")
        }
        guard let ttl = reader.positiveDuration(node["ttl"]) else { return nil }
        var policy = CachePolicy(ttl: ttl)
        if let swr = reader.duration(node["stale-while-revalidate"]) { policy.staleWhileRevalidate = swr }
        if let sie = reader.duration(node["stale-if-error"]) { policy.staleIfError = sie }
        policy.notFoundTTL = reader.positiveDuration(node["not-found-ttl"])
        if let keyNode = node["key"] {
            let parameters = Set(operation.inputs.compactMap { $0.source.parameterName }).union(operation.route.parameterNames)
            guard case .sequence(let items) = keyNode.content else {
                reader.report(keyNode, "expected a list of parameter names, such as [clientId]")
                return policy
            }
            policy.key = items.compactMap { item in
                guard let name = reader.string(item) else { return nil }
                if !parameters.contains(name) {
                    reader.report(item, "'\(name)' is not a parameter of \(operation.name) (it has \(parameters.sorted().joined(separator: ", ")))")
                }
                return name
            }
        }
        return policy
    }
}
