/// A directory another system reads files from or writes files into: a local (or mounted)
/// directory (`FileDrop`) or one on a remote host (`RemoteDrop`). Names are plain file names.
/// Writing is in two steps so that a crash between them can be told apart on restart: `stage`
/// puts the whole content under a hidden temporary name, `publish` renames it into place.
public protocol DropDirectory: Sendable {
    /// Where it is, for messages (`/var/spool/in`, `sftp://host:22/in`).
    var location: String { get }
    /// The plain files it holds (hidden and temporary ones left out).
    func list() throws(FileDrop.Failure) -> [FileDrop.Entry]
    func stage(_ bytes: [UInt8], as name: String) throws(FileDrop.Failure)
    func publish(_ name: String) throws(FileDrop.Failure)
    /// Whether `name` is staged and not yet published.
    func isStaged(_ name: String) throws(FileDrop.Failure) -> Bool
    func contains(_ name: String) throws(FileDrop.Failure) -> Bool
    func read(_ name: String) throws(FileDrop.Failure) -> [UInt8]
    /// Removes `name` and whatever was staged under it; a missing file is not an error.
    func remove(_ name: String) throws(FileDrop.Failure)
}

extension DropDirectory {
    /// `stage` then `publish`, then an empty `name + doneMarker` the same way when a marker is used.
    public func write(_ bytes: [UInt8], as name: String, doneMarker: String? = nil) throws(FileDrop.Failure) {
        guard FileDrop.isPlainName(name), doneMarker.map({ FileDrop.isPlainName(name + $0) }) ?? true else {
            throw FileDrop.Failure(reason: .invalidName, path: location + "/" + name)
        }
        try stage(bytes, as: name)
        try publish(name)
        if let doneMarker {
            try stage([], as: name + doneMarker)
            try publish(name + doneMarker)
        }
    }
}
