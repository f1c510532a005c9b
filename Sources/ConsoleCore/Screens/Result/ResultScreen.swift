public import AMCashDomain
public import AMCashWire

/// How the last REDEEM ended, as the result screen shows it.
public enum RedemptionOutcome: Hashable, Sendable {
    case approved(RedemptionApproval, Balances)
    case declined(ResponseCodeMeaning, hostMessage: String?)
    case notSent(LocalizedText)
    case unknown(traceId: String)
    /// The cashier finished the sale without a redemption (a keyed card, nothing chosen, or no
    /// answer to INQUIRE): the sale only earns.
    case notRedeemed
}

/// The earning (ISSUE) of a finished sale, as the result screen shows it.
public enum SaleEarning: Hashable, Sendable {
    /// The ISSUE for this request is with the host: the screen says "pending" until it answers.
    case sending(EarningRequest)
    /// How it ended for now: the miles the host recorded, pending (stored and forwarded), or refused.
    case done(EarningOutcome)
}

/// The result of a redemption: its outcome, its receipt, and whether the receipt is on screen.
public struct RedemptionResult: Hashable, Sendable {
    public let outcome: RedemptionOutcome
    /// The receipt's lines (empty unless approved).
    public let receipt: [String]
    /// The result screen shows the receipt text instead of the summary (key R).
    public var showingReceipt = false
    /// The receipt's page on screen (`ReceiptPages`).
    public var receiptPage = 0
    /// The trace of an APPROVED result not yet drawn: once drawn, the journal marks it shown.
    public var approvalToMark: String?
    /// The sale's earning; nil when the sale does not earn (a register's sale, a result not confirmed).
    public var earning: SaleEarning?
    /// The trace of the REDEEM whose end this result shows, not yet drawn: once drawn, the sale is seen
    /// (`Effect.markSaleSeen`) and its ISSUE earns whatever the end.
    public var saleToMarkSeen: String?

    public init(
        outcome: RedemptionOutcome, receipt: [String], approvalToMark: String?, earning: SaleEarning? = nil, saleToMarkSeen: String? = nil
    ) {
        self.outcome = outcome
        self.receipt = receipt
        self.approvalToMark = approvalToMark
        self.earning = earning
        self.saleToMarkSeen = saleToMarkSeen
    }
}

extension RedemptionResult {
    /// The same result with the receipt's lines replaced (the miles line added once the ISSUE answered).
    func with(receipt lines: [String]) -> RedemptionResult {
        var copy = RedemptionResult(
            outcome: outcome, receipt: lines, approvalToMark: approvalToMark, earning: earning, saleToMarkSeen: saleToMarkSeen)
        copy.showingReceipt = showingReceipt
        copy.receiptPage = receiptPage
        return copy
    }
}

/// The result screens of a redemption and a reversal share their keys: a new sale, or the receipt
/// (R shows it; while receipts wait because the printer failed, R on the summary prints them again).
enum ResultScreen {
    static func act(_ action: KeyAction, _ model: inout Model) -> [Effect] {
        switch (action, model.screen) {
        case (.newSale, _):
            model.startNewSale()
        case (.receipt, .result), (.receipt, .reverseResult), (.receipt, .returnResult):
            // On the summary R prints again the receipts that wait; a receipt on screen R turns, as the legend says
            // ("More", then back): its next page must stay reachable while the printer is out.
            guard model.status.unprintedReceipts == 0 || model.screen.receiptPage(model) != nil else { return [.reprintReceipts] }
            toggleReceipt(&model)
        default:
            break
        }
        return []
    }

    private static func toggleReceipt(_ model: inout Model) {
        switch model.screen {
        case .result(var result) where !result.receipt.isEmpty:
            turn(&result, model)
            model.screen = .result(result)
        case .reverseResult(var result) where !result.receipt.isEmpty:
            turn(&result, model)
            model.screen = .reverseResult(result)
        case .returnResult(var result) where !result.receipt.isEmpty:
            turn(&result, model)
            model.screen = .returnResult(result)
        default:
            break
        }
    }

    /// R shows the receipt, turns to its next page while it has one, then goes back to the summary.
    private static func turn(_ result: inout some ShowsReceipt, _ model: Model) {
        let shown = ReceiptPages.page(result.receiptPage, of: result.receipt, model)
        if !result.showingReceipt {
            result.showingReceipt = true
            result.receiptPage = 0
        } else if shown.page + 1 < shown.pages {
            result.receiptPage = shown.page + 1
        } else {
            result.showingReceipt = false
            result.receiptPage = 0
        }
    }
}

/// A result whose receipt R shows in place of its summary.
protocol ShowsReceipt {
    var receipt: [String] { get }
    var showingReceipt: Bool { get set }
    var receiptPage: Int { get set }
}

extension RedemptionResult: ShowsReceipt {}
extension ReversalResult: ShowsReceipt {}
extension ReturnResult: ShowsReceipt {}

/// A receipt on the result screen: whole when it fits, otherwise in pages under a heading that counts them
/// (at 40×12 a sale's receipt ran past the legend, its miles earned cut off). The rows are those of the
/// result screen: the status lines, a register's sale line and notice above, the legend below.
public enum ReceiptPages {
    public static func page(_ page: Int, of lines: [String], _ model: Model) -> (lines: [String], page: Int, pages: Int) {
        let fitted = lines.flatMap { $0.count <= width(model) ? [$0] : TextWrap.lines($0, width: width(model)) }
        if fitted.count <= rows(model, heading: 0) { return (fitted, 0, 1) }
        return Paging.page(page, of: fitted, perPage: rows(model, heading: 1))
    }

    /// The receipt's indent: 1 on a narrow screen, 4 from 80 columns. A line wider than the screen is wrapped
    /// ("Transaction AIR MILES: LOY1…" was cut at 40 columns); the others keep their spacing.
    public static func indent(_ model: Model) -> Int { model.isCompact ? 1 : 4 }

    private static func width(_ model: Model) -> Int { max(1, model.columns - indent(model) - 1) }

    private static func rows(_ model: Model, heading: Int) -> Int {
        let above = [model.register.map { ConsoleText.fromRegister($0.saleId) }, model.registerNotice].compactMap { $0 }
            .reduce(0) { $0 + TextWrap.lines($1.text(model.language), width: model.columns - 2).count }
        return max(1, Paging.rowsPerPage(model, heading: heading) - above)
    }
}

extension Screen {
    /// The receipt's page on screen and how many it has; nil while the result's summary is shown.
    public func receiptPage(_ model: Model) -> (page: Int, pages: Int)? {
        let result: (any ShowsReceipt)? =
            switch self {
            case .result(let result): result
            case .reverseResult(let result): result
            case .returnResult(let result): result
            default: nil
            }
        guard let result, result.showingReceipt else { return nil }
        let shown = ReceiptPages.page(result.receiptPage, of: result.receipt, model)
        return (shown.page, shown.pages)
    }
}
