public import AMCashDomain
import AMCashWire
import ReceiptPrinting

/// A redemption that can still be reversed, as the reverse screen lists it.
public struct ReversibleItem: Hashable, Sendable {
    public let journalId: Int64
    public let confirmationNumber: String
    public let card: CardRead
    public let maskedCard: String
    public let money: Money
    public let time: String

    public init(journalId: Int64, confirmationNumber: String, card: CardRead, maskedCard: String, money: Money, time: String) {
        self.journalId = journalId
        self.confirmationNumber = confirmationNumber
        self.card = card
        self.maskedCard = maskedCard
        self.money = money
        self.time = time
    }

    /// The same redemption with the card as it was read again for the reversal.
    func reread(_ card: CardRead) -> ReversibleItem {
        ReversibleItem(
            journalId: journalId, confirmationNumber: confirmationNumber, card: card, maskedCard: maskedCard, money: money,
            time: time)
    }
}

/// How the last REVERSE ended.
public enum ReversalOutcome: Hashable, Sendable {
    case reversed(confirmation: String?, original: String)
    case queued(original: String)
    case exception(original: String, reason: String)
    /// Refused before anything was sent: another transaction for this collector is in progress. Nothing
    /// was reversed (the redemption stands); it clears itself, so the cashier tries again in a moment.
    case collectorBusy(original: String)
}

/// The list of today's reversible redemptions, narrowed by a typed confirmation number.
public struct ReverseList: Hashable, Sendable, SearchList {
    static let queryLimit = 40
    /// Nil until the journal has been read.
    public var items: [ReversibleItem]?
    public var selected = 0
    /// Characters of a confirmation number typed on the reverse screen; the list shows the matches.
    public var query = ""

    public init(items: [ReversibleItem]? = nil, selected: Int = 0, query: String = "") {
        self.items = items
        self.selected = selected
        self.query = query
    }

    /// The reversible redemptions the typed confirmation number matches (all of them with nothing typed).
    /// A receipt's barcode scanned here is the whole confirmation number, perhaps after the scanner's
    /// symbology prefix (`]C0` arrives as `C0`): that redemption alone, so the scanner's Enter selects it.
    public var matches: [ReversibleItem] {
        let all = items ?? []
        guard !query.isEmpty else { return all }
        let typed = query.uppercased()
        let scanned = all.filter { typed.hasSuffix($0.confirmationNumber.uppercased()) }
        if !scanned.isEmpty { return scanned }
        return all.filter { $0.confirmationNumber.uppercased().contains(typed) }
    }

    /// The one redemption whose whole confirmation number ends what was typed or scanned (a receipt's barcode).
    public var scannedItem: ReversibleItem? {
        guard !query.isEmpty else { return nil }
        let typed = query.uppercased()
        let scanned = (items ?? []).filter { typed.hasSuffix($0.confirmationNumber.uppercased()) }
        return scanned.count == 1 ? scanned[0] : nil
    }

    /// The highlighted redemption, if the list has one.
    public var selectedItem: ReversibleItem? {
        let matches = matches
        return matches.indices.contains(selected) ? matches[selected] : nil
    }
}

/// The result of a reversal: its outcome and its receipt.
public struct ReversalResult: Hashable, Sendable {
    public let outcome: ReversalOutcome
    public let receipt: [String]
    public var showingReceipt = false
    /// The receipt\'s page on screen (`ReceiptPages`).
    public var receiptPage = 0

    public init(outcome: ReversalOutcome, receipt: [String]) {
        self.outcome = outcome
        self.receipt = receipt
    }
}

/// Keys on the reverse list and its question, the card read again, and the host's answer.
enum ReverseScreen {
    static func act(_ action: KeyAction, _ model: inout Model, _ list: ReverseList) -> [Effect] {
        list.act(action, &model, show: Screen.reverseList, confirm: { .reverseConfirm($0, $1, notice: nil) })
        return []
    }

    /// Typing a confirmation number narrows the list to the redemptions it matches.
    static func type(_ character: Character, _ model: inout Model, _ list: ReverseList) {
        list.type(character, &model, show: Screen.reverseList)
    }

    /// Yes alone is not enough: the card must be read again (the reversal sends how it was read).
    static func answer(_ yes: Bool, _ model: inout Model, _ list: ReverseList, _ item: ReversibleItem) -> [Effect] {
        model.screen = yes ? .reverseConfirm(list, item, notice: ConsoleText.reverseNeedsCard) : .reverseList(list)
        return []
    }

    /// The card read again on the reversal question: its last four digits must be the redemption's;
    /// the REVERSE carries this read (its number and how it was read).
    static func cardRead(_ raw: String, _ model: inout Model, _ list: ReverseList, _ item: ReversibleItem) -> [Effect] {
        let reader = CardReader(format: model.settings.cardFormat)
        func refuse(_ notice: LocalizedText) -> [Effect] {
            model.screen = .reverseConfirm(list, item, notice: notice)
            return []
        }
        let read: CardRead
        do {
            let swiped = raw.hasPrefix(";") || raw.hasPrefix("%")
            guard swiped || model.settings.isScan(raw) else { return refuse(ConsoleText.reverseNeedsCard) }
            read = swiped ? try reader.swiped(raw) : try reader.scanned(raw)
        } catch {
            return refuse(error.message)
        }
        guard read.number.lastFour == item.card.number.lastFour else { return refuse(ConsoleText.reverseWrongCard(item.maskedCard)) }
        model.screen = .reversing(list, item)
        return [.reverse(item.reread(read), model.language)]
    }

    static func reversed(_ model: inout Model, _ item: ReversibleItem, _ outcome: ReversalOutcome) -> [Effect] {
        var receipt: ReceiptDocument?
        if case .reversed(let confirmation, _) = outcome {
            receipt = Receipt.reversal(item, reversalConfirmation: confirmation, model: model)
        }
        model.screen = .reverseResult(ReversalResult(outcome: outcome, receipt: receipt?.textLines ?? []))
        return receipt.map { [.printReceipt($0, traceId: nil)] } ?? []
    }
}
