import Foundation

/// Fault injection for the durability test: with `PORTAGE_CRASH_AT=<point>` in its environment
/// the gateway kills itself with SIGKILL when it reaches that point of a job's or an extract's
/// life — the crash a power cut or the OOM killer would cause, at the worst moment. Without the
/// variable (always, in production) each point is one comparison with nil.
enum CrashPoint: String, CaseIterable {
    /// Journaled, before the 202 is sent.
    case afterAccept = "after-accept"
    /// Half the request file written under its temporary name.
    case midWrite = "mid-write"
    /// The request file staged in full, the journal not yet told.
    case afterStage = "after-stage"
    /// Renamed into the inbox, the journal not yet told.
    case afterPublish = "after-publish"
    /// Submitted and journaled.
    case afterSubmit = "after-submit"
    /// The response file read and decoded, nothing journaled.
    case midPickup = "mid-pickup"
    /// The results journaled, the response file not yet moved to the archive.
    case afterPickup = "after-pickup"
    /// Part of an extract loaded, not published.
    case midIngest = "mid-ingest"
    /// The extract published, its file not yet moved to the archive.
    case afterIngest = "after-ingest"

    static let armed = ProcessInfo.processInfo.environment["PORTAGE_CRASH_AT"].flatMap(CrashPoint.init(rawValue:))

    func reached() {
        if Self.armed == self { kill(getpid(), SIGKILL) }
    }
}
