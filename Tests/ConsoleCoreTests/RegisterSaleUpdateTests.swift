import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import ReceiptPrinting
import Testing

/// A sale the store's register pushed: its basket filled in and locked, its REDEEM journaled under its
/// saleId, its APPROVED screen never marking it shown (the register's acknowledgement does).
@Suite struct RegisterSaleUpdateTests {
    static let origin = RegisterSaleOrigin(saleId: "POS7-000123", basket: Money(cents: 4335), language: .french)
    /// The register's form: its total filled in, the cursor on the card.
    static let form = ReadyForm(focus: .card, basketText: "43.35")

    static func arrived() -> UpdateStore {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.send(.clock("13:32")) { $0.status.clock = "13:32" }
        store.send(.registerSaleArrived(origin)) {
            $0.register = origin
            $0.language = .french
            $0.screen = .ready(form)
        }
        return store
    }

    /// What closing a register's sale leaves, whoever closes it: a new sale of the till's own, in the till's language.
    static func closedToTheTillsOwnSale(_ model: inout Model) {
        model.register = nil
        model.language = .english
        model.screen = .ready(ReadyForm())
    }

    /// The card scanned on the register's sale: it is looked up against the register's total, in the register's language.
    static func scanCard(_ store: UpdateStore) {
        store.scan("81000000001", effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Money(cents: 4335), language: .french))]) {
            $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .card))
        }
    }

    /// A store whose register sale has been scanned, offered $40 and confirmed: its REDEEM is out, under the saleId.
    static func redeeming() -> UpdateStore {
        let store = Self.arrived()
        Self.scanCard(store)
        store.send(.inquired(.answered(Fixtures.plentyInquiry)), effects: [.registerSaleMoved(saleId: "POS7-000123", .offer)]) {
            $0.status.connection = .up
            $0.screen = .offer(Given.offer())
        }
        store.press(.enter) { $0.screen = .confirm(Given.offer(), Given.choice(4)) }
        let request = RedemptionRequest(card: Fixtures.card, basket: Money(cents: 4335), amount: Money(dollars: 40), language: .french)
        store.press(.character("y"), effects: [.redeemForRegister(request, saleId: "POS7-000123")]) {
            $0.screen = .redeeming(Given.offer(), Given.choice(4))
        }
        return store
    }

    @Test func aRegisterSaleArrivesWithItsBasketLockedAndTheCursorOnTheCard() {
        let store = Self.arrived()
        // The cashier cannot type over the register's total, nor tab back to it, nor delete it.
        store.press(.tab)
        store.press(.backspace)
        Self.scanCard(store)
    }

    @Test func aRegisterSaleRedeemsUnderItsSaleIdAndItsApprovalIsNotMarkedShownWhenDrawn() {
        let (store, _) = Self.approved()
        store.send(.drawn)  // drawn is not shown for a register's sale: the register's ack is
        // The APPROVED screen must not stay once the register voids the approval; a voided approval does not earn.
        store.send(.registerApprovalVoided(saleId: "POS7-000123")) {
            $0.registerEarnings = [:]
            let voided = LocalizedText(
                english: "The register did not confirm sale POS7-000123: the redemption was voided. Do not give the discount.",
                french: "La caisse n'a pas confirmé la vente POS7-000123 : l'échange a été annulé. Ne donnez pas le rabais.")
            $0.screen = .result(RedemptionResult(outcome: .notSent(voided), receipt: [], approvalToMark: nil))
        }
        store.press(.escape, effects: [.registerSaleClosed(saleId: "POS7-000123")], Self.closedToTheTillsOwnSale)
    }

    /// A store on the APPROVED screen of the register's sale (its earning waiting for the register's ack).
    static func approved() -> (UpdateStore, approval: (effect: Effect, result: RedemptionResult, request: EarningRequest, receipt: ReceiptDocument)) {
        let store = Self.redeeming()
        let approval = Given.approval(traceId: "000000000007", language: .french, clock: "13:32", marked: false)
        store.send(.redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007"), effects: [approval.effect]) {
            // Nothing to mark shown: the register's acknowledgement does. The sale earns only once it does.
            $0.screen = .result(approval.result)
            $0.registerEarnings = ["POS7-000123": approval.request]
        }
        return (store, approval)
    }

    @Test func anAcknowledgedRegisterSaleEarnsOnTheRestAndTheRegisterIsTold() {
        let (store, approval) = Self.approved()
        var earning = approval.result
        earning.earning = .sending(approval.request)
        store.send(.registerAcknowledged(saleId: "POS7-000123"), effects: [.earnForRegister(approval.request, saleId: "POS7-000123")]) {
            $0.registerEarnings = [:]
            $0.screen = .result(earning)
            $0.registerNotice = LocalizedText(
                english: "The register applied the discount of sale POS7-000123.", french: "La caisse a appliqué le rabais de la vente POS7-000123.")
        }
        // The same ack again earns nothing more.
        store.send(.registerAcknowledged(saleId: "POS7-000123"))
        let miles = EarningOutcome.earned(miles: 0, confirmationNumber: "IS0000000001", lines: [])
        earning.earning = .done(miles)
        store.send(.earned(approval.request, miles, receipt: nil, traceId: nil)) { $0.screen = .result(earning) }
    }

    @Test func anAckAfterTheCashierMovedOnStillEarnsAndADeclinedRegisterSaleEarnsAtOnce() {
        let (store, approval) = Self.approved()
        store.press(.enter, effects: [.registerSaleClosed(saleId: "POS7-000123")], Self.closedToTheTillsOwnSale)
        store.send(.registerAcknowledged(saleId: "POS7-000123"), effects: [.earnForRegister(approval.request, saleId: "POS7-000123")]) {
            $0.registerEarnings = [:]
        }

        // Declined: no discount, so the whole sale earns at once.
        let declined = Self.redeeming()
        let answer = Fixtures.answer(.dailyLimitExceeded)
        let whole = EarningRequest(card: Fixtures.card, preTaxAmount: Given.basket, postTaxAmount: Given.basket)
        declined.send(
            .redeemed(.answered(RedemptionReply(answer: answer, approval: nil, balances: .none)), traceId: "000000000008"),
            effects: [.earnForRegister(whole, saleId: "POS7-000123")]
        ) {
            $0.screen = .result(
                RedemptionResult(
                    outcome: .declined(answer.meaning, hostMessage: nil), receipt: [], approvalToMark: nil, earning: .sending(whole),
                    saleToMarkSeen: "000000000008"))
        }
        // Drawn, the decline is seen: the sale's ISSUE earns even if the console stops now.
        declined.send(.drawn, effects: [.markSaleSeen(traceId: "000000000008")]) {
            $0.screen = .result(
                RedemptionResult(
                    outcome: .declined(answer.meaning, hostMessage: nil), receipt: [], approvalToMark: nil, earning: .sending(whole)))
        }
    }

    /// Issue #28: a register's sale NOT CONFIRMED earns too: its ISSUE (on the whole sale) is journaled held behind
    /// the REDEEM, recovery sends it once the REDEEM ends, and the register is told its earning is pending. No receipt.
    @Test func aRegisterSaleNotConfirmedEarnsLaterThroughTheHeldIssue() {
        let store = Self.redeeming()
        let whole = EarningRequest(card: Fixtures.card, preTaxAmount: Given.basket, postTaxAmount: Given.basket)
        store.send(
            .redeemed(.unknown(.timedOut), traceId: "000000000008"),
            effects: [.earnAfterRedemption(whole, redemptionTraceId: "000000000008", receipt: nil, saleId: "POS7-000123")]
        ) {
            $0.screen = .result(
                RedemptionResult(
                    outcome: .unknown(traceId: "000000000008"), receipt: [], approvalToMark: nil, earning: .sending(whole),
                    saleToMarkSeen: "000000000008"))
        }
        store.send(.drawn, effects: [.markSaleSeen(traceId: "000000000008")]) {
            $0.screen = .result(
                RedemptionResult(outcome: .unknown(traceId: "000000000008"), receipt: [], approvalToMark: nil, earning: .sending(whole)))
        }
        store.send(.earned(whole, .pending(reason: "held"), receipt: nil, traceId: nil)) {
            $0.screen = .result(
                RedemptionResult(
                    outcome: .unknown(traceId: "000000000008"), receipt: [], approvalToMark: nil, earning: .done(.pending(reason: "held"))))
        }
    }

    @Test func theCashierCancellingARegisterSaleClosesItAndTheRegisterCancellingClearsTheScreen() {
        // The cashier cancels: a new sale of the till's own, and the register is told.
        let store = Self.arrived()
        store.press(.escape, effects: [.registerSaleClosed(saleId: "POS7-000123")], Self.closedToTheTillsOwnSale)

        let cancelled = Self.arrived()
        cancelled.send(.registerSaleCancelled(saleId: "POS7-000123"), effects: [.registerSaleClosed(saleId: "POS7-000123")]) {
            Self.closedToTheTillsOwnSale(&$0)
            $0.registerNotice = LocalizedText(
                english: "The register cancelled sale POS7-000123.", french: "La caisse a annulé la vente POS7-000123.")
        }
    }

    @Test func aRegisterSaleWaitsForTheCashiersOwnSaleInProgress() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.type("12.00") { $0.screen = .ready(ReadyForm(basketText: "12.00")) }
        // The cashier's typing is not taken away.
        store.send(.registerSaleArrived(Self.origin)) { $0.registerWaiting = Self.origin }
        // The register's sale starts with the next sale.
        store.press(.escape) {
            $0.registerWaiting = nil
            $0.register = Self.origin
            $0.language = .french
            $0.screen = .ready(Self.form)
        }
    }

    /// A sale of the till's own (no register) approved and drawn: the screen marks the approval shown and the
    /// sale seen, once. The store on that APPROVED screen, and the screen.
    static func approvedAndDrawnWithNoRegister() -> (UpdateStore, shown: RedemptionResult) {
        let store = UpdateStore.atTheOffer()
        UpdateTests.approve(store, traceId: "000000000007")
        var shown = Given.approval(traceId: "000000000007").result
        shown.approvalToMark = nil
        shown.saleToMarkSeen = nil
        store.send(.drawn, effects: [.markSaleSeen(traceId: "000000000007"), .markShown(traceId: "000000000007")]) {
            $0.screen = .result(shown)
        }
        return (store, shown)
    }

    @Test func withNoRegisterAConfirmedSaleIsAnOrdinaryRedeemMarkedShownWhenDrawn() {
        _ = Self.approvedAndDrawnWithNoRegister()
    }

    /// The journal could not record the APPROVED as shown (voided meanwhile): the screen stops saying APPROVED
    /// and says not to give the discount; a message about another approval changes nothing.
    @Test func anApprovalNotRecordedShownTurnsTheScreenToDoNotGiveTheDiscount() {
        let (store, shown) = Self.approvedAndDrawnWithNoRegister()
        store.send(.approvalNotShown(confirmationNumber: "RD0000000099"))
        let text = LocalizedText(
            english: "This approval was not recorded as shown in time: the redemption was voided. Do not give the discount.",
            french: "Cet échange n'a pas été enregistré comme affiché à temps : il a été annulé. Ne donnez pas le rabais.")
        store.send(.approvalNotShown(confirmationNumber: Fixtures.approvedRedemption.approval!.confirmationNumber)) {
            // The sale still earns, on the whole sale now: its miles line stays.
            $0.screen = .result(RedemptionResult(outcome: .notSent(text), receipt: [], approvalToMark: nil, earning: shown.earning))
        }
    }

    @Test func theRegistersReversalOpensTheReverseListOnItsConfirmationNumberBetweenSales() {
        let asks = LocalizedText(
            english: "The register asks to reverse sale POS7-000123 (RD0000000001): select it and scan the card.",
            french: "La caisse demande d'annuler la vente POS7-000123 (RD0000000001) : choisissez-la et balayez la carte.")
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.send(.registerReversalRequested(saleId: "POS7-000123", confirmationNumber: "RD0000000001"), effects: [.loadReversible]) {
            $0.screen = .reverseList(ReverseList(query: "RD0000000001"))
            $0.registerNotice = asks
        }

        // In the middle of a sale, the cashier is told and the sale is left alone.
        let busy = UpdateStore.atTheOffer()
        busy.send(.registerReversalRequested(saleId: "POS7-000123", confirmationNumber: "RD0000000001")) { $0.registerNotice = asks }
    }
}
