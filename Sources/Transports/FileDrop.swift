#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory a legacy batch system reads from or writes to (an inbox, an outbox), used the way
/// such systems need: a file is written so that a reader never sees part of it — under a hidden
/// temporary name, flushed to disk, renamed into place, the directory flushed too — and an
/// optional "done" marker follows it the same way.
public struct FileDrop: DropDirectory {
    public let directory: String

    public var location: String { directory }

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
            /// A remote host could not be reached or refused the operation (libcurl's message).
            case remote(String)
        }

        public var reason: Reason
        public var path: String

        public init(reason: Reason, path: String) {
            self.reason = reason
            self.path = path
        }

        public var description: String {
            switch reason {
            case .noSpace: return "\(path): no space left on the device"
            case .notWritable: return "\(path): the directory cannot be written"
            case .invalidName: return "\(path): not a plain file name"
            case .other(let code): return "\(path): \(String(cString: strerror(code)))"
            case .remote(let message): return "\(path): \(message)"
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

    /// The first half of an atomic write: `bytes` written in full and flushed under the temporary
    /// name, invisible to readers. A crash after this leaves the temporary file, which tells a
    /// restart that `publish` is still to do. On failure nothing is left behind.
    public func stage(_ bytes: [UInt8], as name: String) throws(Failure) {
        guard Self.isPlainName(name) else { throw Failure(reason: .invalidName, path: directory + "/" + name) }
        let temporary = directory + "/" + Self.temporaryName(for: name)
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
        if let failure {
            unlink(temporary)
            throw failure
        }
        // The temporary file's existence must survive a crash too: it is how a restart knows
        // that `publish` is still to do.
        syncDirectory()
    }

    /// The second half: the staged file renamed into place and the directory flushed, so the
    /// rename itself survives a crash. A failed rename leaves the staged file in place.
    public func publish(_ name: String) throws(Failure) {
        let temporary = directory + "/" + Self.temporaryName(for: name)
        let final = directory + "/" + name
        // On failure the staged file stays: a retry publishes it, and its presence keeps saying
        // that the rename did not happen.
        if rename(temporary, final) != 0 { throw Self.failure(errno, final) }
        syncDirectory()
    }

    /// Whether `name` is staged (written under its temporary name, not yet published).
    public func isStaged(_ name: String) -> Bool {
        access(directory + "/" + Self.temporaryName(for: name), F_OK) == 0
    }

    public func contains(_ name: String) -> Bool {
        access(directory + "/" + name, F_OK) == 0
    }

    /// Removes `name` (and whatever was staged under it); a missing file is not an error.
    public func remove(_ name: String) {
        unlink(directory + "/" + name)
        unlink(directory + "/" + Self.temporaryName(for: name))
    }

    /// The whole content of `name`.
    public func read(_ name: String) throws(Failure) -> [UInt8] {
        let path = directory + "/" + name
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure(errno, path) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.failure(errno, path)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Moves `name` into `destination` under `newName` (default: the same name), replacing a file
    /// of that name there. Across file systems the file is copied, flushed, then removed here.
    public func move(_ name: String, to destination: FileDrop, as newName: String? = nil) throws(Failure) {
        let source = directory + "/" + name
        let target = newName ?? name
        if rename(source, destination.directory + "/" + target) == 0 {
            destination.syncDirectory()
            syncDirectory()
            return
        }
        guard errno == EXDEV else { throw Self.failure(errno, source) }
        try destination.stage(try read(name), as: target)
        try destination.publish(target)
        unlink(source)
        syncDirectory()
    }

    func syncDirectory() {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }

    /// Creates the directory (and its parents) when missing.
    public func create() throws(Failure) {
        let bytes = Array(directory.utf8)
        for end in bytes.indices where end > 0 && (bytes[end] == UInt8(ascii: "/") || end == bytes.count - 1) {
            let path = String(decoding: bytes[...(bytes[end] == UInt8(ascii: "/") ? end - 1 : end)], as: UTF8.self)
            if mkdir(path, 0o755) != 0, errno != EEXIST { throw Self.failure(errno, path) }
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
    /// Files already reported, with the size and time they had then.
    private var delivered: [String: (size: Int64, modified: Int64)] = [:]

    public init(doneMarker: String? = nil, quietPeriod: Duration = .seconds(2)) {
        self.doneMarker = doneMarker
        self.quietPeriod = quietPeriod
    }

    /// Forgets that `name` was reported, so that it is reported again (its handling failed).
    public mutating func forget(_ name: String) {
        delivered[name] = nil
        seen[name] = nil
    }

    /// The files that became ready with this listing, in name order; each is reported once
    /// (a file of the same name written later — it disappeared from a listing, or its size or
    /// time changed — counts again).
    public mutating func ready(in listing: [FileDrop.Entry], at now: ContinuousClock.Instant) -> [String] {
        let names = Set(listing.map(\.name))
        delivered = delivered.filter { names.contains($0.key) }
        for entry in listing {
            if let before = delivered[entry.name], before.size != entry.size || before.modified != entry.modified {
                delivered[entry.name] = nil
            }
        }
        seen = seen.filter { names.contains($0.key) }
        var ready: [String] = []
        for entry in listing where delivered[entry.name] == nil {
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
        for entry in listing where ready.contains(entry.name) { delivered[entry.name] = (entry.size, entry.modified) }
        return ready
    }
}
