import Foundation
import Testing

/// The shared real-world corpus (`../shared/corpus` beside the repository, or `$PORTAGE_CORPUS`).
/// On a user's machine it may be absent: corpus tests then say so and skip. In CI (`CI=true`) they
/// run, and a missing corpus fails them.
enum Corpus {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["PORTAGE_CORPUS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repository.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }

    static var isPresent: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("PROVENANCE.md").path) }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// Enable corpus tests when the corpus is here, and always in CI (where its absence fails).
    static var enabled: Bool { isPresent || isCI }
    static let skipReason: Comment = "the shared corpus is absent: set PORTAGE_CORPUS or place it at ../shared/corpus"

    static func data(_ path: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CorpusMissing(path: url.path)
        }
        return Array(data)
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try data(path), as: UTF8.self)
    }

    struct CorpusMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "corpus file missing: \(path)" }
    }
}
