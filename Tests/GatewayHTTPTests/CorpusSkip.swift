@_exported import CorpusSupport
import Testing

extension Corpus {
    static let skipReason = Comment(rawValue: skipReasonText)
}
