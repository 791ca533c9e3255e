import GatewayCore

/// A declared operation of a `batch-file` adapter: which of the kind's actions it is and where
/// its inputs come from.
struct BatchOperation: Sendable {
    enum Action: String, Sendable, CaseIterable {
        /// POST items → 202 and the job.
        case submit
        /// A job's state.
        case job
        /// A page of a job's results.
        case results
        /// One extract record by key.
        case lookup
        /// A filtered page of extract records.
        case list
    }

    let name: String
    let action: Action
    /// Input (`job`, `key`, `cursor`, `limit`, a filter field) → where the caller gives it.
    let inputs: [String: ValueSource]
    let schema: OperationSchema

    /// The caller's value for an input, if given.
    func input(_ name: String, in request: AdapterRequest) -> String? {
        inputs[name].flatMap { request.value(for: $0)?.scalarText }
    }

    static func compile(
        _ declaration: AdapterDeclaration, configuration: BatchFileConfiguration, reader: DeclarationReader
    ) -> [String: BatchOperation] {
        var operations: [String: BatchOperation] = [:]
        for operation in declaration.operations {
            guard let (actionName, node) = operation.backendOperation else {
                reader.report(operation.node, "declare what the operation does: operation: \(Action.allCases.map(\.rawValue).joined(separator: " | "))")
                continue
            }
            guard let action = Action(rawValue: actionName) else {
                reader.report(node, "unknown batch operation '\(actionName)'; one of \(Action.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            let jobs = configuration.jobs
            let extract = configuration.extract
            if [.submit, .job, .results].contains(action), jobs == nil {
                reader.report(node, "'\(actionName)' needs job mode: declare endpoint.jobs")
                continue
            }
            if [.lookup, .list].contains(action), extract == nil {
                reader.report(node, "'\(actionName)' needs extract mode: declare endpoint.extract")
                continue
            }
            let allowed: [String]
            let required: [String]
            switch action {
            case .submit: (allowed, required) = ([], [])
            case .job: (allowed, required) = (["job"], ["job"])
            case .results: (allowed, required) = (["job", "cursor", "limit"], ["job"])
            case .lookup: (allowed, required) = (["key"], ["key"])
            case .list: (allowed, required) = (["cursor", "limit"] + (extract?.filters ?? []), [])
            }
            var inputs: [String: ValueSource] = [:]
            var inputSchemas: [String: ValueSchema] = [:]
            for mapping in operation.request {
                guard allowed.contains(mapping.field) else {
                    reader.report(mapping.node, "'\(actionName)' takes \(allowed.isEmpty ? "no inputs (the items come in the body)" : allowed.joined(separator: ", ")), not \(mapping.field)")
                    continue
                }
                inputs[mapping.field] = mapping.source
                if let parameter = mapping.source.parameterName {
                    inputSchemas[parameter] = mapping.field == "limit" ? .number(integer: true) : .string(maxLength: nil)
                }
            }
            for name in required where inputs[name] == nil {
                reader.report(operation.node, "'\(actionName)' needs request.\(name), e.g. \(name): $path.\(name == "job" ? "jobId" : "id")")
            }
            if action == .submit, !operation.route.parameterNames.isEmpty || operation.route.method != "POST" {
                reader.report(operation.node["route"] ?? operation.node, "'submit' is a POST without path parameters")
            }
            if action != .submit, operation.route.method != "GET" {
                reader.report(operation.node["route"] ?? operation.node, "'\(actionName)' is a GET")
            }
            let schema: OperationSchema
            switch action {
            case .submit:
                let item = jobs!.requestLayout.recordType(named: jobs!.itemRecord)!.layout.schema
                schema = OperationSchema(
                    inputs: [:],
                    body: .object([
                        ("items", .array(item, minItems: 1, maxItems: jobs!.maxItems)),
                        ("callbackUrl", .optional(.string(maxLength: 2048, format: "uri"))),
                    ]),
                    response: JobView.schema, status: 202)
            case .job:
                schema = OperationSchema(inputs: inputSchemas, response: JobView.schema)
            case .results:
                let types = jobs!.responseLayout.recordTypes.filter { jobs!.results.contains($0.name) }
                let record: ValueSchema = types.count == 1 ? types[0].layout.schema : .any(description: "a result record")
                schema = OperationSchema(inputs: inputSchemas, response: page(of: record, asOf: false))
            case .lookup:
                let record = extract!.layout.recordType(named: extract!.record)!.layout.schema
                schema = OperationSchema(inputs: inputSchemas, response: .object([("asOf", .string(maxLength: nil)), ("record", record)]))
            case .list:
                let record = extract!.layout.recordType(named: extract!.record)!.layout.schema
                schema = OperationSchema(inputs: inputSchemas, response: page(of: record, asOf: true))
            }
            operations[operation.name] = BatchOperation(name: operation.name, action: action, inputs: inputs, schema: schema)
        }
        if configuration.jobs != nil, operations.values.contains(where: { $0.action == .submit }),
            !operations.values.contains(where: { $0.action == .job })
        {
            reader.report(declaration.node["operations"] ?? declaration.node, "a 'submit' operation needs a 'job' operation: its route is where callers follow the job")
        }
        return operations
    }

    static func page(of record: ValueSchema, asOf: Bool) -> ValueSchema {
        var members: [(String, ValueSchema)] = []
        if asOf { members.append(("asOf", .string(maxLength: nil))) }
        members.append(("items", .array(record, minItems: 0, maxItems: nil)))
        members.append(("nextCursor", .nullable(.string(maxLength: nil))))
        return .object(members)
    }
}
