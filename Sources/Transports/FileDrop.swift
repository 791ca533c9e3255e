#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory a legacy batch system reads from or writes to (an inbox, an outbox), used the way
/// such systems need: a file is written so that a reader never sees part of it — under a hidden
/// temporary name, flushed to disk, renamed into place, the directory flushed too — and an
/// optional "done" marker follows it the same way.
public struct FileDrop: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Why a file could not be written or read. `path` is the file concerned.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Reason: Sendable, Equatable {
            /// The disk (or quota) is full: nothing was left behind.
            case noSpace
            /// The directory is missing, not a directory, read-only, or not ours to write.
            case notWritable
            /// A name that is not a plain file name (`/`, `..`, leading `.`, control characters).
            case invalidName
            case other(Int32)
        }

        public var reason: Reason
        public var path: String
        public var description: String {
            switch reason {
            case .noSpace: return "\(path): no space left on the device"
            case .notWritable: return "\(path): the directory cannot be written"
            case .invalidName: return "\(path): not a plain file name"
            case .other(let code): return "\(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Whether `name` is a plain file name a drop directory may hold: no path separators, no
    /// `.`/`..`, not hidden (hidden names are Portage's temporary files), no control characters.
    public static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.hasPrefix(".") && !name.contains("/")
            && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The temporary name `name` is written under before it is renamed into place.
    public static func temporaryName(for name: String) -> String { ".\(name).portage-tmp" }

    /// Writes `bytes` as `name`, atomically; then, when `doneMarker` is given (`.done`), an empty
    /// `name + doneMarker` file the same way, for systems that wait for one. On failure the
    /// temporary file is removed and `name` is untouched.
    public func write(_ bytes: [UInt8], as name: String, doneMarker: String? = nil) throws(Failure) {
        guard Self.isPlainName(name), doneMarker.map({ Self.isPlainName(name + $0) }) ?? true else {
            throw Failure(reason: .invalidName, path: directory + "/" + name)
        }
        try writeAtomically(bytes, as: name)
        if let doneMarker { try writeAtomically([], as: name + doneMarker) }
    }

    private func writeAtomically(_ bytes: [UInt8], as name: String) throws(Failure) {
        let temporary = directory + "/" + Self.temporaryName(for: name)
        let final = directory + "/" + name
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure(errno, temporary) }
        var written = 0
        var failure: Failure?
        while written < bytes.count, failure == nil {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 {
                if errno != EINTR { failure = Self.failure(errno, temporary) }
            } else {
                written += count
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = Self.failure(errno, temporary) }
        if close(descriptor) != 0, failure == nil { failure = Self.failure(errno, temporary) }
        if failure == nil, rename(temporary, final) != 0 { failure = Self.failure(errno, final) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        // The rename itself must survive a crash: flush the directory.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    static func failure(_ code: Int32, _ path: String) -> Failure {
        switch code {
        case ENOSPC, EDQUOT: return Failure(reason: .noSpace, path: path)
        case EACCES, EPERM, EROFS, ENOENT, ENOTDIR: return Failure(reason: .notWritable, path: path)
        default: return Failure(reason: .other(code), path: path)
        }
    }

    /// What a listing saw of one file.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var size: Int64
        /// Modification time, in nanoseconds since the epoch.
        public var modified: Int64
    }

    /// The plain files in the directory (hidden and temporary ones left out), or why not.
    public func list() throws(Failure) -> [Entry] {
        guard let handle = opendir(directory) else { throw Self.failure(errno, directory) }
        defer { closedir(handle) }
        var entries: [Entry] = []
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard Self.isPlainName(name) else { continue }
            var facts = stat()
            guard stat(directory + "/" + name, &facts) == 0, (facts.st_mode & S_IFMT) == S_IFREG else { continue }
            entries.append(Entry(
                name: name, size: Int64(facts.st_size),
                modified: Int64(facts.st_mtim.tv_sec) * 1_000_000_000 + Int64(facts.st_mtim.tv_nsec)))
        }
        return entries.sorted { $0.name < $1.name }
    }
}

/// Decides when a file another system is writing into a drop directory is complete: when its
/// done marker exists, or — without markers — when its size and modification time have stayed
/// the same for `quietPeriod` across listings. A value type fed listings and the time: no clock,
/// no I/O, so a test can drive it step by step.
public struct FileStabilityTracker: Sendable {
    /// `.done`: a file is ready when `name.done` exists (the marker itself is never ready).
    public let doneMarker: String?
    public let quietPeriod: Duration
    private var seen: [String: (size: Int64, modified: Int64, since: ContinuousClock.Instant)] = [:]
    private var delivered: Set<String> = []

    public init(doneMarker: String? = nil, quietPeriod: Duration = .seconds(2)) {
        self.doneMarker = doneMarker
        self.quietPeriod = quietPeriod
    }

    /// The files that became ready with this listing, in name order; each is reported once
    /// (until it disappears from the listings, so a file of the same name written later counts again).
    public mutating func ready(in listing: [FileDrop.Entry], at now: ContinuousClock.Instant) -> [String] {
        let names = Set(listing.map(\.name))
        delivered.formIntersection(names)
        seen = seen.filter { names.contains($0.key) }
        var ready: [String] = []
        for entry in listing where !delivered.contains(entry.name) {
            if let doneMarker {
                guard !entry.name.hasSuffix(doneMarker), names.contains(entry.name + doneMarker) else { continue }
                ready.append(entry.name)
                continue
            }
            if let previous = seen[entry.name], previous.size == entry.size, previous.modified == entry.modified {
                if now - previous.since >= quietPeriod { ready.append(entry.name) }
            } else {
                seen[entry.name] = (entry.size, entry.modified, now)
            }
        }
        delivered.formUnion(ready)
        return ready
    }
}
