import Crypto
import FixedWidth
import Foundation
import GatewayCore
import Logging
import NIOCore
import Store
import Synchronization
import Transports

/// A running `batch-file` backend. Calls only touch the journal (accepting a job is one durable
/// insert); a pipeline task does the file work in the background — writing request files,
/// watching the outbox, reading response and extract files, sending callbacks — one step at a
/// time, each journaled before the next, so that a crash anywhere is resumed without a file
/// written twice or a response applied twice.
final class BatchFileAdapter: LegacyAdapter {
    let declaration: AdapterDeclaration
    let configuration: BatchFileConfiguration
    let operations: [String: BatchOperation]
    let logger: Logger
    /// Milliseconds since 1970; replaced in tests.
    let now: @Sendable () -> Int64
    /// Where request files go: local, or on the remote host.
    let inbox: any DropDirectory
    /// The remote host's outbox, when there is one: its complete files are fetched into `outbox`.
    let remoteOutbox: (any DropDirectory)?
    /// Where complete response and extract files are read: the backend's outbox, or the local
    /// `incoming` copy of a remote one.
    let outbox: FileDrop
    let archive: FileDrop
    let rejected: FileDrop
    let callbacks: HTTPTransport
    /// The route of the `job` operation, `{}` standing for the job id.
    let jobLocation: (prefix: String, suffix: String)?

    struct State: Sendable {
        var store: (any BatchStore)?
        var idempotencyKeysInFlight: Set<String> = []
        var tracker: FileStabilityTracker
        /// Readiness of the remote outbox's files, when there is one.
        var remoteTracker: FileStabilityTracker
        var pipeline: Task<Void, Never>?
        var wake: AsyncStream<Void>.Continuation?
        /// The last problem the pipeline met (a full disk, an unwritable inbox), for `/status`.
        var lastProblem: String?
        var lastRun: Int64?
        var extractLoads = 0
        /// The extract lookups read, once known.
        var currentExtract: ExtractGeneration?
    }

    let state: Mutex<State>

    init(
        declaration: AdapterDeclaration, configuration: BatchFileConfiguration, operations: [String: BatchOperation], logger: Logger,
        eventLoopGroup: any EventLoopGroup, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.declaration = declaration
        self.configuration = configuration
        self.operations = operations
        self.logger = logger
        self.now = now
        if let remote = configuration.remote {
            var inboxConfiguration = remote
            inboxConfiguration.directory = configuration.inbox
            inbox = RemoteDrop(configuration: inboxConfiguration)
            remoteOutbox = RemoteDrop(configuration: remote)
            outbox = FileDrop(directory: configuration.incoming)
        } else {
            inbox = FileDrop(directory: configuration.inbox)
            remoteOutbox = nil
            outbox = FileDrop(directory: configuration.outbox)
        }
        archive = FileDrop(directory: configuration.archive)
        rejected = FileDrop(directory: configuration.error)
        callbacks = HTTPTransport(
            configuration: .init(url: "http://127.0.0.1/", maxConnections: 4, connectTimeout: .seconds(2), readTimeout: .seconds(10)),
            eventLoopGroup: eventLoopGroup)
        let tracker = FileStabilityTracker(doneMarker: configuration.doneMarker, quietPeriod: configuration.quietPeriod)
        state = Mutex(State(tracker: tracker, remoteTracker: tracker))
        let jobOperation = declaration.operations.first { operations[$0.name]?.action == .job }
        jobLocation = jobOperation.map { operation in
            let path = operation.route.path
            let parameter = "{\(operation.route.parameterNames.first ?? "")}"
            let parts = path.components(separatedBy: parameter)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    func location(of id: String) -> String? {
        jobLocation.map { $0.prefix + id + $0.suffix }
    }

    var store: any BatchStore {
        get throws(GatewayError) {
            guard let store = state.withLock({ $0.store }) else { throw .notReady(reason: "\(declaration.name) has not started") }
            return store
        }
    }

    // MARK: Lifecycle

    func start() async throws {
        // One pipeline per adapter, however often start is called.
        guard state.withLock({ $0.store == nil }) else { return }
        var directories = [outbox.directory, configuration.archive, configuration.error, (configuration.journal as NSString).deletingLastPathComponent]
        if configuration.jobs != nil, configuration.remote == nil { directories.append(configuration.inbox) }
        for directory in directories where !directory.isEmpty {
            try FileDrop(directory: directory).create()
        }
        let store = try SQLiteBatchStore(path: configuration.journal)
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let first = state.withLock { state in
            guard state.store == nil else { return false }
            state.store = store
            state.wake = continuation
            return true
        }
        guard first else { return }
        // The first pass starts at once, in the pipeline's task: it resumes whatever a crash
        // interrupted (a job's journal state says which step comes next). Calls are served
        // meanwhile — a new job is only journaled by its call, never written by it — so a slow or
        // unreachable host (an SFTP connection timing out) does not keep the gateway unready.
        continuation.yield()
        let interval = configuration.pollInterval
        let task = Task { [weak self] in
            let timer = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
            }
            // Completion notices are sent from a task of their own: a callback host that never
            // answers must not hold up the files.
            let notices = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { break }
                    await self.runCallbacks()
                    try? await Task.sleep(for: interval)
                }
            }
            for await _ in stream {
                guard let self, !Task.isCancelled else { break }
                await self.runPipeline()
            }
            timer.cancel()
            notices.cancel()
            await notices.value
        }
        state.withLock { $0.pipeline = task }
    }

    func shutdown() async {
        let (task, wake) = state.withLock { state in
            defer { state.pipeline = nil; state.wake = nil; state.store = nil; state.currentExtract = nil }
            return (state.pipeline, state.wake)
        }
        task?.cancel()
        wake?.finish()
        await task?.value
        await callbacks.shutdown()
    }

    /// Runs the pipeline now instead of at the next poll.
    func wake() {
        _ = state.withLock { $0.wake }?.yield()
    }

    // MARK: Calls

    func call(_ request: AdapterRequest, logger: Logger) async throws -> AdapterResponse {
        guard let operation = operations[request.operation] else {
            throw GatewayError.internalError("operation \(request.operation) is not declared for \(declaration.name)")
        }
        switch operation.action {
        case .submit: return try await submit(request)
        case .job: return try await job(operation, request)
        case .results: return try await results(operation, request)
        case .lookup: return try await lookup(operation, request)
        case .list: return try await list(operation, request)
        }
    }

    func status() async -> BackendStatus {
        let (store, problem, lastRun, loads) = state.withLock { ($0.store, $0.lastProblem, $0.lastRun, $0.extractLoads) }
        guard let store else { return BackendStatus(state: .unknown) }
        var details = JSONObject()
        do {
            let counts = try await store.counts(adapter: declaration.name)
            if configuration.jobs != nil {
                var jobs = JSONObject()
                for state in BatchJob.State.allCases where state != .staged {
                    jobs[state.rawValue] = .number(String(counts.jobs[state] ?? 0))
                }
                details["jobs"] = .object(jobs)
                details["pendingCallbacks"] = .number(String(counts.pendingCallbacks))
            }
            details["files"] = .object([
                "archived": .number(String(counts.archivedFiles)), "rejected": .number(String(counts.rejectedFiles)),
            ])
            if let extract = configuration.extract {
                var value: JSONObject = ["loads": .number(String(loads))]
                if let current = try await store.currentExtract(adapter: declaration.name, name: extract.name) {
                    value["asOf"] = .string(current.asOf)
                    value["records"] = .number(String(current.recordCount))
                    value["file"] = .string(current.file)
                }
                details["extract"] = .object(value)
            }
        } catch {
            details["journalError"] = .string(error.message)
            return BackendStatus(state: .down, details: details)
        }
        if let lastRun { details["lastPipelineRun"] = .string(JobView.timestamp(lastRun)) }
        if let problem { details["lastProblem"] = .string(problem) }
        return BackendStatus(state: problem == nil ? .up : .down, details: details)
    }

    static func storeError(_ error: StoreError, adapter: String) -> GatewayError {
        .storageUnavailable(adapter: adapter, full: error.reason == .full, reason: error.message)
    }
}
