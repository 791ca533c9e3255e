import Foundation

/// The shared real-world corpus (`../shared/corpus` beside the repository, or `$PORTAGE_CORPUS`).
/// On a user's machine it may be absent: corpus tests then say so and skip. In CI (`CI=true`) they
/// run, and a missing corpus fails them.
public enum Corpus {
    /// Four levels up from Tests/Support/CorpusSupport/Corpus.swift.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["PORTAGE_CORPUS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repository.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }

    public static var isPresent: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("PROVENANCE.md").path) }
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// Enable corpus tests when the corpus is here, and always in CI (where its absence fails).
    public static var enabled: Bool { isPresent || isCI }
    /// Why corpus tests skip; each test target wraps it as a `Comment`.
    public static let skipReasonText = "the shared corpus is absent: set PORTAGE_CORPUS or place it at ../shared/corpus"

    public static func data(_ path: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CorpusMissing(path: url.path)
        }
        return Array(data)
    }

    public static func text(_ path: String) throws -> String {
        String(decoding: try data(path), as: UTF8.self)
    }

    public struct CorpusMissing: Error, CustomStringConvertible {
        var path: String
        public var description: String { "corpus file missing: \(path)" }
    }
}
