import Store

/// The batch job's life as a state machine: each function looks at the job and what the drop
/// directories show, and says what to do or returns the job's next state. No I/O here; the
/// adapter's pipeline performs the steps and journals each new state before the next step, so a
/// crash between any two steps is resumed from the journal without writing a file twice.
///
/// ```
/// accepted ─stage─▶ staged ─publish─▶ submitted ─(request file taken)─▶ processing
///    │                 │                  │                                │
///    └────────────── deadline passed ─────┴──────────▶ expired ◀──────────┘
/// response file complete: totals check ─▶ completed, otherwise ─▶ failed
/// ```
extension BatchJob {
    enum Step: Equatable {
        /// Write the request file under its temporary name (removing what a crash left there first).
        case stage
        /// Rename the staged file into place.
        case publish
        /// The rename happened before a crash: only the journal is behind.
        case recordPublished
        /// The backend took the request file from the inbox.
        case recordProcessing
        case expire
        case none
    }

    /// What the pipeline does next for this job, given the inbox.
    func nextStep(now: Int64, isStaged: Bool, isInInbox: Bool) -> Step {
        guard state.isOpen else { return .none }
        if now >= deadlineAt { return .expire }
        switch state {
        case .accepted: return .stage
        case .staged: return isStaged ? .publish : .recordPublished
        case .submitted: return isInInbox ? .none : .recordProcessing
        default: return .none
        }
    }

    func staged() -> BatchJob {
        var job = self
        job.state = .staged
        return job
    }

    func submitted(at now: Int64) -> BatchJob {
        var job = self
        job.state = .submitted
        job.submittedAt = now
        return job
    }

    func processing(at now: Int64) -> BatchJob {
        var job = self
        job.state = .processing
        job.processingAt = job.processingAt ?? now
        return job
    }

    func expired(at now: Int64) -> BatchJob {
        var job = self
        job.state = .expired
        job.finishedAt = now
        job.callback = job.callbackURL.map { _ in CallbackState(nextAt: now) }
        return job
    }

    /// The job once its response file is read: completed with `resultCount` results, or failed
    /// with `failure`. A job that expired keeps its state and records the late file.
    func answered(resultCount: Int, failure: String?, at now: Int64) -> BatchJob {
        var job = self
        job.resultCount = resultCount
        job.failure = failure
        if state == .expired {
            job.lateResponseAt = now
            return job
        }
        if job.submittedAt == nil { job.submittedAt = now }
        job.processingAt = job.processingAt ?? now
        job.state = failure == nil ? .completed : .failed
        job.finishedAt = now
        job.callback = job.callbackURL.map { _ in CallbackState(nextAt: now) }
        return job
    }

    /// Whether a response file for this job is a duplicate (the job already read one).
    var hasResponse: Bool {
        [.completed, .failed].contains(state) || lateResponseAt != nil
    }
}
