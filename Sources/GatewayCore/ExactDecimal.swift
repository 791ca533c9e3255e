/// An exact decimal of up to 38 significant digits with its scale kept (`123.40` stays `123.40`).
///
/// COBOL numbers and money never pass through `Double`: the value is an `Int128` significand and a
/// count of digits after the decimal point.
public struct ExactDecimal: Sendable, Hashable, CustomStringConvertible {
    public static let maximumDigits = 38

    public var significand: Int128
    public var scale: Int

    public init(significand: Int128, scale: Int) {
        self.significand = significand
        self.scale = scale
    }

    /// Parses plain decimal text (`-12.50`, `+7`, `0003`) or a JSON number with an exponent.
    /// Returns nil for anything else, for more than 38 digits, or for text over 128 bytes.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count <= 128 else { return nil }
        var negative = false
        var digits: [UInt8] = []
        var scale = 0
        var seenPoint = false
        var exponent = 0
        var utf8 = Substring(text).utf8[...]
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        var sawDigit = false
        while let byte = utf8.first {
            if (48...57).contains(byte) {
                sawDigit = true
                digits.append(byte - 48)
                if seenPoint { scale += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let value = Int(String(Substring(utf8.dropFirst()))), value > -100, value < 100 else { return nil }
                exponent = value
                utf8 = utf8[utf8.endIndex...]
                break
            } else {
                return nil
            }
            utf8 = utf8.dropFirst()
        }
        guard sawDigit else { return nil }
        scale -= exponent
        if scale < 0 {
            digits.append(contentsOf: repeatElement(0, count: -scale))
            scale = 0
        }
        let leadingZeros = digits.prefix { $0 == 0 }.count
        digits.removeFirst(max(0, min(leadingZeros, digits.count - (scale + 1))))
        guard digits.count <= Self.maximumDigits else { return nil }
        var value: Int128 = 0
        for digit in digits { value = value * 10 + Int128(digit) }
        self.init(significand: negative ? -value : value, scale: scale)
    }

    public var isNegative: Bool { significand < 0 }

    /// A value stored with `scale` decimals, where a negative scale (COBOL's `P` positions on the
    /// right, `PIC 9(3)PP`) means trailing zeros: the result always has a scale of zero or more.
    public static func scaled(_ significand: Int128, scale: Int) -> ExactDecimal {
        guard scale < 0 else { return ExactDecimal(significand: significand, scale: scale) }
        var value = significand
        for _ in 0..<(-scale) { value = value.multipliedReportingOverflow(by: 10).overflow ? value : value * 10 }
        return ExactDecimal(significand: value, scale: 0)
    }

    /// The absolute digits as text, left-padded with zeros to at least `scale + 1` digits.
    public var magnitudeDigits: [UInt8] {
        var magnitude = significand.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        while digits.count < scale + 1 { digits.append(0) }
        return digits.reversed()
    }

    /// The same value with exactly `newScale` fraction digits, or nil if digits would be lost.
    public func rescaled(to newScale: Int) -> ExactDecimal? {
        if newScale == scale { return self }
        if newScale > scale {
            var value = significand
            for _ in 0..<(newScale - scale) {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                value = product
            }
            return ExactDecimal(significand: value, scale: newScale)
        }
        var value = significand
        for _ in 0..<(scale - newScale) {
            if value % 10 != 0 { return nil }
            value /= 10
        }
        return ExactDecimal(significand: value, scale: newScale)
    }

    /// Canonical text: `-123.40`, `0.05`, `7`. Written straight into the string's storage, with
    /// 64-bit arithmetic when the magnitude fits (128-bit division is the slow part).
    public var description: String {
        let magnitude = significand.magnitude
        let digitCount = max(Self.digitCount(magnitude), scale + 1)
        let length = digitCount + (isNegative ? 1 : 0) + (scale > 0 ? 1 : 0)
        return String(unsafeUninitializedCapacity: length) { buffer in
            var position = length
            var remaining = magnitude
            var written = 0
            @inline(__always) func put(_ byte: UInt8) {
                position -= 1
                buffer[position] = byte
            }
            if remaining <= UInt128(UInt64.max) {
                var small = UInt64(remaining)
                while written < digitCount {
                    if written == scale, scale > 0 { put(UInt8(ascii: ".")) }
                    put(UInt8(truncatingIfNeeded: small % 10) + 48)
                    small /= 10
                    written += 1
                }
            } else {
                while written < digitCount {
                    if written == scale, scale > 0 { put(UInt8(ascii: ".")) }
                    put(UInt8(truncatingIfNeeded: remaining % 10) + 48)
                    remaining /= 10
                    written += 1
                }
            }
            if isNegative { put(UInt8(ascii: "-")) }
            return length
        }
    }

    static func digitCount(_ value: UInt128) -> Int {
        var count = 1
        var remaining = value
        if remaining <= UInt128(UInt64.max) {
            var small = UInt64(remaining)
            while small >= 10 {
                small /= 10
                count += 1
            }
            return count
        }
        while remaining >= 10 {
            remaining /= 10
            count += 1
        }
        return count
    }
}
