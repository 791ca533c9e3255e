import FixedWidth
import GatewayCore
import Testing

/// AWS CardDemo ships the same master files twice: EBCDIC (cp037, fixed-length records) and
/// ASCII (one record per line, LF or CRLF, sometimes trimmed). Decoding both with the same
/// copybook must give the same values, apart from the two differences the corpus documents.
@Suite("CardDemo EBCDIC and ASCII twins", .enabled(if: Corpus.enabled, Corpus.skipReason))
struct CardDemoTwinTests {
    struct Twin: Sendable, CustomStringConvertible {
        var copybook: String
        var ascii: String
        var ebcdic: String
        var description: String { ascii }
    }

    static let twins: [Twin] = [
        Twin(copybook: "CVACT01Y", ascii: "acctdata", ebcdic: "ACCTDATA"),
        Twin(copybook: "CVACT02Y", ascii: "carddata", ebcdic: "CARDDATA"),
        Twin(copybook: "CVACT03Y", ascii: "cardxref", ebcdic: "CARDXREF"),
        Twin(copybook: "CVCUS01Y", ascii: "custdata", ebcdic: "CUSTDATA"),
        Twin(copybook: "CVTRA06Y", ascii: "dailytran", ebcdic: "DALYTRAN"),
        Twin(copybook: "CVTRA02Y", ascii: "discgrp", ebcdic: "DISCGRP"),
        Twin(copybook: "CVTRA01Y", ascii: "tcatbal", ebcdic: "TCATBALF"),
        Twin(copybook: "CVTRA04Y", ascii: "trancatg", ebcdic: "TRANCATG"),
        Twin(copybook: "CVTRA03Y", ascii: "trantype", ebcdic: "TRANTYPE"),
    ]

    /// (file, record number counted from 0 as PROVENANCE.md does, JSON member) that differ between the twins.
    static let documentedDifferences: Set<String> = ["acctdata#48.addrZip", "discgrp#33.intRate"]

    @Test(arguments: twins)
    func twinsDecodeToTheSameValues(twin: Twin) throws {
        let copybook = try Copybook.parse(try Corpus.text("cobol/carddemo/cpy/\(twin.copybook).cpy"), file: twin.copybook)
        let ebcdicLayout = try RecordLayout(copybook: copybook, codePage: .cp037)
        let asciiLayout = try RecordLayout(copybook: copybook, codePage: .ascii)
        let length = ebcdicLayout.length
        let ebcdic = try Corpus.data("cobol/carddemo/EBCDIC/AWS.M2.CARDDEMO.\(twin.ebcdic).PS")
        #expect(ebcdic.count % length == 0, "\(twin.ebcdic) is a whole number of \(length)-byte records")
        var lines = try Corpus.data("cobol/carddemo/ASCII/\(twin.ascii).txt").split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        #expect(lines.count == ebcdic.count / length, "one line per record")
        var differences: [String] = []
        for (index, line) in lines.enumerated() where (index + 1) * length <= ebcdic.count {
            var text = Array(line.last == 0x0D ? line.dropLast() : line)
            text += [UInt8](repeating: 0x20, count: max(0, length - text.count))
            let fromASCII = try asciiLayout.decode(Array(text.prefix(length)))
            let fromEBCDIC = try ebcdicLayout.decode(Array(ebcdic[(index * length)..<((index + 1) * length)]))
            for key in fromEBCDIC.keys where fromEBCDIC[key] != fromASCII[key] {
                differences.append("\(twin.ascii)#\(index).\(key)")
            }
        }
        #expect(Set(differences).isSubset(of: Self.documentedDifferences), "\(differences)")
        let expected = Self.documentedDifferences.filter { $0.hasPrefix(twin.ascii + "#") }
        #expect(Set(differences) == expected, "the documented differences are found")
    }
}
