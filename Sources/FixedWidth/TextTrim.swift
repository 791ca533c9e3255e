/// Which spaces a decoded text field loses.
public enum TextTrim: String, Sendable, CaseIterable {
    /// Every character kept, trailing spaces included.
    case none
    /// Trailing spaces removed (COBOL pads text on the right): the default.
    case right
    /// Leading and trailing spaces removed (right-aligned or centred text).
    case both
}
