/// A parsed COBOL copybook: data description entries in source order, before layout.
///
/// Accepts fixed reference format (sequence area, indicator column 7 with `*`, `/` comments and
/// `-` continuation, columns 73–80 ignored) and free format (`*>` comments).
public struct Copybook: Sendable {
    public struct Entry: Sendable {
        public var level: Int
        public var name: String
        public var picture: String?
        public var usage: Usage
        public var occurs: Int?
        public var occursMinimum: Int?
        public var dependingOn: String?
        public var redefines: String?
        /// `SIGN IS LEADING|TRAILING [SEPARATE]`; nil: trailing, embedded (the default).
        public var sign: (leading: Bool, separate: Bool)?
        public var synchronized = false
        public var justifiedRight = false
        public var blankWhenZero = false
        /// 88-level condition names under this item: name → the values that make it true.
        public var conditions: [Condition] = []
        /// Level 66: `RENAMES first [THRU last]`, another name for those items' bytes.
        public var renames: (first: String, last: String?)?
        public var line: Int
    }

    /// An 88-level condition name: `88 CLIENT-ACTIVE VALUE 'A'.`
    public struct Condition: Sendable, Hashable {
        public var name: String
        /// Single values; empty when the condition uses a THRU range.
        public var values: [String]
        public var isRange: Bool
    }

    public enum Usage: String, Sendable {
        case display
        case packed
        case binary
        case nativeBinary
        /// COMP-1: a 4-byte float.
        case float4
        /// COMP-2: an 8-byte float.
        case float8
    }

    public var file: String
    public var entries: [Entry]

    public static func parse(_ text: String, file: String = "copybook") throws(CopybookError) -> Copybook {
        let tokens = try tokenize(text, file: file)
        var entries: [Entry] = []
        var statement: [(text: String, line: Int)] = []
        for token in tokens {
            if token.text == "." {
                if !statement.isEmpty {
                    if let condition = try parseCondition(statement, file: file) {
                        guard !entries.isEmpty else {
                            throw CopybookError(file: file, line: statement[0].line, message: "an 88-level condition needs an item before it")
                        }
                        entries[entries.count - 1].conditions.append(condition)
                    } else if let entry = try parseStatement(statement, file: file) {
                        entries.append(entry)
                    }
                }
                statement = []
            } else {
                statement.append(token)
            }
        }
        if let last = statement.last {
            throw CopybookError(file: file, line: last.line, message: "the last entry is not ended by a period")
        }
        guard !entries.isEmpty else { throw CopybookError(file: file, line: 1, message: "no data description entries found") }
        return Copybook(file: file, entries: entries)
    }

    /// Splits source into words and periods, honouring quotes, comments and the reference format.
    static func tokenize(_ text: String, file: String) throws(CopybookError) -> [(text: String, line: Int)] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            Substring(expandTabs(line.hasSuffix("\r") ? line.dropLast() : line))
        }
        let fixed = lines.allSatisfy { line in
            let trimmed = line.drop { $0 == " " }
            if trimmed.isEmpty { return true }
            guard line.count >= 7 else { return false }
            let sequence = line.prefix(6)
            let indicator = line[line.index(line.startIndex, offsetBy: 6)]
            return sequence.allSatisfy { $0 == " " || $0.isNumber } && " *-/Dd".contains(indicator)
        } && lines.contains { $0.count >= 8 }
        var tokens: [(String, Int)] = []
        for (number, rawLine) in lines.enumerated() {
            var line = Substring(rawLine)
            if fixed {
                guard line.count >= 7 else { continue }
                let indicator = line[line.index(line.startIndex, offsetBy: 6)]
                if indicator == "*" || indicator == "/" { continue }
                line = line.dropFirst(7).prefix(65)
                if indicator == "-" {
                    // Continuation of a word or literal from the previous line.
                    let rest = line.drop { $0 == " " }
                    if var last = tokens.popLast() {
                        var piece = String(rest)
                        if piece.first == "'" || piece.first == "\"" { piece.removeFirst() }
                        last.0 += piece.split(separator: " ").first.map(String.init) ?? ""
                        tokens.append(last)
                    }
                    continue
                }
            }
            if let comment = line.range(of: "*>") { line = line[..<comment.lowerBound] }
            var index = line.startIndex
            while index < line.endIndex {
                let character = line[index]
                if character == " " || character == "\t" || character == "," || character == ";" {
                    index = line.index(after: index)
                    continue
                }
                if character == "'" || character == "\"" {
                    guard let close = line[line.index(after: index)...].firstIndex(of: character) else {
                        throw CopybookError(file: file, line: number + 1, message: "unterminated literal")
                    }
                    tokens.append((String(line[index...close]), number + 1))
                    index = line.index(after: close)
                    continue
                }
                var end = index
                while end < line.endIndex, line[end] != " ", line[end] != "\t" { end = line.index(after: end) }
                var word = String(line[index..<end])
                var period = false
                if word.hasSuffix(".") {
                    word.removeLast()
                    period = true
                }
                if !word.isEmpty { tokens.append((word, number + 1)) }
                if period { tokens.append((".", number + 1)) }
                index = end
            }
        }
        return tokens
    }

    /// Tabs to spaces with stops every 8 columns, so tab-indented copybooks keep their columns;
    /// other control characters (a DOS end-of-file ^Z) are dropped.
    static func expandTabs(_ line: Substring) -> String {
        guard line.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return String(line) }
        var out = ""
        for character in line {
            if character == "\t" {
                out += String(repeating: " ", count: 8 - out.count % 8)
            } else if let scalar = character.unicodeScalars.first, scalar.value >= 0x20 {
                out.append(character)
            }
        }
        return out
    }

    /// An 88-level entry, or nil for any other level.
    static func parseCondition(_ words: [(text: String, line: Int)], file: String) throws(CopybookError) -> Condition? {
        guard words[0].text == "88" else { return nil }
        guard words.count >= 4, ["VALUE", "VALUES"].contains(words[2].text.uppercased()) else {
            throw CopybookError(file: file, line: words[0].line, message: "an 88-level entry needs a name and VALUE")
        }
        var values: [String] = []
        var isRange = false
        for word in words.dropFirst(3) {
            let text = word.text
            switch text.uppercased() {
            case "IS", "ARE": continue
            case "THRU", "THROUGH": isRange = true
            case "SPACE", "SPACES": values.append("")
            case "ZERO", "ZEROS", "ZEROES": values.append("0")
            default:
                if let first = text.first, first == "'" || first == "\"", text.count >= 2 {
                    values.append(String(text.dropFirst().dropLast()))
                } else {
                    values.append(text)
                }
            }
        }
        return Condition(name: words[1].text.uppercased(), values: isRange ? [] : values, isRange: isRange)
    }

    static func parseStatement(_ words: [(text: String, line: Int)], file: String) throws(CopybookError) -> Entry? {
        let line = words[0].line
        func fail(_ message: String) -> CopybookError { CopybookError(file: file, line: line, message: message) }
        guard let level = Int(words[0].text), (1...49).contains(level) || level == 66 || level == 77 else {
            throw fail("expected a level number (01–49, 66, 77, 88), found '\(words[0].text)'")
        }
        if level == 66 {
            // 66 NAME RENAMES FIRST [THRU|THROUGH LAST].
            let texts = words.map { $0.text.uppercased() }
            guard texts.count >= 4, texts[2] == "RENAMES" else { throw fail("a level-66 entry is 66 NAME RENAMES ITEM [THRU ITEM]") }
            var entry = Entry(level: 66, name: texts[1], usage: .display, line: line)
            if texts.count == 4 {
                entry.renames = (texts[3], nil)
            } else if texts.count == 6, texts[4] == "THRU" || texts[4] == "THROUGH" {
                entry.renames = (texts[3], texts[5])
            } else {
                throw fail("a level-66 entry is 66 NAME RENAMES ITEM [THRU ITEM]")
            }
            return entry
        }
        var index = 1
        var name = "FILLER"
        let clauseWords: Set<String> = [
            "PIC", "PICTURE", "USAGE", "COMP", "COMP-1", "COMP-2", "COMP-3", "OCCURS", "REDEFINES", "VALUE", "VALUES", "SIGN",
            "SYNC", "SYNCHRONIZED", "JUST", "JUSTIFIED", "BLANK",
        ]
        if index < words.count, !clauseWords.contains(words[index].text.uppercased()) {
            name = words[index].text.uppercased()
            index += 1
        }
        var entry = Entry(level: level == 77 ? 1 : level, name: name, usage: .display, line: line)
        func next() -> String? {
            guard index < words.count else { return nil }
            defer { index += 1 }
            return words[index].text
        }
        func peek() -> String? { index < words.count ? words[index].text.uppercased() : nil }
        while let word = next() {
            switch word.uppercased() {
            case "PIC", "PICTURE":
                if peek() == "IS" { index += 1 }
                guard let picture = next() else { throw fail("PIC needs a picture string") }
                entry.picture = picture.uppercased()
            case "USAGE":
                if peek() == "IS" { index += 1 }
            case "DISPLAY", "NATIONAL": entry.usage = .display
            case "COMP-3", "COMPUTATIONAL-3", "PACKED-DECIMAL": entry.usage = .packed
            case "COMP", "COMPUTATIONAL", "COMP-4", "COMPUTATIONAL-4", "BINARY": entry.usage = .binary
            case "COMP-5", "COMPUTATIONAL-5": entry.usage = .nativeBinary
            case "COMP-1", "COMPUTATIONAL-1": entry.usage = .float4
            case "COMP-2", "COMPUTATIONAL-2": entry.usage = .float8
            case "OCCURS":
                guard let count = next().flatMap({ Int($0) }) else { throw fail("OCCURS needs a count") }
                if peek() == "TO" {
                    index += 1
                    guard let maximum = next().flatMap({ Int($0) }) else { throw fail("OCCURS … TO needs a maximum") }
                    entry.occursMinimum = count
                    entry.occurs = maximum
                } else {
                    entry.occurs = count
                }
                if peek() == "TIMES" { index += 1 }
                if peek() == "DEPENDING" {
                    index += 1
                    // `OCCURS n DEPENDING ON` (IBM's short form) may hold no entries at all.
                    if entry.occursMinimum == nil { entry.occursMinimum = 0 }
                    if peek() == "ON" { index += 1 }
                    guard let counter = next() else { throw fail("DEPENDING ON needs a field name") }
                    entry.dependingOn = counter.uppercased()
                }
                guard (entry.occurs ?? 0) >= 1 else { throw fail("OCCURS count must be at least 1") }
                if entry.occursMinimum != nil, entry.dependingOn == nil { throw fail("OCCURS m TO n needs DEPENDING ON") }
            case "REDEFINES":
                guard let target = next() else { throw fail("REDEFINES needs a field name") }
                entry.redefines = target.uppercased()
            case "VALUE", "VALUES":
                if peek() == "IS" || peek() == "ARE" { index += 1 }
                _ = next()
            case "SIGN", "LEADING", "TRAILING":
                if word.uppercased() == "SIGN" {
                    if peek() == "IS" { index += 1 }
                    guard let position = next()?.uppercased(), position == "LEADING" || position == "TRAILING" else {
                        throw fail("SIGN needs LEADING or TRAILING")
                    }
                    entry.sign = (position == "LEADING", false)
                } else {
                    entry.sign = (word.uppercased() == "LEADING", false)
                }
                if peek() == "SEPARATE" {
                    index += 1
                    entry.sign?.separate = true
                    if peek() == "CHARACTER" { index += 1 }
                }
            case "SYNC", "SYNCHRONIZED":
                entry.synchronized = true
                if peek() == "LEFT" || peek() == "RIGHT" { index += 1 }
            case "JUST", "JUSTIFIED":
                entry.justifiedRight = true
                if peek() == "RIGHT" { index += 1 }
            case "BLANK":
                if peek() == "WHEN" { index += 1 }
                guard let zero = next()?.uppercased(), ["ZERO", "ZEROS", "ZEROES"].contains(zero) else {
                    throw fail("BLANK needs WHEN ZERO")
                }
                entry.blankWhenZero = true
            case "TIMES", "IS", "ZERO", "ZEROS", "ZEROES", "SPACE", "SPACES":
                continue
            default:
                throw fail("unexpected word '\(word)' in the entry for \(name)")
            }
        }
        return entry
    }
}
