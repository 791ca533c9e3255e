import FixedWidth
import GatewayCore
import NIOCore

/// One declared operation compiled against its record layouts: how to build the request record
/// from the caller's inputs and how to read the response record back.
struct FixedWidthOperation: Sendable {
    let name: String
    let request: RecordLayout
    let response: RecordLayout
    let mappings: [(field: String, source: ValueSource)]
    let successWhen: [(field: LayoutNode, value: String)]
    let errors: [String: DeclaredError]
    /// Explicit response mapping (JSON name → field); nil: every field.
    let fields: [(name: String, field: LayoutNode)]?
    let schema: OperationSchema

    static func compile(
        _ operation: OperationDeclaration, request: RecordLayout, response: RecordLayout, reader: DeclarationReader
    ) -> FixedWidthOperation? {
        let before = reader.problems.count
        var inputs: [String: ValueSchema] = [:]
        for mapping in operation.request {
            guard let node = request.fields[mapping.field] else {
                reader.report(mapping.node, "field \(mapping.field) is not in the request layout \(request.name)")
                continue
            }
            if request.tableMembers.contains(mapping.field) {
                reader.report(mapping.node, "field \(mapping.field) repeats inside an OCCURS item; map the table itself (a list)")
                continue
            }
            if case .constant(let text) = mapping.source {
                // Constants are checked now, not on the first call.
                do {
                    _ = try request.encode(fields: [(mapping.field, .string(text))])
                } catch {
                    reader.report(mapping.node, "constant '\(text)' does not fit \(mapping.field): \(error.reason.en)")
                }
            } else if let name = mapping.source.parameterName {
                inputs[name] = node.schema
            }
        }
        if let node = operation.backendOperation?.node {
            reader.report(node, "fixed-width-tcp operations are told apart by their request fields; 'operation' is for kinds whose contract names operations (soap-http)")
        }
        if let errorsNode = operation.response.errorsNode, operation.response.successWhen.isEmpty {
            reader.report(errorsNode, "errors are matched against the return-code field named in success-when; declare success-when")
        }
        var successWhen: [(LayoutNode, String)] = []
        for condition in operation.response.successWhen {
            guard let node = response.fields[condition.field], node.codec != nil, node.occurs == nil,
                !response.tableMembers.contains(condition.field)
            else {
                reader.report(condition.node, "success-when field \(condition.field) must be an elementary field of the response layout \(response.name)")
                continue
            }
            successWhen.append((node, condition.value))
        }
        var fields: [(String, LayoutNode)]?
        if let declared = operation.response.fields {
            fields = []
            for entry in declared {
                guard let node = response.fields[entry.field] else {
                    reader.report(entry.node, "field \(entry.field) is not in the response layout \(response.name)")
                    continue
                }
                if response.tableMembers.contains(entry.field) {
                    reader.report(entry.node, "field \(entry.field) repeats inside an OCCURS item; map the table itself (a list)")
                    continue
                }
                fields!.append((entry.name, node))
            }
        }
        var response = response
        if let segments = operation.response.segments {
            let fieldNode = segments.node["field"]!
            if response.fields[segments.field]?.codec == nil || response.tableMembers.contains(segments.field) {
                reader.report(fieldNode, "segment field \(segments.field) must be an elementary field of the response layout \(response.name)")
            }
            var groups: [String: String] = [:]
            for entry in segments.groups {
                guard let group = response.fields[entry.group], group.codec == nil || group.redefines != nil || response.fields.values.contains(where: { $0.redefines == entry.group }) else {
                    reader.report(entry.node, "\(entry.group) is not a REDEFINES alternative of the response layout \(response.name)")
                    continue
                }
                groups[entry.value] = entry.group
            }
            response.segments = RecordLayout.SegmentRule(field: segments.field, groups: groups)
        }
        guard reader.problems.count == before else { return nil }
        let responseSchema: ValueSchema = fields.map { .object($0.map { ($0.0, $0.1.schema) }) } ?? response.schema
        return FixedWidthOperation(
            name: operation.name, request: request, response: response,
            mappings: operation.request.map { ($0.field, $0.source) }, successWhen: successWhen,
            errors: operation.response.errors, fields: fields,
            schema: OperationSchema(inputs: inputs, response: responseSchema))
    }

    /// The request record for a call; a value that does not fit names the parameter and the field.
    func encodeRequest(_ call: AdapterRequest) throws(GatewayError) -> [UInt8] {
        var values: [(field: String, value: JSONValue)] = []
        for mapping in mappings {
            guard let value = call.value(for: mapping.source) else {
                if case .path(let name) = mapping.source { throw .missingParameter(name) }
                continue
            }
            if value == .null { continue }
            values.append((mapping.field, value))
        }
        do {
            return try request.encode(fields: values)
        } catch {
            let path = error.field.split(separator: ".").map(String.init)
            let mapping = mappings.last { path.contains($0.field) }
            throw .invalidParameter(
                parameter: mapping?.source.parameterName ?? mapping?.field ?? error.field, field: error.field, reason: error.reason)
        }
    }

    /// The JSON answer for a response record, or the declared error its return code means.
    func decodeResponse(_ record: ByteBuffer, adapter: String) throws(GatewayError) -> JSONValue {
        let result = record.withUnsafeReadableBytes { bytes -> Result<JSONValue, GatewayError> in
            let expected = response.actualLength(of: bytes) ?? response.length
            guard bytes.count == expected else {
                return .failure(.recordLength(adapter: adapter, expected: expected, received: bytes.count))
            }
            do throws(RecordDecodingError) {
                if let failure = try returnCodeFailure(bytes, adapter: adapter) { return .failure(failure) }
                if let fields {
                    var object = JSONObject()
                    for (name, node) in fields { object[name] = try response.decode(field: node.name, bytes) }
                    return .success(.object(object))
                }
                return .success(.object(try response.decode(bytes)))
            } catch {
                return .failure(.recordInvalid(adapter: adapter, field: error.field, offset: error.offset, reason: error.reason))
            }
        }
        return try result.get()
    }

    /// The error a response's return code means, nil when it means success.
    private func returnCodeFailure(_ bytes: UnsafeRawBufferPointer, adapter: String) throws(RecordDecodingError) -> GatewayError? {
        for (index, condition) in successWhen.enumerated() {
            let value = try response.decode(field: condition.field.name, bytes) ?? .null
            let text = value.scalarText ?? ""
            if Self.matches(text, condition.value, numeric: condition.field.codec?.isNumeric == true) { continue }
            // Declared errors are keyed by the first condition's field.
            if index == 0 {
                for (code, declared) in errors where Self.matches(text, code, numeric: condition.field.codec?.isNumeric == true) {
                    return declared.error(returnCode: text)
                }
            }
            return .unexpectedReturnCode(adapter: adapter, field: condition.field.name, value: text)
        }
        return nil
    }

    static func matches(_ actual: String, _ expected: String, numeric: Bool) -> Bool {
        if numeric, let a = ExactDecimal(actual), let b = ExactDecimal(expected) {
            let scale = max(a.scale, b.scale)
            guard let a = a.rescaled(to: scale), let b = b.rescaled(to: scale) else { return false }
            return a.significand == b.significand
        }
        return actual == expected.trimmingTrailingSpaces
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
