import GatewayCore

/// Why a field's bytes could not be read.
public struct FieldDecodingError: Error, Sendable {
    public var reason: String
}

extension FieldCodec {
    /// Reads the field from `bytes` (exactly `size` bytes).
    public func decode(_ bytes: UnsafeRawBufferPointer, codePage: CodePage) throws(FieldDecodingError) -> JSONValue {
        switch self {
        case .alphanumeric:
            return .string(Self.decodeText(bytes, codePage: codePage))
        case .edited(let picture):
            let characters = bytes.map { Character(codePage.character($0)) }
            return .number(try picture.decode(characters).description)
        case .zoned(let digits, let scale, let signed):
            return .number(try Self.decodeZoned(bytes, digits: digits, scale: scale, signed: signed, codePage: codePage).description)
        case .packed(let digits, let scale, _):
            return .number(try Self.decodePacked(bytes, digits: digits, scale: scale).description)
        case .binary(_, let scale, let signed, _, _):
            var value: Int128 = 0
            for byte in bytes { value = value << 8 | Int128(byte) }
            if signed, bytes[0] & 0x80 != 0 { value -= Int128(1) << (8 * bytes.count) }
            return .number(ExactDecimal.scaled(value, scale: scale).description)
        case .separateSign(let digits, let scale, let leading):
            let signByte = leading ? bytes[0] : bytes[bytes.count - 1]
            let digitBytes = UnsafeRawBufferPointer(rebasing: leading ? bytes[1...] : bytes[..<(bytes.count - 1)])
            let magnitude = try Self.decodeZoned(digitBytes, digits: digits, scale: scale, signed: false, codePage: codePage)
            switch codePage.character(signByte) {
            case "+", " ": return .number(magnitude.description)
            case "-": return .number(ExactDecimal(significand: -magnitude.significand, scale: magnitude.scale).description)
            default: throw FieldDecodingError(reason: "the separate sign byte is neither '+' nor '-'")
            }
        case .leadingSign(let digits, let scale):
            return .number(try Self.decodeZoned(bytes, digits: digits, scale: scale, signed: true, codePage: codePage, signIndex: 0).description)
        case .float(let size, let ibm):
            var bits: UInt64 = 0
            for byte in bytes { bits = bits << 8 | UInt64(byte) }
            let value = ibm ? Self.ibmFloat(bits, size: size) : (size == 4 ? Double(Float(bitPattern: UInt32(bits))) : Double(bitPattern: bits))
            guard value.isFinite else { throw FieldDecodingError(reason: "not a finite number") }
            return .number(size == 4 ? "\(Float(value))" : "\(value)")
        case .justified:
            return .string(String(Self.decodeText(bytes, codePage: codePage).drop { $0 == " " }))
        case .national:
            return .string(Self.decodeNational(bytes))
        case .blankWhenZero(let codec):
            if bytes.allSatisfy({ $0 == codePage.space }) { return .number(codec.zeroText) }
            return try codec.decode(bytes, codePage: codePage)
        }
    }

    /// Text in the code page as a String without trailing spaces. Control characters (binary data
    /// under a text picture, LOW-VALUES) read as spaces. Builds UTF-8 directly: this is the hot path
    /// of text-heavy records.
    static func decodeText(_ bytes: UnsafeRawBufferPointer, codePage: CodePage, trim: TextTrim = .right) -> String {
        if codePage.isUTF8 { return decodeUTF8(bytes, trim: trim) }
        let table = codePage.toUnicode
        @inline(__always) func scalar(_ byte: UInt8) -> UInt32 {
            let value = UInt32(table[Int(byte)])
            return value < 0x20 || (0x7F...0x9F).contains(value) ? 0x20 : value
        }
        var end = bytes.count
        if trim != .none {
            while end > 0, scalar(bytes[end - 1]) == 0x20 { end -= 1 }
        }
        var begin = 0
        if trim == .both {
            while begin < end, scalar(bytes[begin]) == 0x20 { begin += 1 }
        }
        return String(unsafeUninitializedCapacity: (end - begin) * 3) { buffer in
            var count = 0
            for index in begin..<end {
                let value = scalar(bytes[index])
                if value < 0x80 {
                    buffer[count] = UInt8(value)
                    count += 1
                } else if value < 0x800 {
                    buffer[count] = UInt8(0xC0 | (value >> 6))
                    buffer[count + 1] = UInt8(0x80 | (value & 0x3F))
                    count += 2
                } else {
                    buffer[count] = UInt8(0xE0 | (value >> 12))
                    buffer[count + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
                    buffer[count + 2] = UInt8(0x80 | (value & 0x3F))
                    count += 3
                }
            }
            return count
        }
    }

    /// UTF-8 text (invalid sequences read as U+FFFD), control characters as spaces.
    static func decodeUTF8(_ bytes: UnsafeRawBufferPointer, trim: TextTrim) -> String {
        var scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars.map { scalar in
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? " " : scalar
        }[...]
        if trim != .none {
            while scalars.last == " " { scalars = scalars.dropLast() }
        }
        if trim == .both {
            while scalars.first == " " { scalars = scalars.dropFirst() }
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        return String(text)
    }

    /// UTF-16 big-endian text; NUL and control characters read as spaces, unpaired surrogates as
    /// U+FFFD.
    static func decodeNational(_ bytes: UnsafeRawBufferPointer, trim: TextTrim = .right) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        for index in stride(from: 0, to: bytes.count - 1, by: 2) {
            let unit = UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            units.append(unit < 0x20 || (0x7F...0x9F).contains(unit) ? 0x20 : unit)
        }
        var end = units.count
        if trim != .none {
            while end > 0, units[end - 1] == 0x20 { end -= 1 }
        }
        var start = 0
        if trim == .both {
            while start < end, units[start] == 0x20 { start += 1 }
        }
        return String(decoding: units[start..<end], as: UTF16.self)
    }

    /// Zoned digits with the sign overpunched on the byte at `signIndex` (default: the last).
    static func decodeZoned(
        _ bytes: UnsafeRawBufferPointer, digits: Int, scale: Int, signed: Bool, codePage: CodePage, signIndex: Int? = nil
    ) throws(FieldDecodingError) -> ExactDecimal {
        let signIndex = signIndex ?? bytes.count - 1
        var value: Int128 = 0
        var negative = false
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let last = index == signIndex
            var digit: UInt8
            if codePage.isEBCDIC {
                digit = byte & 0x0F
                let zone = byte >> 4
                if last && signed {
                    switch zone {
                    case 0xC, 0xA, 0xE, 0xF: break
                    case 0xD, 0xB: negative = true
                    default: throw FieldDecodingError(reason: "invalid sign zone in the last byte")
                    }
                } else if zone != 0xF {
                    throw FieldDecodingError(reason: "byte \(index + 1) is not a digit")
                }
            } else {
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x70...0x79 where last && signed: digit = byte - 0x70; negative = true
                case UInt8(ascii: "{") where last && signed: digit = 0
                case UInt8(ascii: "A")...UInt8(ascii: "I") where last && signed: digit = byte - UInt8(ascii: "A") + 1
                case UInt8(ascii: "}") where last && signed: digit = 0; negative = true
                case UInt8(ascii: "J")...UInt8(ascii: "R") where last && signed:
                    digit = byte - UInt8(ascii: "J") + 1
                    negative = true
                default: throw FieldDecodingError(reason: "byte \(index + 1) is not a digit")
                }
            }
            guard digit <= 9 else { throw FieldDecodingError(reason: "byte \(index + 1) is not a digit") }
            value = value * 10 + Int128(digit)
        }
        return ExactDecimal.scaled(negative ? -value : value, scale: scale)
    }

    static func decodePacked(
        _ bytes: UnsafeRawBufferPointer, digits: Int, scale: Int
    ) throws(FieldDecodingError) -> ExactDecimal {
        var value: Int128 = 0
        let nibbleCount = bytes.count * 2
        // An even digit count leaves one leading padding nibble, which must be zero.
        let padding = nibbleCount - 1 - digits
        for nibbleIndex in 0..<(nibbleCount - 1) {
            let byte = bytes[nibbleIndex / 2]
            let nibble = nibbleIndex % 2 == 0 ? byte >> 4 : byte & 0x0F
            guard nibble <= 9 else { throw FieldDecodingError(reason: "nibble \(nibbleIndex + 1) is not a decimal digit") }
            if nibbleIndex < padding, nibble != 0 {
                throw FieldDecodingError(reason: "the padding nibble of an even-length packed field is not zero")
            }
            value = value * 10 + Int128(nibble)
        }
        let sign = bytes[bytes.count - 1] & 0x0F
        switch sign {
        case 0xC, 0xA, 0xE, 0xF: break
        case 0xD, 0xB: value = -value
        default: throw FieldDecodingError(reason: "invalid sign nibble \(String(sign, radix: 16, uppercase: true))")
        }
        return ExactDecimal.scaled(value, scale: scale)
    }

    /// IBM hexadecimal float: (-1)^sign × 0.fraction × 16^(exponent − 64).
    static func ibmFloat(_ bits: UInt64, size: Int) -> Double {
        let fractionBits = size == 4 ? 24 : 56
        let sign = (bits >> (size * 8 - 1)) & 1
        let exponent = Int((bits >> fractionBits) & 0x7F) - 64
        let fraction = Double(bits & ((1 << fractionBits) - 1)) / Double(UInt64(1) << fractionBits)
        let value = fraction * pow16(exponent)
        return sign == 1 ? -value : value
    }

    static func pow16(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<abs(exponent) { value *= 16 }
        return exponent < 0 ? 1 / value : value
    }

    /// Zero written with this field's decimals (`0.00`).
    var zeroText: String {
        switch self {
        case .zoned(_, let scale, _), .packed(_, let scale, _), .binary(_, let scale, _, _, _), .separateSign(_, let scale, _),
            .leadingSign(_, let scale):
            return ExactDecimal(significand: 0, scale: max(0, scale)).description
        case .edited(let picture): return ExactDecimal(significand: 0, scale: picture.scale).description
        default: return "0"
        }
    }
}
