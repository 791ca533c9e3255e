/// Errors of asynchronous jobs and stored extracts (the `batch-file` kind).
extension GatewayError {
    /// No job, or no record, by that identifier. `what`: "job", "record"….
    public static func notFound(adapter: String, what: LocalizedText, id: String) -> GatewayError {
        GatewayError(
            .notFound, status: 404, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Not found", fr: "Introuvable"),
            detail: LocalizedText(
                en: "\(adapter) has no \(what.en) '\(id)'.", fr: "\(adapter) n’a pas de \(what.fr) « \(id) »."),
            extensions: ["adapter": .string(adapter)])
    }

    /// The same `Idempotency-Key` came with a different request body.
    public static func idempotencyKeyReused(key: String, jobId: String) -> GatewayError {
        GatewayError(
            .idempotencyKeyReused, status: 422, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Idempotency key already used", fr: "Clé d’idempotence déjà utilisée"),
            detail: LocalizedText(
                en: "The Idempotency-Key '\(key)' was used for job \(jobId) with a different request body.",
                fr: "La clé d’idempotence « \(key) » a servi pour la tâche \(jobId) avec un autre corps de requête."),
            extensions: ["jobId": .string(jobId)])
    }

    /// A request with the same `Idempotency-Key` is being accepted right now.
    public static func idempotencyKeyInFlight(key: String) -> GatewayError {
        GatewayError(
            .idempotencyKeyInFlight, status: 409, retryable: true, layer: .gateway,
            title: LocalizedText(en: "Request already in progress", fr: "Requête déjà en cours"),
            detail: LocalizedText(
                en: "A request with the Idempotency-Key '\(key)' is still being processed; try again shortly.",
                fr: "Une requête avec la clé d’idempotence « \(key) » est encore en traitement; réessayez sous peu."))
    }

    /// Items of a job that do not fit the request file's layout, every one of them.
    public static func invalidItems(_ problems: [(item: Int, field: String, reason: LocalizedText)]) -> GatewayError {
        let first = problems.first
        let summary = problems.count == 1 ? "" : " (\(problems.count) problems)"
        let summaryFr = problems.count == 1 ? "" : " (\(problems.count) problèmes)"
        return GatewayError(
            .invalidItems, status: 400, retryable: false, layer: .mapping,
            title: LocalizedText(en: "Items do not fit the file layout", fr: "Éléments non conformes à la structure du fichier"),
            detail: LocalizedText(
                en: "Item \(first?.item ?? 0), field \(first?.field ?? ""): \(first?.reason.en ?? "")\(summary).",
                fr: "Élément \(first?.item ?? 0), champ \(first?.field ?? "") : \(first?.reason.fr ?? "")\(summaryFr)."),
            extensions: ["errors": .array(problems.map { problem in
                .object(["item": .number(String(problem.item)), "field": .string(problem.field),
                         "reason": .object(["en": .string(problem.reason.en), "fr": .string(problem.reason.fr)])])
            })])
    }

    /// The journal or a drop directory cannot be written (disk full, read-only, permissions):
    /// nothing was accepted.
    public static func storageUnavailable(adapter: String, full: Bool, reason: String) -> GatewayError {
        GatewayError(
            .storageUnavailable, status: 503, retryable: true, layer: .gateway,
            title: full
                ? LocalizedText(en: "Storage full", fr: "Stockage plein")
                : LocalizedText(en: "Storage unavailable", fr: "Stockage indisponible"),
            detail: full
                ? LocalizedText(
                    en: "\(adapter) cannot record the request: the disk is full (\(reason)). Nothing was accepted.",
                    fr: "\(adapter) ne peut pas enregistrer la requête : le disque est plein (\(reason)). Rien n’a été accepté.")
                : LocalizedText(
                    en: "\(adapter) cannot record the request: \(reason). Nothing was accepted.",
                    fr: "\(adapter) ne peut pas enregistrer la requête : \(reason). Rien n’a été accepté."),
            extensions: ["adapter": .string(adapter)])
    }

    public static func invalidCursor(_ cursor: String) -> GatewayError {
        GatewayError(
            .invalidCursor, status: 400, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Invalid cursor", fr: "Curseur invalide"),
            detail: LocalizedText(
                en: "The cursor '\(cursor)' was not given by this listing.",
                fr: "Le curseur « \(cursor) » n’a pas été fourni par cette liste."))
    }
}
