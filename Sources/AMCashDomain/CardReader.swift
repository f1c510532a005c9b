/// Turns what a scanner, a stripe reader or a cashier's keys produced into a `CollectorNumber`
/// and the entry mode the host must be told.
public struct CardReader: Sendable {
    public let format: CollectorNumberFormat

    public init(format: CollectorNumberFormat = .standard) {
        self.format = format
    }

    /// A barcode scan. Scanners may add a symbology prefix (`]C0`), other prefix or suffix
    /// characters and line ends; those are stripped. Digits with anything else between them are refused.
    public func scanned(_ raw: String) throws(CardReadError) -> CardRead {
        var text = Substring(raw.filter { !$0.isWhitespace })
        // An AIM symbology identifier is "]", a letter and one character; it may hold a digit.
        if text.first == "]", text.count >= 3 { text = text.dropFirst(3) }
        let digits = text.drop { !$0.isASCIIDigit }.reversed().drop { !$0.isASCIIDigit }.reversed()
        return CardRead(number: try CollectorNumber(digits: String(digits), format: format), entryMode: .scan)
    }

    /// A magnetic stripe swipe: track 2 (`;8123…=…?`) or track 1 (`%B8123…^NAME^…?`), either first.
    public func swiped(_ track: String) throws(CardReadError) -> CardRead {
        let digits: Substring
        if let start = track.firstIndex(of: ";"), let end = track[start...].firstIndex(where: { $0 == "=" || $0 == "?" }) {
            digits = track[track.index(after: start)..<end]
        } else if let start = track.firstIndex(of: "%"), let end = track[start...].firstIndex(of: "^") {
            let afterSentinel = track[track.index(after: start)..<end]
            digits = afterSentinel.first?.isLetter == true ? afterSentinel.dropFirst() : afterSentinel
        } else {
            throw .unreadableTrack
        }
        return CardRead(number: try CollectorNumber(digits: String(digits), format: format), entryMode: .swipe)
    }

    /// Digits keyed by the cashier; spaces and dashes between groups are allowed. Balance only.
    public func keyed(_ typed: String) throws(CardReadError) -> CardRead {
        let digits = typed.filter { $0 != " " && $0 != "-" }
        return CardRead(number: try CollectorNumber(digits: digits, format: format), entryMode: .manual)
    }
}

/// A collector number together with how it was read; the pair the host needs on every call.
public struct CardRead: Sendable, Hashable {
    public let number: CollectorNumber
    public let entryMode: CardEntryMode

    public init(number: CollectorNumber, entryMode: CardEntryMode) {
        self.number = number
        self.entryMode = entryMode
    }

    /// Whether this card may redeem: scanned or swiped, never keyed.
    public var canRedeem: Bool { entryMode.canRedeem }
}
