import GRDB
import Foundation

/// The batch journal in one SQLite file (through GRDB): write-ahead log, `synchronous = FULL`,
/// so a change is on disk when a method returns and a crash at any point leaves the last
/// committed state. Plain, portable SQL only.
public final class SQLiteBatchStore: BatchStore {
    let database: DatabasePool

    /// Opens (creating if needed) the journal at `path`; its directory must exist.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try database.write { db in try Self.migrate(db) }
        } catch {
            throw Self.storeError(error, "the journal \(path)")
        }
    }

    static func migrate(_ db: Database) throws {
        for statement in Self.schema { try db.execute(sql: statement) }
    }

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS batch_jobs (
            adapter TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL,
            idempotency_key TEXT, request_hash TEXT NOT NULL,
            request_file TEXT NOT NULL, response_file TEXT NOT NULL, item_count INTEGER NOT NULL,
            callback_url TEXT, accepted_at BIGINT NOT NULL, submitted_at BIGINT, processing_at BIGINT,
            finished_at BIGINT, deadline_at BIGINT NOT NULL, failure TEXT, result_count INTEGER NOT NULL,
            late_response_at BIGINT, callback_attempts INTEGER, callback_next_at BIGINT,
            callback_delivered_at BIGINT, callback_error TEXT,
            PRIMARY KEY (adapter, id))
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS batch_jobs_idempotency ON batch_jobs (adapter, idempotency_key)",
        "CREATE INDEX IF NOT EXISTS batch_jobs_state ON batch_jobs (adapter, state)",
        "CREATE TABLE IF NOT EXISTS batch_requests (adapter TEXT NOT NULL, id TEXT NOT NULL, content BLOB NOT NULL, PRIMARY KEY (adapter, id))",
        """
        CREATE TABLE IF NOT EXISTS batch_results (
            adapter TEXT NOT NULL, job_id TEXT NOT NULL, number INTEGER NOT NULL, record TEXT NOT NULL,
            PRIMARY KEY (adapter, job_id, number))
        """,
        """
        CREATE TABLE IF NOT EXISTS batch_files (
            adapter TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT, job_id TEXT,
            handled_at BIGINT NOT NULL, fingerprint TEXT, PRIMARY KEY (adapter, name))
        """,
        """
        CREATE TABLE IF NOT EXISTS extract_generations (
            id INTEGER PRIMARY KEY, adapter TEXT NOT NULL, name TEXT NOT NULL, file TEXT NOT NULL,
            as_of TEXT NOT NULL, record_count INTEGER NOT NULL, loaded_at BIGINT NOT NULL, current INTEGER NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS extract_records (
            generation INTEGER NOT NULL, record_key TEXT NOT NULL, record TEXT NOT NULL,
            PRIMARY KEY (generation, record_key))
        """,
        """
        CREATE TABLE IF NOT EXISTS extract_filters (
            generation INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, record_key TEXT NOT NULL,
            PRIMARY KEY (generation, field, value, record_key))
        """,
    ]

    // MARK: Jobs

    public func accept(_ job: BatchJob, requestFile: [UInt8]) async throws(StoreError) -> AcceptOutcome {
        try await write("accept job \(job.id)") { db in
            if let key = job.idempotencyKey,
                let row = try Row.fetchOne(db, sql: "SELECT * FROM batch_jobs WHERE adapter = ? AND idempotency_key = ?", arguments: [job.adapter, key])
            {
                return .existing(Self.job(row))
            }
            try Self.save(job, in: db, insert: true)
            try db.execute(
                sql: "INSERT INTO batch_requests (adapter, id, content) VALUES (?, ?, ?)",
                arguments: [job.adapter, job.id, Data(requestFile)])
            return .accepted(job)
        }
    }

    public func job(adapter: String, id: String) async throws(StoreError) -> BatchJob? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batch_jobs WHERE adapter = ? AND id = ?", arguments: [adapter, id]).map(Self.job)
        }
    }

    public func openJobs(adapter: String) async throws(StoreError) -> [BatchJob] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM batch_jobs WHERE adapter = ? AND state IN ('accepted', 'staged', 'submitted', 'processing') ORDER BY accepted_at, id",
                arguments: [adapter]
            ).map(Self.job)
        }
    }

    public func pendingCallbacks(adapter: String) async throws(StoreError) -> [BatchJob] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM batch_jobs WHERE adapter = ? AND callback_next_at IS NOT NULL ORDER BY callback_next_at",
                arguments: [adapter]
            ).map(Self.job)
        }
    }

    public func requestFile(adapter: String, id: String) async throws(StoreError) -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT content FROM batch_requests WHERE adapter = ? AND id = ?", arguments: [adapter, id]).map { [UInt8]($0) }
        }
    }

    public func updateCallback(adapter: String, id: String, callback: BatchJob.CallbackState) async throws(StoreError) {
        try await write("record the callback of job \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE batch_jobs SET callback_attempts = ?, callback_next_at = ?, callback_delivered_at = ?, callback_error = ?
                    WHERE adapter = ? AND id = ?
                    """,
                arguments: [callback.attempts, callback.nextAt, callback.deliveredAt, callback.lastError, adapter, id])
        }
    }

    public func update(_ job: BatchJob) async throws(StoreError) {
        try await write("update job \(job.id)") { db in try Self.save(job, in: db, insert: false) }
    }

    public func finish(_ job: BatchJob, results: [String], file: HandledFile) async throws(StoreError) {
        try await write("record the results of job \(job.id)") { db in
            try db.execute(sql: "DELETE FROM batch_results WHERE adapter = ? AND job_id = ?", arguments: [job.adapter, job.id])
            let insert = try db.cachedStatement(sql: "INSERT INTO batch_results (adapter, job_id, number, record) VALUES (?, ?, ?, ?)")
            for (index, record) in results.enumerated() {
                try insert.execute(arguments: [job.adapter, job.id, index + 1, record])
            }
            try Self.save(job, in: db, insert: false)
            try Self.save(file, in: db)
        }
    }

    public func results(adapter: String, id: String, after: Int, limit: Int) async throws(StoreError) -> [(number: Int, json: String)] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT number, record FROM batch_results WHERE adapter = ? AND job_id = ? AND number > ? ORDER BY number LIMIT ?",
                arguments: [adapter, id, after, limit]
            ).map { (number: $0["number"], json: $0["record"]) }
        }
    }

    public func record(_ file: HandledFile) async throws(StoreError) {
        try await write("record file \(file.name)") { db in try Self.save(file, in: db) }
    }

    public func handledFile(adapter: String, name: String) async throws(StoreError) -> HandledFile? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batch_files WHERE adapter = ? AND name = ?", arguments: [adapter, name]).map { row in
                HandledFile(
                    adapter: row["adapter"], name: row["name"], outcome: HandledFile.Outcome(rawValue: row["outcome"]) ?? .rejected,
                    reason: row["reason"], jobId: row["job_id"], handledAt: row["handled_at"], fingerprint: row["fingerprint"])
            }
        }
    }

    public func counts(adapter: String) async throws(StoreError) -> PipelineCounts {
        try await read { db in
            var counts = PipelineCounts()
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM batch_jobs WHERE adapter = ? GROUP BY state", arguments: [adapter]) {
                if let state = BatchJob.State(rawValue: row["state"]) { counts.jobs[state.published, default: 0] += row["n"] as Int }
            }
            for row in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM batch_files WHERE adapter = ? GROUP BY outcome", arguments: [adapter]) {
                if row["outcome"] == "rejected" { counts.rejectedFiles = row["n"] } else { counts.archivedFiles = row["n"] }
            }
            counts.pendingCallbacks = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM batch_jobs WHERE adapter = ? AND callback_next_at IS NOT NULL", arguments: [adapter]) ?? 0
            return counts
        }
    }

    // MARK: Rows

    static func dropGeneration(_ id: Int64, in db: Database) throws {
        try db.execute(sql: "DELETE FROM extract_filters WHERE generation = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM extract_records WHERE generation = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM extract_generations WHERE id = ?", arguments: [id])
    }

    static func save(_ file: HandledFile, in db: Database) throws {
        try db.execute(sql: "DELETE FROM batch_files WHERE adapter = ? AND name = ?", arguments: [file.adapter, file.name])
        try db.execute(
            sql: "INSERT INTO batch_files (adapter, name, outcome, reason, job_id, handled_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [file.adapter, file.name, file.outcome.rawValue, file.reason, file.jobId, file.handledAt, file.fingerprint])
    }

    static func save(_ job: BatchJob, in db: Database, insert: Bool) throws {
        var columns: [(String, (any DatabaseValueConvertible)?)] = [
            ("state", job.state.rawValue), ("idempotency_key", job.idempotencyKey), ("request_hash", job.requestHash),
            ("request_file", job.requestFile), ("response_file", job.responseFile), ("item_count", job.itemCount),
            ("callback_url", job.callbackURL), ("accepted_at", job.acceptedAt), ("submitted_at", job.submittedAt),
            ("processing_at", job.processingAt), ("finished_at", job.finishedAt), ("deadline_at", job.deadlineAt),
            ("failure", job.failure), ("result_count", job.resultCount), ("late_response_at", job.lateResponseAt),
        ]
        // A notice's delivery is recorded by `updateCallback` alone; a job saved here only schedules
        // a new one (no attempt yet), so a stale copy never undoes a delivery.
        if insert || job.callback?.attempts == 0 {
            columns += [
                ("callback_attempts", job.callback?.attempts), ("callback_next_at", job.callback?.nextAt),
                ("callback_delivered_at", job.callback?.deliveredAt), ("callback_error", job.callback?.lastError),
            ]
        }
        if insert {
            let names = (["adapter", "id"] + columns.map(\.0)).joined(separator: ", ")
            let marks = Array(repeating: "?", count: columns.count + 2).joined(separator: ", ")
            try db.execute(
                sql: "INSERT INTO batch_jobs (\(names)) VALUES (\(marks))",
                arguments: StatementArguments([job.adapter, job.id] + columns.map(\.1)))
        } else {
            let assignments = columns.map { "\($0.0) = ?" }.joined(separator: ", ")
            try db.execute(
                sql: "UPDATE batch_jobs SET \(assignments) WHERE adapter = ? AND id = ?",
                arguments: StatementArguments(columns.map(\.1) + [job.adapter, job.id]))
        }
        if job.state != .accepted && job.state != .staged {
            try db.execute(sql: "DELETE FROM batch_requests WHERE adapter = ? AND id = ?", arguments: [job.adapter, job.id])
        }
    }

    static func job(_ row: Row) -> BatchJob {
        var job = BatchJob(
            adapter: row["adapter"], id: row["id"], state: BatchJob.State(rawValue: row["state"]) ?? .failed,
            idempotencyKey: row["idempotency_key"], requestHash: row["request_hash"], requestFile: row["request_file"],
            responseFile: row["response_file"], itemCount: row["item_count"], callbackURL: row["callback_url"],
            acceptedAt: row["accepted_at"], deadlineAt: row["deadline_at"])
        job.submittedAt = row["submitted_at"]
        job.processingAt = row["processing_at"]
        job.finishedAt = row["finished_at"]
        job.failure = row["failure"]
        job.resultCount = row["result_count"]
        job.lateResponseAt = row["late_response_at"]
        if let attempts: Int = row["callback_attempts"] {
            job.callback = BatchJob.CallbackState(
                attempts: attempts, nextAt: row["callback_next_at"], deliveredAt: row["callback_delivered_at"],
                lastError: row["callback_error"])
        }
        return job
    }

    // MARK: Access

    /// Reads run on the caller's thread: a point query takes microseconds, far less than the two
    /// thread hops of GRDB's asynchronous read (measured: lookups at 0.7 ms → see the README).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try readNow(body)
        } catch {
            throw Self.storeError(error, "read the journal")
        }
    }

    /// Synchronous: in an async function GRDB's asynchronous `read` would be chosen.
    private func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await database.write(body)
        } catch {
            throw Self.storeError(error, what)
        }
    }

    static func storeError(_ error: any Error, _ what: String) -> StoreError {
        guard let error = error as? DatabaseError else { return StoreError(.other, "\(what): \(error)") }
        let message = "\(what): \(error.message ?? "\(error.resultCode)")"
        switch error.resultCode {
        case .SQLITE_FULL: return StoreError(.full, message)
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_PERM, .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError(.unavailable, message)
        case .SQLITE_CONSTRAINT: return StoreError(.duplicate, message)
        default: return StoreError(.other, message)
        }
    }
}
