import FixedWidth
import Foundation
import GatewayCore

/// Feeds arbitrary bytes to the fixed-width engine: copybook parsing, record decoding in several
/// layouts and code pages, file framing, and JSON-to-record encoding. Nothing may crash or hang;
/// errors are expected. Built with `-sanitize=fuzzer` it is a libFuzzer target (`scripts/fuzz`);
/// built normally it replays inputs (`FixedWidthFuzz FILE...`), which `scripts/test` does with
/// `Tests/FuzzCorpus` so every kept crasher stays a regression test.
enum FuzzTarget {
    static let copybooks = [
        """
               01  R.
                   05  R-TEXT      PIC X(5).
                   05  R-ZONED     PIC S9(5)V99.
                   05  R-PACKED    PIC S9(9)V99 COMP-3.
                   05  R-BIN       PIC S9(9) COMP.
                   05  R-EDIT      PIC -ZZ,ZZ9.99.
                   05  R-SEP       PIC S9(3) SIGN LEADING SEPARATE.
                   05  R-FLOAT     COMP-2.
                   05  R-ALT REDEFINES R-FLOAT PIC X(8).
                   05  R-COUNT     PIC 9(2).
                   05  R-ITEM OCCURS 0 TO 5 DEPENDING ON R-COUNT.
                       10  R-CODE  PIC X(2).
                       10  R-AMT   PIC S9(3) COMP-3.
        """,
        """
               01  W.
                   05  W-A  PIC 9(38) COMP-3.
                   05  W-B  PIC S9(38).
                   05  W-C  PIC 9(18) COMP-5.
                   05  W-D  PIC 9(3)PP.
                   05  W-E  PIC X(4) JUSTIFIED RIGHT.
                   05  W-F  PIC 9(4) BLANK WHEN ZERO.
        """,
    ]

    /// Layouts the fast JSON writer compiles: it must agree with the general decoder byte for byte.
    static let plainCopybook = """
               01  P.
                   05  P-TEXT      PIC X(6).
                   05  P-JUST      PIC X(3) JUSTIFIED RIGHT.
                   05  P-ZONED     PIC S9(5)V99.
                   05  P-UZONED    PIC 9(3).
                   05  P-SMALL     PIC SV9(3).
                   05  P-PACKED    PIC S9(9)V99 COMP-3.
                   05  P-EVEN      PIC 9(4) COMP-3.
                   05  P-BIN       PIC S9(4) COMP.
                   05  P-BIN8      PIC 9(18) COMP-5.
                   05  P-NAT       PIC N(2).
                   05  P-EDIT      PIC ZZ9.99-.
                   05  P-ROWS OCCURS 2.
                       10  P-ROW-A PIC X(2).
                       10  P-ROW-B PIC S9(3) COMP-3.
        """

    static let plainLayouts: [(RecordLayout, RecordJSONWriter)] = [CodePage.cp037, .ascii, .cp273].flatMap { page in
        [false, true].compactMap { strings in
            guard var layout = try? RecordLayout(copybook: Copybook.parse(plainCopybook), codePage: page) else { return nil }
            layout.decimalsAsStrings = strings
            return RecordJSONWriter(layout: layout).map { (layout, $0) }
        }
    }

    /// A declared file layout with nesting and control totals, read from UTF-8 lines.
    static let fileLayout = try? FileLayout(yaml: """
        layout: fuzz
        encoding: utf-8
        record-length: 12
        short-records: pad
        records:
          head: { when: { start: 1, equals: H }, fields: [{ name: id, start: 2, length: 3, type: number }] }
          item:
            when: { start: 1, equals: I }
            fields:
              - { name: amount, start: 2, length: 5, type: number, scale: 2 }
              - { name: rows, start: 7, length: 2, occurs: 3, omit-blank: true, fields: [{ name: code, start: 1, length: 2 }] }
          tail: { when: { start: 1, equals: T }, fields: [{ name: total, start: 2, length: 8, type: number, scale: 2 }, { name: id, start: 10, length: 3, type: number }] }
          pad: { when: { start: 1, fill: "9" }, output: false, fields: [{ name: x, start: 1, length: 12 }] }
        structure:
          file: { header: head, contains: [item], trailer: tail, then: [pad] }
        checks:
          - { scope: file, field: tail.total, sum: item.amount, modulo: 100000 }
          - { scope: file, same: [id] }
          - { scope: file, field: tail.id, count: item.rows }
        """, file: "fuzz.yaml")

    static let layouts: [RecordLayout] = copybooks.flatMap { text in
        [CodePage.cp037, .cp1141, .ascii].compactMap { page in try? RecordLayout(copybook: Copybook.parse(text), codePage: page) }
    }

    static let formats: [RecordFormat] = [
        .fixed(length: 7), .variable(bigEndian: true, lengthIncludesHeader: true),
        .variable(bigEndian: false, lengthIncludesHeader: false), .variableBlocked(bigEndian: true, lengthIncludesHeader: true), .lines,
    ]

    static func run(_ data: UnsafeRawBufferPointer) {
        guard let selector = data.first else { return }
        let body = Array(data.dropFirst())
        switch selector % 6 {
        case 4:
            let (layout, writer) = plainLayouts[Int(selector / 6) % plainLayouts.count]
            let expected = (try? layout.decode(body)).map { JSONWriter().bytes(.object($0)) }
            var output = [UInt8](repeating: 0, count: writer.maximumOutputSize)
            let count = body.withUnsafeBytes { bytes in output.withUnsafeMutableBufferPointer { writer.write(bytes, to: $0.baseAddress!) } }
            if body.count >= layout.length {
                precondition(count.map { Array(output[0..<$0]) } == expected, "the fast writer disagrees with the general decoder")
            }
        case 5:
            if let fileLayout { _ = FileDecoder.decode(body, layout: fileLayout) }
        case 0:
            var layout = layouts[Int(selector / 4) % layouts.count]
            layout.invalidValues = selector & 0x80 == 0 ? .error : .raw
            _ = try? layout.decode(body)
        case 1:
            if let layout = try? RecordLayout(copybook: Copybook.parse(String(decoding: body, as: UTF8.self)), codePage: .cp037),
                layout.length <= 1 << 16
            {
                _ = try? layout.decode(body)
                _ = try? layout.encode(fields: [])
            }
        case 2:
            var reader = RecordReader(format: formats[Int(selector / 4) % formats.count], bytes: body)
            var count = 0
            while count < 10_000, let record = try? reader.next() {
                _ = try? layouts[0].decode(Array(record.bytes))
                count += 1
            }
        default:
            if case .object(let object)? = try? JSONParser.parse(body) {
                let layout = layouts[Int(selector / 4) % layouts.count]
                if let bytes = try? layout.encode(object) { _ = try? layout.decode(bytes) }
            }
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main`; this one hands control to
/// libFuzzer's driver (its own `main` is then not linked in).
@_cdecl("FixedWidthFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzerTestOneInput)
}
#else
@main
struct FuzzReplay {
    static func main() throws {
        var replayed = 0
        for path in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("FixedWidthFuzz: no such file \(path)\n".utf8))
                exit(2)
            }
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" } : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                data.withUnsafeBytes { FuzzTarget.run($0) }
                replayed += 1
            }
        }
        print("FixedWidthFuzz: replayed \(replayed) inputs without a crash")
    }
}
#endif
