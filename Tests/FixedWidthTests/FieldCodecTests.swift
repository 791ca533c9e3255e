import FixedWidth
import GatewayCore
import Testing

@Suite("Field codecs")
struct FieldCodecTests {
    func encode(_ codec: FieldCodec, _ value: JSONValue, _ page: CodePage = .cp037) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: codec.size)
        try bytes.withUnsafeMutableBytes { try codec.encode(value, into: $0, codePage: page) }
        return bytes
    }

    func decode(_ codec: FieldCodec, _ bytes: [UInt8], _ page: CodePage = .cp037) throws -> JSONValue {
        try bytes.withUnsafeBytes { try codec.decode($0, codePage: page) }
    }

    @Test func packedDecimalMatchesTheByteDiagram() throws {
        let signed = FieldCodec.packed(digits: 5, scale: 2, signed: true)
        #expect(try encode(signed, .number("-123.45")) == [0x12, 0x34, 0x5D])
        #expect(try encode(signed, .number("123.45")) == [0x12, 0x34, 0x5C])
        #expect(try decode(signed, [0x12, 0x34, 0x5D]) == .number("-123.45"))
        #expect(try decode(signed, [0x00, 0x01, 0x0B]) == .number("-0.10"), "B is a negative sign nibble")
        let unsigned = FieldCodec.packed(digits: 4, scale: 0, signed: false)
        #expect(try encode(unsigned, 1234) == [0x01, 0x23, 0x4F])
        #expect(try decode(unsigned, [0x01, 0x23, 0x4F]) == .number("1234"))
        #expect(throws: FieldDecodingError.self) { try decode(signed, [0x12, 0x3A, 0x5C]) }
        #expect(throws: FieldDecodingError.self) { try decode(signed, [0x12, 0x34, 0x56]) }
    }

    @Test func zonedDecimalInEBCDICAndASCII() throws {
        let codec = FieldCodec.zoned(digits: 6, scale: 2, signed: true)
        #expect(try encode(codec, .number("-123.45")) == [0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xD5])
        #expect(try decode(codec, [0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xC5]) == .number("123.45"))
        #expect(try encode(codec, .number("-123.45"), .ascii) == Array("01234u".utf8))
        #expect(try decode(codec, Array("01234u".utf8), .ascii) == .number("-123.45"))
        #expect(try decode(codec, Array("01234N".utf8), .ascii) == .number("-123.45"), "mainframe overpunch in ASCII")
        #expect(try decode(codec, Array("01234E".utf8), .ascii) == .number("123.45"))
        #expect(throws: FieldDecodingError.self) { try decode(codec, Array("01 34E".utf8), .ascii) }
        #expect(throws: FieldDecodingError.self) { try decode(codec, [0xF0, 0xF1, 0xC2, 0xF3, 0xF4, 0xC5]) }
    }

    @Test func binaryIsBigEndianTwosComplement() throws {
        let codec = FieldCodec.binary(digits: 9, scale: 0, signed: true, size: 4, native: false)
        #expect(try encode(codec, -12345) == [0xFF, 0xFF, 0xCF, 0xC7])
        #expect(try decode(codec, [0xFF, 0xFF, 0xCF, 0xC7]) == .number("-12345"))
        #expect(throws: FieldEncodingError.self) { try encode(codec, .number("1234567890")) }
    }

    @Test func textInCp037WithAccents() throws {
        let codec = FieldCodec.alphanumeric(length: 6)
        let bytes = try encode(codec, "Côté")
        #expect(bytes == [0xC3, 0xCB, 0xA3, 0x51, 0x40, 0x40])
        #expect(try decode(codec, bytes) == "Côté")
    }

    @Test func valuesThatDoNotFitSayWhyInBothLanguages() throws {
        let text = FieldCodec.alphanumeric(length: 3)
        let number = FieldCodec.zoned(digits: 4, scale: 1, signed: false)
        func reason(_ codec: FieldCodec, _ value: JSONValue) -> LocalizedText? {
            do {
                _ = try encode(codec, value)
                return nil
            } catch let error as FieldEncodingError {
                return error.reason
            } catch {
                return nil
            }
        }
        #expect(reason(text, "ABCD")?.en == "4 characters is longer than the field's 3")
        #expect(reason(text, "€")?.fr.contains("n’existe pas dans cp037") == true)
        #expect(reason(number, "12A")?.en == "'12A' is not a number")
        #expect(reason(number, .number("1.25"))?.en.contains("more than 1 decimal places") == true)
        #expect(reason(number, .number("1234"))?.en.contains("more than 3 digits before the decimal point") == true)
        #expect(reason(number, .number("-1"))?.en.contains("unsigned") == true)
    }

    @Test func decodingErrorsNameFieldOffsetAndBytes() throws {
        let layout = try RecordLayout(
            copybook: Copybook.parse("       01  R.\n           05  R-ID  PIC X(2).\n           05  R-AMT PIC S9(3) COMP-3.\n"),
            codePage: .cp037)
        #expect {
            try layout.decode([0xC1, 0xC2, 0x12, 0x35])
        } throws: { error in
            guard let error = error as? RecordDecodingError else { return false }
            return error.field == "R.R-AMT" && error.offset == 2 && error.hex == "1235" && error.reason.contains("sign")
        }
    }
}

@Suite("Hostile records")
struct HostileRecordTests {
    /// Random bytes of random lengths never crash the decoder: they decode or fail with a reason.
    @Test func randomBytesNeverCrashTheDecoder() throws {
        let layout = try RecordLayout(copybook: Copybook.parse(CopybookLayoutTests.clientResponse), codePage: .cp037)
        let wide = try RecordLayout(
            copybook: Copybook.parse("       01  W.\n           05  W-A PIC 9(38) COMP-3.\n           05  W-B PIC S9(38).\n           05  W-C PIC 9(18) COMP.\n"),
            codePage: .ascii)
        var generator = SystemRandomNumberGenerator()
        var decoded = 0
        for round in 0..<3000 {
            let target = round.isMultiple(of: 2) ? layout : wide
            let length = Int.random(in: 0...(target.length + 4), using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if (try? target.decode(bytes)) != nil { decoded += 1 }
        }
        #expect(decoded < 3000)
    }

    @Test func smallestFieldsEncodeTheirExtremes() throws {
        let fraction = FieldCodec.zoned(digits: 1, scale: 1, signed: false)
        var bytes = [UInt8](repeating: 0, count: 1)
        try bytes.withUnsafeMutableBytes { try fraction.encode(.number("0.5"), into: $0, codePage: .ascii) }
        #expect(bytes == Array("5".utf8))
        let packed = FieldCodec.packed(digits: 38, scale: 0, signed: true)
        var wide = [UInt8](repeating: 0, count: packed.size)
        try wide.withUnsafeMutableBytes { try packed.encode(.number(String(repeating: "9", count: 38)), into: $0, codePage: .ascii) }
        #expect(try wide.withUnsafeBytes { try packed.decode($0, codePage: .ascii) } == .number(String(repeating: "9", count: 38)))
        wide[0] = 0x90
        #expect(throws: FieldDecodingError.self) { try wide.withUnsafeBytes { try packed.decode($0, codePage: .ascii) } }
    }
}

@Suite("Code pages")
struct CodePageTests {
    @Test(arguments: CodePage.supportedNames)
    func everyCodePageRoundTripsItsCharacters(name: String) throws {
        let page = try #require(CodePage.named(name))
        var mapped = 0
        for byte in 0...255 {
            let scalar = page.character(UInt8(byte))
            guard scalar.value != 0xFFFD, let back = page.byte(scalar) else { continue }
            #expect(page.character(back) == scalar)
            mapped += 1
        }
        #expect(mapped >= 128)
        if page.isEBCDIC {
            #expect(page.space == 0x40)
            #expect(page.character(0xF0) == "0" && page.character(0xC1) == "A" && page.character(0x81) == "a")
        }
    }

    @Test func nationalCharactersAndTheEuro() throws {
        #expect(CodePage.cp273.character(0x4A) == "Ä")
        #expect(CodePage.cp297.character(0x7C) == "à")
        #expect(CodePage.cp1140.character(0x9F) == "€")
        #expect(CodePage.cp1140.byte("€") == 0x9F)
        #expect(CodePage.cp037.byte("€") == nil)
        #expect(CodePage.named("IBM-1047")?.name == "cp1047")
    }
}
