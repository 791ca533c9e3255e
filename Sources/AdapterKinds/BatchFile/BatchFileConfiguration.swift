import FixedWidth
import GatewayCore
import Transports

/// Everything a `batch-file` adapter was declared with, checked.
struct BatchFileConfiguration: Sendable {
    /// Where request files go, where the backend writes its files, where handled files end up.
    var inbox: String
    var outbox: String
    var archive: String
    var error: String
    var journal: String
    /// `.done`: a marker written after each request file, and awaited before reading a response file.
    var doneMarker: String?
    /// Without a marker, a file is complete when its size and time stay unchanged this long.
    var quietPeriod: Duration
    var pollInterval: Duration
    var jobs: Jobs?
    var extract: Extract?
    /// Inbox and outbox on a remote host; files fetched from its outbox are kept in `incoming`.
    var remote: RemoteDrop.Configuration?
    var incoming: String

    struct Jobs: Sendable {
        var requestLayout: FileLayout
        var responseLayout: FileLayout
        var requestFile: NamePattern
        var responseFile: NamePattern
        /// The request record type each posted item becomes.
        var itemRecord: String
        /// Header record filled from the job (`$job.id`, `$job.date`, `$job.time`, `$job.items`) and constants.
        var header: (record: String, fields: [(name: String, value: String)])?
        /// Trailer record whose control totals are computed from the layout's checks.
        var trailer: String?
        /// Response record types returned as results.
        var results: Set<String>
        var deadline: Duration
        var maxItems: Int
        /// The environment variable holding the callback signing secret.
        var callbackSecretVariable: String?
        /// Hosts callbacks may go to; nil: any host but loopback, link-local and unspecified addresses.
        var callbackHosts: Set<String>?
    }

    struct Extract: Sendable {
        var layout: FileLayout
        var name: String
        var file: NamePattern
        /// The record type holding the data; its `key` field identifies a record.
        var record: String
        var key: String
        var filters: [String]
        /// Header field holding the extract's date (`header.extractDate`), else the file's time.
        var asOf: (record: String, field: String)?
    }
}

/// A file name with one variable part: `PAYREQ.{job}.DAT`, `PAYEXT.*.DAT`.
struct NamePattern: Sendable, Equatable {
    var prefix: String
    var suffix: String

    /// Nil when `text` has no placeholder, or more than one.
    init?(_ text: String, placeholder: String) {
        let parts = text.split(separator: placeholder, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        prefix = String(parts[0])
        suffix = String(parts[1])
    }

    func name(_ value: String) -> String { prefix + value + suffix }

    /// The variable part of `name`, when it fits the pattern.
    func match(_ name: String) -> String? {
        guard name.count > prefix.count + suffix.count, name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return String(name.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
