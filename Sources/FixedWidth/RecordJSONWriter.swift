import GatewayCore

/// Writes a record as JSON bytes straight from its fields, with no `JSONValue` in between: the
/// hot path of `portage decode`. The layout is compiled once into a flat list of steps (member
/// names and punctuation as literal bytes, one step per field occurrence); writing a record walks
/// the list. The output is byte for byte what `JSONWriter` writes for `RecordLayout.decode`.
///
/// It covers the usual records: text, zoned, packed and binary numbers, groups and fixed `OCCURS`;
/// other codecs go through their `decode`. Layouts with REDEFINES, `DEPENDING ON`, segment rules or
/// blank-omitting tables are not compiled (`init` returns nil), and a record with an invalid value
/// is refused (`write` returns nil): the caller decodes those the general way, which applies the
/// invalid-value policy and names the field.
public final class RecordJSONWriter: Sendable {
    /// Trivial (no references), so walking the list costs no reference counting.
    private enum Step: Sendable {
        case literal(start: Int, count: Int)
        case text(offset: Int, length: Int, trim: TextTrim)
        case zoned(offset: Int, digits: Int, scale: Int, signed: Bool)
        case packed(offset: Int, size: Int, digits: Int, scale: Int)
        case binary(offset: Int, size: Int, scale: Int, signed: Bool)
        /// `codecs[index]`, written through its `decode`.
        case other(offset: Int, index: Int)
    }

    private let steps: [Step]
    private let codecs: [FieldCodec]
    private let literals: [UInt8]
    /// Byte → its JSON text in UTF-8: count in the top byte, up to 3 bytes below (first byte lowest).
    private let text: [UInt32]
    /// Byte → digit value, 0xFF when not a digit (zone F in EBCDIC, '0'–'9' in ASCII).
    private let digit: [UInt8]
    /// Byte → digit value | 0x10 when negative, for the last byte of a signed zoned number.
    private let signedDigit: [UInt8]
    private let codePage: CodePage
    /// The record length the layout needs.
    public let recordLength: Int
    /// The most bytes one record can produce: the output space `write` needs.
    public let maximumOutputSize: Int

    /// The most steps compiled: a huge table is better decoded the general way than unrolled.
    static let maximumSteps = 50_000
    /// Room for one value of a codec written through `decode` (floats, edited numbers…).
    static let otherValueRoom = 96

    public init?(layout: RecordLayout) {
        guard layout.segments == nil, layout.dependingOnTable == nil, layout.fieldCodePages.isEmpty else { return nil }
        var compiler = Compiler(layout: layout)
        guard compiler.object(layout.root, base: 0) else { return nil }
        compiler.flush()
        guard compiler.steps.count <= Self.maximumSteps else { return nil }
        steps = compiler.steps
        codecs = compiler.codecs
        literals = compiler.literals
        maximumOutputSize = compiler.maximumSize
        codePage = layout.codePage
        recordLength = layout.length
        text = (0..<256).map { byte in
            var scalar = UInt32(layout.codePage.toUnicode[byte])
            if scalar < 0x20 || (0x7F...0x9F).contains(scalar) { scalar = 0x20 }
            switch scalar {
            case 0x22: return 2 << 24 | UInt32(UInt8(ascii: "\"")) << 8 | 0x5C
            case 0x5C: return 2 << 24 | 0x5C << 8 | 0x5C
            case ..<0x80: return 1 << 24 | scalar
            case ..<0x800: return 2 << 24 | (0x80 | scalar & 0x3F) << 8 | (0xC0 | scalar >> 6)
            default: return 3 << 24 | (0x80 | scalar & 0x3F) << 16 | (0x80 | (scalar >> 6) & 0x3F) << 8 | (0xE0 | scalar >> 12)
            }
        }
        let ebcdic = layout.codePage.isEBCDIC
        digit = (0..<256).map { byte in
            if ebcdic { return byte >> 4 == 0xF && byte & 0xF <= 9 ? UInt8(byte & 0xF) : 0xFF }
            return (0x30...0x39).contains(byte) ? UInt8(byte - 0x30) : 0xFF
        }
        signedDigit = (0..<256).map { byte in
            if ebcdic {
                guard byte & 0xF <= 9 else { return 0xFF }
                switch byte >> 4 {
                case 0xC, 0xA, 0xE, 0xF: return UInt8(byte & 0xF)
                case 0xD, 0xB: return UInt8(byte & 0xF) | 0x10
                default: return 0xFF
                }
            }
            switch UInt8(byte) {
            case 0x30...0x39: return UInt8(byte - 0x30)
            case 0x70...0x79: return UInt8(byte - 0x70) | 0x10
            case UInt8(ascii: "{"): return 0
            case UInt8(ascii: "A")...UInt8(ascii: "I"): return UInt8(byte) - UInt8(ascii: "A") + 1
            case UInt8(ascii: "}"): return 0x10
            case UInt8(ascii: "J")...UInt8(ascii: "R"): return (UInt8(byte) - UInt8(ascii: "J") + 1) | 0x10
            default: return 0xFF
            }
        }
    }

    /// Builds the step list; fails on what the fast path leaves to the general decoder.
    private struct Compiler {
        let layout: RecordLayout
        var steps: [Step] = []
        var codecs: [FieldCodec] = []
        var literals: [UInt8] = []
        var pending: [UInt8] = []
        var maximumSize = 0

        init(layout: RecordLayout) {
            self.layout = layout
        }

        mutating func literal(_ bytes: [UInt8]) {
            pending += bytes
        }

        mutating func flush() {
            guard !pending.isEmpty else { return }
            steps.append(.literal(start: literals.count, count: pending.count))
            literals += pending
            maximumSize += pending.count
            pending = []
        }

        mutating func step(_ step: Step, room: Int) {
            flush()
            steps.append(step)
            maximumSize += room
        }

        mutating func object(_ node: LayoutNode, base: Int) -> Bool {
            let members = node.children.filter { !$0.isFiller }
            guard Set(members.map(\.jsonName)).count == members.count else { return false }
            literal([UInt8(ascii: "{")])
            for (index, child) in members.enumerated() {
                guard !child.isAlias, !layout.redefinitionMembers.contains(child.name), !child.omitsBlankOccurrences else { return false }
                var name: [UInt8] = []
                JSONWriter.writeString(child.jsonName, into: &name)
                literal((index == 0 ? [] : [UInt8(ascii: ",")]) + name + [UInt8(ascii: ":")])
                let start = base + child.offset
                if let occurs = child.occurs {
                    literal([UInt8(ascii: "[")])
                    for item in 0..<occurs {
                        if item > 0 { literal([UInt8(ascii: ",")]) }
                        guard single(child, at: start + item * child.size) else { return false }
                        if steps.count > RecordJSONWriter.maximumSteps { return false }
                    }
                    literal([UInt8(ascii: "]")])
                } else {
                    guard single(child, at: start) else { return false }
                }
            }
            literal([UInt8(ascii: "}")])
            return true
        }

        mutating func single(_ node: LayoutNode, at offset: Int) -> Bool {
            guard let codec = node.codec else { return object(node, base: offset) }
            let quoted = layout.decimalsAsStrings && codec.isNumeric
            if quoted { literal([UInt8(ascii: "\"")]) }
            defer { if quoted { literal([UInt8(ascii: "\"")]) } }
            // Text expands to at most 6 bytes a byte (`\"`, or 3-byte UTF-8), plus quotes.
            switch codec {
            case .alphanumeric where layout.codePage.isUTF8, .justified where layout.codePage.isUTF8:
                // UTF-8 text through its decoder (invalid sequences, multi-byte trimming).
                guard case .alphanumeric = codec, (node.trim ?? layout.textTrim) == .right else { return false }
                step(.other(offset: offset, index: codecs.count), room: RecordJSONWriter.otherValueRoom + codec.size * 6)
                codecs.append(codec)
            case .alphanumeric(let length):
                step(.text(offset: offset, length: length, trim: node.trim ?? layout.textTrim), room: length * 3 + 2)
            case .justified(let length):
                step(.text(offset: offset, length: length, trim: .both), room: length * 3 + 2)
            case .national where (node.trim ?? layout.textTrim) != .right:
                return false
            case .zoned(let digits, let scale, let signed) where scale >= 0:
                step(.zoned(offset: offset, digits: digits, scale: scale, signed: signed), room: max(digits, scale + 1) + 3)
            case .packed(let digits, let scale, _) where scale >= 0:
                step(.packed(offset: offset, size: codec.size, digits: digits, scale: scale), room: max(digits, scale + 1) + 3)
            case .binary(_, let scale, let signed, let size, _) where scale >= 0 && size <= 8:
                step(.binary(offset: offset, size: size, scale: scale, signed: signed), room: max(20, scale + 1) + 3)
            default:
                step(.other(offset: offset, index: codecs.count), room: RecordJSONWriter.otherValueRoom + codec.size * 6)
                codecs.append(codec)
            }
            return true
        }
    }

    /// Writes the record's JSON object at `out`, which has room for `maximumOutputSize` bytes, and
    /// returns the bytes written; nil if a value is invalid (decode that record the general way).
    /// `record` must hold at least `recordLength` bytes.
    public func write(_ record: UnsafeRawBufferPointer, to out: UnsafeMutablePointer<UInt8>) -> Int? {
        guard record.count >= recordLength, let base = record.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { scratch -> Int? in
            // One byte before the digits for a packed field's padding nibble.
            let digits = scratch.baseAddress! + 1
            var position = 0
            return literals.withUnsafeBufferPointer { literals -> Int? in
                text.withUnsafeBufferPointer { text -> Int? in
                    for step in steps {
                        switch step {
                        case .literal(let start, let count):
                            (out + position).update(from: literals.baseAddress! + start, count: count)
                            position += count
                        case .text(let offset, let length, let trim):
                            position += Self.writeText(base + offset, length: length, trim: trim, text: text, to: out + position)
                        case .zoned(let offset, let count, let scale, let signed):
                            guard let negative = zonedDigits(base + offset, count: count, signed: signed, into: digits) else { return nil }
                            position += Self.writeNumber(digits, count: count, scale: scale, negative: negative, to: out + position)
                        case .packed(let offset, let size, let count, let scale):
                            guard let negative = Self.packedDigits(base + offset, size: size, count: count, into: digits) else { return nil }
                            position += Self.writeNumber(digits, count: count, scale: scale, negative: negative, to: out + position)
                        case .binary(let offset, let size, let scale, let signed):
                            let (count, negative) = Self.binaryDigits(base + offset, size: size, signed: signed, into: digits)
                            position += Self.writeNumber(digits, count: count, scale: scale, negative: negative, to: out + position)
                        case .other(let offset, let index):
                            let codec = codecs[index]
                            let field = UnsafeRawBufferPointer(start: base + offset, count: codec.size)
                            guard let value = try? codec.decode(field, codePage: codePage) else { return nil }
                            // A number is written bare; with decimalsAsStrings the compiler put quotes around it.
                            let bytes = JSONWriter().bytes(value)
                            guard bytes.count <= Self.otherValueRoom + codec.size * 6 else { return nil }
                            bytes.withUnsafeBufferPointer { (out + position).update(from: $0.baseAddress!, count: $0.count) }
                            position += bytes.count
                        }
                    }
                    return position
                }
            }
        }
    }

    @inline(__always)
    private static func writeText(
        _ field: UnsafePointer<UInt8>, length: Int, trim: TextTrim, text: UnsafeBufferPointer<UInt32>, to out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let space = 1 << 24 | 0x20 as UInt32
        var end = length
        if trim != .none {
            while end > 0, text[Int(field[end - 1])] == space { end -= 1 }
        }
        var start = 0
        if trim == .both {
            while start < end, text[Int(field[start])] == space { start += 1 }
        }
        out[0] = UInt8(ascii: "\"")
        var position = 1
        for index in start..<end {
            let entry = text[Int(field[index])]
            out[position] = UInt8(truncatingIfNeeded: entry)
            if entry >> 24 == 1 {
                position += 1
                continue
            }
            out[position + 1] = UInt8(truncatingIfNeeded: entry >> 8)
            if entry >> 24 == 3 { out[position + 2] = UInt8(truncatingIfNeeded: entry >> 16) }
            position += Int(entry >> 24)
        }
        out[position] = UInt8(ascii: "\"")
        return position + 1
    }

    /// Digit values into `digits`; the sign, or nil if a byte is not a digit.
    @inline(__always)
    private func zonedDigits(_ field: UnsafePointer<UInt8>, count: Int, signed: Bool, into digits: UnsafeMutablePointer<UInt8>) -> Bool? {
        var bad: UInt8 = 0
        for index in 0..<(count - 1) {
            let value = digit[Int(field[index])]
            bad |= value
            digits[index] = value
        }
        let last = (signed ? signedDigit : digit)[Int(field[count - 1])]
        guard bad & 0xF0 == 0, last != 0xFF else { return nil }
        digits[count - 1] = last & 0x0F
        return last & 0x10 != 0
    }

    /// Packed digits (`count` of them, after a zero padding nibble when even) and the sign nibble.
    /// Branch-free over the digit bytes: a nibble above 9 sets bit 4 of `nibble + 6`.
    @inline(__always)
    private static func packedDigits(_ field: UnsafePointer<UInt8>, size: Int, count: Int, into digits: UnsafeMutablePointer<UInt8>) -> Bool? {
        let padding = size * 2 - 1 - count
        let target = digits - padding
        var bad: UInt8 = 0
        for index in 0..<(size - 1) {
            let byte = field[index]
            let high = byte >> 4
            let low = byte & 0x0F
            target[2 * index] = high
            target[2 * index + 1] = low
            bad |= (high &+ 6) | (low &+ 6)
        }
        let last = field[size - 1]
        let high = last >> 4
        target[2 * size - 2] = high
        bad |= high &+ 6
        guard bad & 0x10 == 0, padding == 0 || field[0] >> 4 == 0 else { return nil }
        switch last & 0x0F {
        case 0xC, 0xA, 0xE, 0xF: return false
        case 0xD, 0xB: return true
        default: return nil
        }
    }

    /// A big-endian two's complement (or unsigned) binary value as decimal digits.
    @inline(__always)
    private static func binaryDigits(_ field: UnsafePointer<UInt8>, size: Int, signed: Bool, into digits: UnsafeMutablePointer<UInt8>) -> (Int, Bool) {
        var bits: UInt64 = 0
        for index in 0..<size { bits = bits << 8 | UInt64(field[index]) }
        var negative = false
        var magnitude = bits
        if signed, field[0] & 0x80 != 0 {
            negative = true
            let shift = UInt64(64 - 8 * size)
            let value = Int64(bitPattern: bits << shift) >> Int64(shift)
            magnitude = value.magnitude
        }
        var count = 0
        var remaining = magnitude
        repeat {
            digits[count] = UInt8(remaining % 10)
            remaining /= 10
            count += 1
        } while remaining > 0
        var low = 0
        var high = count - 1
        while low < high {
            let swap = digits[low]
            digits[low] = digits[high]
            digits[high] = swap
            low += 1
            high -= 1
        }
        return (count, negative)
    }

    /// `count` digit values with `scale` decimals as `ExactDecimal` prints them: no leading zeros
    /// but one before the point, every decimal kept, no sign on zero.
    @inline(__always)
    private static func writeNumber(
        _ digits: UnsafeMutablePointer<UInt8>, count: Int, scale: Int, negative: Bool, to out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var first = 0
        while first < count, digits[first] == 0 { first += 1 }
        var position = 0
        if negative, first < count {
            out[0] = UInt8(ascii: "-")
            position = 1
        }
        let integers = count - scale
        if integers > 0 {
            for index in min(first, integers - 1)..<integers {
                out[position] = digits[index] | 0x30
                position += 1
            }
        } else {
            out[position] = UInt8(ascii: "0")
            position += 1
        }
        if scale > 0 {
            out[position] = UInt8(ascii: ".")
            position += 1
            for _ in 0..<max(0, -integers) {
                out[position] = UInt8(ascii: "0")
                position += 1
            }
            for index in max(0, integers)..<count {
                out[position] = digits[index] | 0x30
                position += 1
            }
        }
        return position
    }
}
