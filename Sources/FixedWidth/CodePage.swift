/// A single-byte character set: EBCDIC code pages and ASCII, with lookup tables both ways.
///
/// Decoding maps each byte to one Unicode scalar; encoding refuses characters the code page lacks.
public struct CodePage: Sendable, Hashable {
    public let name: String
    /// Byte → Unicode scalar value.
    let toUnicode: [UInt16]
    /// Unicode scalar value (< 256) → byte; 0xFFFF where the code page has no such character.
    let fromUnicode: [UInt16]
    /// The byte for a space, used to pad text fields.
    public let space: UInt8
    public let isEBCDIC: Bool
    /// UTF-8: text fields hold UTF-8 (a field's length counts bytes); numbers are ASCII digits.
    public let isUTF8: Bool

    init(name: String, toUnicode: [UInt16], isEBCDIC: Bool, isUTF8: Bool = false) {
        self.name = name
        self.toUnicode = toUnicode
        var reverse = [UInt16](repeating: 0xFFFF, count: 256)
        for (byte, scalar) in toUnicode.enumerated() where scalar < 256 && reverse[Int(scalar)] == 0xFFFF {
            reverse[Int(scalar)] = UInt16(byte)
        }
        self.fromUnicode = reverse
        self.space = UInt8(reverse[0x20])
        self.isEBCDIC = isEBCDIC
        self.isUTF8 = isUTF8
    }

    /// The code pages by their declaration names (`cp037`, `ibm-1047`, `ascii`…).
    public static func named(_ name: String) -> CodePage? {
        let key = name.lowercased().replacingOccurrences(of: "ibm-", with: "cp").replacingOccurrences(of: "ibm", with: "cp")
        switch key {
        case "ebcdic": return .cp037
        case "ascii", "us-ascii": return .ascii
        case "latin1", "iso-8859-1": return .latin1
        case "utf-8", "utf8": return .utf8
        default: return ebcdicPages.first { $0.name == key }
        }
    }

    public static var supportedNames: [String] { ebcdicPages.map(\.name) + ["ascii", "latin1", "utf-8"] }

    @inline(__always)
    public func character(_ byte: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(toUnicode[Int(byte)])!
    }

    /// The byte for `scalar`, or nil if this code page cannot represent it.
    @inline(__always)
    public func byte(_ scalar: Unicode.Scalar) -> UInt8? {
        guard scalar.value < 256 else {
            // The few characters above U+00FF (the euro sign in cp1140–cp1149): a rare linear search.
            return toUnicode.firstIndex(of: UInt16(truncatingIfNeeded: scalar.value)).flatMap {
                scalar.value <= 0xFFFF && scalar.value != 0xFFFD ? UInt8($0) : nil
            }
        }
        let byte = fromUnicode[Int(scalar.value)]
        return byte == 0xFFFF ? nil : UInt8(byte)
    }

    /// The byte of a decimal digit 0–9.
    @inline(__always)
    func digit(_ value: UInt8) -> UInt8 { isEBCDIC ? 0xF0 | value : 0x30 | value }

    /// ASCII plus up to 128 other characters at 0x80…: how a UTF-8 line is read one byte per
    /// character (declared layouts measure UTF-8 fields in characters).
    static func ascii(with extra: [UInt16]) -> CodePage {
        var table = (0..<256).map { $0 < 0x80 ? UInt16($0) : 0xFFFD }
        for (index, character) in extra.prefix(128).enumerated() { table[0x80 + index] = character }
        return CodePage(name: "utf-8", toUnicode: table, isEBCDIC: false)
    }

    public static let ascii = CodePage(
        name: "ascii", toUnicode: (0..<256).map { $0 < 128 ? UInt16($0) : 0xFFFD }, isEBCDIC: false)
    public static let latin1 = CodePage(name: "latin1", toUnicode: (0..<256).map { UInt16($0) }, isEBCDIC: false)
    public static let utf8 = CodePage(
        name: "utf-8", toUnicode: (0..<256).map { $0 < 128 ? UInt16($0) : 0xFFFD }, isEBCDIC: false, isUTF8: true)

}
