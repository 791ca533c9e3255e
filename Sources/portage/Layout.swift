import ArgumentParser
import FixedWidth

struct Layout: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every field of a copybook's record with its offset, length, type and path.")

    @OptionGroup var options: CopybookOptions

    func run() throws {
        let layout = try options.layout()
        print("OFFSET  LENGTH  OCCURS  TYPE                          PATH")
        func walk(_ node: LayoutNode, base: Int, path: String) {
            let offset = base + node.offset
            let occurs = node.occurs.map { node.dependingOn == nil ? "\($0)" : "\(node.occursMinimum)-\($0)" } ?? ""
            let type = node.codec?.pictureDescription ?? "group"
            let redefines = node.redefines.map { " (REDEFINES \($0))" } ?? ""
            print(
                String(offset + 1).padded(6) + "  " + String(node.size).padded(6) + "  " + occurs.padded(6) + "  "
                    + (type + redefines).padded(28, left: false) + "  " + path)
            for child in node.children { walk(child, base: offset, path: path + "." + child.name) }
        }
        for child in layout.root.children { walk(child, base: 0, path: layout.name + "." + child.name) }
        print("record length: \(layout.length) bytes" + (layout.minimumLength != layout.length ? " (at least \(layout.minimumLength))" : ""))
    }
}

extension String {
    func padded(_ width: Int, left: Bool = true) -> String {
        let padding = String(repeating: " ", count: max(0, width - count))
        return left ? padding + self : self + padding
    }
}
