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
    /// The RETURN this sale sends: the whole sale, or (`returning(_:)`) only the items chosen.
    public let request: EarningRequest
    /// The sale's lines (indices into `request.items`) that earlier returns (not refused) already gave back. A line,
    /// not an item id: a sale may carry two lines with one id, and each goes back on its own.
    public let returnedLines: Set<Int>
    /// The items this RETURN gives back when the cashier chose some; empty for the whole sale.
    public let chosenItems: [IssuanceItem]

    public init(
        journalId: Int64, checkoutTransactionId: String, maskedCard: String, milesEarned: Int?, time: String, request: EarningRequest,
        returnedLines: Set<Int> = [], chosenItems: [IssuanceItem] = []
    ) {
        self.journalId = journalId
        self.checkoutTransactionId = checkoutTransactionId
        self.maskedCard = maskedCard
        self.milesEarned = milesEarned
        self.time = time
        self.request = request
        self.returnedLines = returnedLines
        self.chosenItems = chosenItems
    }

    /// The sale's items that have not gone back yet, in the order of the sale.
    public var remainingItems: [IssuanceItem] { request.items.enumerated().filter { !returnedLines.contains($0.offset) }.map(\.element) }

    /// Whether the cashier chooses the items that go back: the sale had items.
    public var hasItems: Bool { !request.items.isEmpty }

    /// The same sale, returning only `chosen` (items of the sale): the RETURN names those items, and its amounts
    /// are theirs in integer cents — scaled down to what the sale earned on when its items add up to more (the
    /// AM Cash discount was not earned on), never more than the sale's amounts. No coupon goes with a part
    /// of a sale: the host keeps a coupon's bonus with the items kept (the collector keeps the miles when in
    /// doubt). Choosing every item of a sale nothing was returned from is the whole sale.
    public func returning(_ chosen: [IssuanceItem]) -> ReturnableSale {
        if returnedLines.isEmpty && chosen.count == request.items.count {
            return ReturnableSale(
                journalId: journalId, checkoutTransactionId: checkoutTransactionId, maskedCard: maskedCard, milesEarned: milesEarned,
                time: time, request: request, returnedLines: returnedLines)
        }
        let amounts = Self.amounts(of: chosen, in: request)
        let partial = EarningRequest(
            card: request.card, preTaxAmount: amounts.preTax, postTaxAmount: amounts.postTax, items: chosen, coupons: [],
            originalCheckoutTransactionId: request.originalCheckoutTransactionId)
        return ReturnableSale(
            journalId: journalId, checkoutTransactionId: checkoutTransactionId, maskedCard: maskedCard, milesEarned: milesEarned,
            time: time, request: partial, returnedLines: returnedLines, chosenItems: chosen)
    }

    /// The items not returned yet, as the checklist lists them in `language` ("2 × Kettle $45.00").
    public func remainingItemLabels(_ language: Language) -> [String] { remainingItems.map { Self.label($0, language) } }
    /// The items this RETURN gives back (none for the whole sale).
    public func chosenItemLabels(_ language: Language) -> [String] { chosenItems.map { Self.label($0, language) } }
    /// The same for a receipt: ASCII only ("2 x Kettle 45.00").
    var chosenItemReceiptLabels: [String] {
        chosenItems.map { item in
            let amount = (item.finalAmount ?? item.baseAmount).map { " " + $0.decimalString } ?? ""
            return (item.quantity > 1 ? "\(item.quantity) x " : "") + String(Self.itemName(item).unicodeScalars.filter(\.isASCII)) + amount
        }
    }
    /// The items earlier returns gave back.
    public func returnedItemLabels(_ language: Language) -> [String] {
        request.items.enumerated().filter { returnedLines.contains($0.offset) }.map { Self.label($0.element, language) }
    }

    static func label(_ item: IssuanceItem, _ language: Language) -> String {
        let amount = (item.finalAmount ?? item.baseAmount).map { " " + $0.formatted(language) } ?? ""
        return (item.quantity > 1 ? "\(item.quantity) × " : "") + itemName(item) + amount
    }

    /// An item's name (or id) as the till shows and prints it: it came from a register or an `--items` file, so it
    /// goes through the one sanitiser (no control character reaches the terminal or the printer's ESC/POS).
    static func itemName(_ item: IssuanceItem) -> String { HostText.sanitised(item.name ?? item.id, limit: 60) }

    /// An item's amount on the sale, in cents: its final amount, else its base amount.
    static func cents(_ item: IssuanceItem) -> Int { (item.finalAmount ?? item.baseAmount ?? .zero).cents }

    /// The pre- and post-tax amounts of `chosen`, items of `sale`: integer cents, never more than the sale's.
    public static func amounts(of chosen: [IssuanceItem], in sale: EarningRequest) -> (preTax: Money, postTax: Money) {
        let salePre = sale.preTaxAmount.cents
        let salePost = sale.postTaxAmount.cents
        let all = sale.items.reduce(0) { $0 + cents($1) }
        let picked = chosen.reduce(0) { $0 + cents($1) }
        // Items that add up to more than the sale earned on (the AM Cash discount) go back at their share of it.
        let preTax = all > salePre && all > 0 ? salePre * picked / all : min(picked, salePre)
        let postTax = salePre > 0 ? min(salePost, salePost * preTax / salePre) : 0
        return (Money(cents: preTax), Money(cents: postTax))
    }
}

/// The checklist of a sale's items not returned yet: the arrows move, Space ticks, Enter returns the ticked ones.
public struct ReturnChecklist: Hashable, Sendable {
    public let sale: ReturnableSale
    public var selected = 0
    /// Indices into `sale.remainingItems` of the items ticked to go back.
    public var chosen: Set<Int> = []

    public init(sale: ReturnableSale, selected: Int = 0, chosen: Set<Int> = []) {
        self.sale = sale
        self.selected = selected
        self.chosen = chosen
    }

    /// The ticked items, in the order of the sale.
    public var chosenItems: [IssuanceItem] {
        sale.remainingItems.enumerated().filter { chosen.contains($0.offset) }.map(\.element)
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

    public init(items: [ReturnableSale]? = nil, selected: Int = 0, query: String = "", notice: LocalizedText? = nil) {
        self.items = items
        self.selected = selected
        self.query = query
        self.notice = notice
    }

    /// Why the sale a receipt's barcode named cannot be returned here (another day's, another till's).
    public var notice: LocalizedText?

    /// The sales whose transaction id contains what was typed (all of them with nothing typed). A receipt's
    /// barcode scanned here is the whole id, perhaps after the scanner's symbology prefix: that sale alone.
    public var matches: [ReturnableSale] {
        let all = items ?? []
        guard !query.isEmpty else { return all }
        let typed = query.uppercased()
        let scanned = all.filter { typed.hasSuffix($0.checkoutTransactionId.uppercased()) }
        if !scanned.isEmpty { return scanned }
        return all.filter { $0.checkoutTransactionId.uppercased().contains(typed) }
    }

    /// The one sale whose whole transaction id ends what was scanned (an earning receipt's barcode).
    public var scannedItem: ReturnableSale? {
        guard !query.isEmpty else { return nil }
        let typed = query.uppercased()
        let scanned = (items ?? []).filter { typed.hasSuffix($0.checkoutTransactionId.uppercased()) }
        return scanned.count == 1 ? scanned[0] : nil
    }

    /// The highlighted sale, if the list has one.
    public var selectedItem: ReturnableSale? {
        let matches = matches
        return matches.indices.contains(selected) ? matches[selected] : nil
    }
}

/// Why a sale a receipt names cannot be returned from this screen: the words the cashier reads.
public struct ReturnLookupRefusal: Error, Hashable, Sendable {
    public let text: LocalizedText

    public init(_ text: LocalizedText) { self.text = text }
}

/// How a return ended for now: the miles the host took back, pending (stored and forwarded), or refused.
public struct ReturnResult: Hashable, Sendable {
    public let sale: ReturnableSale
    public let outcome: EarningOutcome
    /// The return receipt's lines (empty when the host refused it: nothing went back).
    public let receipt: [String]
    /// The result screen shows the receipt text instead of the summary (key R).
    public var showingReceipt = false
    /// The receipt\'s page on screen (`ReceiptPages`).
    public var receiptPage = 0

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
        var list = list
        list.notice = nil
        list.act(action, &model, show: Screen.returnList, confirm: open)
        return []
    }

    /// A sale with items opens their checklist (the cashier chooses what goes back); one without, the question.
    static func open(_ list: ReturnList, _ sale: ReturnableSale) -> Screen {
        sale.hasItems ? .returnItems(list, ReturnChecklist(sale: sale)) : .returnConfirm(list, sale)
    }

    /// A scanner's burst ended in Enter on the list: an earning receipt's barcode. Today's sale it names opens at
    /// once; an id today's list does not hold is looked up in the journal (a sale of an earlier day).
    static func scanned(_ model: inout Model, _ list: ReturnList) -> [Effect] {
        if let sale = list.scannedItem {
            var list = list
            list.notice = nil
            model.screen = open(list, sale)
            return []
        }
        return [.findReturnable(checkoutTransactionId: list.query)]
    }

    /// The journal's answer for a scanned id: the sale (opened as if listed), or why it cannot be returned here.
    static func found(_ model: inout Model, _ list: ReturnList, _ answer: Result<ReturnableSale, ReturnLookupRefusal>) {
        var list = list
        switch answer {
        case .success(let sale):
            list.notice = nil
            model.screen = open(list, sale)
        case .failure(let refusal):
            list.notice = refusal.text
            model.screen = .returnList(list)
        }
    }

    /// Keys on the checklist: move, tick, return the ticked items, return all of them, or back to the list.
    static func choose(_ action: KeyAction, _ model: inout Model, _ list: ReturnList, _ checklist: ReturnChecklist) {
        var checklist = checklist
        let count = checklist.sale.remainingItems.count
        switch action {
        case .previous: checklist.selected = max(0, checklist.selected - 1)
        case .next: checklist.selected = min(max(0, count - 1), checklist.selected + 1)
        case .toggle:
            guard count > 0 else { return }
            if checklist.chosen.remove(checklist.selected) == nil { checklist.chosen.insert(checklist.selected) }
        case .returnChosen:
            let chosen = checklist.chosenItems
            guard !chosen.isEmpty else { return }
            model.screen = .returnConfirm(list, checklist.sale.returning(chosen))
            return
        case .returnAll:
            model.screen = .returnConfirm(list, checklist.sale.returning(checklist.sale.remainingItems))
            return
        case .cancel:
            model.screen = .returnList(list)
            return
        default:
            return
        }
        model.screen = .returnItems(list, checklist)
    }

    /// Typing a transaction id narrows the list to the sales it matches.
    static func type(_ character: Character, _ model: inout Model, _ list: ReturnList) {
        var list = list
        list.notice = nil
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
