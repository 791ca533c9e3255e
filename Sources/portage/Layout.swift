import ArgumentParser
import FixedWidth

struct Layout: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every field of a copybook's record with its offset, length, type and path.")

    @OptionGroup var options: CopybookOptions

    func run() throws {
        if let fileLayout = try options.fileLayout() {
            if let csv = fileLayout.csv {
                print(Self.csvTable(fileLayout, csv))
                return
            }
            for type in fileLayout.recordTypes {
                let rule = type.fill.map { fill in "every character from position \(type.offset + 1) on is '\(String(fileLayout.codePage.character(fill)))'" }
                    ?? "starts at position \(type.offset + 1) with '\(String(String.UnicodeScalarView(type.value.map(fileLayout.codePage.character))))'"
                print("\(type.name): \(rule)\(type.output ? "" : "; not written out")")
                print(type.layout.fieldTable)
                print("")
            }
            print("record length: \(fileLayout.recordLength)" + (fileLayout.isUTF8 ? " characters" : " bytes"))
            return
        }
        print(try options.recordLayout().fieldTable)
    }

    /// A CSV layout: each record type's rule, then its columns with length, type, heading and path.
    static func csvTable(_ layout: FileLayout, _ csv: CSVFormat) -> String {
        let delimiter = csv.delimiter == "\t" ? "tab" : "'\(csv.delimiter)'"
        var lines = ["CSV, values separated by \(delimiter)" + (csv.decimalComma ? ", decimal comma" : "") + (csv.headerRow ? ", header row" : "")]
        for type in layout.recordTypes {
            lines.append("")
            lines.append("\(type.name): " + (type.matchColumn.map { "value \($0 + 1) is '\(type.matchText)'" } ?? "every line") + (type.output ? "" : "; not written out"))
            lines.append("COLUMN  LENGTH  TYPE                          HEADING               PATH")
            for column in type.columns {
                lines.append(
                    String(column.index + 1).padded(6) + "  " + String(column.node.size).padded(6) + "  "
                        + (column.node.codec?.pictureDescription ?? "").padded(28, left: false) + "  " + column.heading.padded(20, left: false)
                        + "  " + type.name + "." + column.node.name)
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension RecordLayout {
    /// The field table `portage layout` prints: 1-based offset, length, occurrences, type, path.
    var fieldTable: String {
        var lines = ["OFFSET  LENGTH  OCCURS  TYPE                          PATH"]
        func walk(_ node: LayoutNode, base: Int, path: String) {
            let offset = base + node.offset
            let occurs = node.occurs.map { node.dependingOn == nil ? "\($0)" : "\(node.occursMinimum)-\($0)" } ?? ""
            let type = node.codec?.pictureDescription ?? "group"
            let redefines = node.redefines.map { " (REDEFINES \($0))" } ?? node.renames.map { " (RENAMES \($0))" } ?? ""
            lines.append(
                String(offset + 1).padded(6) + "  " + String(node.size).padded(6) + "  " + occurs.padded(6) + "  "
                    + (type + redefines).padded(28, left: false) + "  " + path)
            for child in node.children { walk(child, base: offset, path: path + "." + child.name) }
        }
        for child in root.children { walk(child, base: 0, path: name + "." + child.name) }
        lines.append("record length: \(length) bytes" + (minimumLength != length ? " (at least \(minimumLength))" : ""))
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padded(_ width: Int, left: Bool = true) -> String {
        let padding = String(repeating: " ", count: max(0, width - count))
        return left ? padding + self : self + padding
    }
}
