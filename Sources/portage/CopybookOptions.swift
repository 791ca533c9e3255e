import ArgumentParser
import FixedWidth
import Foundation

/// The record layout options `decode`, `encode` and `layout` share.
struct CopybookOptions: ParsableArguments {
    @Option(help: "The COBOL copybook describing one record.")
    var copybook: String

    @Option(help: "Code page of the data: cp037 (default), cp273, cp277, cp278, cp280, cp284, cp285, cp297, cp500, cp871, cp1047, cp1140–cp1149, ascii, latin1.")
    var encoding = "cp037"

    @Option(help: "JSON member names: camel (familyName) or cobol (CLIRESP_FAMILY_NAME).")
    var names: RecordLayout.Naming = .camel

    @Option(help: "A field whose bytes are not a valid value: error (the record fails), null, or raw (hex text).")
    var invalid: RecordLayout.InvalidValuePolicy = .error

    /// The layout, or a message naming the copybook, line and problem.
    func layout() throws -> RecordLayout {
        guard let codePage = CodePage.named(encoding) else {
            throw ValidationError("unknown encoding '\(encoding)'; one of \(CodePage.supportedNames.joined(separator: ", "))")
        }
        guard let data = FileManager.default.contents(atPath: copybook), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the copybook \(copybook)")
        }
        do {
            var layout = try RecordLayout(copybook: Copybook.parse(text, file: copybook), codePage: codePage, naming: names)
            layout.invalidValues = invalid
            return layout
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

extension RecordLayout.Naming: ExpressibleByArgument {}
extension RecordLayout.InvalidValuePolicy: ExpressibleByArgument {}
