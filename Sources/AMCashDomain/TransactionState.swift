/// Where one REDEEM (and its reversal) stands. The net debit at the host equals what the cashier
/// was shown as APPROVED, so an approval is not the end: it is `shown`, or it is voided.
///
///     draft → sending → approved | declined | unknown
///     unknown → approved                    (a replay learns the approval; a refusal to a replay proves nothing)
///     approved → shown                      (the cashier saw APPROVED: the only state in which a discount was given)
///     approved → voiding → voided           (an approval never shown is given back on its own)
///     shown → reversing → reversed          (the cashier's reversal)
///     reversing → shown                     (the host refused the reversal: the redemption stands, the refusal is noted)
///     unknown | voiding | reversing → exception   (replays or retries spent, window closed, host refused a void)
///
/// `applying(_:)` refuses everything else, so no caller can move a transaction another way. A REVERSE
/// row of the journal has its own short machine: `reversalRowApplying(_:)`.
public enum TransactionState: String, Sendable, CaseIterable, Codable {
    case draft, sending, approved, shown, declined, unknown, voiding, voided, reversing, reversed, exception

    /// Whether nothing more can happen to the transaction on its own (an exception waits for a person).
    public var isFinal: Bool { self == .declined || self == .voided || self == .reversed || self == .exception }

    /// Whether the host may hold a debit the terminal has not yet confirmed.
    public var needsResolution: Bool { self == .sending || self == .unknown }

    /// Whether the host holds (or may hold) a debit that this terminal must still give back.
    public var owesAVoid: Bool { self == .approved || self == .voiding }

    /// Whether the collector is, in the end, debited for this REDEEM (a discount was given and stands).
    public var isNetDebit: Bool { self == .shown || self == .reversing }

    /// The state after `event` for a REDEEM, or an error naming the illegal transition.
    public func applying(_ event: TransactionEvent) throws(IllegalTransition) -> TransactionState {
        switch (self, event) {
        case (.draft, .send): return .sending
        case (.sending, .hostApproved), (.unknown, .hostApproved): return .approved
        case (.sending, .hostDeclined): return .declined
        case (.sending, .responseLost): return .unknown
        case (.approved, .shown): return .shown
        case (.approved, .void): return .voiding
        case (.voiding, .reversalApproved): return .voided
        case (.shown, .reverse): return .reversing
        case (.reversing, .reversalApproved): return .reversed
        case (.reversing, .reversalRefused): return .shown
        case (.unknown, .giveUp), (.voiding, .giveUp), (.reversing, .giveUp): return .exception
        default: throw IllegalTransition(from: self, event: event)
        }
    }

    /// The state after `event` for a REVERSE row (a cashier's reversal or a void): queued as
    /// `reversing`, then `reversed`, refused (`declined`) or given up (`exception`).
    public func reversalRowApplying(_ event: TransactionEvent) throws(IllegalTransition) -> TransactionState {
        switch (self, event) {
        case (.reversing, .reversalApproved): return .reversed
        case (.reversing, .reversalRefused): return .declined
        case (.reversing, .giveUp): return .exception
        default: throw IllegalTransition(from: self, event: event)
        }
    }
}

/// Something that happens to a transaction.
public enum TransactionEvent: String, Sendable, CaseIterable, Codable {
    /// The request is about to go out (its intent is already in the journal).
    case send
    /// The host answered with an approval.
    case hostApproved
    /// The host answered the first send with a refusal.
    case hostDeclined
    /// No conclusive answer came back (timeout, dropped connection after sending, garbled reply).
    case responseLost
    /// The cashier saw APPROVED (the result was drawn or printed).
    case shown
    /// An approval nobody saw: its REVERSE is queued in the same commit.
    case void
    /// The cashier's reversal of a shown redemption is about to go out.
    case reverse
    /// The host confirmed a reversal (the cashier's or a void).
    case reversalApproved
    /// The host refused a reversal.
    case reversalRefused
    /// Replays or retries are spent, or the window closed: a supervisor must look.
    case giveUp
}

/// A transition the state machine does not have.
public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
    public let from: TransactionState
    public let event: TransactionEvent
    public var description: String { "a \(from) transaction cannot take \(event)" }
}
