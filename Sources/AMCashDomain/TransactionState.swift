/// Where one REDEEM (and its reversal) stands. The only transitions are:
///
///     draft → sending → approved | declined | unknown
///     unknown → approved | declined        (by re-sending with the same key)
///     approved → reversing → reversed
///
/// `applying(_:)` refuses everything else, so no caller can move a transaction another way.
public enum TransactionState: String, Sendable, CaseIterable, Codable {
    case draft, sending, approved, declined, unknown, reversing, reversed

    /// Whether nothing more can happen to the transaction.
    public var isFinal: Bool { self == .declined || self == .reversed }

    /// Whether the host may hold a debit the terminal has not yet confirmed.
    public var needsResolution: Bool { self == .sending || self == .unknown }

    /// The state after `event`, or an error naming the illegal transition.
    public func applying(_ event: TransactionEvent) throws(IllegalTransition) -> TransactionState {
        switch (self, event) {
        case (.draft, .send): return .sending
        case (.sending, .hostApproved), (.unknown, .hostApproved): return .approved
        case (.sending, .hostDeclined), (.unknown, .hostDeclined): return .declined
        case (.sending, .responseLost): return .unknown
        case (.approved, .reverse): return .reversing
        case (.reversing, .reversalApproved): return .reversed
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
    /// The host answered with a refusal.
    case hostDeclined
    /// No answer came back (timeout, dropped connection after sending, garbled reply).
    case responseLost
    /// A reversal of the approved redemption is about to go out.
    case reverse
    /// The host confirmed the reversal.
    case reversalApproved
}

/// A transition the state machine does not have.
public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
    public let from: TransactionState
    public let event: TransactionEvent
    public init(from: TransactionState, event: TransactionEvent) {
        self.from = from
        self.event = event
    }
    public var description: String { "a \(from) transaction cannot take \(event)" }
}
