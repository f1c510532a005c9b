public import AMCashDomain

/// A sale the store's register pushed with its basket: the console shows where it came from, and the
/// basket's totals cannot be edited by the cashier (only cancelled). Its approval is "shown" when the
/// register acknowledges it, not when the APPROVED screen is drawn.
public struct RegisterSaleOrigin: Hashable, Sendable {
    /// The register's id for the sale.
    public let saleId: String
    public let basket: Money
    public let preTax: Money?
    /// The sale's language, when the register gave one.
    public let language: Language?

    public init(saleId: String, basket: Money, preTax: Money? = nil, language: Language? = nil) {
        self.saleId = saleId
        self.basket = basket
        self.preTax = preTax
        self.language = language
    }
}

/// Where a register's sale stands on the console before its REDEEM, as the register is told.
public enum RegisterSaleStep: Hashable, Sendable {
    case waitingForCard
    case offer
}

/// What the register's messages do to the console: a sale arrives (now, or after the cashier's sale in
/// progress), is cancelled, is acknowledged, or its approval was voided for want of an acknowledgement.
enum RegisterSaleScreen {
    static func arrived(_ origin: RegisterSaleOrigin, _ model: inout Model) {
        switch model.screen.kind {
        case .ready, .result, .reverseResult, .returnResult:
            if case .ready(let form) = model.screen, !form.isBlank, model.register == nil {
                // The cashier is typing a sale of the till's own: the register's waits for it.
                model.registerWaiting = origin
                return
            }
            model.registerWaiting = origin
            model.startNewSale()
        default:
            model.registerWaiting = origin
        }
    }

    static func cancelled(_ saleId: String, _ model: inout Model) {
        if model.registerWaiting?.saleId == saleId { model.registerWaiting = nil }
        guard model.register?.saleId == saleId, !model.screen.kind.waitsOnHost else { return }
        switch model.screen {
        case .ready, .lookingUp, .offer, .confirm:
            model.register = nil
            model.startNewSale()
            model.registerNotice = LocalizedText(
                english: "The register cancelled sale \(saleId).", french: "La caisse a annulé la vente \(saleId).")
        default:
            break
        }
    }

    /// The register applied the discount: the sale now earns on the rest (its result shows the miles if it is
    /// still on screen).
    static func acknowledged(_ saleId: String, _ model: inout Model) -> [Effect] {
        let request = model.registerEarnings.removeValue(forKey: saleId)
        let effects = request.map { [Effect.earnForRegister($0, saleId: saleId)] } ?? []
        guard model.register?.saleId == saleId else { return effects }
        if let request, case .result(var result) = model.screen, case .approved = result.outcome {
            result.earning = .sending(request)
            model.screen = .result(result)
        }
        model.registerNotice = LocalizedText(
            english: "The register applied the discount of sale \(saleId).", french: "La caisse a appliqué le rabais de la vente \(saleId).")
        return effects
    }

    static func voided(_ saleId: String, _ model: inout Model) {
        model.registerEarnings[saleId] = nil
        let text = LocalizedText(
            english: "The register did not confirm sale \(saleId): the redemption was voided. Do not give the discount.",
            french: "La caisse n'a pas confirmé la vente \(saleId) : l'échange a été annulé. Ne donnez pas le rabais.")
        // Still on its APPROVED screen: the screen itself says no discount, not a line above an approval.
        if model.register?.saleId == saleId, case .result(let result) = model.screen, case .approved = result.outcome {
            model.screen = .result(RedemptionResult(outcome: .notSent(text), receipt: [], approvalToMark: nil))
            return
        }
        model.registerNotice = text
    }

    /// The register voids a sale it acknowledged: the reverse list opens on its confirmation number (when the
    /// cashier is between sales), and the cashier reverses it with the card, as any reversal.
    static func reversalRequested(_ saleId: String, _ confirmationNumber: String, _ model: inout Model) -> [Effect] {
        let text = LocalizedText(
            english: "The register asks to reverse sale \(saleId) (\(confirmationNumber)): select it and scan the card.",
            french: "La caisse demande d'annuler la vente \(saleId) (\(confirmationNumber)) : choisissez-la et balayez la carte.")
        let between: Bool =
            switch model.screen {
            case .ready(let form): form.isBlank && model.register == nil
            case .result, .reverseResult, .returnResult: true
            default: false
            }
        guard between, model.overlays.isEmpty else {
            model.registerNotice = text
            return []
        }
        model.startNewSale()
        model.screen = .reverseList(ReverseList(query: confirmationNumber))
        model.registerNotice = text
        return [.loadReversible]
    }

    /// The ready form of a register's sale: its totals filled in, the cursor on the card.
    static func form(_ origin: RegisterSaleOrigin) -> ReadyForm {
        ReadyForm(focus: .card, basketText: origin.basket.decimalString, preTaxText: origin.preTax?.decimalString ?? "")
    }
}
