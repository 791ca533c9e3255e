extension GatewayError {
    public static func routeNotFound(method: String, path: String) -> GatewayError {
        GatewayError(
            .routeNotFound, status: 404, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Resource not found", fr: "Ressource introuvable"),
            detail: LocalizedText(
                en: "No operation is declared for \(method) \(path).",
                fr: "Aucune opération n’est déclarée pour \(method) \(path)."),
            extensions: ["method": .string(method), "path": .string(path)])
    }

    public static func methodNotAllowed(method: String, path: String, allowed: [String]) -> GatewayError {
        GatewayError(
            .methodNotAllowed, status: 405, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Method not allowed", fr: "Méthode non permise"),
            detail: LocalizedText(
                en: "\(path) does not accept \(method); it accepts \(allowed.joined(separator: ", ")).",
                fr: "\(path) n’accepte pas \(method); méthodes acceptées : \(allowed.joined(separator: ", "))."),
            extensions: ["allowed": .array(allowed.map { .string($0) })])
    }

    public static func malformedJSON(_ error: JSONParser.SyntaxError) -> GatewayError {
        let line = String(error.line)
        let column = String(error.column)
        let offset = String(error.offset)
        let en = "The request body is not valid JSON at line " + line + ", column " + column + " (byte " + offset + "): " + error.reason + "."
        let fr = "Le corps de la requête n’est pas du JSON valide à la ligne " + line + ", colonne " + column + " (octet " + offset + ") : " + error.reason + "."
        let position: JSONObject = ["line": .number(line), "column": .number(column), "offset": .number(offset)]
        return GatewayError(
            .malformedJSON, status: 400, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Malformed JSON", fr: "JSON mal formé"),
            detail: LocalizedText(en: en, fr: fr),
            extensions: ["position": .object(position)])
    }

    public static func invalidBody(en: String, fr: String) -> GatewayError {
        GatewayError(
            .invalidBody, status: 400, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Invalid request body", fr: "Corps de requête invalide"),
            detail: LocalizedText(en: en, fr: fr))
    }

    public static func bodyTooLarge(limit: Int) -> GatewayError {
        GatewayError(
            .bodyTooLarge, status: 413, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Request body too large", fr: "Corps de requête trop volumineux"),
            detail: LocalizedText(
                en: "The request body is larger than \(limit) bytes.",
                fr: "Le corps de la requête dépasse \(limit) octets."),
            extensions: ["limit": .number(String(limit))])
    }

    /// A caller's value does not fit the legacy field it maps to.
    public static func invalidParameter(
        parameter: String, field: String, reason: LocalizedText
    ) -> GatewayError {
        GatewayError(
            .invalidParameter, status: 400, retryable: false, layer: .mapping,
            title: LocalizedText(en: "Invalid parameter", fr: "Paramètre invalide"),
            detail: LocalizedText(
                en: "Parameter '\(parameter)' does not fit legacy field \(field): \(reason.en).",
                fr: "Le paramètre « \(parameter) » ne convient pas au champ \(field) : \(reason.fr)."),
            extensions: ["parameter": .string(parameter), "field": .string(field)])
    }

    public static func missingParameter(_ parameter: String) -> GatewayError {
        GatewayError(
            .missingParameter, status: 400, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Missing parameter", fr: "Paramètre manquant"),
            detail: LocalizedText(
                en: "Required parameter '\(parameter)' is missing.",
                fr: "Le paramètre obligatoire « \(parameter) » est absent."),
            extensions: ["parameter": .string(parameter)])
    }

    public static func backendUnreachable(adapter: String, reason: String) -> GatewayError {
        GatewayError(
            .backendUnreachable, status: 502, retryable: true, layer: .backend,
            title: LocalizedText(en: "Backend unreachable", fr: "Système patrimonial injoignable"),
            detail: LocalizedText(
                en: "Could not connect to the \(adapter) backend (\(reason)).",
                fr: "Impossible de se connecter au système \(adapter) (\(reason))."),
            extensions: ["adapter": .string(adapter)])
    }

    /// The backend closed the connection before a whole response frame arrived.
    public static func backendClosed(adapter: String, receivedBytes: Int) -> GatewayError {
        GatewayError(
            .backendClosed, status: 502, retryable: true, layer: .backend,
            title: LocalizedText(en: "Backend closed the connection", fr: "Le système patrimonial a fermé la connexion"),
            detail: LocalizedText(
                en: receivedBytes == 0
                    ? "The \(adapter) backend closed the connection without answering."
                    : "The \(adapter) backend closed the connection mid-record after \(receivedBytes) bytes.",
                fr: receivedBytes == 0
                    ? "Le système \(adapter) a fermé la connexion sans répondre."
                    : "Le système \(adapter) a fermé la connexion au milieu d’un enregistrement, après \(receivedBytes) octets."),
            extensions: ["adapter": .string(adapter), "receivedBytes": .number(String(receivedBytes))])
    }

    /// No answer before the deadline; `phase` is `connect` or `read`.
    public static func backendTimeout(adapter: String, phase: String) -> GatewayError {
        GatewayError(
            .backendTimeout, status: 504, retryable: true, layer: .backend,
            title: LocalizedText(en: "Backend timed out", fr: "Délai du système patrimonial dépassé"),
            detail: LocalizedText(
                en: phase == "connect"
                    ? "Could not connect to the \(adapter) backend before the deadline."
                    : "The \(adapter) backend did not answer before the deadline.",
                fr: phase == "connect"
                    ? "Impossible de se connecter au système \(adapter) avant l’échéance."
                    : "Le système \(adapter) n’a pas répondu avant l’échéance."),
            extensions: ["adapter": .string(adapter), "phase": .string(phase)])
    }

    /// A frame header announced more than the transport accepts.
    public static func frameTooLong(adapter: String, announced: Int, limit: Int) -> GatewayError {
        GatewayError(
            .frameTooLong, status: 502, retryable: false, layer: .mapping,
            title: LocalizedText(en: "Response frame too long", fr: "Trame de réponse trop longue"),
            detail: LocalizedText(
                en: "The \(adapter) backend announced a frame of \(announced) bytes; at most \(limit) are accepted.",
                fr: "Le système \(adapter) a annoncé une trame de \(announced) octets; au plus \(limit) sont acceptés."),
            extensions: ["announcedBytes": .number(String(announced)), "limitBytes": .number(String(limit))])
    }

    /// Every pooled connection stayed busy until the request's deadline.
    public static func backendBusy(adapter: String, maxConnections: Int) -> GatewayError {
        GatewayError(
            .backendBusy, status: 503, retryable: true, layer: .backend,
            title: LocalizedText(en: "Backend busy", fr: "Système patrimonial occupé"),
            detail: LocalizedText(
                en: "All \(maxConnections) connections to the \(adapter) backend stayed busy until the deadline.",
                fr: "Les \(maxConnections) connexions au système \(adapter) sont restées occupées jusqu’à l’échéance."),
            extensions: ["adapter": .string(adapter)])
    }

    public static func recordLength(adapter: String, expected: Int, received: Int) -> GatewayError {
        GatewayError(
            .recordLength, status: 502, retryable: false, layer: .mapping,
            title: LocalizedText(en: "Unexpected record length", fr: "Longueur d’enregistrement inattendue"),
            detail: LocalizedText(
                en: "The \(adapter) backend answered a record of \(received) bytes; the response layout is \(expected) bytes.",
                fr: "Le système \(adapter) a répondu un enregistrement de \(received) octets; la structure de réponse en compte \(expected)."),
            extensions: ["expectedBytes": .number(String(expected)), "receivedBytes": .number(String(received))])
    }

    /// The raw bytes are not included: a field may hold personal data.
    public static func recordInvalid(adapter: String, field: String, offset: Int, reason: String) -> GatewayError {
        GatewayError(
            .recordInvalid, status: 502, retryable: false, layer: .mapping,
            title: LocalizedText(en: "Invalid response record", fr: "Enregistrement de réponse invalide"),
            detail: LocalizedText(
                en: "Field \(field) at byte \(offset) of the \(adapter) response is invalid (\(reason)).",
                fr: "Le champ \(field) à l’octet \(offset) de la réponse de \(adapter) est invalide (\(reason))."),
            extensions: ["field": .string(field), "offset": .number(String(offset))])
    }

    public static func unexpectedReturnCode(adapter: String, field: String, value: String) -> GatewayError {
        GatewayError(
            .unexpectedReturnCode, status: 502, retryable: false, layer: .backend,
            title: LocalizedText(en: "Backend reported an error", fr: "Le système patrimonial a signalé une erreur"),
            detail: LocalizedText(
                en: "The \(adapter) backend answered \(field) = '\(value)', which is neither success nor a declared error.",
                fr: "Le système \(adapter) a répondu \(field) = « \(value) », ni un succès ni une erreur déclarée."),
            extensions: ["returnCode": .string(value)])
    }

    /// A legacy return code that the adapter declaration maps to an HTTP status and code.
    public static func declared(
        code: String, status: Int, title: LocalizedText?, returnCode: String, retryable: Bool = false
    ) -> GatewayError {
        let title = title ?? LocalizedText(en: "Backend reported an error", fr: "Le système patrimonial a signalé une erreur")
        return GatewayError(
            .declared, code: code, status: status, retryable: retryable, layer: .backend, title: title,
            detail: LocalizedText(
                en: "\(title.en) (legacy return code \(returnCode)).",
                fr: "\(title.fr) (code de retour patrimonial \(returnCode))."),
            extensions: ["returnCode": .string(returnCode)])
    }

    /// A fault the backend answered (SOAP): its code, reason and detail kept as JSON under `fault`.
    /// `declared`: what the adapter declaration maps this fault code to, if anything.
    public static func backendFault(
        adapter: String, faultCode: String, status: Int, retryable: Bool, declared: DeclaredError?, fault: JSONObject
    ) -> GatewayError {
        let title = declared?.title ?? LocalizedText(en: "The backend answered with a fault", fr: "Le système patrimonial a répondu par une erreur")
        return GatewayError(
            declared == nil ? .soapFault : .declared, code: declared?.code, status: status, retryable: retryable, layer: .backend,
            title: title,
            detail: LocalizedText(
                en: "\(adapter) answered with the fault \(faultCode); its reason and detail are in 'fault'.",
                fr: "\(adapter) a répondu par l’erreur \(faultCode); sa raison et son détail sont dans « fault »."),
            extensions: ["fault": .object(fault)])
    }

    /// An answer that cannot be read as the contract says (not XML, not an envelope, too large, an
    /// HTTP error page…). `retryable`: for idempotent operations when the HTTP status says the
    /// backend was overloaded or unavailable (502, 503, 504).
    public static func invalidResponse(adapter: String, httpStatus: Int?, reason: String, retryable: Bool = false) -> GatewayError {
        var extensions: JSONObject = ["adapter": .string(adapter)]
        if let httpStatus { extensions["backendStatus"] = .number(String(httpStatus)) }
        return GatewayError(
            .invalidResponse, status: 502, retryable: retryable, layer: .backend,
            title: LocalizedText(en: "Unreadable backend answer", fr: "Réponse illisible du système patrimonial"),
            detail: LocalizedText(
                en: "The \(adapter) backend answered\(httpStatus.map { " with HTTP \($0)" } ?? "") but not as its contract says: \(reason).",
                fr: "Le système \(adapter) a répondu\(httpStatus.map { " avec HTTP \($0)" } ?? "") mais pas selon son contrat : \(reason)."),
            extensions: extensions)
    }

    public static func notReady(reason: String) -> GatewayError {
        GatewayError(
            .notReady, status: 503, retryable: true, layer: .gateway,
            title: LocalizedText(en: "Not ready", fr: "Pas prêt"),
            detail: LocalizedText(en: "The gateway is not ready: \(reason).", fr: "La passerelle n’est pas prête : \(reason)."))
    }

    /// An administration route called from another machine: until authentication exists, only
    /// callers on the gateway's own host (loopback) may purge caches.
    public static var adminNotLocal: GatewayError {
        GatewayError(
            .adminNotLocal, status: 403, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Administration from this machine only", fr: "Administration depuis cette machine seulement"),
            detail: LocalizedText(
                en: "Administration routes answer only callers on the gateway's own host (loopback) until authentication is configured.",
                fr: "Les routes d’administration ne répondent qu’aux appels venant de l’hôte de la passerelle (boucle locale) tant que l’authentification n’est pas configurée."))
    }

    public static var shuttingDown: GatewayError {
        GatewayError(
            .shuttingDown, status: 503, retryable: true, layer: .gateway,
            title: LocalizedText(en: "Shutting down", fr: "Arrêt en cours"),
            detail: LocalizedText(en: "The gateway is shutting down.", fr: "La passerelle est en cours d’arrêt."))
    }

    /// A client error Hummingbird raised itself (bad request line, unsupported body…).
    public static func badRequest(status: Int, reason: String) -> GatewayError {
        GatewayError(
            .badRequest, status: status, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Bad request", fr: "Requête invalide"),
            detail: LocalizedText(en: "The request was refused: \(reason).", fr: "La requête a été refusée : \(reason)."))
    }

    public static func internalError(_ reason: String) -> GatewayError {
        GatewayError(
            .internalError, status: 500, retryable: false, layer: .gateway,
            title: LocalizedText(en: "Internal error", fr: "Erreur interne"),
            detail: LocalizedText(en: "Unexpected failure: \(reason).", fr: "Défaillance inattendue : \(reason)."))
    }
}
