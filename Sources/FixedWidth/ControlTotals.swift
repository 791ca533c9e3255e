import GatewayCore

/// Follows the records of a declared file through its scopes (file, batch…) and checks, when each
/// scope's trailer arrives, the counts, sums and hash totals the layout declares. A value type fed
/// one decoded record at a time: it keeps one small accumulator per open scope, never the records,
/// so a file of any size is checked in constant memory.
struct ControlTotals {
    /// A problem found: at which record and why.
    struct Finding {
        var record: Int?
        var recordType: String?
        var reason: String
    }

    private struct OpenScope {
        let scope: Int
        let header: JSONObject
        let headerRecord: Int
        /// Records seen in this scope, header included.
        var records = 0
        /// One per check of `layout.checks` (unused by checks of other scopes).
        var counts: [Int]
        var sums: [ExactDecimal?]
    }

    private let layout: FileLayout
    private var stack: [OpenScope] = []
    private var started = false

    init(layout: FileLayout) {
        self.layout = layout
    }

    /// Takes the next record; returns what is wrong with it or with the scope it closes.
    mutating func take(type: String, object: JSONObject, number: Int) -> [Finding] {
        guard let root = layout.scopes.first else { return [] }
        var findings: [Finding] = []
        func finding(_ reason: String) { findings.append(Finding(record: number, recordType: type, reason: reason)) }

        if !started {
            started = true
            if type == root.header {
                open(0, header: object, number: number)
                accumulate(type: type, object: object, number: number, findings: &findings)
                return findings
            }
            // Go on as if the header were there, so the rest of the file is still checked.
            finding("the file must start with a \(root.header) record")
            open(0, header: JSONObject(), number: number)
        }
        guard !stack.isEmpty else {
            if !root.then.contains(type) {
                finding(root.then.isEmpty
                    ? "no record may follow the \(root.trailer) record"
                    : "nothing but \(list(root.then)) may follow the \(root.trailer) record")
            }
            return findings
        }
        var scope = layout.scopes[stack[stack.count - 1].scope]
        if !accepts(scope, type), let level = stack.indices.last(where: { accepts(layout.scopes[stack[$0].scope], type) }) {
            // An enclosing scope's record: the inner scopes lack their trailers. Close them and go on.
            while stack.count > level + 1 {
                let open = stack.removeLast()
                let inner = layout.scopes[open.scope]
                finding("the \(inner.name) opened by record \(open.headerRecord) has no \(inner.trailer) record")
            }
            scope = layout.scopes[stack[level].scope]
        }
        let top = stack[stack.count - 1]
        if type == scope.trailer {
            accumulate(type: type, object: object, number: number, findings: &findings)
            let closed = stack.removeLast()
            findings += close(closed, trailer: object, number: number)
        } else if scope.contains.contains(type) {
            accumulate(type: type, object: object, number: number, findings: &findings)
        } else if let child = layout.scopes.firstIndex(where: { $0.header == type && scope.contains.contains($0.name) }) {
            open(child, header: object, number: number)
            accumulate(type: type, object: object, number: number, findings: &findings)
        } else {
            let expected = scope.contains.map { name in layout.scope(named: name)?.header ?? name } + [scope.trailer]
            finding("a \(type) record cannot come here, inside the \(scope.name) opened by record \(top.headerRecord) (expected \(list(expected)))")
        }
        return findings
    }

    private func accepts(_ scope: FileLayout.Scope, _ type: String) -> Bool {
        type == scope.trailer || scope.contains.contains(type)
            || layout.scopes.contains { $0.header == type && scope.contains.contains($0.name) }
    }

    /// What is missing at the end of the file.
    func finish() -> [Finding] {
        guard let root = layout.scopes.first else { return [] }
        if !started { return [Finding(record: nil, recordType: nil, reason: "the file has no \(root.header) record")] }
        return stack.reversed().map { open in
            let scope = layout.scopes[open.scope]
            return Finding(
                record: nil, recordType: nil,
                reason: "the file ends inside the \(scope.name) opened by record \(open.headerRecord): its \(scope.trailer) record is missing")
        }
    }

    private mutating func open(_ scope: Int, header: JSONObject, number: Int) {
        let checks = layout.checks.count
        stack.append(OpenScope(
            scope: scope, header: header, headerRecord: number, counts: Array(repeating: 0, count: checks),
            sums: Array(repeating: ExactDecimal(significand: 0, scale: 0), count: checks)))
    }

    private func list(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// Adds a record to the accumulators of every open scope (a batch's entries count in the file too).
    private mutating func accumulate(type: String, object: JSONObject, number: Int, findings: inout [Finding]) {
        for level in stack.indices {
            stack[level].records += 1
            let scopeName = layout.scopes[stack[level].scope].name
            let direct = level == stack.count - 1
            for (index, check) in layout.checks.enumerated() where check.scope == scopeName {
                switch check.rule {
                case .countRecords(let types):
                    if types.contains(type) { stack[level].counts[index] += 1 }
                case .countAll:
                    stack[level].counts[index] += 1
                case .countValues(let path):
                    if path.recordType == type { stack[level].counts[index] += path.values(in: object).count }
                case .sum(let path, let conditions, _):
                    guard path.recordType == type, Self.holds(conditions, object) else { continue }
                    for value in path.values(in: object) {
                        guard let sum = stack[level].sums[index] else { break }
                        guard let text = value.scalarText, let amount = ExactDecimal(text) else {
                            findings.append(Finding(record: number, recordType: type, reason: "\(path) is not a number, so it cannot be added up"))
                            stack[level].sums[index] = nil
                            break
                        }
                        stack[level].sums[index] = Self.add(sum, amount)
                        if stack[level].sums[index] == nil {
                            findings.append(Finding(record: number, recordType: type, reason: "the sum of \(path) in this \(scopeName) exceeds 38 digits"))
                        }
                    }
                case .same(let fields):
                    guard direct, stack[level].headerRecord != number else { continue }
                    for field in fields {
                        guard let expected = stack[level].header[field], let found = object[field], !Self.equal(expected, found) else { continue }
                        findings.append(Finding(
                            record: number, recordType: type,
                            reason: "\(field) is \(found.scalarText ?? "?"), but the \(scopeName)'s header (record \(stack[level].headerRecord)) says \(expected.scalarText ?? "?")"))
                    }
                case .sequence(let field):
                    guard let found = object[field] else { continue }
                    let position = stack[level].records
                    if !Self.equal(found, .number(String(position))) {
                        findings.append(Finding(
                            record: number, recordType: type,
                            reason: "\(field) is \(found.scalarText ?? "?"), but this is record \(position) of the \(scopeName)"))
                    }
                }
            }
        }
    }

    /// Compares each declared total of a closing scope with what its records add up to.
    private func close(_ open: OpenScope, trailer: JSONObject, number: Int) -> [Finding] {
        let scope = layout.scopes[open.scope]
        var findings: [Finding] = []
        for (index, check) in layout.checks.enumerated() where check.scope == scope.name {
            guard let target = check.target else { continue }
            let computed: ExactDecimal
            let what: String
            switch check.rule {
            case .countRecords(let types):
                computed = ExactDecimal(significand: Int128(open.counts[index]), scale: 0)
                what = "the number of \(list(types)) records"
            case .countAll(let per):
                computed = ExactDecimal(significand: Int128((open.counts[index] + per - 1) / per), scale: 0)
                what = per == 1 ? "the number of records" : "the number of records divided by \(per), rounded up"
            case .countValues(let path):
                computed = ExactDecimal(significand: Int128(open.counts[index]), scale: 0)
                what = "the number of \(path) values"
            case .sum(let path, let conditions, let modulo):
                guard var sum = open.sums[index] else { continue }
                if let modulo, let whole = sum.rescaled(to: 0) { sum = ExactDecimal(significand: whole.significand % modulo, scale: 0) }
                computed = sum
                what = "the sum of \(path)" + (conditions.isEmpty ? "" : " where " + conditions.map { "\($0.field) is \(list($0.values.sorted()))" }.joined(separator: " and "))
                    + (modulo.map { " modulo \($0)" } ?? "")
            case .same, .sequence:
                continue
            }
            let source = target.recordType == scope.header ? open.header : trailer
            let found = target.values(in: source).first
            if let found, Self.equal(found, .number(computed.description)) { continue }
            let record = target.recordType == scope.header ? open.headerRecord : number
            findings.append(Finding(
                record: record, recordType: target.recordType,
                reason: "\(target.members.joined(separator: ".")) is \(found?.scalarText ?? "missing"), but \(what) in this \(scope.name) is \(computed.description)"
                    + (scope.name == layout.scopes.first?.name ? "" : " (the \(scope.name) opened by record \(open.headerRecord))")))
        }
        return findings
    }

    static func holds(_ conditions: [(field: String, values: Set<String>)], _ object: JSONObject) -> Bool {
        conditions.allSatisfy { condition in
            let path = FileLayout.FieldPath(recordType: "", members: condition.field.split(separator: ".").map(String.init))
            guard let text = path.values(in: object).first?.scalarText else { return false }
            return condition.values.contains(ExactDecimal(text)?.description ?? text)
        }
    }

    /// Numbers compare by value (`0023.10` = `23.1`), text exactly.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard let left = a.scalarText, let right = b.scalarText else { return false }
        if case .number = a, case .number = b, let x = ExactDecimal(left), let y = ExactDecimal(right) {
            let scale = max(x.scale, y.scale)
            guard let x = x.rescaled(to: scale), let y = y.rescaled(to: scale) else { return false }
            return x.significand == y.significand
        }
        return left == right
    }

    /// nil when the sum no longer fits 38 digits.
    static func add(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal? {
        let scale = max(a.scale, b.scale)
        guard let x = a.rescaled(to: scale), let y = b.rescaled(to: scale) else { return nil }
        let (sum, overflow) = x.significand.addingReportingOverflow(y.significand)
        return overflow ? nil : ExactDecimal(significand: sum, scale: scale)
    }
}
