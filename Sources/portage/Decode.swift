import ArgumentParser
import FixedWidth
import Foundation
import GatewayCore

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode fixed-width records to JSON Lines, one object per record, using a COBOL copybook.",
        discussion: "Errors go to standard error with the file, record number, byte offset, field and raw bytes; the exit status is 1 if any record failed (2 for a framing error), unless --keep-going.")

    @OptionGroup var options: CopybookOptions

    @Option(help: "F (fixed, the copybook's length), V (RDW), VB (BDW and RDW) or lines.")
    var recordFormat: RecordFormatName = .F

    @Option(help: "Byte order of V/VB descriptors: big (IBM: length in bytes 0–1) or little (length in bytes 2–3).")
    var rdwEndian: Endian = .big

    @Option(help: "Whether V/VB descriptor lengths count the 4-byte descriptor itself (IBM) or only the data.")
    var rdwLength: RDWLength = .withHeader

    @Flag(help: "Exit 0 even if records failed to decode (they are still reported).")
    var keepGoing = false

    @Argument(help: "Data files.")
    var data: [String]

    enum RecordFormatName: String, ExpressibleByArgument, CaseIterable {
        case F, V, VB, lines
    }

    enum Endian: String, ExpressibleByArgument, CaseIterable {
        case big, little
    }

    enum RDWLength: String, ExpressibleByArgument, CaseIterable {
        case withHeader = "with-header"
        case dataOnly = "data-only"
    }

    func run() throws {
        if let fileLayout = try options.fileLayout() { return try decode(fileLayout) }
        let layout = try options.recordLayout()
        let format: RecordFormat
        switch recordFormat {
        case .F: format = .fixed(length: layout.length)
        case .V: format = .variable(bigEndian: rdwEndian == .big, lengthIncludesHeader: rdwLength == .withHeader)
        case .VB: format = .variableBlocked(bigEndian: rdwEndian == .big, lengthIncludesHeader: rdwLength == .withHeader)
        case .lines: format = .lines
        }
        let output = BufferedOutput()
        let writer = JSONWriter()
        var failures = 0
        // Compiled once for every file.
        let fast = RecordJSONWriter(layout: layout)
        for path in data {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ValidationError("cannot open \(path)")
            }
            defer { try? handle.close() }
            var reader = RecordReader(format: format) { count in
                Array(try handle.read(upToCount: count) ?? Data())
            }
            var padded = [UInt8](repeating: layout.codePage.space, count: layout.length)
            while true {
                let record: RecordReader.Record
                do {
                    guard let next = try reader.next() else { break }
                    record = next
                } catch {
                    output.flush()
                    FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                    throw ExitCode(2)
                }
                // The usual record goes straight to JSON bytes; anything unusual (short, invalid)
                // is decoded the general way below, which applies the policies and names the field.
                if let fast, record.bytes.count >= fast.recordLength {
                    let written = record.bytes.withUnsafeBytes { bytes in
                        output.write(upTo: fast.maximumOutputSize + 1) { out in
                            fast.write(bytes, to: out).map { count in
                                out[count] = 0x0A
                                return count + 1
                            } ?? 0
                        }
                    }
                    if written > 0 { continue }
                }
                do {
                    let object: JSONObject
                    if record.bytes.count < layout.minimumLength || (format == .lines && record.bytes.count < layout.length) {
                        // Text lines lose their trailing spaces: pad them back to the record's length.
                        for index in padded.indices { padded[index] = layout.codePage.space }
                        padded.replaceSubrange(0..<min(record.bytes.count, padded.count), with: record.bytes.prefix(padded.count))
                        object = try layout.decode(padded)
                    } else {
                        object = try record.bytes.withUnsafeBytes { try layout.decode($0) }
                    }
                    output.write(writer.bytes(.object(object)))
                    output.write([0x0A])
                } catch let error as RecordDecodingError {
                    failures += 1
                    output.flush()
                    FileHandle.standardError.write(Data(
                        "\(path): record \(record.number) at byte \(record.offset + error.offset): \(error.field) [\(error.hex)]: \(error.reason)\n".utf8))
                }
            }
        }
        output.flush()
        if failures > 0, !keepGoing { throw ExitCode(1) }
    }
}

extension Decode {
    /// A declared file: records of several types, `{"recordType": …, fields…}` per line; structure
    /// and control-total problems go to standard error like decoding errors.
    func decode(_ layout: FileLayout) throws {
        let output = BufferedOutput()
        let writer = JSONWriter()
        var failures = 0
        for path in data {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot open \(path)") }
            defer { try? handle.close() }
            var decoder = FileDecoder(layout: layout)
            var reader = RecordReader(format: decoder.recordFormat) { count in Array(try handle.read(upToCount: count) ?? Data()) }
            func emit(_ events: [FileDecoder.Event]) {
                for event in events {
                    switch event {
                    case .record(let record):
                        output.write(writer.bytes(.object(record.json)))
                        output.write([0x0A])
                    case .problem(let problem):
                        failures += 1
                        output.flush()
                        FileHandle.standardError.write(Data("\(path): \(problem)\n".utf8))
                    }
                }
            }
            while true {
                do {
                    guard let raw = try reader.next() else { break }
                    emit(decoder.decode(raw))
                } catch {
                    output.flush()
                    FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                    throw ExitCode(2)
                }
            }
            emit(decoder.finish())
        }
        output.flush()
        if failures > 0, !keepGoing { throw ExitCode(1) }
    }
}

/// Collects output and writes it to standard output in large blocks.
final class BufferedOutput {
    private let capacity: Int
    private let storage: UnsafeMutablePointer<UInt8>
    private var count = 0

    init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
    }

    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { source in
            _ = write(upTo: source.count) { out in
                out.update(from: source.baseAddress!, count: source.count)
                return source.count
            }
        }
    }

    /// Lets `body` write up to `maximum` bytes in place; it returns how many it wrote.
    func write(upTo maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) -> Int {
        if count + maximum > capacity { flush() }
        guard maximum <= capacity else {
            // Larger than the whole buffer: a temporary one, written at once.
            let temporary = UnsafeMutablePointer<UInt8>.allocate(capacity: maximum)
            defer { temporary.deallocate() }
            let written = body(temporary)
            FileHandle.standardOutput.write(Data(bytes: temporary, count: written))
            return written
        }
        let written = body(storage + count)
        count += written
        return written
    }

    func flush() {
        guard count > 0 else { return }
        FileHandle.standardOutput.write(Data(bytesNoCopy: storage, count: count, deallocator: .none))
        count = 0
    }
}
