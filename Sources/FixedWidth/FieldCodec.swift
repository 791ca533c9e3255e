import GatewayCore

/// How one elementary field is stored. Each case's byte diagram shows `PIC S9(3)V99` = -123.45.
public enum FieldCodec: Sendable, Hashable {
    /// `PIC X(n)` / `PIC A(n)`: one byte per character in the record's code page, padded with spaces.
    /// ```
    /// "AB" in PIC X(4), cp037:  C1 C2 40 40
    /// ```
    case alphanumeric(length: Int)
    /// USAGE DISPLAY numeric: one digit per byte, the sign overpunched in the last byte's zone.
    /// ```
    /// cp037:  F1 F2 F3 F4 D5     (zone F = digit, last zone C = +, D = −, F = unsigned)
    /// ascii:  31 32 33 34 75     ('5' + 0x40 = 'u': GnuCOBOL's negative; '{' 'A'–'I' / '}' 'J'–'R' also read)
    /// ```
    case zoned(digits: Int, scale: Int, signed: Bool)
    /// COMP-3: two digits per byte, the last nibble is the sign; an even digit count gets a leading 0 nibble.
    /// ```
    /// 12 34 5D                   (sign nibble C/A/E/F = +, D/B = −; written C, D, or F when unsigned)
    /// ```
    case packed(digits: Int, scale: Int, signed: Bool)
    /// COMP / COMP-4 / BINARY (and COMP-5 with `native`): big-endian two's complement in 2, 4 or 8 bytes.
    /// ```
    /// FF FF CF C7                (−12345 in a 4-byte field)
    /// ```
    case binary(digits: Int, scale: Int, signed: Bool, size: Int, native: Bool)
    /// Numeric-edited DISPLAY (`ZZ,ZZ9.99-`): printed digits, see `EditedPicture`.
    case edited(EditedPicture)

    public var size: Int {
        switch self {
        case .alphanumeric(let length): return length
        case .zoned(let digits, _, _): return digits
        case .packed(let digits, _, _): return digits / 2 + 1
        case .binary(_, _, _, let size, _): return size
        case .edited(let picture): return picture.size
        }
    }

    public var isNumeric: Bool {
        if case .alphanumeric = self { return false }
        return true
    }

    public var schema: ValueSchema {
        switch self {
        case .alphanumeric(let length): return .string(maxLength: length)
        case .zoned(let digits, let scale, let signed), .packed(let digits, let scale, let signed),
            .binary(let digits, let scale, let signed, _, _):
            return .decimal(integerDigits: digits - scale, fractionDigits: scale, signed: signed)
        case .edited(let picture):
            return .decimal(integerDigits: picture.digits - picture.scale, fractionDigits: picture.scale, signed: true)
        }
    }

    /// A short human description, e.g. `PIC S9(7)V99 COMP-3`.
    public var pictureDescription: String {
        func numeric(_ digits: Int, _ scale: Int, _ signed: Bool) -> String {
            let integer = digits - scale
            return (signed ? "S" : "") + (integer > 0 ? "9(\(integer))" : "") + (scale > 0 ? "V9(\(scale))" : "")
        }
        switch self {
        case .alphanumeric(let length): return "PIC X(\(length))"
        case .zoned(let digits, let scale, let signed): return "PIC " + numeric(digits, scale, signed)
        case .packed(let digits, let scale, let signed): return "PIC " + numeric(digits, scale, signed) + " COMP-3"
        case .binary(let digits, let scale, let signed, _, let native):
            return "PIC " + numeric(digits, scale, signed) + (native ? " COMP-5" : " COMP")
        case .edited(let picture): return "PIC " + picture.picture
        }
    }
}
