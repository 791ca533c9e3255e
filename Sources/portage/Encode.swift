import ArgumentParser
import FixedWidth
import Foundation
import GatewayCore

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode JSON Lines (one object per record, as `decode` writes them) into fixed-width records.",
        discussion: "Records go to standard output; a line that does not fit the layout is reported on standard error with its line number and field, and the exit status is 1 (unless --keep-going).")

    @OptionGroup var options: CopybookOptions

    @Option(help: "F (fixed, the copybook's length), V (IBM RDW, big-endian, length with header) or lines.")
    var recordFormat: Decode.RecordFormatName = .F

    @Flag(help: "Exit 0 even if lines failed to encode (they are still reported).")
    var keepGoing = false

    @Argument(help: "JSON Lines files (standard input when none).")
    var input: [String] = []

    func run() throws {
        let fileLayout = try options.fileLayout()
        let layout = fileLayout == nil ? try options.recordLayout() : nil
        guard recordFormat != .VB else { throw ValidationError("encode writes F, V or lines; VB blocking is not supported") }
        let output = BufferedOutput()
        var failures = 0
        let sources = input.isEmpty ? [("stdin", FileHandle.standardInput)] : try input.map { path in
            guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot open \(path)") }
            return (path, handle)
        }
        if let fileLayout { output.write(fileLayout.prologue) }
        for (name, handle) in sources {
            var reader = RecordReader(format: .lines) { count in Array(try handle.read(upToCount: count) ?? Data()) }
            while let line = try reader.next() {
                guard !line.bytes.isEmpty else { continue }
                do {
                    guard case .object(let object) = try JSONParser.parse(line.bytes) else {
                        throw ValidationError("line \(line.number) is not a JSON object")
                    }
                    if let fileLayout {
                        // A declared file: its own framing, whatever --record-format says.
                        output.write(try FileEncoder.encode(object, layout: fileLayout) + fileLayout.lineEnding)
                        continue
                    }
                    guard let layout else { continue }
                    let record = try layout.encode(object)
                    switch recordFormat {
                    case .V: output.write([UInt8(truncatingIfNeeded: (record.count + 4) >> 8), UInt8(truncatingIfNeeded: record.count + 4), 0, 0] + record)
                    case .lines: output.write(record + [layout.codePage.isEBCDIC ? 0x25 : 0x0A])
                    default: output.write(record)
                    }
                } catch let error as JSONParser.SyntaxError {
                    failures += 1
                    FileHandle.standardError.write(Data("\(name): line \(line.number), column \(error.column): \(error.reason)\n".utf8))
                } catch let error as RecordEncodingError {
                    failures += 1
                    FileHandle.standardError.write(Data("\(name): line \(line.number): \(error.field): \(error.reason.en)\n".utf8))
                } catch let error as ValidationError {
                    failures += 1
                    FileHandle.standardError.write(Data("\(name): \(error.message)\n".utf8))
                }
            }
        }
        output.flush()
        if failures > 0, !keepGoing { throw ExitCode(1) }
    }
}
