/// An AIR MILES collector (card) number: ASCII digits only, of a configured length.
///
/// It never shows itself in full: `description`, `debugDescription`, string interpolation and
/// `dump` all give the masked form (`•••••••1234`). The full digits are for the request body only,
/// through `unmaskedDigits`, a name that stands out in review.
public struct CollectorNumber: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The full number. Use it only to build a host request or to store the journal's intent.
    public let unmaskedDigits: String

    public init(digits: String, format: CollectorNumberFormat = .standard) throws(CardReadError) {
        guard !digits.isEmpty else { throw .empty }
        guard digits.allSatisfy(\.isASCIIDigit) else { throw .notDigits }
        guard format.lengths.contains(digits.count) else {
            throw .wrongLength(actual: digits.count, expected: format.lengths)
        }
        unmaskedDigits = digits
    }

    /// The last four digits, the only part ever shown, printed or logged.
    public var lastFour: String { String(unmaskedDigits.suffix(4)) }

    /// The number as screens, receipts and logs show it: one bullet per hidden digit, then the last four.
    public var masked: String {
        String(repeating: "•", count: max(0, unmaskedDigits.count - 4)) + lastFour
    }

    /// The masked form in plain ASCII, for terminals and printers without "•".
    public var maskedASCII: String {
        String(repeating: "*", count: max(0, unmaskedDigits.count - 4)) + lastFour
    }

    public var description: String { masked }
    public var debugDescription: String { "CollectorNumber(\(masked))" }
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked]) }
}

/// Which collector-number lengths this terminal accepts: 11 digits by default, up to 19 where a
/// partner's cards are longer.
public struct CollectorNumberFormat: Sendable, Hashable {
    public static let longestAllowed = 19

    public let lengths: ClosedRange<Int>

    /// Every documented AIR MILES number has 11 digits.
    public static let standard = CollectorNumberFormat(uncheckedLengths: 11...11)

    public init(lengths: ClosedRange<Int>) throws(CardReadError) {
        guard lengths.lowerBound >= 1, lengths.upperBound <= CollectorNumberFormat.longestAllowed else {
            throw .unsupportedFormat(lengths)
        }
        self.lengths = lengths
    }

    private init(uncheckedLengths: ClosedRange<Int>) { lengths = uncheckedLengths }
}

/// Why a card could not be read, in words a cashier can act on.
public enum CardReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case notDigits
    case wrongLength(actual: Int, expected: ClosedRange<Int>)
    case unreadableTrack
    case unsupportedFormat(ClosedRange<Int>)

    public var description: String { message.english }

    /// The cashier's message in both languages.
    public var message: LocalizedText {
        switch self {
        case .empty:
            return LocalizedText(
                english: "No card number was read. Scan the card again.",
                french: "Aucun numéro de carte lu. Balayez la carte de nouveau.")
        case .notDigits:
            return LocalizedText(
                english: "A card number has digits only. Scan the card again or key the digits.",
                french: "Un numéro de carte ne contient que des chiffres. Balayez la carte de nouveau ou entrez les chiffres.")
        case .wrongLength(let actual, let expected):
            let wanted = expected.count == 1 ? "\(expected.lowerBound)" : "\(expected.lowerBound) to \(expected.upperBound)"
            let voulu = expected.count == 1 ? "\(expected.lowerBound)" : "\(expected.lowerBound) à \(expected.upperBound)"
            return LocalizedText(
                english: "A card number has \(wanted) digits; this one has \(actual).",
                french: "Un numéro de carte a \(voulu) chiffres; celui-ci en a \(actual).")
        case .unreadableTrack:
            return LocalizedText(
                english: "The card's stripe could not be read. Swipe again or scan the card.",
                french: "La bande de la carte est illisible. Glissez-la de nouveau ou balayez-la.")
        case .unsupportedFormat(let lengths):
            return LocalizedText(
                english: "Card number lengths \(lengths.lowerBound)...\(lengths.upperBound) are not supported; use 1 to 19.",
                french: "Les longueurs \(lengths.lowerBound)...\(lengths.upperBound) ne sont pas prises en charge; utilisez 1 à 19.")
        }
    }
}
