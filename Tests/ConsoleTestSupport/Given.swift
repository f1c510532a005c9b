public import AMCashDomain
public import AMCashWire
public import ConsoleCore
public import ReceiptPrinting
public import Testing

/// The values update tests state their models with: the plenty collector's sale of $43.35, as
/// `Fixtures` plays it (typed basket, scanned card, the plenty answer).
public enum Given {
    public static let basket = Money(cents: 4335)
    public static let masked = "•••••••0001"
    public static let sale = Sale(card: Fixtures.card, basket: basket, preTax: nil)

    /// The ready form once the card is read: $43.35 typed, the card kept and shown masked.
    public static func read(focus: ReadyField, card: CardRead = Fixtures.card, preTax: String = "") -> ReadyForm {
        ReadyForm(focus: focus, basketText: "43.35", preTaxText: preTax, cardText: card.number.masked, card: card)
    }

    /// The plenty collector's choice on a $43.35 basket with `units` ($10 each) selected.
    public static func choice(_ units: Int) -> RedemptionChoice {
        var choice = RedemptionChoice(limits: Fixtures.plentyInquiry.limits(basket: basket)!)
        choice.select(Units(units))
        return choice
    }

    /// The offer to the plenty collector with `units` selected (4, $40, is where it starts).
    public static func offer(_ units: Int = 4, sale: Sale = sale) -> Offer {
        Offer(sale: sale, inquiry: Fixtures.plentyInquiry, choice: choice(units), notice: nil)
    }

    /// The receipt of a sale that earns without an approval, on a training till in English (before its miles line).
    public static func earningReceipt(card: CardRead = Fixtures.card) -> ReceiptDocument {
        Receipt.earning(card: card, context: ReceiptContext(language: .english, showBalances: true, isTraining: true, identity: .training, clock: ""))
    }

    /// `earningReceipt` as its `Effect.earn` carries it, and the journal records it before the ISSUE goes
    /// out: "Miles earned: pending", what a reprint prints if the console stops before the ISSUE ends.
    public static func heldEarningReceipt(card: CardRead = Fixtures.card) -> ReceiptDocument {
        Receipt.awaitingEarning(earningReceipt(card: card), language: .english)
    }

    /// The host's approval of the plenty collector's redemption (`Fixtures.approvedRedemption`) under
    /// `traceId`: the effect it returns (at a till, the ISSUE of the rest carrying the receipt; for a
    /// register's sale, `marked: false`, the receipt printed at once), the result screen (its approval
    /// marked shown when drawn unless a register's acknowledgement does that), the earning request and
    /// the receipt before its miles line. The receipt's context is a training till's.
    public static func approval(
        traceId: String, language: Language = .english, clock: String = "", marked: Bool = true
    ) -> (effect: Effect, result: RedemptionResult, request: EarningRequest, receipt: ReceiptDocument) {
        let context = ReceiptContext(language: language, showBalances: true, isTraining: true, identity: .training, clock: clock)
        let receipt = Receipt.redemption(
            Fixtures.approval, balances: Fixtures.approvedRedemption.balances, card: Fixtures.card, traceId: traceId, context: context)
        let outcome = RedemptionOutcome.approved(Fixtures.approval, Fixtures.approvedRedemption.balances)
        let request = EarningRequest(
            card: Fixtures.card, preTaxAmount: basket, postTaxAmount: basket, amcashDiscount: Fixtures.approval.discount)
        guard marked else {
            return (
                .printReceipt(receipt, traceId: traceId), RedemptionResult(outcome: outcome, receipt: receipt.textLines, approvalToMark: nil),
                request, receipt
            )
        }
        return (
            .earn(
                request, receipt: Receipt.awaitingEarning(receipt, language: language), traceId: traceId, behind: traceId,
                ifNotShown: Receipt.awaitingEarning(Receipt.earning(card: Fixtures.card, context: context), language: language)),
            RedemptionResult(
                outcome: outcome, receipt: receipt.textLines, approvalToMark: traceId, earning: .sending(request), saleToMarkSeen: traceId),
            request, receipt
        )
    }
}

extension UpdateStore {
    /// From a blank ready screen to the offer for the plenty collector and a $43.35 basket (what
    /// `Fixtures.offerModel` builds), each step stated.
    public func toTheOffer(sourceLocation: SourceLocation = #_sourceLocation) {
        type("43.35\n", sourceLocation: sourceLocation) { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        scan("81000000001", effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))], sourceLocation: sourceLocation) {
            $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .card))
        }
        send(.inquired(.answered(Fixtures.plentyInquiry)), sourceLocation: sourceLocation) {
            $0.status.connection = .up
            $0.screen = .offer(Given.offer())
        }
    }
}
