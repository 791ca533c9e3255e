#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How records follow one another in a file or stream.
///
/// ```
/// fixed(n)   F/FB: [ n bytes ][ n bytes ]…
/// variable   V:    [ RDW: len len 00 00 ][ record ]…   big-endian length in bytes 0–1, or little-endian in bytes 2–3
/// blocked    VB:   [ BDW: len len 00 00 ][ RDW ][ record ][ RDW ][ record ]… per block
/// lines            [ text ][ LF or CRLF ]…   the final newline may be missing
/// ```
public enum RecordFormat: Sendable, Hashable {
    case fixed(length: Int)
    /// `lengthIncludesHeader`: the RDW's length counts its own 4 bytes (IBM's convention).
    case variable(bigEndian: Bool, lengthIncludesHeader: Bool)
    case variableBlocked(bigEndian: Bool, lengthIncludesHeader: Bool)
    case lines
}

/// A record framing problem: where the file stops making sense.
public struct RecordFramingError: Error, Sendable, CustomStringConvertible {
    public var record: Int
    public var offset: Int
    public var reason: String

    public var description: String { "record \(record) at byte \(offset): \(reason)" }
}

/// Splits a byte stream into records, reading through `source` in chunks so memory stays bounded
/// whatever the file size.
public struct RecordReader {
    public struct Record {
        /// Counted from 1.
        public var number: Int
        /// Where the record's data starts in the stream.
        public var offset: Int
        public var bytes: ArraySlice<UInt8>
    }

    /// The largest record accepted (a corrupt length must not make the reader buffer a whole file).
    public static let maximumRecordLength = 16 << 20

    private let format: RecordFormat
    private let source: (Int) throws -> [UInt8]
    private var buffer: [UInt8] = []
    private var start = 0
    private var consumed = 0
    private var exhausted = false
    private var number = 0
    private var blockRemaining = 0

    /// `source(n)` returns up to `n` more bytes, or none at the end.
    public init(format: RecordFormat, source: @escaping (Int) throws -> [UInt8]) {
        self.format = format
        self.source = source
    }

    /// Reads records from bytes already in memory.
    public init(format: RecordFormat, bytes: [UInt8]) {
        var remaining = bytes[...]
        self.init(format: format) { count in
            defer { remaining = remaining.dropFirst(count) }
            return Array(remaining.prefix(count))
        }
    }

    private var available: Int { buffer.count - start }

    /// Makes at least `count` bytes available unless the stream ends first.
    private mutating func fill(_ count: Int) throws {
        while available < count, !exhausted {
            if start > 0, start >= buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            let chunk = try source(max(1 << 16, count - available))
            if chunk.isEmpty { exhausted = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        defer {
            start += count
            consumed += count
        }
        return buffer[start..<(start + count)]
    }

    public mutating func next() throws -> Record? {
        switch format {
        case .fixed(let length):
            try fill(length)
            if available == 0 { return nil }
            guard available >= length else {
                throw RecordFramingError(record: number + 1, offset: consumed, reason: "the file ends \(available) bytes into a \(length)-byte record")
            }
            return record(take(length))
        case .lines:
            var searched = 0
            while true {
                if let end = Self.newline(in: buffer, from: start + searched) {
                    let lineStart = consumed
                    var line = take(end - start + 1).dropLast()
                    if line.last == 0x0D { line = line.dropLast() }
                    return record(line, offset: lineStart)
                }
                searched = available
                guard searched <= Self.maximumRecordLength else {
                    throw RecordFramingError(record: number + 1, offset: consumed, reason: "no line end within \(Self.maximumRecordLength) bytes")
                }
                if exhausted {
                    if available == 0 { return nil }
                    let lineStart = consumed
                    var line = take(available)
                    if line.last == 0x0D { line = line.dropLast() }
                    return record(line, offset: lineStart)
                }
                try fill(available + 1)
            }
        case .variable(let bigEndian, let includesHeader):
            return try variableRecord(bigEndian: bigEndian, includesHeader: includesHeader)
        case .variableBlocked(let bigEndian, let includesHeader):
            while blockRemaining == 0 {
                try fill(4)
                if available == 0 { return nil }
                guard available >= 4 else {
                    throw RecordFramingError(record: number + 1, offset: consumed, reason: "the file ends inside a block descriptor")
                }
                let length = Self.descriptorLength(take(4), bigEndian: bigEndian) - (includesHeader ? 4 : 0)
                guard length >= 0 else {
                    throw RecordFramingError(record: number + 1, offset: consumed - 4, reason: "block descriptor length \(length + 4) is shorter than itself")
                }
                blockRemaining = length
            }
            let before = consumed
            guard let record = try variableRecord(bigEndian: bigEndian, includesHeader: includesHeader) else {
                throw RecordFramingError(record: number + 1, offset: consumed, reason: "the file ends inside a block")
            }
            blockRemaining -= consumed - before
            guard blockRemaining >= 0 else {
                throw RecordFramingError(record: number, offset: before, reason: "a record runs past the end of its block")
            }
            return record
        }
    }

    private mutating func variableRecord(bigEndian: Bool, includesHeader: Bool) throws -> Record? {
        try fill(4)
        if available == 0 { return nil }
        guard available >= 4 else {
            throw RecordFramingError(record: number + 1, offset: consumed, reason: "the file ends inside a record descriptor")
        }
        let length = Self.descriptorLength(buffer[start..<(start + 4)], bigEndian: bigEndian) - (includesHeader ? 4 : 0)
        guard length >= 0, length <= Self.maximumRecordLength else {
            throw RecordFramingError(record: number + 1, offset: consumed, reason: "record descriptor announces \(length) bytes")
        }
        try fill(4 + length)
        guard available >= 4 + length else {
            throw RecordFramingError(
                record: number + 1, offset: consumed, reason: "the file ends \(available - 4) bytes into a \(length)-byte record")
        }
        _ = take(4)
        return record(take(length))
    }

    /// The index of the next LF at or after `from` (`memchr`: the hot path of text files).
    static func newline(in buffer: [UInt8], from: Int) -> Int? {
        buffer.withUnsafeBufferPointer { bytes in
            guard from < bytes.count, let base = bytes.baseAddress, let found = memchr(base + from, 0x0A, bytes.count - from) else {
                return nil
            }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// IBM descriptors: big-endian length in the first two bytes; the little-endian variant some
    /// transfers produce keeps it in the last two.
    static func descriptorLength(_ header: ArraySlice<UInt8>, bigEndian: Bool) -> Int {
        let bytes = Array(header)
        return bigEndian ? Int(bytes[0]) << 8 | Int(bytes[1]) : Int(bytes[3]) << 8 | Int(bytes[2])
    }

    private mutating func record(_ bytes: ArraySlice<UInt8>, offset: Int? = nil) -> Record {
        number += 1
        return Record(number: number, offset: offset ?? consumed - bytes.count, bytes: bytes)
    }
}
