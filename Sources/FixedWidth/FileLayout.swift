import GatewayCore

/// A fixed-width file that is not described by a COBOL copybook: several record types told apart
/// by a type code (header, detail, trailer…), nested into batches, with control totals in the
/// trailers. NACHA ACH and the Canadian CPA-005 are the models. Declared in YAML (see
/// `FileLayout+Declaration.swift` and `Adapters/README.md`).
///
/// ```
/// 1 file header ─┬─ 5 batch header ─┬─ 6 entry ── 7 addenda …
///                │                  └─ 8 batch control   (count, hash, debit and credit totals)
///                └─ 9 file control                       (batch count, block count, totals)
/// ```
public struct FileLayout: Sendable {
    public let name: String
    public let codePage: CodePage
    /// UTF-8 text: field widths count characters, not bytes.
    public let isUTF8: Bool
    /// Every record's length (in characters for UTF-8).
    public let recordLength: Int
    public let framing: Framing
    /// What a line shorter than `recordLength` means.
    public let shortRecords: ShortRecordPolicy
    /// Record types in the order they are tried; the first whose rule matches decodes the record.
    public let recordTypes: [RecordType]
    /// Nesting of record types; the first scope is the whole file. Empty: records in any order.
    public let scopes: [Scope]
    public let checks: [Check]
    /// Delimited text instead of fixed positions (`format: csv`); nil for fixed-width files.
    public internal(set) var csv: CSVFormat? = nil

    /// What ends each record written: LF (the byte lines are read by), CR LF where a CSV layout
    /// says so, nothing for records back to back.
    public var lineEnding: [UInt8] {
        if let csv { return csv.crlf ? [0x0D, 0x0A] : [0x0A] }
        return framing == .lines ? [0x0A] : []
    }

    /// What a file starts with before its first record: a CSV header row naming the columns, each
    /// heading at its column (the type code's column and skipped ones stay empty).
    public var prologue: [UInt8] {
        guard let csv, csv.headerRow, let type = recordTypes.first else { return [] }
        var headings = Array(repeating: "", count: (type.columns.map(\.index) + [type.matchColumn ?? 0]).max()! + 1)
        for column in type.columns { headings[column.index] = column.heading }
        return FileEncoder.bytes(csv.line(headings), codePage: codePage, utf8: isUTF8) + lineEnding
    }

    public enum Framing: String, Sendable, CaseIterable {
        /// One record per line (LF or CRLF, the final one optional). A line that is an exact
        /// multiple of the record length holds several records (files whose line breaks were lost).
        case lines
        /// Records back to back, `recordLength` bytes each.
        case fixed
    }

    public enum ShortRecordPolicy: String, Sendable, CaseIterable {
        /// Padded with spaces: editors and mail systems trim trailing spaces from lines.
        case pad
        case error
    }

    public struct RecordType: Sendable {
        public let name: String
        /// The record is this type when the bytes at `offset` equal `value`, or, with `fill`, when
        /// every byte from `offset` on is `fill` (NACHA's lines of 9s that pad the last block).
        public let offset: Int
        public let value: [UInt8]
        public let fill: UInt8?
        public let layout: RecordLayout
        /// False for records that carry no data (block padding): checked, never written out.
        public let output: Bool
        /// CSV: the fields' places on the line (`layout` then only describes their values).
        public internal(set) var columns: [CSVFormat.Column] = []
        /// CSV: the record is this type when the value in column `matchColumn` (from 0) is `matchText`;
        /// without a column, every line is.
        public internal(set) var matchColumn: Int? = nil
        public internal(set) var matchText: String = ""

        func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
            if let fill {
                return bytes.count > offset && bytes[offset...].allSatisfy { $0 == fill }
            }
            guard bytes.count >= offset + value.count else { return false }
            return value.indices.allSatisfy { bytes[offset + $0] == value[$0] }
        }
    }

    /// A header record, the records or scopes it contains, a trailer record.
    public struct Scope: Sendable {
        public let name: String
        public let header: String
        public let trailer: String
        /// Record types and scope names allowed between header and trailer, any number, any order.
        public let contains: [String]
        /// Record types allowed after the trailer (the whole file's scope only: block padding).
        public let then: [String]
    }

    /// A value the trailer (or header) of every instance of a scope must hold.
    public struct Check: Sendable {
        public enum Rule: Sendable {
            /// The number of records of these types in the scope, nested scopes included.
            case countRecords([String])
            /// The number of records of any type, header and trailer included, divided by `per`
            /// and rounded up (NACHA's block count: `per: 10`).
            case countAll(per: Int)
            /// The number of values at a path (array items, e.g. CPA-005 segments).
            case countValues(FieldPath)
            /// The sum of the values at a path, optionally only where other fields of the same
            /// record hold listed values, optionally modulo a power of ten (hash totals).
            case sum(FieldPath, where: [(field: String, values: Set<String>)], modulo: Int128?)
            /// Every record directly in the scope that has these fields holds the header's values.
            case same([String])
            /// Every record in the scope that has this field holds its position in the scope (from 1).
            case sequence(String)
        }

        public let scope: String
        /// The checked field (header or trailer), absent for `same` and `sequence`.
        public let target: FieldPath?
        public let rule: Rule
        /// Where the check is declared, for messages.
        public let line: Int
    }

    /// `record-type.member.member`: a value of one record type, through groups and arrays.
    public struct FieldPath: Sendable, CustomStringConvertible {
        public let recordType: String
        public let members: [String]

        public var description: String { ([recordType] + members).joined(separator: ".") }

        /// The values at this path in a decoded record (arrays contribute each item).
        func values(in object: JSONObject) -> [JSONValue] {
            var current: [JSONValue] = [.object(object)]
            for member in members {
                var next: [JSONValue] = []
                for value in current {
                    guard case .object(let inner) = value, let found = inner[member] else { continue }
                    if case .array(let items) = found { next.append(contentsOf: items) } else { next.append(found) }
                }
                current = next
            }
            return current
        }
    }

    public func recordType(named name: String) -> RecordType? {
        recordTypes.first { $0.name == name }
    }

    public func scope(named name: String) -> Scope? {
        scopes.first { $0.name == name }
    }
}
