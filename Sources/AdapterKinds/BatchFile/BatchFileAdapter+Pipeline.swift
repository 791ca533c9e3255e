import FixedWidth
import Foundation
import GatewayCore
import Store
import Transports

extension BatchFileAdapter {
    /// One pass: move every open job one or more steps on, pick up complete files from the
    /// outbox, send due callbacks. A problem (full disk, unwritable inbox) is logged, shown in
    /// `/status` and retried on the next pass; nothing is lost.
    func runPipeline() async {
        guard let store = state.withLock({ $0.store }) else { return }
        var problem: String?
        do {
            if let remoteOutbox { try await fetch(from: remoteOutbox) }
            let listing = try outbox.list()
            if configuration.jobs != nil { try await advanceJobs(store, outboxNames: Set(listing.map(\.name))) }
            try await collect(listing, store: store)
        } catch let error as FileDrop.Failure {
            problem = error.description
        } catch let error as StoreError {
            problem = "journal: \(error.message)"
        } catch {
            problem = "\(error)"
        }
        if let problem { logger.error("batch pipeline problem", metadata: ["problem": "\(problem)"]) }
        let finished = now()
        state.withLock {
            $0.lastProblem = problem
            $0.lastRun = finished
        }
    }

    func advanceJobs(_ store: any BatchStore, outboxNames: Set<String>) async throws {
        for var job in try await store.openJobs(adapter: declaration.name) {
            while true {
                let time = now()
                // Past its deadline a job expires without looking at the inbox (which may be unreachable).
                let step = time >= job.deadlineAt
                    ? job.nextStep(now: time, isStaged: false, isInInbox: false)
                    : job.nextStep(
                        now: time, isStaged: try inbox.isStaged(job.requestFile),
                        isInInbox: try inbox.contains(job.requestFile) && !outboxNames.contains(job.responseFile))
                switch step {
                case .none:
                    break
                case .stage:
                    guard let bytes = try await store.requestFile(adapter: declaration.name, id: job.id) else {
                        job = job.answered(resultCount: 0, failure: #"{"reason":"the request file was lost from the journal"}"#, at: now())
                        try await store.update(job)
                        break
                    }
                    if CrashPoint.armed == .midWrite {
                        try inbox.stage(Array(bytes.prefix(bytes.count / 2)), as: job.requestFile)
                        CrashPoint.midWrite.reached()
                    }
                    try inbox.stage(bytes, as: job.requestFile)
                    CrashPoint.afterStage.reached()
                    job = job.staged()
                    try await store.update(job)
                    continue
                case .publish, .recordPublished:
                    if step == .publish {
                        try inbox.publish(job.requestFile)
                        CrashPoint.afterPublish.reached()
                    }
                    if let marker = configuration.doneMarker, try inbox.contains(job.requestFile), try !inbox.contains(job.requestFile + marker) {
                        try inbox.write([], as: job.requestFile + marker)
                    }
                    job = job.submitted(at: now())
                    try await store.update(job)
                    CrashPoint.afterSubmit.reached()
                    logger.info("submitted job", metadata: ["job": "\(job.id)", "file": "\(job.requestFile)"])
                    continue
                case .recordProcessing:
                    job = job.processing(at: now())
                    try await store.update(job)
                case .expire:
                    if job.state == .accepted || job.state == .staged { try inbox.remove(job.requestFile) }
                    job = job.expired(at: now())
                    try await store.update(job)
                    logger.warning("job expired", metadata: ["job": "\(job.id)"])
                }
                break
            }
        }
    }

    /// Copies each complete file of the remote outbox into the local `incoming` directory
    /// (atomically), then removes it from the host. After a crash between the two, the local copy
    /// is the one kept: the remote file is only removed.
    func fetch(from remote: any DropDirectory) async throws {
        let listing = try remote.list()
        let ready = state.withLock { $0.remoteTracker.ready(in: listing, at: .now) }
        for name in ready {
            if let marker = configuration.doneMarker, name.hasSuffix(marker) { continue }
            do {
                // A copy already here, or already handled: a crash came before the remote removal.
                let handled = try await state.withLock({ $0.store })?.handledFile(adapter: declaration.name, name: name)
                if !outbox.contains(name), handled == nil {
                    try outbox.write(try remote.read(name), as: name)
                }
                try remote.remove(name)
                if let marker = configuration.doneMarker { try remote.remove(name + marker) }
            } catch {
                state.withLock { $0.remoteTracker.forget(name) }
                throw error
            }
            logger.info("fetched file", metadata: ["file": "\(name)", "from": "\(remote.location)"])
        }
    }

    /// Complete files in the outbox: response files applied to their jobs, extract files loaded,
    /// anything else moved to `error/` with its reason.
    func collect(_ listing: [FileDrop.Entry], store: any BatchStore) async throws {
        // Files fetched from a remote outbox are complete by construction.
        let ready = remoteOutbox == nil ? state.withLock { $0.tracker.ready(in: listing, at: .now) } : listing.map(\.name)
        let fingerprints = Dictionary(listing.map { ($0.name, "\($0.size):\($0.modified)") }, uniquingKeysWith: { a, _ in a })
        for name in ready {
            if let marker = configuration.doneMarker, name.hasSuffix(marker) { continue }
            do {
                try await handle(name, fingerprint: fingerprints[name], store: store)
            } catch {
                // Looked at again on the next pass.
                state.withLock { $0.tracker.forget(name) }
                throw error
            }
        }
    }

    func handle(_ name: String, fingerprint: String?, store: any BatchStore) async throws {
        let extract = configuration.extract.flatMap { $0.file.match(name) != nil ? $0 : nil }
        if let handled = try await store.handledFile(adapter: declaration.name, name: name) {
            if handled.fingerprint == fingerprint {
                // Applied before a crash, not yet moved away: move it now, never apply it again.
                try moveAway(name, outcome: handled.outcome, reason: handled.reason)
                return
            }
            // An extract may come back under last night's name with new content: a new extract.
            guard extract != nil else {
                try await reject(
                    name, reason: "duplicate: a file named \(name) was already handled", store: store, fingerprint: fingerprint,
                    keepingOriginal: true)
                return
            }
        }
        if let jobs = configuration.jobs, let id = jobs.responseFile.match(name) {
            try await receiveResponse(name, jobId: id, jobs: jobs, store: store, fingerprint: fingerprint)
        } else if let extract {
            try await loadExtract(name, extract: extract, store: store, fingerprint: fingerprint)
        } else {
            try await reject(
                name, reason: "unexpected file name: it matches no declared response or extract file", store: store, fingerprint: fingerprint)
        }
    }

    func receiveResponse(
        _ name: String, jobId: String, jobs: BatchFileConfiguration.Jobs, store: any BatchStore, fingerprint: String?
    ) async throws {
        guard let job = try await store.job(adapter: declaration.name, id: jobId) else {
            try await reject(name, reason: "no job \(jobId): the file answers a job this gateway never submitted", store: store, fingerprint: fingerprint)
            return
        }
        guard !job.hasResponse else {
            try await reject(name, reason: "duplicate: job \(jobId) already read its response file", store: store, fingerprint: fingerprint)
            return
        }
        let bytes = try outbox.read(name)
        let (results, failure) = jobs.readResponse(bytes)
        let failureText = failure.map { String(decoding: JSONWriter().bytes(.object($0)), as: UTF8.self) }
        let answered = job.answered(resultCount: results.count, failure: failureText, at: now())
        let outcome: HandledFile.Outcome = failure == nil ? .archived : .rejected
        let reason = failure?["message"]?.scalarText
        CrashPoint.midPickup.reached()
        try await store.finish(answered, results: results, file: HandledFile(
            adapter: declaration.name, name: name, outcome: outcome, reason: reason, jobId: job.id, handledAt: now(),
            fingerprint: fingerprint))
        CrashPoint.afterPickup.reached()
        try moveAway(name, outcome: outcome, reason: reason)
        logger.info("read response file", metadata: [
            "job": "\(job.id)", "state": "\(answered.state.rawValue)", "results": "\(results.count)",
        ])
    }

    /// Records `name` as rejected, then moves it to `error/` with a `.reason.txt` beside it.
    /// `keepingOriginal`: the file repeats one already handled, whose record must stay as it is.
    func reject(_ name: String, reason: String, store: any BatchStore, fingerprint: String?, keepingOriginal: Bool = false) async throws {
        // A repeat is recorded beside the original, under its name and fingerprint (the same row
        // again if a crash makes us see it twice).
        try await store.record(HandledFile(
            adapter: declaration.name, name: keepingOriginal ? "\(name)#\(fingerprint ?? "")" : name, outcome: .rejected, reason: reason,
            handledAt: now(), fingerprint: fingerprint))
        try moveAway(name, outcome: .rejected, reason: reason)
        logger.warning("rejected file", metadata: ["file": "\(name)", "reason": "\(reason)"])
    }

    func moveAway(_ name: String, outcome: HandledFile.Outcome, reason: String?) throws {
        let destination = outcome == .archived ? archive : rejected
        if outcome == .rejected {
            try rejected.write(Array("\(reason ?? "rejected")\n".utf8), as: name + ".reason.txt")
        }
        if outbox.contains(name) { try outbox.move(name, to: destination) }
        if let marker = configuration.doneMarker, outbox.contains(name + marker) { outbox.remove(name + marker) }
    }
}
