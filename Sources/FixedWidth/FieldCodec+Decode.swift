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
            // Control characters (binary data under a text picture, LOW-VALUES) read as spaces.
            var scalars = String.UnicodeScalarView()
            for index in 0..<bytes.count {
                let scalar = codePage.character(bytes[index])
                scalars.append(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? " " : scalar)
            }
            while scalars.last == " " { scalars.removeLast() }
            return .string(String(scalars))
        case .edited(let picture):
            let characters = bytes.map { Character(codePage.character($0)) }
            return .number(try picture.decode(characters).description)
        case .zoned(let digits, let scale, let signed):
            return .number(try Self.decodeZoned(bytes, digits: digits, scale: scale, signed: signed, codePage: codePage).description)
        case .packed(let digits, let scale, let signed):
            return .number(try Self.decodePacked(bytes, digits: digits, scale: scale, signed: signed).description)
        case .binary(_, let scale, let signed, _, _):
            var value: Int128 = 0
            for byte in bytes { value = value << 8 | Int128(byte) }
            if signed, bytes[0] & 0x80 != 0 { value -= Int128(1) << (8 * bytes.count) }
            return .number(ExactDecimal(significand: value, scale: scale).description)
        }
    }

    static func decodeZoned(
        _ bytes: UnsafeRawBufferPointer, digits: Int, scale: Int, signed: Bool, codePage: CodePage
    ) throws(FieldDecodingError) -> ExactDecimal {
        var value: Int128 = 0
        var negative = false
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let last = index == bytes.count - 1
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
        return ExactDecimal(significand: negative ? -value : value, scale: scale)
    }

    static func decodePacked(
        _ bytes: UnsafeRawBufferPointer, digits: Int, scale: Int, signed: Bool
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
        _ = signed
        return ExactDecimal(significand: value, scale: scale)
    }
}
