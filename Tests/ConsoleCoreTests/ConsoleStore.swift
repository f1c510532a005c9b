import AMCashDomain
import AMCashWire
import ConsoleTestSupport
import ReceiptPrinting
import Testing

@testable import ConsoleCore

extension UpdateStore {
    /// A store over the console's model. The one part of the model its tests do not state is the
    /// scanner's burst (internal): key-timing bookkeeping whose consequences, a card read as scanned
    /// and the burst taken back out of the field it fell into, are in the screen and the effects,
    /// which are stated.
    static func console(_ model: Model, time: Int64 = 0) -> UpdateStore {
        UpdateStore(model, time: time, unstated: { expected, actual in expected.scanner = actual.scanner })
    }

    /// A store on the offer screen for the plenty collector and a $43.35 basket (what
    /// `Fixtures.offerModel` builds), each step on the way stated.
    static func atTheOffer(settings: ConsoleSettings = Fixtures.settings) -> UpdateStore {
        let store = console(Model(settings: settings))
        store.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        store.scan("81000000001", effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))]) {
            $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .card))
        }
        store.send(.inquired(.answered(Fixtures.plentyInquiry))) {
            $0.status.connection = .up
            $0.screen = .offer(Given.offer())
        }
        return store
    }
}

/// The values the update tests state their models with: the plenty collector's sale of $43.35.
enum Given {
    static let basket = Money(cents: 4335)
    static let masked = "•••••••0001"
    static let sale = Sale(card: Fixtures.card, basket: basket, preTax: nil)

    /// The ready form once the card is read: $43.35 typed, the card kept and shown masked.
    static func read(focus: ReadyField, card: CardRead = Fixtures.card, preTax: String = "") -> ReadyForm {
        ReadyForm(focus: focus, basketText: "43.35", preTaxText: preTax, cardText: card.number.masked, card: card)
    }

    /// The plenty collector's choice on a $43.35 basket with `units` ($10 each) selected.
    static func choice(_ units: Int) -> RedemptionChoice {
        var choice = RedemptionChoice(limits: Fixtures.plentyInquiry.limits(basket: basket)!)
        choice.select(Units(units))
        return choice
    }

    /// The offer to the plenty collector with `units` selected (4, $40, is where it starts).
    static func offer(_ units: Int = 4, sale: Sale = sale) -> Offer {
        Offer(sale: sale, inquiry: Fixtures.plentyInquiry, choice: choice(units), notice: nil)
    }

    /// The receipt of the plenty collector's approval in a training till's default context.
    static func approvalReceipt(traceId: String) -> ReceiptDocument {
        Receipt.redemption(
            Fixtures.approval, balances: Fixtures.approvedRedemption.balances, card: Fixtures.card, traceId: traceId,
            context: ReceiptContext(language: .english, showBalances: true, isTraining: true, identity: .training, clock: ""))
    }
}
