import GatewayCore

extension FileLayout {
    /// The records of a file about to be written (`{"recordType": …, fields…}`, header first,
    /// trailer last) with what the whole-file checks ask for filled in: record counts, block
    /// counts, value counts and sums in the header and trailer, sequence numbers, and the header's
    /// values repeated where `same` asks for them. Checks of nested scopes (batches inside a file)
    /// are left to the caller. Decoding the result checks clean.
    public func fillingTotals(_ records: [JSONObject]) -> [JSONObject] {
        guard let scope = scopes.first?.name else { return records }
        var records = records
        func type(_ record: JSONObject) -> String { record["recordType"]?.scalarText ?? "" }
        for check in checks where check.scope == scope {
            switch check.rule {
            case .sequence(let field):
                for index in records.indices where recordType(named: type(records[index]))?.layout.fields[field] != nil {
                    records[index][field] = .number(String(index + 1))
                }
            case .same(let fields):
                guard let header = records.first else { continue }
                for index in records.indices.dropFirst() {
                    for field in fields where recordType(named: type(records[index]))?.layout.fields[field] != nil {
                        if let value = header[field] { records[index][field] = value }
                    }
                }
            default:
                guard let target = check.target, let computed = computedTotal(check.rule, records) else { continue }
                for index in records.indices where type(records[index]) == target.recordType {
                    if case .object(let updated) = JSONValue.object(records[index]).setting(.number(computed.description), at: target.members) {
                        records[index] = updated
                    }
                }
            }
        }
        return records
    }

    private func computedTotal(_ rule: Check.Rule, _ records: [JSONObject]) -> ExactDecimal? {
        func type(_ record: JSONObject) -> String { record["recordType"]?.scalarText ?? "" }
        switch rule {
        case .countRecords(let types):
            return ExactDecimal(significand: Int128(records.filter { types.contains(type($0)) }.count), scale: 0)
        case .countAll(let per):
            return ExactDecimal(significand: Int128((records.count + per - 1) / per), scale: 0)
        case .countValues(let path):
            let count = records.filter { type($0) == path.recordType }.reduce(0) { $0 + path.values(in: $1).count }
            return ExactDecimal(significand: Int128(count), scale: 0)
        case .sum(let path, let conditions, let modulo):
            var total = ExactDecimal(significand: 0, scale: 0)
            for record in records where type(record) == path.recordType && ControlTotals.holds(conditions, record) {
                for value in path.values(in: record) {
                    guard let text = value.scalarText, let number = ExactDecimal(text), let sum = ControlTotals.add(total, number) else { continue }
                    total = sum
                }
            }
            // As the checker does: a hash total is taken modulo when it is a whole number.
            if let modulo, let whole = total.rescaled(to: 0), let back = whole.rescaled(to: total.scale), back == total {
                total = ExactDecimal(significand: whole.significand % modulo, scale: 0)
            }
            return total
        case .same, .sequence:
            return nil
        }
    }
}
