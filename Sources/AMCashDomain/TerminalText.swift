/// The one sanitiser for text we do not control — a host's message, a field value quoted in an
/// error, a token service's error, a redirect's address, a field of a file — on its way to a
/// terminal, a receipt, a log, the journal or the chain database. Control characters would let it
/// retitle the terminal, clear the screen or forge log lines; bidirectional controls, invisible
/// (zero-width, tag) characters and line separators would let it show one thing and say another.
public enum HostText {
    /// The longest text kept when no limit is given.
    public static let defaultLimit = 200

    /// `text` without C0/C1 control characters, DEL, bidirectional controls (U+061C, U+200E/F,
    /// U+202A–E, U+2066–9), line and paragraph separators (U+2028/9), zero-width characters
    /// (U+200B–D, U+2060, U+FEFF) or tag characters (U+E0000–E007F); at most `limit` scalars.
    public static func sanitised<Text: StringProtocol>(_ text: Text, limit: Int = defaultLimit) -> String {
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit { break }
            if isRemoved(scalar) { continue }
            kept.append(scalar)
            count += 1
        }
        return String(kept)
    }

    /// Whether the sanitiser drops this scalar.
    public static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional controls
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x200B...0x200D, 0x2060, 0xFEFF: true  // zero-width
        case 0xE0000...0xE007F: true  // tag characters
        default: false
        }
    }
}

extension StringProtocol {
    /// `HostText.sanitised(self, limit: limit)`.
    public func safeForTerminal(limit: Int) -> String { HostText.sanitised(self, limit: limit) }

    /// `safeForTerminal(limit: 200)`.
    public var safeForTerminal: String { HostText.sanitised(self) }
}
