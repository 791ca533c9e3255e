import Foundation
import Testing
@testable import Transports

@Suite("File drop directories")
struct FileDropTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("portage-drop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writesAtomicallyWithAnOptionalDoneMarker() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let drop = FileDrop(directory: directory)
        try drop.write(Array("HDR 2026-11-27\n".utf8), as: "PAYREQ.D261127")
        try drop.write(Array("second".utf8), as: "PAYREQ.D261128", doneMarker: ".done")
        #expect(FileManager.default.contents(atPath: directory + "/PAYREQ.D261127") == Data("HDR 2026-11-27\n".utf8))
        #expect(try drop.list().map(\.name) == ["PAYREQ.D261127", "PAYREQ.D261128", "PAYREQ.D261128.done"])
        let everything = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!everything.contains { $0.hasSuffix(".portage-tmp") }, "no temporary file left behind")
        // Writing the same name again replaces it whole.
        try drop.write(Array("v2".utf8), as: "PAYREQ.D261127")
        #expect(FileManager.default.contents(atPath: directory + "/PAYREQ.D261127") == Data("v2".utf8))
    }

    @Test func refusesNamesAndUnwritableDirectoriesClearly() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["../escape", "a/b", ".hidden", "", "bad\nname", String(repeating: "x", count: 300)] {
            #expect(throws: FileDrop.Failure.self, "\(name)") { try FileDrop(directory: directory).write([1], as: name) }
        }
        // A "directory" that is a regular file: not writable, whoever runs the test (root included).
        let file = directory + "/plain"
        FileManager.default.createFile(atPath: file, contents: Data())
        do {
            try FileDrop(directory: file).write([1, 2, 3], as: "X")
            Issue.record("wrote under a regular file")
        } catch {
            #expect(error.reason == .notWritable)
            #expect(error.description.hasSuffix("the directory cannot be written"))
        }
        #expect(throws: FileDrop.Failure.self) { try FileDrop(directory: directory + "/missing").list() }
    }

    /// A file still being copied in is never reported: only once its size and time stay put for
    /// the quiet period, or once its done marker is there.
    @Test func stabilityWaitsForQuietOrForTheMarker() {
        let start = ContinuousClock.now
        var tracker = FileStabilityTracker(quietPeriod: .seconds(2))
        let growing = FileDrop.Entry(name: "EXTRACT", size: 1_000, modified: 1)
        #expect(tracker.ready(in: [growing], at: start).isEmpty)
        let grown = FileDrop.Entry(name: "EXTRACT", size: 2_000, modified: 2)
        #expect(tracker.ready(in: [grown], at: start + .seconds(1.5)).isEmpty, "it changed: the clock starts again")
        #expect(tracker.ready(in: [grown], at: start + .seconds(3)).isEmpty, "1.5 s quiet is not enough")
        #expect(tracker.ready(in: [grown], at: start + .seconds(3.6)) == ["EXTRACT"])
        #expect(tracker.ready(in: [grown], at: start + .seconds(9)).isEmpty, "reported once")
        #expect(tracker.ready(in: [], at: start + .seconds(10)).isEmpty)
        #expect(tracker.ready(in: [grown], at: start + .seconds(11)).isEmpty, "back again: a new file, watched anew")
        #expect(tracker.ready(in: [grown], at: start + .seconds(13)) == ["EXTRACT"])

        var marked = FileStabilityTracker(doneMarker: ".done")
        let data = FileDrop.Entry(name: "RESP01", size: 10, modified: 1)
        let marker = FileDrop.Entry(name: "RESP01.done", size: 0, modified: 2)
        #expect(marked.ready(in: [data], at: start).isEmpty)
        #expect(marked.ready(in: [data, marker], at: start) == ["RESP01"], "the marker, not time, says it is complete")
        #expect(marked.ready(in: [data, marker], at: start).isEmpty)
    }
}
