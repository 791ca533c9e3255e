import FixedWidth
import GatewayCore
import Testing

@Suite("SIGN, SYNC, JUSTIFIED, BLANK WHEN ZERO, P scaling and floating point")
struct UsageClauseTests {
    static let copybook = """
               01  R.
                   05  R-LEAD-SEP   PIC S9(3)V9 SIGN LEADING SEPARATE CHARACTER.
                   05  R-TRAIL-SEP  PIC S9(3) SIGN IS TRAILING SEPARATE.
                   05  R-LEAD       PIC S9(3) SIGN LEADING.
                   05  R-NAME       PIC X(6) JUSTIFIED RIGHT.
                   05  R-BLANK      PIC 9(3)V99 BLANK WHEN ZERO.
                   05  R-HUNDREDS   PIC 9(3)PP.
                   05  R-TINY       PIC VPP99.
                   05  R-FLAG       PIC X.
                   05  R-COUNT      PIC S9(8) COMP SYNC.
                   05  R-RATE       COMP-1.
                   05  R-BIG        COMP-2.
        """

    @Test func layoutHonoursTheClauses() throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.copybook), codePage: .cp037)
        #expect(layout.fields["R-LEAD-SEP"]?.size == 5)
        #expect(layout.fields["R-TRAIL-SEP"]?.size == 4)
        // R-FLAG ends at byte 29; SYNC moves the 4-byte binary to the next multiple of 4.
        #expect(layout.absoluteOffset(of: "R-FLAG") == 28)
        #expect(layout.absoluteOffset(of: "R-COUNT") == 32)
        #expect(layout.fields["R-RATE"]?.size == 4)
        #expect(layout.fields["R-BIG"]?.size == 8)
    }

    @Test func valuesRoundTripThroughTheBytesCOBOLWrites() throws {
        let layout = try RecordLayout(copybook: Copybook.parse(Self.copybook), codePage: .cp037)
        let record: JSONObject = [
            "leadSep": .number("-12.5"), "trailSep": 42, "lead": -123, "name": "AB", "blank": .number("0.00"),
            "hundreds": 12300, "tiny": .number("0.0012"), "flag": "Y", "count": -7, "rate": .number("1.5"), "big": .number("-0.1"),
        ]
        let bytes = try layout.encode(record)
        #expect(Array(bytes[0..<5]) == [0x60, 0xF0, 0xF1, 0xF2, 0xF5], "leading separate '-' then digits")
        #expect(Array(bytes[5..<9]) == [0xF0, 0xF4, 0xF2, 0x4E], "trailing separate '+'")
        #expect(Array(bytes[9..<12]) == [0xD1, 0xF2, 0xF3], "leading overpunch: D1 is -1")
        #expect(Array(bytes[12..<18]) == [0x40, 0x40, 0x40, 0x40, 0xC1, 0xC2], "right-justified")
        #expect(Array(bytes[18..<23]) == [0x40, 0x40, 0x40, 0x40, 0x40], "blank when zero")
        #expect(Array(bytes[23..<26]) == [0xF1, 0xF2, 0xF3], "12300 stored as 123 with PP")
        #expect(Array(bytes[36..<40]) == [0x41, 0x18, 0x00, 0x00], "1.5 in IBM hexadecimal float")
        let decoded = try layout.decode(bytes)
        #expect(decoded["leadSep"] == .number("-12.5"))
        #expect(decoded["trailSep"] == 42)
        #expect(decoded["lead"] == -123)
        #expect(decoded["name"] == "AB")
        #expect(decoded["blank"] == .number("0.00"))
        #expect(decoded["hundreds"] == 12300)
        #expect(decoded["tiny"] == .number("0.0012"))
        #expect(decoded["count"] == -7)
        #expect(decoded["rate"] == .number("1.5"))
        #expect(decoded["big"] == .number("-0.1"))
        #expect(try layout.encode(decoded) == bytes)
    }

    @Test func ieeeFloatsAndScalingErrors() throws {
        let codec = FieldCodec.float(size: 8, ibm: false)
        var bytes = [UInt8](repeating: 0, count: 8)
        try bytes.withUnsafeMutableBytes { try codec.encode(.number("2.5"), into: $0, codePage: .ascii) }
        #expect(bytes == [0x40, 0x04, 0, 0, 0, 0, 0, 0])
        let layout = try RecordLayout(copybook: Copybook.parse(Self.copybook), codePage: .cp037)
        #expect(throws: RecordEncodingError.self) { try layout.encode(fields: [("R-HUNDREDS", 12345)]) }
    }
}
