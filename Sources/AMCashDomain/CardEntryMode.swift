/// How the collector's card reached the terminal. Only a card that was physically read can redeem:
/// a key-entered number can look up a balance and nothing more (the host answers 0009 otherwise).
public enum CardEntryMode: String, Sendable, CaseIterable, Codable {
    case scan = "SCAN"
    case swipe = "SWIPE"
    case manual = "MANUAL"

    /// Whether a redemption may be attempted with a card read this way.
    public var canRedeem: Bool { self != .manual }
}
