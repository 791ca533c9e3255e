import ArgumentParser
import FixedWidth

struct Layout: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every field of a copybook's record with its offset, length, type and path.")

    @OptionGroup var options: CopybookOptions

    func run() throws {
        if let fileLayout = try options.fileLayout() {
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
