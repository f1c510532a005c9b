public import AMCashDomain

/// The screens of a sale and of a reversal. Each case carries exactly what its screen shows: a result
/// without an outcome, or an offer without a card, cannot be written.
public enum Screen: Hashable, Sendable {
    /// The basket and card fields.
    case ready(ReadyForm)
    /// INQUIRE is with the host; the form comes back if the cashier cancels.
    case lookingUp(Sale, form: ReadyForm)
    case offer(Offer)
    /// "Apply this discount?" over the offer. Built only from an offer with a redeemable choice.
    case confirm(Offer, RedemptionChoice)
    /// REDEEM is with the host: no key may take the screen from under the answer.
    case redeeming(Offer, RedemptionChoice)
    case result(RedemptionResult)
    case reverseList(ReverseList)
    /// "Reverse this redemption?": the card must be read again.
    case reverseConfirm(ReverseList, ReversibleItem, notice: LocalizedText?)
    /// REVERSE is with the host.
    case reversing(ReverseList, ReversibleItem)
    case reverseResult(ReversalResult)
    /// Today's sales that earned, to find the one the customer brings back.
    case returnList(ReturnList)
    /// The sale's items not returned yet, to tick the ones that go back.
    case returnItems(ReturnList, ReturnChecklist)
    /// "Return this whole sale (or these items) and take back its miles?"
    case returnConfirm(ReturnList, ReturnableSale)
    /// RETURN is with the host (journaled first; if unanswered it is stored and forwarded).
    case returning(ReturnList, ReturnableSale)
    case returnResult(ReturnResult)

    public var kind: ScreenKind {
        switch self {
        case .ready: .ready
        case .lookingUp: .lookingUp
        case .offer: .offer
        case .confirm: .confirm
        case .redeeming: .redeeming
        case .result: .result
        case .reverseList: .reverseList
        case .reverseConfirm: .reverseConfirm
        case .reversing: .reversing
        case .reverseResult: .reverseResult
        case .returnList: .returnList
        case .returnItems: .returnItems
        case .returnConfirm: .returnConfirm
        case .returning: .returning
        case .returnResult: .returnResult
        }
    }

    public var keyContext: KeyContext? { kind.keyContext }

    /// The receipt of the result on screen (empty on every other screen, and for a result without one).
    public var receipt: [String] {
        switch self {
        case .result(let result): result.receipt
        case .reverseResult(let result): result.receipt
        case .returnResult(let result): result.receipt
        default: []
        }
    }
}

/// Screens shown over the sale's screen, which waits under them unchanged.
public enum Overlay: Hashable, Sendable {
    /// The keys of the screen under it and, in training, the test cards; `page` from 0.
    case help(page: Int)
    /// Today's journal (nil until it is read), newest first, `page` from 0.
    case history([HistoryLine]?, page: Int)
    /// Kiosk mode: the supervisor types the PIN to leave.
    case supervisor(SupervisorEntry)

    public var kind: ScreenKind {
        switch self {
        case .help: .help
        case .history: .history
        case .supervisor: .supervisor
        }
    }

    public var keyContext: KeyContext? { kind.keyContext }
}

/// Which screen is showing, without its data: for the keymap, the legend and tests.
public enum ScreenKind: Hashable, Sendable {
    case ready, lookingUp, offer, confirm, redeeming, result
    case reverseList, reverseConfirm, reversing, reverseResult
    case returnList, returnItems, returnConfirm, returning, returnResult
    case history, help, supervisor

    /// The keymap context whose keys this screen reads (then `global`'s); nil while waiting on the host.
    public var keyContext: KeyContext? {
        switch self {
        case .ready: .card
        case .lookingUp: .lookup
        case .offer: .offer
        case .confirm, .reverseConfirm, .returnConfirm: .confirm
        case .result, .reverseResult, .returnResult: .result
        // The return list reads the reverse list's keys: both find one of today's rows by a typed id.
        case .reverseList, .returnList: .reverse
        case .returnItems: .items
        case .history, .help: .dialog
        case .supervisor: .supervisor
        case .redeeming, .reversing, .returning: nil
        }
    }

    /// A call is with the host: keys wait, and the kiosk's idle clear leaves the screen alone.
    public var waitsOnHost: Bool { self == .lookingUp || self == .redeeming || self == .reversing || self == .returning }
}
