public import AMCashDomain
public import AMCashWire
public import ReceiptPrinting

/// What a receipt says besides the transaction: the language, whether balances print, the training
/// banner, the terminal's ids and the time.
public struct ReceiptContext: Sendable, Hashable {
    public var language: Language
    public var showBalances: Bool
    public var isTraining: Bool
    public var identity: TerminalIdentity
    public var clock: String

    public init(language: Language, showBalances: Bool, isTraining: Bool, identity: TerminalIdentity, clock: String) {
        self.language = language
        self.showBalances = showBalances
        self.isTraining = isTraining
        self.identity = identity
        self.clock = clock
    }

    init(_ model: Model) {
        self.init(
            language: model.language, showBalances: model.settings.showBalances, isTraining: model.settings.isTraining,
            identity: model.settings.identity, clock: model.status.clock)
    }
}

/// The receipt of a redemption or a reversal, rendered once into a document (ReceiptPrinting):
/// confirmation number, masked card, amount, miles, balances, terminal ids, date-time, in the
/// collector's language, and the confirmation number as a barcode, so a reversal can start by
/// scanning it. The console shows the document's text lines; the printer writes it as text or ESC/POS.
public enum Receipt {
    static func redemption(_ approval: RedemptionApproval, balances: Balances, card: CardRead, traceId: String, model: Model) -> ReceiptDocument {
        redemption(approval, balances: balances, card: card, traceId: traceId, context: ReceiptContext(model))
    }

    static func reversal(_ item: ReversibleItem, reversalConfirmation: String?, model: Model) -> ReceiptDocument {
        reversal(
            card: item.card, money: item.money, original: item.confirmationNumber, reversalConfirmation: reversalConfirmation,
            context: ReceiptContext(model))
    }

    static func earning(card: CardRead, model: Model) -> ReceiptDocument { earning(card: card, context: ReceiptContext(model)) }

    /// The receipt of a sale that earned without an AM Cash redemption (a keyed card, none chosen, a
    /// redemption not approved): the card and, once the ISSUE ended, its "Miles earned" line.
    public static func earning(card: CardRead, context: ReceiptContext) -> ReceiptDocument {
        var lines = header(context, title: context.language == .french ? "MILLES AIR MILES" : "AIR MILES REWARD MILES")
        lines.append(.field(label: context.language == .french ? "Carte: " : "Card: ", value: card.number.maskedASCII))
        lines.append(.cut)
        return ReceiptDocument(lines: lines)
    }

    public static func redemption(
        _ approval: RedemptionApproval, balances: Balances, card: CardRead, traceId: String, context: ReceiptContext
    ) -> ReceiptDocument {
        let language = context.language
        let french = language == .french
        var lines = header(context, title: french ? "ÉCHANGE ARGENT AIR MILES" : "AIR MILES CASH REDEMPTION")
        lines.append(.field(label: french ? "Carte: " : "Card: ", value: card.number.maskedASCII))
        lines.append(.amount(label: french ? "Rabais: " : "Discount: ", value: approval.discount.formatted(language)))
        lines.append(.amount(label: french ? "Milles échangés: " : "Miles redeemed: ", value: "\(approval.miles.value)"))
        if context.showBalances, let cash = balances.cash {
            lines.append(.amount(label: french ? "Solde Argent AM: " : "AM Cash balance: ", value: "\(cash.value)"))
        }
        if context.showBalances, let dream = balances.dream {
            lines.append(.amount(label: french ? "Solde Rêves: " : "Dream balance: ", value: "\(dream.value)"))
        }
        lines.append(.field(label: "Confirmation: ", value: approval.confirmationNumber))
        lines.append(.field(label: french ? "N° de trace: " : "Trace: ", value: traceId))
        lines.append(.barcode(approval.confirmationNumber))
        lines.append(.cut)
        return ReceiptDocument(lines: lines)
    }

    public static func reversal(
        card: CardRead, money: Money, original: String, reversalConfirmation: String?, context: ReceiptContext
    ) -> ReceiptDocument {
        let french = context.language == .french
        var lines = header(context, title: french ? "ANNULATION ARGENT AIR MILES" : "AIR MILES CASH REVERSAL")
        lines.append(.field(label: french ? "Carte: " : "Card: ", value: card.number.maskedASCII))
        lines.append(.amount(label: french ? "Montant rendu: " : "Amount returned: ", value: money.formatted(context.language)))
        lines.append(.field(label: french ? "Échange annulé: " : "Redemption reversed: ", value: original))
        lines.append(.field(label: "Confirmation: ", value: reversalConfirmation ?? "-"))
        if let reversalConfirmation { lines.append(.barcode(reversalConfirmation)) }
        lines.append(.cut)
        return ReceiptDocument(lines: lines)
    }

    /// The receipt of a sale that earned, naming the sale by its Issuance `checkoutTransactionId`, as text and as a
    /// barcode before the cut, so the Return screen finds the sale by scanning the receipt. "Transaction AIR MILES"
    /// reads the same in English and French.
    public static func naming(_ document: ReceiptDocument, checkoutTransactionId: String) -> ReceiptDocument {
        var document = document
        let at = document.lines.lastIndex(of: .cut) ?? document.lines.endIndex
        document.lines.insert(
            contentsOf: [.field(label: "Transaction AIR MILES: ", value: checkoutTransactionId), .barcode(checkoutTransactionId)], at: at)
        return document
    }

    /// The receipt without the sale's name (`naming`): what the receipt held while the ISSUE was out has in common
    /// with the one printed when it ended, with `withoutEarning`.
    public static func unnamed(_ document: ReceiptDocument) -> ReceiptDocument {
        var document = document
        guard let at = document.lines.firstIndex(where: { if case .field("Transaction AIR MILES: ", _) = $0 { true } else { false } }),
            case .field(_, let id) = document.lines[at]
        else { return document }
        document.lines.remove(at: at)
        document.lines.removeAll { $0 == .barcode(id) }
        return document
    }

    /// The receipt of a sale returned (RETURN): the card, the sale's transaction id, the miles taken back
    /// (what the host answered) or "pending", and the return's confirmation number once it has one.
    public static func saleReturn(_ sale: ReturnableSale, _ outcome: EarningOutcome, context: ReceiptContext) -> ReceiptDocument {
        let french = context.language == .french
        var lines = header(context, title: french ? "RETOUR - MILLES AIR MILES" : "AIR MILES RETURN")
        lines.append(.field(label: french ? "Carte: " : "Card: ", value: sale.request.card.number.maskedASCII))
        lines.append(.field(label: french ? "Vente retournée: " : "Sale returned: ", value: sale.checkoutTransactionId))
        // Items chosen: the receipt names what went back (the whole sale names none).
        for label in sale.chosenItemReceiptLabels {
            lines.append(.field(label: french ? "Article: " : "Item: ", value: label))
        }
        var confirmation: String?
        let taken: String
        switch outcome {
        case .earned(let miles, let number, _):
            taken = "\(miles)"
            confirmation = number
        case .pending, .refused:
            taken = ConsoleText.milesPending.text(context.language)
        }
        lines.append(.amount(label: french ? "Milles repris: " : "Miles taken back: ", value: taken))
        if let confirmation { lines.append(.field(label: "Confirmation: ", value: confirmation)) }
        lines.append(.cut)
        return ReceiptDocument(lines: lines)
    }

    /// The receipt with its "Miles earned" line, after the trace: the miles the host recorded, or
    /// "pending" (stored and forwarded; the miles post later), or "not earned" when the host refused.
    /// A line already there (the "pending" of a receipt recorded while its ISSUE was out) is replaced.
    public static func withEarning(_ document: ReceiptDocument, _ outcome: EarningOutcome, language: Language) -> ReceiptDocument {
        var document = withoutEarning(document)
        let at =
            document.lines.firstIndex { line in
                switch line {
                case .barcode, .cut: true
                default: false
                }
            } ?? document.lines.endIndex
        document.lines.insert(.amount(label: ConsoleText.milesEarned.text(language) + ": ", value: earnedValue(outcome, language: language)), at: at)
        return document
    }

    /// The receipt as the journal records it before its sale's ISSUE goes out, "Miles earned: pending":
    /// what a reprint prints if the console stops before the ISSUE ends.
    public static func awaitingEarning(_ document: ReceiptDocument, language: Language) -> ReceiptDocument {
        withEarning(document, .pending(reason: "the ISSUE has not ended"), language: language)
    }

    /// The receipt without its "Miles earned" line, in either language: what the receipt recorded while
    /// the ISSUE was out and the one printed when it ended have in common.
    public static func withoutEarning(_ document: ReceiptDocument) -> ReceiptDocument {
        let labels = Set(Language.allCases.map { ConsoleText.milesEarned.text($0) + ": " })
        var document = document
        document.lines.removeAll { line in
            if case .amount(let label, _) = line { labels.contains(label) } else { false }
        }
        return document
    }

    /// "12", "pending" or "not earned": the value of the "Miles earned" line, on screen and on the receipt.
    public static func earnedValue(_ outcome: EarningOutcome, language: Language) -> String {
        switch outcome {
        case .earned(let miles, _, _): "\(miles)"
        case .pending: ConsoleText.milesPending.text(language)
        case .refused: ConsoleText.milesNotEarned.text(language)
        }
    }

    private static func header(_ context: ReceiptContext, title: String) -> [ReceiptDocument.Line] {
        var lines: [ReceiptDocument.Line] = [.title(title)]
        if context.isTraining {
            lines.append(.trainingBanner(context.language == .french ? "*** FORMATION - AUCUNE VALEUR ***" : "*** TRAINING - NO VALUE ***"))
        }
        let identity = context.identity
        lines.append(.text("\(identity.sponsorCode) \(identity.storeId) \(identity.deviceId)  \(context.clock)"))
        return lines
    }
}
