import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import Testing

/// A sale the store's register pushed: its basket filled in and locked, its REDEEM journaled under its
/// saleId, its APPROVED screen never marking it shown (the register's acknowledgement does).
@Suite struct RegisterSaleUpdateTests {
    static let origin = RegisterSaleOrigin(saleId: "POS7-000123", basket: Money(cents: 4335), language: .french)

    static func arrived() -> Model {
        var model = Model(settings: Fixtures.settings)
        _ = update(&model, .clock("13:32"))
        _ = update(&model, .registerSaleArrived(origin))
        return model
    }

    @Test func aRegisterSaleArrivesWithItsBasketLockedAndTheCursorOnTheCard() {
        var model = Self.arrived()
        #expect(model.register == Self.origin && model.language == .french)
        #expect(model.basketText == "43.35" && model.focus == .card)
        var time: Int64 = 0
        // The cashier cannot type over the register's total, nor tab back to it, nor delete it.
        _ = Fixtures.press(.tab, &model, &time)
        _ = Fixtures.press(.backspace, &model, &time)
        #expect(model.basketText == "43.35" && model.focus == .card)
        let effects = Fixtures.scan("81000000001", into: &model, startingAt: &time)
        #expect(model.kind == .lookingUp, "the card is looked up against the register's total")
        #expect(effects.contains(.inquire(InquiryRequest(card: Fixtures.card, basket: Money(cents: 4335), language: .french))), "\(effects)")
    }

    @Test func aRegisterSaleRedeemsUnderItsSaleIdAndItsApprovalIsNotMarkedShownWhenDrawn() {
        var model = Self.arrived()
        var time: Int64 = 0
        _ = Fixtures.scan("81000000001", into: &model, startingAt: &time)
        let moved = update(&model, .inquired(.answered(Fixtures.plentyInquiry)))
        #expect(moved == [.registerSaleMoved(saleId: "POS7-000123", .offer)])
        _ = Fixtures.press(.enter, &model, &time)
        let effects = Fixtures.press(.character("y"), &model, &time)
        guard case .redeemForRegister(let request, let saleId)? = effects.first else {
            Issue.record("expected the register's REDEEM, got \(effects)")
            return
        }
        #expect(saleId == "POS7-000123" && request.basket == Money(cents: 4335))
        _ = update(&model, .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007"))
        #expect(model.kind == .result)
        #expect(update(&model, .drawn).isEmpty, "drawn is not shown for a register's sale: the register's ack is")
        _ = update(&model, .registerApprovalVoided(saleId: "POS7-000123"))
        guard case .result(let voided) = model.screen, case .notSent(let text) = voided.outcome else {
            Issue.record("the APPROVED screen must not stay: \(model.screen)")
            return
        }
        #expect(text.english.contains("voided") && voided.receipt.isEmpty)
        let closed = Fixtures.press(.escape, &model, &time)
        #expect(closed.contains(.registerSaleClosed(saleId: "POS7-000123")) && model.register == nil, "\(closed)")
    }

    @Test func theCashierCancellingARegisterSaleClosesItAndTheRegisterCancellingClearsTheScreen() {
        var model = Self.arrived()
        var time: Int64 = 0
        let effects = Fixtures.press(.escape, &model, &time)
        #expect(model.register == nil && model.basketText.isEmpty, "a new sale of the till's own")
        #expect(effects.contains(.registerSaleClosed(saleId: "POS7-000123")), "\(effects)")

        var cancelled = Self.arrived()
        _ = update(&cancelled, .registerSaleCancelled(saleId: "POS7-000123"))
        #expect(cancelled.register == nil && cancelled.basketText.isEmpty)
        #expect(cancelled.registerNotice?.english.contains("cancelled") == true)
    }

    @Test func aRegisterSaleWaitsForTheCashiersOwnSaleInProgress() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.type("12.00", into: &model, startingAt: &time)
        _ = update(&model, .registerSaleArrived(Self.origin))
        #expect(model.register == nil && model.basketText == "12.00", "the cashier's typing is not taken away")
        #expect(model.registerWaiting == Self.origin)
        _ = Fixtures.press(.escape, &model, &time)
        #expect(model.register == Self.origin && model.basketText == "43.35", "the register's sale starts with the next sale")
    }

    @Test func withNoRegisterAConfirmedSaleIsAnOrdinaryRedeemMarkedShownWhenDrawn() {
        var model = Fixtures.offerModel()
        var time: Int64 = 0
        _ = Fixtures.press(.enter, &model, &time)
        let effects = Fixtures.press(.character("y"), &model, &time)
        guard case .redeem? = effects.first else {
            Issue.record("expected a plain REDEEM, got \(effects)")
            return
        }
        _ = update(&model, .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007"))
        #expect(update(&model, .drawn) == [.markShown(traceId: "000000000007")])
    }

    @Test func theRegistersReversalOpensTheReverseListOnItsConfirmationNumberBetweenSales() {
        var model = Model(settings: Fixtures.settings)
        let effects = update(&model, .registerReversalRequested(saleId: "POS7-000123", confirmationNumber: "RD0000000001"))
        #expect(effects == [.loadReversible])
        guard case .reverseList(let list) = model.screen else {
            Issue.record("expected the reverse list, got \(model.screen)")
            return
        }
        #expect(list.query == "RD0000000001" && model.registerNotice?.english.contains("scan the card") == true)

        // In the middle of a sale, the cashier is told and the sale is left alone.
        var busy = Fixtures.offerModel()
        #expect(update(&busy, .registerReversalRequested(saleId: "POS7-000123", confirmationNumber: "RD0000000001")).isEmpty)
        #expect(busy.kind == .offer && busy.registerNotice != nil)
    }
}
