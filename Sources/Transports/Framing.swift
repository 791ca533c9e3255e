import NIOCore

/// How records are delimited on a stream connection.
///
/// ```
/// fixed(n):          [ n bytes ]                       (response length known from the layout)
/// lengthPrefix(2):   [ len hi | len lo ][ len bytes ]   (big-endian, header not counted)
/// lengthPrefix(4):   [ 4-byte big-endian len ][ len bytes ]
/// line(0x0A):        [ bytes … ][ 0x0A ]                (text records only: a binary field could hold 0x0A)
/// ```
public enum Framing: Sendable, Hashable, CustomStringConvertible {
    case fixed(responseLength: Int)
    case lengthPrefix(bytes: Int)
    case line(delimiter: UInt8)

    public var description: String {
        switch self {
        case .fixed(let length): return "fixed(\(length))"
        case .lengthPrefix(let bytes): return "length-prefix-\(bytes)"
        case .line: return "line"
        }
    }

    /// Writes `record` with this framing's header or trailer.
    public func frame(_ record: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        switch self {
        case .fixed:
            return record
        case .lengthPrefix(let bytes):
            var out = allocator.buffer(capacity: bytes + record.readableBytes)
            if bytes == 2 {
                out.writeInteger(UInt16(truncatingIfNeeded: record.readableBytes))
            } else {
                out.writeInteger(UInt32(truncatingIfNeeded: record.readableBytes))
            }
            out.writeImmutableBuffer(record)
            return out
        case .line(let delimiter):
            var out = allocator.buffer(capacity: record.readableBytes + 1)
            out.writeImmutableBuffer(record)
            out.writeInteger(delimiter)
            return out
        }
    }

    /// The largest record this framing can carry in one frame.
    public var maximumRecordLength: Int {
        switch self {
        case .lengthPrefix(2): return Int(UInt16.max)
        default: return Int(Int32.max)
        }
    }

    public enum Extraction {
        case needMoreData
        case frame(ByteBuffer)
        case tooLong(Int)
    }

    /// Takes one whole response frame off the front of `buffer`, if it is all there.
    public func extract(from buffer: inout ByteBuffer, maximumLength: Int) -> Extraction {
        switch self {
        case .fixed(let length):
            guard let frame = buffer.readSlice(length: length) else { return .needMoreData }
            return .frame(frame)
        case .lengthPrefix(let bytes):
            let length: Int?
            if bytes == 2 {
                length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self).map(Int.init)
            } else {
                length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map(Int.init)
            }
            guard let length else { return .needMoreData }
            if length > maximumLength { return .tooLong(length) }
            guard buffer.readableBytes >= bytes + length else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: bytes)
            return .frame(buffer.readSlice(length: length)!)
        case .line(let delimiter):
            let view = buffer.readableBytesView
            guard let end = view.firstIndex(of: delimiter) else {
                return buffer.readableBytes > maximumLength ? .tooLong(buffer.readableBytes) : .needMoreData
            }
            let frame = buffer.readSlice(length: end - view.startIndex)!
            buffer.moveReaderIndex(forwardBy: 1)
            return .frame(frame)
        }
    }
}
