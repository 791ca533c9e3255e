/// The two official languages every user-facing message exists in.
public enum Language: String, Sendable, CaseIterable, Codable {
    case en
    case fr

    /// Chooses from an `Accept-Language` header (RFC 9110 §12.5.4): the supported language with the
    /// highest quality wins, English when nothing matches or the header is absent.
    public static func negotiate(_ header: String?) -> Language {
        guard let header else { return .en }
        var best: (language: Language, quality: Double)?
        for (position, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let tag = pieces.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard quality > 0, let language = Language(rawValue: primary) else { continue }
            // Earlier entries win ties, as clients list preferences in order.
            if best == nil || quality > best!.quality || (quality == best!.quality && position < 0) {
                best = (language, quality)
            }
        }
        return best?.language ?? .en
    }
}

/// A text in English and French.
public struct LocalizedText: Sendable, Hashable, Codable {
    public var en: String
    public var fr: String

    public init(en: String, fr: String) {
        self.en = en
        self.fr = fr
    }

    public subscript(language: Language) -> String {
        switch language {
        case .en: return en
        case .fr: return fr
        }
    }

    public var json: JSONValue { ["en": .string(en), "fr": .string(fr)] }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
