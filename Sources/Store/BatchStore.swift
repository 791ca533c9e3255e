/// The durable state of the batch pipelines: jobs, their results, the files already handled and
/// the extracts. Every method returns only once its change is on disk, so a caller may
/// acknowledge it. One protocol, portable SQL behind it: SQLite here, a shared PostgreSQL store
/// for several gateway instances later.
public protocol BatchStore: Sendable {
    /// Journals a new job with its encoded request file; with an idempotency key already used,
    /// journals nothing and returns the job that key made.
    func accept(_ job: BatchJob, requestFile: [UInt8]) async throws(StoreError) -> AcceptOutcome
    func job(adapter: String, id: String) async throws(StoreError) -> BatchJob?
    /// Jobs still waiting for something (every state but completed, failed, expired), oldest first.
    func openJobs(adapter: String) async throws(StoreError) -> [BatchJob]
    /// Jobs whose completion notice is still to be sent.
    func pendingCallbacks(adapter: String) async throws(StoreError) -> [BatchJob]
    func requestFile(adapter: String, id: String) async throws(StoreError) -> [UInt8]?
    /// Saves only the delivery state of a job's completion notice (the pipeline may be changing
    /// the rest of the job at the same time).
    func updateCallback(adapter: String, id: String, callback: BatchJob.CallbackState) async throws(StoreError)
    /// Saves a job's new state (and drops its request file's bytes once submitted).
    func update(_ job: BatchJob) async throws(StoreError)
    /// Saves a job that read its response file, with the file's decoded records (JSON text) and
    /// the file recorded as handled — all or nothing.
    func finish(_ job: BatchJob, results: [String], file: HandledFile) async throws(StoreError)
    /// A page of a job's results: records numbered after `after`, at most `limit`.
    func results(adapter: String, id: String, after: Int, limit: Int) async throws(StoreError) -> [(number: Int, json: String)]
    /// Records a response or extract file as handled (moved to archive or error).
    func record(_ file: HandledFile) async throws(StoreError)
    func handledFile(adapter: String, name: String) async throws(StoreError) -> HandledFile?
    /// How many jobs are in each state, and how many files were rejected.
    func counts(adapter: String) async throws(StoreError) -> PipelineCounts

    // Extracts
    /// Starts loading a new generation of an extract (retired generations and what an interrupted
    /// earlier load left are dropped); the answer carries the generation's id.
    func beginExtract(_ extract: ExtractGeneration) async throws(StoreError) -> ExtractGeneration
    /// Adds records (key, JSON text, filter values) to a generation being loaded.
    func addExtractRecords(_ records: [ExtractRecord], to extract: ExtractGeneration) async throws(StoreError)
    /// Makes `extract` the one served and records the file as handled, at once; the previous one
    /// is retired (dropped when the next load begins).
    func publishExtract(_ extract: ExtractGeneration, file: HandledFile) async throws(StoreError)
    /// Drops a generation that failed, recording its file as rejected.
    func discardExtract(_ extract: ExtractGeneration, file: HandledFile) async throws(StoreError)
    func currentExtract(adapter: String, name: String) async throws(StoreError) -> ExtractGeneration?
    func extractRecord(_ extract: ExtractGeneration, key: String) async throws(StoreError) -> String?
    /// Records in key order after `afterKey`, where every `filters` field holds its value.
    func extractRecords(
        _ extract: ExtractGeneration, filters: [String: String], afterKey: String?, limit: Int
    ) async throws(StoreError) -> [(key: String, json: String)]
}

public enum AcceptOutcome: Sendable, Equatable {
    case accepted(BatchJob)
    /// The idempotency key was used before, for this job.
    case existing(BatchJob)
}

/// A response or extract file Portage has dealt with, so that it is never applied twice.
public struct HandledFile: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case archived
        case rejected
    }

    public var adapter: String
    public var name: String
    public var outcome: Outcome
    public var reason: String?
    public var jobId: String?
    public var handledAt: Int64
    /// What the file looked like (size and modification time): a file of the same name that
    /// looks different is a new file, not the same one left behind by a crash.
    public var fingerprint: String?

    public init(
        adapter: String, name: String, outcome: Outcome, reason: String? = nil, jobId: String? = nil, handledAt: Int64,
        fingerprint: String? = nil
    ) {
        self.fingerprint = fingerprint
        self.adapter = adapter
        self.name = name
        self.outcome = outcome
        self.reason = reason
        self.jobId = jobId
        self.handledAt = handledAt
    }
}

public struct PipelineCounts: Sendable, Equatable {
    public var jobs: [BatchJob.State: Int]
    public var rejectedFiles: Int
    public var archivedFiles: Int
    public var pendingCallbacks: Int

    public init(jobs: [BatchJob.State: Int] = [:], rejectedFiles: Int = 0, archivedFiles: Int = 0, pendingCallbacks: Int = 0) {
        self.jobs = jobs
        self.rejectedFiles = rejectedFiles
        self.archivedFiles = archivedFiles
        self.pendingCallbacks = pendingCallbacks
    }
}

/// One load of an extract file.
public struct ExtractGeneration: Sendable, Equatable {
    /// Assigned by the store when loading begins.
    public var id: Int64
    public var adapter: String
    public var name: String
    public var file: String
    /// The extract's own date (from its header, or the file's time), ISO 8601.
    public var asOf: String
    public var recordCount: Int
    public var loadedAt: Int64

    public init(id: Int64 = 0, adapter: String, name: String, file: String, asOf: String, recordCount: Int = 0, loadedAt: Int64) {
        self.id = id
        self.adapter = adapter
        self.name = name
        self.file = file
        self.asOf = asOf
        self.recordCount = recordCount
        self.loadedAt = loadedAt
    }
}

public struct ExtractRecord: Sendable {
    public var key: String
    public var json: String
    /// Filterable field → its value as text.
    public var filters: [(field: String, value: String)]

    public init(key: String, json: String, filters: [(field: String, value: String)] = []) {
        self.key = key
        self.json = json
        self.filters = filters
    }
}

/// Why the store could not do what was asked.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The disk or quota is full: the change was not made.
        case full
        /// The database file cannot be opened or written (permissions, read-only file system, I/O error).
        case unavailable
        /// A second job with the same id, or an extract record key loaded twice.
        case duplicate
        case other
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
