import Foundation
import GatewayCore
import OpenAPIKit

/// Builds the OpenAPI 3.1 document from the declarations and the shapes the kinds read from the
/// contracts. Built once per language at start-up; `/openapi.json` serves the bytes.
struct OpenAPIBuilder: Sendable {
    private let documents: [Language: [UInt8]]
    private let failure: String?

    init(adapters: [PreparedAdapter]) {
        var documents: [Language: [UInt8]] = [:]
        var failure: String?
        for language in Language.allCases {
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                documents[language] = Array(try encoder.encode(Self.document(adapters, language: language)))
            } catch {
                failure = "\(error)"
            }
        }
        self.documents = documents
        self.failure = failure
    }

    func json(language: Language) -> [UInt8] {
        documents[language] ?? Array("{\"error\":\"\(failure ?? "no document")\"}".utf8)
    }

    static let problemContentType = OpenAPI.ContentType(rawValue: "application/problem+json")!

    static func document(_ adapters: [PreparedAdapter], language: Language) -> OpenAPI.Document {
        var paths: OpenAPI.PathItem.Map = [:]
        var tags: [OpenAPI.Tag] = []
        for prepared in adapters {
            let declaration = prepared.declaration
            tags.append(OpenAPI.Tag(
                name: declaration.name, description: declaration.title[language],
                vendorExtensions: ["x-title": AnyCodable(["en": declaration.title.en, "fr": declaration.title.fr])]))
            for operation in declaration.operations {
                let path = OpenAPI.Path(rawValue: operation.route.path)
                var item = paths[path]?.pathItemValue ?? OpenAPI.PathItem()
                item[OpenAPI.HttpMethod(rawValue: operation.route.method)!] = self.operation(
                    operation, adapter: declaration, schema: prepared.operations[operation.name], language: language)
                paths[path] = .pathItem(item)
            }
        }
        let title = LocalizedText(en: "Portage gateway", fr: "Passerelle Portage")
        let description = LocalizedText(
            en: "JSON facade over legacy systems. Errors are RFC 9457 problem documents; send Accept-Language: fr for French.",
            fr: "Façade JSON des systèmes patrimoniaux. Les erreurs sont des documents de problème RFC 9457; envoyez Accept-Language: en pour l’anglais.")
        return OpenAPI.Document(
            openAPIVersion: .v3_1_1,
            info: .init(
                title: title[language], description: description[language], version: "1.0.0",
                vendorExtensions: ["x-title": AnyCodable(["en": title.en, "fr": title.fr])]),
            servers: [],
            paths: paths,
            components: .init(schemas: ["Problem": problemSchema]),
            tags: tags)
    }

    static func operation(
        _ operation: OperationDeclaration, adapter: AdapterDeclaration, schema: OperationSchema?, language: Language
    ) -> OpenAPI.Operation {
        var parameters: OpenAPI.Parameter.Array = []
        var bodyProperties: [(path: [String], schema: JSONSchema)] = []
        for input in operation.inputs {
            let valueSchema = schema?.inputs[input.source.parameterName ?? ""] ?? .string(maxLength: nil)
            let declared = operation.parameters[input.source.parameterName ?? ""]
            let example = declared?.example.map { AnyCodable($0) }
            let description = declared?.description?[language] ?? "\(adapter.name) field \(input.field)"
            switch input.source {
            case .path(let name):
                parameters.append(.parameter(OpenAPI.Parameter.path(
                    name: name,
                    schemaOrContent: .schema(.init(textSchema(valueSchema), style: .default(for: .path), example: example)),
                    description: description)))
            case .query(let name):
                parameters.append(.parameter(OpenAPI.Parameter.query(
                    name: name, required: false,
                    schemaOrContent: .schema(.init(textSchema(valueSchema), style: .default(for: .query), example: example)),
                    description: description)))
            case .body(let path):
                bodyProperties.append((path, jsonSchema(valueSchema, required: false).with(description: description)))
            case .constant:
                break
            }
        }
        let fr = language == .fr
        func header(_ text: String) -> Either<OpenAPI.Reference<OpenAPI.Header>, OpenAPI.Header> {
            .b(OpenAPI.Header(schema: .string, description: text))
        }
        var freshness: OpenAPI.Header.Map?
        if operation.cache != nil {
            freshness = [
                "Cache-Status": header(fr
                    ? "Fraîcheur de la réponse (RFC 9211) : hit (du cache), fwd=miss (demandée au système), fwd=stale avec detail=stale-if-error (copie périmée servie parce que le système a échoué), collapsed (partagée avec un autre appel)"
                    : "How fresh the answer is (RFC 9211): hit (from the cache), fwd=miss (asked of the backend), fwd=stale with detail=stale-if-error (a stale copy served because the backend failed), collapsed (shared with another caller's call)"),
                "Age": header(fr ? "Secondes depuis que la réponse a été obtenue du système" : "Seconds since the answer was obtained from the backend"),
                "ETag": header(fr ? "Validateur de la réponse, pour If-None-Match" : "The answer's validator, for If-None-Match"),
            ]
            parameters.append(.parameter(OpenAPI.Parameter.header(
                name: "If-None-Match", required: false, schema: .string,
                description: fr ? "Un ETag déjà reçu : 304 si la réponse n’a pas changé" : "An ETag already received: 304 when the answer has not changed")))
        }
        parameters.append(.parameter(OpenAPI.Parameter.header(
            name: "Request-Timeout", required: false, schema: .string,
            description: fr
                ? "Délai d’attente de l’appelant, en secondes (2, 0.5) ou en durée (500ms) : il raccourcit, sans jamais l’allonger, le délai déclaré"
                : "How long the caller waits, in seconds (2, 0.5) or as a duration (500ms): it shortens, never lengthens, the declared timeout")))
        var responses: OpenAPI.Response.Map = [
            .status(code: schema?.status ?? 200): .response(OpenAPI.Response(
                description: schema?.status == 202
                    ? (fr ? "Accepté : la tâche est enregistrée" : "Accepted: the job is recorded")
                    : (fr ? "Réponse du système patrimonial" : "The legacy system's answer"),
                headers: freshness,
                content: [.json: .content(OpenAPI.Content(schema: schema.map { jsonSchema($0.response) } ?? .object))])),
        ]
        if operation.cache != nil {
            responses[.status(code: 304)] = .response(OpenAPI.Response(
                description: fr ? "Inchangée depuis l’ETag donné dans If-None-Match" : "Unchanged since the ETag given in If-None-Match",
                headers: freshness))
        }
        let problem = OpenAPI.Content(schema: .reference(.component(named: "Problem")))
        var statuses: [Int: String] = [
            400: language == .fr ? "Requête invalide" : "Invalid request",
            502: language == .fr ? "Le système patrimonial a échoué" : "The legacy system failed",
            503: fr
                ? "Système occupé, saturé, en maintenance ou mis au repos après des échecs, ou passerelle non prête : Retry-After dit quand réessayer"
                : "Backend busy, overloaded, in maintenance or paused after failures, or gateway not ready: Retry-After says when to try again",
            504: language == .fr ? "Délai du système patrimonial dépassé" : "The legacy system timed out",
        ]
        for declared in operation.response.errors.values.sorted(by: { $0.status < $1.status }) {
            statuses[declared.status] = declared.title?[language] ?? declared.code
        }
        for (status, text) in statuses.sorted(by: { $0.key < $1.key }) {
            let retryAfter: OpenAPI.Header.Map? = status == 503
                ? ["Retry-After": header(fr ? "Secondes avant de réessayer" : "Seconds to wait before trying again")] : nil
            responses[.status(code: status)] = .response(OpenAPI.Response(
                description: text, headers: retryAfter, content: [problemContentType: .content(problem)]))
        }
        var requestBody: OpenAPI.Request?
        if let body = schema?.body, bodyProperties.isEmpty {
            requestBody = OpenAPI.Request(content: [.json: .content(OpenAPI.Content(schema: jsonSchema(body)))], required: true)
        } else if !bodyProperties.isEmpty {
            requestBody = OpenAPI.Request(
                content: [.json: .content(OpenAPI.Content(schema: nestedObject(bodyProperties)))], required: true)
        }
        return OpenAPI.Operation(
            tags: [adapter.name], summary: operation.summary[language], description: operation.description?[language],
            operationId: operation.name, parameters: parameters, requestBody: requestBody, responses: responses,
            vendorExtensions: ["x-summary": AnyCodable(["en": operation.summary.en, "fr": operation.summary.fr])])
    }

    /// Path and query values are text; a numeric field gets a pattern instead of a number type.
    static func textSchema(_ schema: ValueSchema) -> JSONSchema {
        switch schema.unwrapped {
        case .string(let maxLength, let format): return .string(format: stringFormat(format), maxLength: maxLength)
        case .choice(_, let values, let names):
            return .string(description: choiceDescription(values, names), allowedValues: values.map { AnyCodable($0) })
        default: return .string(pattern: schema.textPattern)
        }
    }

    static func stringFormat(_ format: String?) -> JSONTypeFormat.StringFormat {
        format.flatMap { JSONTypeFormat.StringFormat(rawValue: $0) } ?? .unspecified
    }

    static func jsonSchema(_ schema: ValueSchema, required: Bool = true, nullable: Bool = false) -> JSONSchema {
        switch schema {
        case .optional(let inner):
            return jsonSchema(inner, required: false, nullable: nullable)
        case .nullable(let inner):
            return jsonSchema(inner, required: required, nullable: true)
        case .any(let description):
            return .fragment(required: required, nullable: nullable, description: description)
        case .string(let maxLength, let format):
            return .string(format: stringFormat(format), required: required, nullable: nullable, maxLength: maxLength)
        case .boolean:
            return .boolean(required: required, nullable: nullable)
        case .number(let integer):
            let description = "Exact decimal (never rounded through floating point)"
            return integer
                ? .integer(required: required, nullable: nullable)
                : .number(required: required, nullable: nullable, description: description)
        case .choice(let base, let values, let names):
            if case .string = base.unwrapped {
                return .string(
                    required: required, nullable: nullable, description: choiceDescription(values, names),
                    allowedValues: values.map { AnyCodable($0) })
            }
            let numbers = values.compactMap { ExactDecimal($0) }.map { AnyCodable($0.description) }
            return jsonSchema(base, required: required, nullable: nullable).with(
                description: choiceDescription(values, names) + " (values: \(numbers.map { "\($0.value)" }.joined(separator: ", ")))")
        case .decimal(let integerDigits, let fractionDigits, let signed):
            let limit = integerDigits <= 15 ? pow(10.0, Double(integerDigits)) : nil
            let description = "Exact decimal: up to \(integerDigits) digits before the point and \(fractionDigits) after"
            if fractionDigits == 0, let limit {
                return .integer(
                    required: required, nullable: nullable, description: description,
                    maximum: (Int(limit) - 1, exclusive: false), minimum: (signed ? 1 - Int(limit) : 0, exclusive: false))
            }
            return .number(
                required: required, nullable: nullable, description: description,
                maximum: limit.map { ($0, exclusive: true) }, minimum: signed ? limit.map { (-$0, exclusive: true) } : (0, exclusive: false))
        case .restricted(let base, let facets):
            return restrictedSchema(base, facets, required: required, nullable: nullable)
        case .object(let properties):
            var map = OrderedDictionary<String, JSONSchema>()
            for (name, property) in properties { map[name] = jsonSchema(property) }
            return .object(required: required, nullable: nullable, properties: map)
        case .array(let items, let minItems, let maxItems):
            return .array(required: required, nullable: nullable, minItems: minItems, maxItems: maxItems, items: jsonSchema(items))
        }
    }

    /// Facets in JSON Schema terms: lengths and the first pattern for text, bounds for numbers;
    /// what JSON Schema cannot say exactly (more patterns, digit counts) goes in the description.
    static func restrictedSchema(_ base: ValueSchema, _ facets: ValueFacets, required: Bool, nullable: Bool) -> JSONSchema {
        var notes: [String] = []
        if facets.patterns.count > 1 { notes.append("matches every XML Schema pattern: " + facets.patterns.joined(separator: " ; ")) }
        if let totalDigits = facets.totalDigits { notes.append("at most \(totalDigits) digits") }
        if let fractionDigits = facets.fractionDigits { notes.append("at most \(fractionDigits) after the point") }
        let description = notes.isEmpty ? nil : notes.joined(separator: "; ")
        switch base.unwrapped {
        case .string(let maxLength, let format):
            return .string(
                format: stringFormat(format), required: required, nullable: nullable, description: description,
                minLength: facets.minLength, maxLength: facets.maxLength ?? maxLength,
                pattern: facets.patterns.first.flatMap(ValueFacets.regularExpression(forXMLSchemaPattern:)))
        case .number(let integer):
            func bound(_ text: String?, _ exclusive: Bool) -> (Double, exclusive: Bool)? {
                text.flatMap { Double($0) }.map { ($0, exclusive: exclusive) }
            }
            if integer {
                func integerBound(_ text: String?, _ exclusive: Bool) -> (Int, exclusive: Bool)? {
                    text.flatMap { Int($0) }.map { ($0, exclusive: exclusive) }
                }
                return .integer(
                    required: required, nullable: nullable, description: description,
                    maximum: integerBound(facets.maximum, facets.maximumExclusive), minimum: integerBound(facets.minimum, facets.minimumExclusive))
            }
            return .number(
                required: required, nullable: nullable,
                description: ["Exact decimal (never rounded through floating point)", description].compactMap { $0 }.joined(separator: "; "),
                maximum: bound(facets.maximum, facets.maximumExclusive), minimum: bound(facets.minimum, facets.minimumExclusive))
        default:
            return jsonSchema(base, required: required, nullable: nullable)
        }
    }

    /// "A = CLIRESP-ACTIVE, S = CLIRESP-SUSPENDED": what each value means, from the copybook.
    static func choiceDescription(_ values: [String], _ names: [String]) -> String {
        zip(values, names).map { "\($0.isEmpty ? "(blank)" : $0) = \($1)" }.joined(separator: ", ")
    }

    /// `$body.a.b` mappings become nested objects.
    static func nestedObject(_ properties: [(path: [String], schema: JSONSchema)]) -> JSONSchema {
        var leaves = OrderedDictionary<String, JSONSchema>()
        var groups = OrderedDictionary<String, [(path: [String], schema: JSONSchema)]>()
        for property in properties {
            if property.path.count == 1 {
                leaves[property.path[0]] = property.schema
            } else {
                groups[property.path[0], default: []].append((Array(property.path.dropFirst()), property.schema))
            }
        }
        for (name, members) in groups { leaves[name] = nestedObject(members).optionalSchemaObject() }
        return .object(properties: leaves)
    }

    static let problemSchema: JSONSchema = .object(
        description: "RFC 9457 problem details with Portage's members",
        properties: [
            "type": .string, "title": .string, "status": .integer, "detail": .string, "instance": .string,
            "code": .string(description: "Stable machine-readable error code"),
            "layer": .string(description: "Which layer failed", allowedValues: ["gateway", "mapping", "backend"]),
            "retryable": .boolean, "correlationId": .string(description: "Also sent as X-Request-ID"),
        ])
}
