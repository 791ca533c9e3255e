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
    /// DISPLAY with `SIGN LEADING|TRAILING SEPARATE`: plain digits and a `+`/`-` byte.
    /// ```
    /// leading:  60 F1 F2 F3 F4 F5    ("-12345")      trailing:  F1 F2 F3 F4 F5 60
    /// ```
    case separateSign(digits: Int, scale: Int, leading: Bool)
    /// DISPLAY with `SIGN LEADING` (not separate): the sign overpunched in the first byte's zone.
    case leadingSign(digits: Int, scale: Int)
    /// COMP-1 (4 bytes) and COMP-2 (8 bytes): IBM hexadecimal or IEEE 754 floating point, big-endian.
    /// ```
    /// IBM: [ sign | 7-bit exponent, excess 64, base 16 ][ 24- or 56-bit fraction ]   1.0 = 41 10 00 00
    /// ```
    case float(size: Int, ibm: Bool)
    /// `PIC X(n) JUSTIFIED RIGHT`: padded on the left.
    case justified(length: Int)
    /// `PIC N(n)` (USAGE NATIONAL): `n` UTF-16 big-endian characters, padded with U+0020.
    /// ```
    /// "Lé" in PIC N(3):  00 4C 00 E9 00 20
    /// ```
    case national(length: Int)
    /// `BLANK WHEN ZERO`: zero is all spaces; spaces read as zero.
    indirect case blankWhenZero(FieldCodec)

    public var size: Int {
        switch self {
        case .alphanumeric(let length): return length
        case .zoned(let digits, _, _): return digits
        case .packed(let digits, _, _): return digits / 2 + 1
        case .binary(_, _, _, let size, _): return size
        case .edited(let picture): return picture.size
        case .separateSign(let digits, _, _): return digits + 1
        case .leadingSign(let digits, _): return digits
        case .float(let size, _): return size
        case .justified(let length): return length
        case .national(let length): return length * 2
        case .blankWhenZero(let codec): return codec.size
        }
    }

    /// The boundary SYNCHRONIZED aligns this item to, if any (binary and floating items).
    var alignment: Int? {
        switch self {
        case .binary(_, _, _, let size, _), .float(let size, _): return size
        default: return nil
        }
    }

    public var isNumeric: Bool {
        switch self {
        case .alphanumeric, .justified, .national: return false
        default: return true
        }
    }

    public var schema: ValueSchema {
        switch self {
        case .alphanumeric(let length), .justified(let length), .national(let length): return .string(maxLength: length)
        case .zoned(let digits, let scale, let signed), .packed(let digits, let scale, let signed),
            .binary(let digits, let scale, let signed, _, _):
            return .decimal(integerDigits: max(0, digits - scale), fractionDigits: max(0, scale), signed: signed)
        case .separateSign(let digits, let scale, _), .leadingSign(let digits, let scale):
            return .decimal(integerDigits: max(0, digits - scale), fractionDigits: max(0, scale), signed: true)
        case .float:
            return .decimal(integerDigits: 38, fractionDigits: 38, signed: true)
        case .blankWhenZero(let codec):
            return codec.schema
        case .edited(let picture):
            return .decimal(integerDigits: picture.digits - picture.scale, fractionDigits: picture.scale, signed: true)
        }
    }

    /// A short human description, e.g. `PIC S9(7)V99 COMP-3`.
    public var pictureDescription: String {
        func numeric(_ digits: Int, _ scale: Int, _ signed: Bool) -> String {
            let integer = digits - scale
            if scale < 0 { return (signed ? "S" : "") + "9(\(digits))P(\(-scale))" }
            return (signed ? "S" : "") + (integer > 0 ? "9(\(integer))" : "") + (scale > 0 ? "V9(\(min(scale, digits)))" : "")
        }
        switch self {
        case .alphanumeric(let length): return "PIC X(\(length))"
        case .zoned(let digits, let scale, let signed): return "PIC " + numeric(digits, scale, signed)
        case .packed(let digits, let scale, let signed): return "PIC " + numeric(digits, scale, signed) + " COMP-3"
        case .binary(let digits, let scale, let signed, _, let native):
            return "PIC " + numeric(digits, scale, signed) + (native ? " COMP-5" : " COMP")
        case .edited(let picture): return "PIC " + picture.picture
        case .separateSign(let digits, let scale, let leading):
            return "PIC " + numeric(digits, scale, true) + (leading ? " SIGN LEADING" : " SIGN TRAILING") + " SEPARATE"
        case .leadingSign(let digits, let scale): return "PIC " + numeric(digits, scale, true) + " SIGN LEADING"
        case .float(let size, let ibm): return (size == 4 ? "COMP-1" : "COMP-2") + (ibm ? " (IBM)" : " (IEEE)")
        case .justified(let length): return "PIC X(\(length)) JUSTIFIED RIGHT"
        case .national(let length): return "PIC N(\(length))"
        case .blankWhenZero(let codec): return codec.pictureDescription + " BLANK WHEN ZERO"
        }
    }
}
