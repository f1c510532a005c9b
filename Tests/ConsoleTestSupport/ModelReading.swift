public import AMCashDomain
public import AMCashWire
public import ConsoleCore

/// Read-only views into the model's screens, so a test can say `model.basketText` rather than match
/// the screen's case each time. Nil (or empty) when the screen is another.
extension Model {
    /// The ready form, or the one a lookup keeps to come back to.
    public var readyForm: ReadyForm? {
        switch screen {
        case .ready(let form), .lookingUp(_, let form): form
        default: nil
        }
    }
    public var basketText: String { readyForm?.basketText ?? "" }
    public var preTaxText: String { readyForm?.preTaxText ?? "" }
    public var cardText: String { readyForm?.cardText ?? "" }
    public var focus: ReadyField? { readyForm?.focus }

    public var offer: Offer? {
        switch screen {
        case .offer(let offer), .confirm(let offer, _), .redeeming(let offer, _): offer
        default: nil
        }
    }

    public var choice: RedemptionChoice? { offer?.choice }
    public var inquiry: InquiryReply? { offer?.inquiry }

    /// The card of the sale on screen (or the one the ready form keeps).
    public var card: CardRead? {
        switch screen {
        case .ready(let form): form.card
        case .lookingUp(let sale, _): sale.card
        default: offer?.sale.card
        }
    }

    /// The notice of the visible screen.
    public var notice: LocalizedText? {
        if case .supervisor(let entry) = overlays.last { return entry.notice }
        guard overlays.isEmpty else { return nil }
        switch screen {
        case .ready(let form): return form.notice
        case .offer(let offer), .confirm(let offer, _): return offer.notice
        case .reverseConfirm(_, _, let notice): return notice
        default: return nil
        }
    }

    public var redemption: RedemptionOutcome? { if case .result(let result) = screen { result.outcome } else { nil } }

    public var showingReceipt: Bool {
        switch screen {
        case .result(let result): result.showingReceipt
        case .reverseResult(let result): result.showingReceipt
        default: false
        }
    }

    public var receipt: [String] { screen.receipt }

    public var reverseList: ReverseList? {
        switch screen {
        case .reverseList(let list), .reverseConfirm(let list, _, _), .reversing(let list, _): list
        default: nil
        }
    }

    public var reversal: ReversalOutcome? { if case .reverseResult(let result) = screen { result.outcome } else { nil } }

    public var supervisorEntry: SupervisorEntry? { if case .supervisor(let entry) = overlays.last { entry } else { nil } }
    public var pinText: String { supervisorEntry?.pinText ?? "" }
}
