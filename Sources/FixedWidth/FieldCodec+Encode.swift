import GatewayCore

/// Why a value cannot be stored in a field, in both languages.
public struct FieldEncodingError: Error, Sendable {
    public var reason: LocalizedText
}

extension FieldCodec {
    /// Writes `value` into `bytes` (exactly `size` bytes), or says why it does not fit.
    public func encode(
        _ value: JSONValue, into bytes: UnsafeMutableRawBufferPointer, codePage: CodePage
    ) throws(FieldEncodingError) {
        switch self {
        case .alphanumeric(let length):
            let text = try Self.text(value)
            if codePage.isUTF8 {
                let utf8 = Array(text.utf8)
                try Self.check(utf8.count, fits: length, unit: ("bytes in UTF-8", "octets en UTF-8"))
                for index in 0..<length { bytes[index] = index < utf8.count ? utf8[index] : 0x20 }
                return
            }
            let scalars = Array(text.unicodeScalars)
            try Self.check(scalars.count, fits: length, unit: ("characters", "caractères"))
            for (index, scalar) in scalars.enumerated() {
                guard let byte = codePage.byte(scalar) else {
                    throw FieldEncodingError(reason: LocalizedText(
                        en: "character '\(scalar)' has no equivalent in \(codePage.name)",
                        fr: "le caractère « \(scalar) » n’existe pas dans \(codePage.name)"))
                }
                bytes[index] = byte
            }
            for index in scalars.count..<length { bytes[index] = codePage.space }
        case .national(let length):
            let units = Array(try Self.text(value).utf16)
            try Self.check(units.count, fits: length, unit: ("UTF-16 characters", "caractères UTF-16"))
            for index in 0..<length {
                let unit = index < units.count ? units[index] : 0x20
                bytes[2 * index] = UInt8(unit >> 8)
                bytes[2 * index + 1] = UInt8(unit & 0xFF)
            }
        case .justified(let length):
            try FieldCodec.alphanumeric(length: length).encode(value, into: bytes, codePage: codePage)
            var used = length
            while used > 0, bytes[used - 1] == codePage.space { used -= 1 }
            let shift = length - used
            if shift > 0, used > 0 {
                for index in stride(from: used - 1, through: 0, by: -1) { bytes[index + shift] = bytes[index] }
                for index in 0..<shift { bytes[index] = codePage.space }
            }
        case .separateSign(let digits, let scale, let leading):
            let decimal = try Self.fit(value, digits: digits, scale: scale, signed: true)
            let text = Self.significantDigits(decimal)
            let padded = Array(repeating: UInt8(0), count: digits - text.count) + text
            let first = leading ? 1 : 0
            for (index, digit) in padded.enumerated() { bytes[first + index] = codePage.digit(digit) }
            bytes[leading ? 0 : digits] = codePage.byte(decimal.isNegative ? "-" : "+") ?? codePage.space
        case .leadingSign(let digits, let scale):
            let decimal = try Self.fit(value, digits: digits, scale: scale, signed: true)
            Self.writeZoned(decimal, digits: digits, signed: true, signIndex: 0, into: bytes, codePage: codePage)
        case .float(let size, let ibm):
            guard let text = value.scalarText, let double = Double(text), double.isFinite else {
                throw FieldEncodingError(reason: LocalizedText(en: "not a number", fr: "pas un nombre"))
            }
            var bits: UInt64
            if ibm {
                guard let encoded = Self.ibmFloat(double, size: size) else {
                    throw FieldEncodingError(reason: LocalizedText(
                        en: "\(text) is outside the IBM floating-point range", fr: "\(text) dépasse la plage de la virgule flottante IBM"))
                }
                bits = encoded
            } else {
                bits = size == 4 ? UInt64(Float(double).bitPattern) : double.bitPattern
            }
            for index in stride(from: size - 1, through: 0, by: -1) {
                bytes[index] = UInt8(truncatingIfNeeded: bits)
                bits >>= 8
            }
        case .blankWhenZero(let codec):
            if let text = value.scalarText, let decimal = ExactDecimal(text), decimal.significand == 0 {
                for index in 0..<bytes.count { bytes[index] = codePage.space }
            } else {
                try codec.encode(value, into: bytes, codePage: codePage)
            }
        case .edited(let picture):
            let decimal = try Self.fit(value, digits: picture.digits, scale: picture.scale, signed: true)
            for (index, character) in picture.encode(decimal).enumerated() {
                bytes[index] = character.unicodeScalars.first.flatMap { codePage.byte($0) } ?? codePage.space
            }
        case .zoned(let digits, let scale, let signed):
            let decimal = try Self.fit(value, digits: digits, scale: scale, signed: signed)
            Self.writeZoned(decimal, digits: digits, signed: signed, signIndex: digits - 1, into: bytes, codePage: codePage)
        case .packed(let digits, let scale, let signed):
            let decimal = try Self.fit(value, digits: digits, scale: scale, signed: signed)
            let text = Self.significantDigits(decimal)
            let nibbleCount = bytes.count * 2 - 1
            let padded = Array(repeating: UInt8(0), count: nibbleCount - text.count) + text
            for index in 0..<bytes.count { bytes[index] = 0 }
            for (index, digit) in padded.enumerated() {
                bytes[index / 2] |= index % 2 == 0 ? digit << 4 : digit
            }
            bytes[bytes.count - 1] |= signed ? (decimal.isNegative ? 0x0D : 0x0C) : 0x0F
        case .binary(let digits, let scale, let signed, let size, let native):
            let decimal = try Self.fit(value, digits: native ? 38 : digits, scale: scale, signed: signed)
            let bits = size * 8
            let minimum: Int128 = signed ? -(Int128(1) << (bits - 1)) : 0
            let maximum: Int128 = signed ? (Int128(1) << (bits - 1)) - 1 : (Int128(1) << bits) - 1
            guard decimal.significand >= minimum, decimal.significand <= maximum else {
                throw FieldEncodingError(reason: LocalizedText(
                    en: "\(decimal) does not fit in \(size) bytes", fr: "\(decimal) ne tient pas dans \(size) octets"))
            }
            var raw = decimal.significand
            for index in stride(from: size - 1, through: 0, by: -1) {
                bytes[index] = UInt8(truncatingIfNeeded: raw & 0xFF)
                raw >>= 8
            }
        }
    }

    /// Zoned digits, the sign overpunched on the byte at `signIndex`.
    static func writeZoned(
        _ decimal: ExactDecimal, digits: Int, signed: Bool, signIndex: Int, into bytes: UnsafeMutableRawBufferPointer,
        codePage: CodePage
    ) {
        let text = significantDigits(decimal)
        let padded = Array(repeating: UInt8(0), count: digits - text.count) + text
        for (index, digit) in padded.enumerated() { bytes[index] = codePage.digit(digit) }
        guard signed else { return }
        let digit = padded[signIndex]
        if codePage.isEBCDIC {
            bytes[signIndex] = (decimal.isNegative ? 0xD0 : 0xC0) | digit
        } else if decimal.isNegative {
            bytes[signIndex] = 0x70 | digit
        }
    }

    /// IBM hexadecimal float bits for `value`, or nil outside the format's range.
    static func ibmFloat(_ value: Double, size: Int) -> UInt64? {
        guard value != 0 else { return 0 }
        let fractionBits = size == 4 ? 24 : 56
        var fraction = abs(value)
        var exponent = 64
        while fraction >= 1 {
            fraction /= 16
            exponent += 1
        }
        while fraction < 1.0 / 16 {
            fraction *= 16
            exponent -= 1
        }
        var mantissa = UInt64((fraction * Double(UInt64(1) << fractionBits)).rounded())
        if mantissa >= UInt64(1) << fractionBits {
            mantissa >>= 4
            exponent += 1
        }
        guard (0...127).contains(exponent) else { return nil }
        let sign: UInt64 = value < 0 ? 1 : 0
        return sign << (size * 8 - 1) | UInt64(exponent) << fractionBits | mantissa
    }

    /// The digits of the magnitude without leading zeros (none for zero).
    static func significantDigits(_ decimal: ExactDecimal) -> [UInt8] {
        Array(decimal.magnitudeDigits.drop { $0 == 0 })
    }

    /// The value as an exact decimal with the field's scale, if it fits its digits and sign.
    static func fit(_ value: JSONValue, digits: Int, scale: Int, signed: Bool) throws(FieldEncodingError) -> ExactDecimal {
        guard let text = value.scalarText, let decimal = ExactDecimal(text) else {
            let shown = value.scalarText.map { "'\($0)'" } ?? value.typeName
            throw FieldEncodingError(reason: LocalizedText(
                en: "\(shown) is not a number", fr: "\(shown) n’est pas un nombre"))
        }
        guard signed || !decimal.isNegative else {
            throw FieldEncodingError(reason: LocalizedText(
                en: "the field is unsigned and cannot hold \(decimal)", fr: "le champ est non signé et ne peut contenir \(decimal)"))
        }
        if scale < 0 {
            // `PIC 9(3)PP`: stored without its trailing zeros, which must be there.
            let divisor = Int128(ExactDecimal.scaled(1, scale: scale).significand)
            guard let whole = decimal.rescaled(to: 0), whole.significand % divisor == 0 else {
                throw FieldEncodingError(reason: LocalizedText(
                    en: "\(decimal) is not a multiple of \(divisor)", fr: "\(decimal) n’est pas un multiple de \(divisor)"))
            }
            let stored = ExactDecimal(significand: whole.significand / divisor, scale: 0)
            guard significantDigits(stored).count <= digits else {
                throw FieldEncodingError(reason: LocalizedText(
                    en: "\(decimal) has too many digits", fr: "\(decimal) a trop de chiffres"))
            }
            return stored
        }
        guard let scaled = decimal.rescaled(to: scale) else {
            throw FieldEncodingError(reason: LocalizedText(
                en: "\(decimal) has more than \(scale) decimal places", fr: "\(decimal) a plus de \(scale) décimales"))
        }
        guard significantDigits(scaled).count <= digits else {
            throw FieldEncodingError(reason: LocalizedText(
                en: "\(decimal) has more than \(digits - scale) digits before the decimal point",
                fr: "\(decimal) a plus de \(digits - scale) chiffres avant la virgule"))
        }
        return scaled
    }

    /// The text of a value for a text field, refusing control characters: they could forge record
    /// delimiters or confuse the backend's screens.
    static func text(_ value: JSONValue) throws(FieldEncodingError) -> String {
        guard let text = value.scalarText else {
            throw FieldEncodingError(reason: LocalizedText(
                en: "expected text, found \(value.typeName)", fr: "texte attendu, reçu : \(value.typeName)"))
        }
        if let control = text.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            let hex = String(control.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw FieldEncodingError(reason: LocalizedText(
                en: "control character \(code) is not allowed in a text field",
                fr: "le caractère de contrôle \(code) est interdit dans un champ texte"))
        }
        return text
    }

    static func check(_ count: Int, fits length: Int, unit: (en: String, fr: String)) throws(FieldEncodingError) {
        guard count <= length else {
            throw FieldEncodingError(reason: LocalizedText(
                en: "\(count) \(unit.en) is longer than the field's \(length)",
                fr: "\(count) \(unit.fr) dépassent les \(length) du champ"))
        }
    }
}
