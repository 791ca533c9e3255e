/// One batch job as the journal keeps it: what was asked, where its files are, and every step
/// of its life with the time it happened (milliseconds since 1970, UTC).
public struct BatchJob: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Accepted and journaled; the request file is not written yet.
        case accepted
        /// The request file is written in full under its temporary name, not yet renamed into place.
        case staged
        /// The request file is in the inbox.
        case submitted
        /// The backend took the request file, or its response file is arriving.
        case processing
        case completed
        case failed
        /// The deadline passed without a complete response file.
        case expired

        /// Whether the job still waits for something.
        public var isOpen: Bool { ![.completed, .failed, .expired].contains(self) }
        /// What callers see: `staged` is an internal step of `accepted`.
        public var published: State { self == .staged ? .accepted : self }
    }

    public var adapter: String
    public var id: String
    public var state: State
    public var idempotencyKey: String?
    /// SHA-256 of the request body, hex, to tell a replay from a different request with the same key.
    public var requestHash: String
    public var requestFile: String
    public var responseFile: String
    public var itemCount: Int
    public var callbackURL: String?
    public var acceptedAt: Int64
    public var submittedAt: Int64?
    public var processingAt: Int64?
    /// When the job reached `completed`, `failed` or `expired`.
    public var finishedAt: Int64?
    public var deadlineAt: Int64
    /// Why it failed, as a JSON object (reason, record, offset, field).
    public var failure: String?
    public var resultCount: Int
    /// When a response file arrived after the job expired (it is still recorded).
    public var lateResponseAt: Int64?
    public var callback: CallbackState?

    public init(
        adapter: String, id: String, state: State = .accepted, idempotencyKey: String? = nil, requestHash: String,
        requestFile: String, responseFile: String, itemCount: Int, callbackURL: String? = nil,
        acceptedAt: Int64, deadlineAt: Int64
    ) {
        self.adapter = adapter
        self.id = id
        self.state = state
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
        self.requestFile = requestFile
        self.responseFile = responseFile
        self.itemCount = itemCount
        self.callbackURL = callbackURL
        self.acceptedAt = acceptedAt
        self.deadlineAt = deadlineAt
        self.resultCount = 0
    }

    /// Delivery of the completion notice to the caller's callback address.
    public struct CallbackState: Sendable, Equatable {
        public var attempts: Int
        /// When to try next; nil once delivered or given up.
        public var nextAt: Int64?
        public var deliveredAt: Int64?
        public var lastError: String?

        public init(attempts: Int = 0, nextAt: Int64?, deliveredAt: Int64? = nil, lastError: String? = nil) {
            self.attempts = attempts
            self.nextAt = nextAt
            self.deliveredAt = deliveredAt
            self.lastError = lastError
        }
    }
}
