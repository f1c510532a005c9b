import AMCashDomain
import AMCashWire

/// The receipt text of a redemption or a reversal: confirmation number, masked card, amount, miles,
/// balances, terminal ids, date-time — in the collector's language, lines of 40 columns (folded to
/// ASCII when written for a printer or terminal that asks for it: `ConsoleEffects` in ConsoleRuntime).
enum Receipt {
    static func redemption(_ approval: RedemptionApproval, balances: Balances, card: CardRead, traceId: String, model: Model) -> [String] {
        let language = model.language
        let french = language == .french
        var lines = header(model, title: french ? "ÉCHANGE ARGENT AIR MILES" : "AIR MILES CASH REDEMPTION")
        lines.append((french ? "Carte: " : "Card: ") + card.number.maskedASCII)
        lines.append((french ? "Rabais: " : "Discount: ") + approval.discount.formatted(language))
        lines.append((french ? "Milles échangés: " : "Miles redeemed: ") + "\(approval.miles.value)")
        if model.settings.showBalances, let cash = balances.cash {
            lines.append((french ? "Solde Argent AM: " : "AM Cash balance: ") + "\(cash.value)")
        }
        if model.settings.showBalances, let dream = balances.dream {
            lines.append((french ? "Solde Rêves: " : "Dream balance: ") + "\(dream.value)")
        }
        lines.append((french ? "Confirmation: " : "Confirmation: ") + approval.confirmationNumber)
        lines.append((french ? "N° de trace: " : "Trace: ") + traceId)
        return lines
    }

    static func reversal(_ item: ReversibleItem, reversalConfirmation: String?, model: Model) -> [String] {
        let french = model.language == .french
        var lines = header(model, title: french ? "ANNULATION ARGENT AIR MILES" : "AIR MILES CASH REVERSAL")
        lines.append((french ? "Carte: " : "Card: ") + item.card.number.maskedASCII)
        lines.append((french ? "Montant rendu: " : "Amount returned: ") + item.money.formatted(model.language))
        lines.append((french ? "Échange annulé: " : "Redemption reversed: ") + item.confirmationNumber)
        lines.append((french ? "Confirmation: " : "Confirmation: ") + (reversalConfirmation ?? "-"))
        return lines
    }

    private static func header(_ model: Model, title: String) -> [String] {
        var lines = [title]
        if model.settings.isTraining { lines.append(model.language == .french ? "*** FORMATION - AUCUNE VALEUR ***" : "*** TRAINING - NO VALUE ***") }
        let identity = model.settings.identity
        lines.append("\(identity.sponsorCode) \(identity.storeId) \(identity.deviceId)  \(model.status.clock)")
        return lines
    }
}
