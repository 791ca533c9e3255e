extension GatewayError {
    /// The backend's circuit is open: it failed too often lately and is left alone for a while.
    public static func circuitOpen(adapter: String, retryAfter: Duration) -> GatewayError {
        var error = GatewayError(
            .circuitOpen, status: 503, retryable: true, layer: .gateway,
            title: LocalizedText(en: "Backend unavailable", fr: "Système patrimonial indisponible"),
            detail: LocalizedText(
                en: "The \(adapter) backend failed repeatedly; calls are paused to let it recover.",
                fr: "Le système \(adapter) a échoué à plusieurs reprises; les appels sont suspendus pour lui laisser le temps de se rétablir."),
            extensions: ["adapter": .string(adapter)])
        error.retryAfter = retryAfter
        return error
    }

    /// More calls than the backend takes at once are already waiting.
    public static func overloaded(adapter: String, waited: Bool) -> GatewayError {
        var error = GatewayError(
            .overloaded, status: 503, retryable: true, layer: .gateway,
            title: LocalizedText(en: "Too many requests for the backend", fr: "Trop de requêtes pour le système patrimonial"),
            detail: waited
                ? LocalizedText(
                    en: "No place to call the \(adapter) backend came free before the deadline.",
                    fr: "Aucune place pour appeler le système \(adapter) ne s’est libérée avant l’échéance.")
                : LocalizedText(
                    en: "The \(adapter) backend is at its limit and its queue is full.",
                    fr: "Le système \(adapter) est à sa limite et sa file d’attente est pleine."),
            extensions: ["adapter": .string(adapter)])
        error.retryAfter = .seconds(1)
        return error
    }

    /// The backend is in a declared maintenance window.
    public static func maintenance(adapter: String, retryAfter: Duration) -> GatewayError {
        var error = GatewayError(
            .maintenance, status: 503, retryable: true, layer: .gateway,
            title: LocalizedText(en: "Backend in maintenance", fr: "Système patrimonial en maintenance"),
            detail: LocalizedText(
                en: "The \(adapter) backend is in its maintenance window; try again when it ends.",
                fr: "Le système \(adapter) est dans sa période de maintenance; réessayez à la fin de celle-ci."),
            extensions: ["adapter": .string(adapter)])
        error.retryAfter = retryAfter
        return error
    }
}
