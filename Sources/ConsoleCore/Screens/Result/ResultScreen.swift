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
        return copy
    }
}

/// The result screens of a redemption and a reversal share their keys: a new sale, or the receipt
/// (R shows it; while receipts wait because the printer failed, R prints them again).
enum ResultScreen {
    static func act(_ action: KeyAction, _ model: inout Model) -> [Effect] {
        switch (action, model.screen) {
        case (.newSale, _):
            model.startNewSale()
        case (.receipt, .result), (.receipt, .reverseResult), (.receipt, .returnResult):
            guard model.status.unprintedReceipts == 0 else { return [.reprintReceipts] }
            toggleReceipt(&model)
        default:
            break
        }
        return []
    }

    private static func toggleReceipt(_ model: inout Model) {
        switch model.screen {
        case .result(var result) where !result.receipt.isEmpty:
            result.showingReceipt.toggle()
            model.screen = .result(result)
        case .reverseResult(var result) where !result.receipt.isEmpty:
            result.showingReceipt.toggle()
            model.screen = .reverseResult(result)
        case .returnResult(var result) where !result.receipt.isEmpty:
            result.showingReceipt.toggle()
            model.screen = .returnResult(result)
        default:
            break
        }
    }
}
