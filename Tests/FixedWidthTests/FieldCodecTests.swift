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
