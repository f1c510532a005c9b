/// Text we do not control (a host's message, a redirect's address, a field of a file) on its way to
/// a terminal, a receipt or a log: control characters would let it retitle the terminal, clear the
/// screen or forge lines, so they are dropped.
extension StringProtocol {
    /// Without C0/C1 control characters, DEL, or the bidirectional overrides that reorder what is
    /// shown; at most `limit` characters.
    public func safeForTerminal(limit: Int) -> String {
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in unicodeScalars {
            if count >= limit { break }
            let value = scalar.value
            let control = value < 0x20 || (0x7F...0x9F).contains(value)
            let bidi = (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F
            if control || bidi { continue }
            kept.append(scalar)
            count += 1
        }
        return String(kept)
    }

    /// `safeForTerminal(limit: 200)`.
    public var safeForTerminal: String { safeForTerminal(limit: 200) }
}
