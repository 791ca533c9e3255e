import Crypto
import Foundation
import GatewayCore
import Store

extension BatchFileAdapter {
    /// POST items: the request file is encoded now (so a body that does not fit is a 400 naming
    /// every item and field), journaled with the job in one durable insert, and written to the
    /// inbox by the pipeline. 202 with the job's `Location`.
    func submit(_ request: AdapterRequest) async throws -> AdapterResponse {
        let jobs = configuration.jobs!
        guard case .array(let items)? = request.body?["items"] else {
            throw GatewayError.invalidBody(
                en: "The body must be {\"items\": [ … ]}: a list of the records to send.",
                fr: "Le corps doit être {\"items\": [ … ]} : la liste des enregistrements à envoyer.")
        }
        guard !items.isEmpty, items.count <= jobs.maxItems else {
            throw GatewayError.invalidBody(
                en: "A job takes 1 to \(jobs.maxItems) items; \(items.count) were sent.",
                fr: "Une tâche accepte de 1 à \(jobs.maxItems) éléments; \(items.count) ont été envoyés.")
        }
        var callbackURL: String?
        if let value = request.body?["callbackUrl"], value != .null {
            guard case .string(let text) = value, let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                let host = url.host?.lowercased()
            else {
                throw GatewayError.invalidBody(
                    en: "callbackUrl must be an http or https address.", fr: "callbackUrl doit être une adresse http ou https.")
            }
            guard Self.callbackAllowed(host: host, allowed: jobs.callbackHosts) else {
                throw GatewayError.invalidBody(
                    en: "callbackUrl may not point at \(host): callbacks go to the hosts this service allows.",
                    fr: "callbackUrl ne peut pas viser \(host) : les rappels vont aux hôtes que ce service autorise.")
            }
            callbackURL = text
        }
        let body = JSONWriter().bytes(request.body ?? .null)
        let hash = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let key = request.headers["idempotency-key"]
        if let key {
            guard !key.isEmpty, key.utf8.count <= 255 else {
                throw GatewayError.invalidParameter(
                    parameter: "Idempotency-Key", field: "Idempotency-Key",
                    reason: LocalizedText(en: "1 to 255 characters", fr: "de 1 à 255 caractères"))
            }
            let claimed = state.withLock { $0.idempotencyKeysInFlight.insert(key).inserted }
            guard claimed else { throw GatewayError.idempotencyKeyInFlight(key: key) }
        }
        defer { if let key { _ = state.withLock { $0.idempotencyKeysInFlight.remove(key) } } }

        let store = try self.store
        let accepted = now()
        let id = Self.makeJobId(at: accepted)
        let file = try jobs.requestFile(items: items, jobId: id, now: Date(timeIntervalSince1970: Double(accepted) / 1000))
        let job = BatchJob(
            adapter: declaration.name, id: id, idempotencyKey: key, requestHash: hash,
            requestFile: jobs.requestFile.name(id), responseFile: jobs.responseFile.name(id), itemCount: items.count,
            callbackURL: callbackURL, acceptedAt: accepted, deadlineAt: accepted + jobs.deadline.milliseconds)
        let outcome: AcceptOutcome
        do {
            outcome = try await store.accept(job, requestFile: file)
        } catch {
            throw Self.storeError(error, adapter: declaration.name)
        }
        switch outcome {
        case .accepted(let job):
            CrashPoint.afterAccept.reached()
            logger.info("accepted job", metadata: ["job": "\(job.id)", "items": "\(job.itemCount)"])
            wake()
            return answer(job, status: 202)
        case .existing(let job):
            guard job.requestHash == hash else { throw GatewayError.idempotencyKeyReused(key: key ?? "", jobId: job.id) }
            return answer(job, status: 202)
        }
    }

    /// A declared list decides; without one, the gateway's own machine and link-local addresses
    /// (cloud metadata services) are refused. Names are not resolved here: declare `callback-hosts`
    /// where internal names must be kept out.
    static func callbackAllowed(host: String, allowed: Set<String>?) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if let allowed { return allowed.contains(bare) }
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare == "0.0.0.0" || bare == "::" || bare == "::1" { return false }
        if bare.hasPrefix("127.") || bare.hasPrefix("169.254.") || bare.hasPrefix("fe80:") { return false }
        return true
    }

    func answer(_ job: BatchJob, status: Int = 200) -> AdapterResponse {
        let location = location(of: job.id)
        return AdapterResponse(
            status: status, body: JobView.json(job, location: location),
            headers: status == 202 ? location.map { [("Location", $0)] } ?? [] : [])
    }

    func job(_ operation: BatchOperation, _ request: AdapterRequest) async throws -> AdapterResponse {
        answer(try await findJob(operation, request))
    }

    func findJob(_ operation: BatchOperation, _ request: AdapterRequest) async throws -> BatchJob {
        let id = operation.input("job", in: request) ?? ""
        let found: BatchJob?
        do {
            found = try await store.job(adapter: declaration.name, id: id)
        } catch let error as StoreError {
            throw Self.storeError(error, adapter: declaration.name)
        }
        guard let found else { throw GatewayError.notFound(adapter: declaration.name, what: LocalizedText(en: "job", fr: "tâche"), id: id) }
        return found
    }

    func results(_ operation: BatchOperation, _ request: AdapterRequest) async throws -> AdapterResponse {
        let job = try await findJob(operation, request)
        let limit = try Self.limit(operation, request)
        var after = 0
        if let cursor = operation.input("cursor", in: request) {
            guard let text = Self.decodeCursor(cursor), text.hasPrefix("r:"), let number = Int(text.dropFirst(2)), number >= 0 else {
                throw GatewayError.invalidCursor(cursor)
            }
            after = number
        }
        let rows: [(number: Int, json: String)]
        do {
            rows = try await store.results(adapter: declaration.name, id: job.id, after: after, limit: limit + 1)
        } catch let error as StoreError {
            throw Self.storeError(error, adapter: declaration.name)
        }
        let page = rows.prefix(limit)
        let next: JSONValue = rows.count > limit ? .string(Self.encodeCursor("r:\(page.last!.number)")) : .null
        return AdapterResponse(body: .object([
            "items": .array(try page.map { try JSONParser.parse(Array($0.json.utf8)) }),
            "nextCursor": next,
        ]))
    }

    func lookup(_ operation: BatchOperation, _ request: AdapterRequest) async throws -> AdapterResponse {
        let key = operation.input("key", in: request) ?? ""
        let extract = try await currentExtract()
        let record: String?
        do {
            record = try await store.extractRecord(extract, key: key)
        } catch let error as StoreError {
            throw Self.storeError(error, adapter: declaration.name)
        }
        guard let record else {
            throw GatewayError.notFound(adapter: declaration.name, what: LocalizedText(en: "record", fr: "enregistrement"), id: key)
        }
        return AdapterResponse(body: .object(["asOf": .string(extract.asOf), "record": try JSONParser.parse(Array(record.utf8))]))
    }

    func list(_ operation: BatchOperation, _ request: AdapterRequest) async throws -> AdapterResponse {
        let extract = try await currentExtract()
        let limit = try Self.limit(operation, request)
        var afterKey: String?
        if let cursor = operation.input("cursor", in: request) {
            guard let text = Self.decodeCursor(cursor), text.hasPrefix("k:") else { throw GatewayError.invalidCursor(cursor) }
            afterKey = String(text.dropFirst(2))
        }
        var filters: [String: String] = [:]
        for field in configuration.extract!.filters {
            if let value = operation.input(field, in: request) { filters[field] = value }
        }
        let rows: [(key: String, json: String)]
        do {
            rows = try await store.extractRecords(extract, filters: filters, afterKey: afterKey, limit: limit + 1)
        } catch let error as StoreError {
            throw Self.storeError(error, adapter: declaration.name)
        }
        let page = rows.prefix(limit)
        let next: JSONValue = rows.count > limit ? .string(Self.encodeCursor("k:\(page.last!.key)")) : .null
        return AdapterResponse(body: .object([
            "asOf": .string(extract.asOf),
            "items": .array(try page.map { try JSONParser.parse(Array($0.json.utf8)) }),
            "nextCursor": next,
        ]))
    }

    /// The extract being served: kept in memory once read, replaced when the pipeline publishes one.
    func currentExtract() async throws -> ExtractGeneration {
        if let cached = state.withLock({ $0.currentExtract }) { return cached }
        let name = configuration.extract!.name
        let current: ExtractGeneration?
        do {
            current = try await store.currentExtract(adapter: declaration.name, name: name)
        } catch let error as StoreError {
            throw Self.storeError(error, adapter: declaration.name)
        }
        if let current { state.withLock { $0.currentExtract = $0.currentExtract ?? current } }
        guard let current else { throw GatewayError.notReady(reason: "\(declaration.name) has not loaded an extract yet") }
        return current
    }

    static func limit(_ operation: BatchOperation, _ request: AdapterRequest) throws -> Int {
        guard let text = operation.input("limit", in: request) else { return 100 }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw GatewayError.invalidParameter(
                parameter: operation.inputs["limit"]?.parameterName ?? "limit", field: "limit",
                reason: LocalizedText(en: "a whole number from 1 to 1000", fr: "un nombre entier de 1 à 1000"))
        }
        return limit
    }

    static func encodeCursor(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ cursor: String) -> String? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// 16 characters of Crockford base32: 48 bits of time (so ids sort by acceptance) and 32
    /// random bits. Upper case letters and digits only: safe in file names and COBOL fields.
    static func makeJobId(at milliseconds: Int64) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        let value = (UInt128(UInt64(milliseconds) & 0xFFFF_FFFF_FFFF) << 32) | UInt128(UInt32.random(in: .min ... .max))
        return String((0..<16).reversed().map { alphabet[Int((value >> (5 * UInt128($0))) & 31)] })
    }

}
