/// One backend, as declared in `Adapters/<name>.yaml`. Kind-specific parts (`endpoint`) stay as
/// nodes for the kind to read; everything common is parsed and checked here.
public struct AdapterDeclaration: Sendable {
    public var name: String
    public var kind: String
    public var title: LocalizedText
    public var description: LocalizedText?
    public var endpoint: DeclarationNode
    /// Contract role (`request`, `response`, …) → path relative to the contracts directory.
    public var contracts: [String: ContractReference]
    public var resilience: ResiliencePolicy
    public var operations: [OperationDeclaration]
    public var file: String
    public var node: DeclarationNode
}

public struct ContractReference: Sendable {
    public var path: String
    public var node: DeclarationNode
}

public struct OperationDeclaration: Sendable {
    public var name: String
    public var route: RouteTemplate
    public var summary: LocalizedText
    public var description: LocalizedText?
    /// The backend's own name for the operation (a WSDL operation), when the kind takes one.
    public var backendOperation: (name: String, node: DeclarationNode)?
    /// Per-operation contract roles overriding the adapter's.
    public var contracts: [String: ContractReference]
    /// Legacy request field → where its value comes from, in declaration order.
    public var request: [FieldMapping]
    public var response: ResponseMapping
    public var parameters: [String: ParameterDeclaration]
    /// Answers kept by the cache layer (GET operations only).
    public var cache: CachePolicy?
    public var node: DeclarationNode

    /// Every caller-facing parameter the mapping uses, with where it comes from.
    public var inputs: [(source: ValueSource, field: String)] {
        request.compactMap { $0.source.parameterName == nil ? nil : ($0.source, $0.field) }
    }

    public func contract(_ role: String, adapter: AdapterDeclaration) -> ContractReference? {
        contracts[role] ?? adapter.contracts[role]
    }
}

public struct FieldMapping: Sendable {
    public var field: String
    public var source: ValueSource
    public var node: DeclarationNode
}

public struct ParameterDeclaration: Sendable {
    public var example: String?
    public var description: LocalizedText?
    public var node: DeclarationNode
}

public struct ResponseMapping: Sendable {
    /// Legacy field → the value that means success (all must match).
    public var successWhen: [(field: String, value: String, node: DeclarationNode)] = []
    /// Value of the first `successWhen` field (or a fault code, for SOAP) → the error it means.
    public var errors: [String: DeclaredError] = [:]
    public var errorsNode: DeclarationNode?
    /// JSON name → legacy field; nil means every field, with camelCase names.
    public var fields: [(name: String, field: String, node: DeclarationNode)]?
    /// REDEFINES alternatives chosen by a field's value: the field, and value → group.
    public var segments: (field: String, groups: [(value: String, group: String, node: DeclarationNode)], node: DeclarationNode)?

    public init() {}
}

public struct DeclaredError: Sendable {
    public var status: Int
    public var code: String
    public var title: LocalizedText?
    public var retryable: Bool

    /// The problem this declared error is, for the legacy return code that was answered.
    public func error(returnCode: String) -> GatewayError {
        .declared(code: code, status: status, title: title, returnCode: returnCode, retryable: retryable)
    }
}
