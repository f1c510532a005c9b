public import AMCashDomain
public import AMCashWire

/// A sale of today that earned miles at this till and can be returned, as the return screen lists it.
/// It carries the RETURN it would send (`request`): the sale's collector, the amounts and items it
/// earned on and its `checkoutTransactionId` as `originalCheckoutTransactionId`, so the host takes back
/// the miles of the whole sale.
public struct ReturnableSale: Hashable, Sendable {
    /// The ISSUE's row in the journal.
    public let journalId: Int64
    /// The id the host knows the sale by (printed on the result of `amcash issue`, typed to find it).
    public let checkoutTransactionId: String
    public let maskedCard: String
    /// The miles the host recorded for the sale; nil while they are pending (202).
    public let milesEarned: Int?
    /// The time of the sale (HH:mm).
    public let time: String
    /// The RETURN of the whole sale.
    public let request: EarningRequest

    public init(journalId: Int64, checkoutTransactionId: String, maskedCard: String, milesEarned: Int?, time: String, request: EarningRequest) {
        self.journalId = journalId
        self.checkoutTransactionId = checkoutTransactionId
        self.maskedCard = maskedCard
        self.milesEarned = milesEarned
        self.time = time
        self.request = request
    }
}

/// Today's sales that earned, narrowed by a typed transaction id.
public struct ReturnList: Hashable, Sendable, SearchList {
    static let queryLimit = 60
    /// Nil until the journal has been read.
    public var items: [ReturnableSale]?
    public var selected = 0
    /// Letters and digits of a transaction id typed on the return screen; the list shows the matches.
    public var query = ""

    public init(items: [ReturnableSale]? = nil, selected: Int = 0, query: String = "") {
        self.items = items
        self.selected = selected
        self.query = query
    }

    /// The sales whose transaction id contains what was typed (all of them with nothing typed).
    public var matches: [ReturnableSale] {
        let all = items ?? []
        guard !query.isEmpty else { return all }
        let typed = query.uppercased()
        return all.filter { $0.checkoutTransactionId.uppercased().contains(typed) }
    }

    /// The highlighted sale, if the list has one.
    public var selectedItem: ReturnableSale? {
        let matches = matches
        return matches.indices.contains(selected) ? matches[selected] : nil
    }
}

/// How a return ended for now: the miles the host took back, pending (stored and forwarded), or refused.
public struct ReturnResult: Hashable, Sendable {
    public let sale: ReturnableSale
    public let outcome: EarningOutcome
    /// The return receipt's lines (empty when the host refused it: nothing went back).
    public let receipt: [String]
    /// The result screen shows the receipt text instead of the summary (key R).
    public var showingReceipt = false

    public init(sale: ReturnableSale, outcome: EarningOutcome, receipt: [String] = []) {
        self.sale = sale
        self.outcome = outcome
        self.receipt = receipt
    }
}

/// Keys on the return list and its question, and the host's answer to the RETURN. A return gives
/// miles back to AIR MILES (the collector's account goes down), so it needs no card: the sale is found
/// by its transaction id, and the cashier's yes sends it.
enum ReturnScreen {
    static func act(_ action: KeyAction, _ model: inout Model, _ list: ReturnList) -> [Effect] {
        list.act(action, &model, show: Screen.returnList, confirm: Screen.returnConfirm)
        return []
    }

    /// Typing a transaction id narrows the list to the sales it matches.
    static func type(_ character: Character, _ model: inout Model, _ list: ReturnList) {
        list.type(character, &model, show: Screen.returnList)
    }

    /// Yes sends the RETURN of the whole sale (journaled before it is sent, stored and forwarded like an ISSUE).
    static func answer(_ yes: Bool, _ model: inout Model, _ list: ReturnList, _ sale: ReturnableSale) -> [Effect] {
        guard yes else {
            model.screen = .returnList(list)
            return []
        }
        model.screen = .returning(list, sale)
        return [.returnSale(sale.request)]
    }

    /// The RETURN ended for now: the result, and a receipt of the miles taken back (or pending) for the customer.
    static func returned(_ model: inout Model, _ sale: ReturnableSale, _ outcome: EarningOutcome) -> [Effect] {
        if case .refused = outcome {
            model.screen = .returnResult(ReturnResult(sale: sale, outcome: outcome))
            return []
        }
        let receipt = Receipt.saleReturn(sale, outcome, context: ReceiptContext(model))
        model.screen = .returnResult(ReturnResult(sale: sale, outcome: outcome, receipt: receipt.textLines))
        return [.printReceipt(receipt, traceId: nil)]
    }
}
