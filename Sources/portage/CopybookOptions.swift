import ArgumentParser
import FixedWidth
import Foundation

/// The record layout options `decode`, `encode` and `layout` share.
struct CopybookOptions: ParsableArguments {
    @Option(help: "The COBOL copybook describing one record.")
    var copybook: String?

    @Option(
        name: .customLong("layout"),
        help: "A declared file layout (YAML: record types, structure and control totals, e.g. Contracts/formats/nacha-ach.yaml) instead of a copybook.")
    var fileLayoutPath: String?

    @Option(help: "Code page of the data: cp037 (default), cp273, cp277, cp278, cp280, cp284, cp285, cp297, cp500, cp871, cp1047, cp1140–cp1149, ascii, latin1, utf-8 (text fields hold UTF-8; lengths count bytes).")
    var encoding = "cp037"

    @Option(help: "FIELD=ENCODING,…: fields whose text is in another code page than --encoding.")
    var fieldEncoding: String?

    @Option(help: "JSON member names: camel (familyName) or cobol (CLIRESP_FAMILY_NAME).")
    var names: RecordLayout.Naming = .camel

    @Option(help: "A field whose bytes are not a valid value: error (the record fails), null, raw (hex text), or zero (a number of only spaces, LOW-VALUES or HIGH-VALUES reads as 0; anything else fails).")
    var invalid: RecordLayout.InvalidValuePolicy = .error

    @Option(help: "Numbers as JSON numbers (exact text, the default) or as strings (\"-125.40\").")
    var decimals: DecimalStyle = .number

    enum DecimalStyle: String, ExpressibleByArgument, CaseIterable {
        case number, string
    }

    @Option(help: "Text fields lose: none (every space kept), right (trailing spaces, the default) or both (leading and trailing).")
    var trim: TextTrim = .right

    @Option(help: "COMP-1/COMP-2 format: ibm (hexadecimal, mainframes) or ieee.")
    var float: RecordLayout.FloatFormat = .ibm

    @Option(help: "The field whose value says which REDEFINES alternative a record holds (multi-segment files).")
    var segmentField: String?

    @Option(help: "VALUE=GROUP,…: the group each value of --segment-field selects; the other groups are left out.")
    var segmentMap: String?

    func validate() throws {
        guard (copybook == nil) != (fileLayoutPath == nil) else {
            throw ValidationError("give either --copybook FILE or --layout FILE")
        }
    }

    /// The declared file layout, if `--layout` was given, or every problem with file, line and key.
    func fileLayout() throws -> FileLayout? {
        guard let path = fileLayoutPath else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the layout \(path)")
        }
        do {
            return try FileLayout(yaml: text, file: path)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The copybook's layout, or a message naming the copybook, line and problem.
    func recordLayout() throws -> RecordLayout {
        guard let copybook else { throw ValidationError("give --copybook FILE") }
        guard let codePage = CodePage.named(encoding) else {
            throw ValidationError("unknown encoding '\(encoding)'; one of \(CodePage.supportedNames.joined(separator: ", "))")
        }
        guard let data = FileManager.default.contents(atPath: copybook), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the copybook \(copybook)")
        }
        do {
            var layout = try RecordLayout(copybook: Copybook.parse(text, file: copybook), codePage: codePage, naming: names, floats: float)
            layout.invalidValues = invalid
            layout.textTrim = trim
            layout.decimalsAsStrings = decimals == .string
            for (pair, field, encoding) in Self.pairs(fieldEncoding) {
                guard let field, layout.fields[field.uppercased()] != nil, let page = encoding.flatMap(CodePage.named) else {
                    throw ValidationError("--field-encoding: '\(pair)' is not FIELD=ENCODING with a field of \(copybook) and a known encoding")
                }
                layout.fieldCodePages[field.uppercased()] = page
            }
            if let segmentField {
                guard layout.fields[segmentField.uppercased()] != nil else {
                    throw ValidationError("--segment-field \(segmentField) is not a field of \(copybook)")
                }
                var groups: [String: String] = [:]
                for (pair, value, group) in Self.pairs(segmentMap) {
                    guard let value, let group, layout.fields[group.uppercased()] != nil else {
                        throw ValidationError("--segment-map: '\(pair)' is not VALUE=GROUP with a group of \(copybook)")
                    }
                    groups[value] = group.uppercased()
                }
                guard !groups.isEmpty else { throw ValidationError("--segment-field needs --segment-map VALUE=GROUP,…") }
                layout.segments = RecordLayout.SegmentRule(field: segmentField.uppercased(), groups: groups)
            }
            return layout
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

extension CopybookOptions {
    /// `A=B,C=D` as (`A=B`, A, B)…; a pair without `=` gives nils to report.
    static func pairs(_ text: String?) -> [(pair: String, key: String?, value: String?)] {
        (text ?? "").split(separator: ",").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            return (String(pair), parts.count == 2 ? parts[0] : nil, parts.count == 2 ? parts[1] : nil)
        }
    }
}

extension RecordLayout.Naming: ExpressibleByArgument {}
extension RecordLayout.InvalidValuePolicy: ExpressibleByArgument {}
extension RecordLayout.FloatFormat: ExpressibleByArgument {}
extension TextTrim: ExpressibleByArgument {}
