public import AMCashDomain
public import AMCashWire
import ReceiptPrinting

/// The offer screen: the collector's balances, what this sale can redeem, and the amount chosen.
public struct Offer: Hashable, Sendable {
    public let sale: Sale
    /// The host's answer; nil when it did not answer (the notice says why).
    public let inquiry: InquiryReply?
    /// The amount stepper; nil when nothing can be redeemed (a keyed card, no units, no answer).
    public var choice: RedemptionChoice?
    public var notice: LocalizedText?
    /// The host's CALCULATE of what this sale earns, for the amount it was asked for; nil before one is asked.
    public var preview: EarningPreview?

    public init(
        sale: Sale, inquiry: InquiryReply?, choice: RedemptionChoice?, notice: LocalizedText?, preview: EarningPreview? = nil
    ) {
        self.sale = sale
        self.inquiry = inquiry
        self.choice = choice
        self.notice = notice
        self.preview = preview
    }

    /// What the sale would earn on as it stands: its amounts less the AM Cash discount chosen.
    public var earningRequest: EarningRequest {
        OfferScreen.earningRequest(sale, discount: redeemableChoice?.money ?? .zero)
    }

    /// The miles "This sale earns" shows: only CALCULATE's answer for the amount on screen now.
    public var previewMiles: Int? {
        guard let preview, preview.request == earningRequest else { return nil }
        return preview.miles
    }

    /// The choice, when it redeems something and the card may redeem: what "confirm" needs.
    var redeemableChoice: RedemptionChoice? {
        guard let choice, choice.isRedemption, sale.card.canRedeem else { return nil }
        return choice
    }
}

/// The offer's CALCULATE: the request it was asked for, and its miles once answered (nil while it is with
/// the host, or when it failed: the line is then simply absent, and the sale goes on).
public struct EarningPreview: Hashable, Sendable {
    public let request: EarningRequest
    public var miles: Int?

    public init(request: EarningRequest, miles: Int?) {
        self.request = request
        self.miles = miles
    }
}

/// Keys on the offer and the redemption question; the host's answers to INQUIRE and REDEEM.
enum OfferScreen {
    static func act(_ action: KeyAction, _ model: inout Model, _ offer: Offer) -> [Effect] {
        var offer = offer
        switch action {
        case .stepUp: offer.choice?.stepUp()
        case .stepDown: offer.choice?.stepDown()
        case .maximum: offer.choice?.selectMaximum()
        case .none: offer.choice?.selectNone()
        case .confirm:
            guard let choice = offer.redeemableChoice else { return finishWithoutRedeeming(&model, offer) }
            model.screen = .confirm(offer, choice)
            return []
        case .cancel:
            model.startNewSale()
            return []
        default:
            return []
        }
        model.screen = .offer(offer)
        return []
    }

    /// Yes sends the REDEEM for the amount on screen; no goes back to the offer.
    static func answer(_ yes: Bool, _ model: inout Model, _ offer: Offer, _ choice: RedemptionChoice) -> [Effect] {
        guard yes else {
            model.screen = .offer(offer)
            return []
        }
        let sale = offer.sale
        model.screen = .redeeming(offer, choice)
        let request = RedemptionRequest(
            card: sale.card, basket: sale.basket, amount: choice.money, preTaxAmount: sale.preTax, language: model.language)
        if let register = model.register { return [.redeemForRegister(request, saleId: register.saleId)] }
        return [.redeem(request)]
    }

    /// Enter with nothing to redeem (a keyed card, none chosen, no answer to INQUIRE) finishes the sale:
    /// it earns on its whole amount. A register's sale is finished by the register, not here.
    static func finishWithoutRedeeming(_ model: inout Model, _ offer: Offer) -> [Effect] {
        guard model.register == nil else { return [] }
        let request = earningRequest(offer.sale, discount: .zero)
        model.screen = .result(RedemptionResult(outcome: .notRedeemed, receipt: [], approvalToMark: nil, earning: .sending(request)))
        let receipt = Receipt.awaitingEarning(Receipt.earning(card: offer.sale.card, model: model), language: model.language)
        return [.earn(request, receipt: receipt, traceId: nil)]
    }

    /// What the sale earns on: its amounts less the AM Cash discount given (`EarningRequest.earnedOn`).
    static func earningRequest(_ sale: Sale, discount: Money) -> EarningRequest {
        EarningRequest(card: sale.card, preTaxAmount: sale.preTax ?? sale.basket, postTaxAmount: sale.basket, amcashDiscount: discount)
    }

    /// The ISSUE answered (or was queued): the receipt it carried prints with the miles line, and the
    /// result on screen shows the miles if it is still this sale's.
    static func earned(
        _ model: inout Model, _ request: EarningRequest, _ outcome: EarningOutcome, receipt: ReceiptDocument?, traceId: String?
    ) -> [Effect] {
        if case .result(var result) = model.screen, result.earning == .sending(request) {
            result.earning = .done(outcome)
            if let receipt { result = result.with(receipt: Receipt.withEarning(receipt, outcome, language: model.language).textLines) }
            model.screen = .result(result)
        }
        guard let receipt else { return [] }
        return [.printReceipt(Receipt.withEarning(receipt, outcome, language: model.language), traceId: traceId)]
    }

    /// At each second's tick on the offer: CALCULATE the sale as it now stands, once for each amount (holding
    /// a step key sends one, not one per step; a newer one replaces the one in flight). A register's sale is
    /// not previewed: the register reads what it earned with the sale's answer.
    static func previewIfChanged(_ model: inout Model) -> [Effect] {
        guard model.register == nil, model.overlays.isEmpty, case .offer(var offer) = model.screen else { return [] }
        let request = offer.earningRequest
        guard offer.preview?.request != request else { return [] }
        offer.preview = EarningPreview(request: request, miles: nil)
        model.screen = .offer(offer)
        return [.calculate(request)]
    }

    /// CALCULATE answered: its miles show if the offer still stands at that amount. A failure leaves the line out.
    static func calculated(_ model: inout Model, _ request: EarningRequest, _ outcome: EarningOutcome) -> [Effect] {
        guard case .offer(var offer) = model.screen, offer.preview?.request == request else { return [] }
        guard case .earned(let miles, _, _) = outcome else { return [] }
        offer.preview?.miles = miles
        model.screen = .offer(offer)
        return []
    }

    static func inquired(_ model: inout Model, _ sale: Sale, _ result: HostResult<InquiryReply>) -> [Effect] {
        switch result {
        case .answered(let reply):
            model.status.connection = .up
            var choice: RedemptionChoice?
            if let limits = reply.limits(basket: sale.basket), sale.card.canRedeem { choice = RedemptionChoice(limits: limits) }
            var notice: LocalizedText?
            if reply.answer.outcome != .approved {
                let meaning = reply.answer.meaning
                notice = LocalizedText(
                    english: meaning.message.english + " " + meaning.action.text.english,
                    french: meaning.message.french + " " + meaning.action.text.french)
            }
            model.screen = .offer(Offer(sale: sale, inquiry: reply, choice: choice, notice: notice))
        case .notSent(let failure), .unknown(let failure):
            model.status.connection = .down
            let notice = LocalizedText(
                english: failure.message.english + " " + CashierAction.otherTender.text.english,
                french: failure.message.french + " " + CashierAction.otherTender.text.french)
            model.screen = .offer(Offer(sale: sale, inquiry: nil, choice: nil, notice: notice))
        }
        return []
    }

    static func redeemed(_ model: inout Model, _ sale: Sale, _ result: HostResult<RedemptionReply>, traceId: String) -> [Effect] {
        let outcome: RedemptionOutcome
        var receipt: ReceiptDocument?
        switch result {
        case .answered(let reply):
            if let approval = reply.approval, reply.answer.outcome == .approved {
                outcome = .approved(approval, reply.balances)
                receipt = Receipt.redemption(approval, balances: reply.balances, card: sale.card, traceId: traceId, model: model)
            } else if reply.answer.outcome == .unknown {
                outcome = .unknown(traceId: traceId)
            } else {
                outcome = .declined(reply.answer.meaning, hostMessage: reply.answer.hostMessage)
            }
        case .notSent(let failure):
            outcome = .notSent(failure.message)
        case .unknown:
            outcome = .unknown(traceId: traceId)
        }
        let approved = if case .approved = outcome { true } else { false }
        // A register's sale is shown when the register acknowledges it, not when this screen is drawn.
        let mark = approved && model.register == nil ? traceId : nil
        // Drawn, the sale's end is seen and its ISSUE earns (`Effect.markSaleSeen`); "-": nothing was journaled.
        // A register's approval is seen when acknowledged (unacknowledged, it is voided and rung again).
        let seen = traceId == "-" || (approved && model.register != nil) ? nil : traceId
        // The REDEEM has ended: the sale earns on the rest. A result not confirmed earns later: its ISSUE is
        // journaled held behind the REDEEM and recovery sends it once that ends (review s9 #5): "pending".
        // A register's sale too: the register hears NOT CONFIRMED (no discount) and its earning pending.
        if case .unknown = outcome {
            let request = earningRequest(sale, discount: .zero)
            model.screen = .result(
                RedemptionResult(
                    outcome: outcome, receipt: receipt?.textLines ?? [], approvalToMark: mark, earning: .sending(request), saleToMarkSeen: seen))
            if let register = model.register {
                return [.earnAfterRedemption(request, redemptionTraceId: traceId, receipt: nil, saleId: register.saleId)]
            }
            return [
                .earnAfterRedemption(request, redemptionTraceId: traceId, receipt: receipt ?? Receipt.earning(card: sale.card, model: model))
            ]
        }
        var discount: Money?
        switch outcome {
        case .approved(let approval, _): discount = approval.discount
        case .declined, .notSent: discount = .zero
        case .unknown, .notRedeemed: discount = nil
        }
        if let register = model.register, let discount {
            return registerSaleRedeemed(&model, sale, outcome, receipt, traceId: traceId, saleId: register.saleId, discount: discount, seen: seen)
        }
        guard let discount else {
            model.screen = .result(RedemptionResult(outcome: outcome, receipt: receipt?.textLines ?? [], approvalToMark: mark, saleToMarkSeen: seen))
            return receipt.map { [.printReceipt($0, traceId: traceId)] } ?? []
        }
        let request = earningRequest(sale, discount: discount)
        model.screen = .result(
            RedemptionResult(
                outcome: outcome, receipt: receipt?.textLines ?? [], approvalToMark: mark, earning: .sending(request), saleToMarkSeen: seen))
        // The receipt prints when the miles are known (or pending): `earned`. It goes with the ISSUE saying
        // "Miles earned: pending", as the journal records it before the ISSUE is sent, so a console that stops
        // in between still has it to reprint. A sale without an approval gets a receipt of its earning alone.
        let earningOnly = Receipt.awaitingEarning(Receipt.earning(card: sale.card, model: model), language: model.language)
        // `behind`: the REDEEM's intent journaled the sale's ISSUE held; it is released on this request. Also when
        // nothing was sent: the intent (and its ISSUE) may be journaled all the same, and a second ISSUE would earn
        // twice. A REDEEM refused before its intent has no row ("-"), and the ISSUE is journaled then.
        guard let receipt else { return [.earn(request, receipt: earningOnly, traceId: nil, behind: traceId)] }
        // An approval's receipt prints only once the approval is recorded shown; voided, the earning's alone.
        return [
            .earn(
                request, receipt: Receipt.awaitingEarning(receipt, language: model.language), traceId: traceId, behind: traceId,
                ifNotShown: earningOnly)
        ]
    }

    /// A register's sale earns too, once its discount is settled: declined or not sent, at once on the whole
    /// sale; approved, only when the register acknowledges the discount (a voided approval was never given,
    /// and does not earn here). Its receipt prints at once, without the miles line; the register reads the
    /// miles with the sale's answer.
    private static func registerSaleRedeemed(
        _ model: inout Model, _ sale: Sale, _ outcome: RedemptionOutcome, _ receipt: ReceiptDocument?, traceId: String, saleId: String,
        discount: Money, seen: String?
    ) -> [Effect] {
        let request = earningRequest(sale, discount: discount)
        let printing = receipt.map { [Effect.printReceipt($0, traceId: traceId)] } ?? []
        if case .approved = outcome {
            model.registerEarnings[saleId] = request
            model.screen = .result(RedemptionResult(outcome: outcome, receipt: receipt?.textLines ?? [], approvalToMark: nil))
            return printing
        }
        model.screen = .result(
            RedemptionResult(
                outcome: outcome, receipt: receipt?.textLines ?? [], approvalToMark: nil, earning: .sending(request), saleToMarkSeen: seen))
        return printing + [.earnForRegister(request, saleId: saleId)]
    }
}
