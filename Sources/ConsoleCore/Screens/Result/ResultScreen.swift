public import AMCashDomain
public import AMCashWire

/// How the last REDEEM ended, as the result screen shows it.
public enum RedemptionOutcome: Hashable, Sendable {
    case approved(RedemptionApproval, Balances)
    case declined(ResponseCodeMeaning, hostMessage: String?)
    case notSent(LocalizedText)
    case unknown(traceId: String)
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

    public init(outcome: RedemptionOutcome, receipt: [String], approvalToMark: String?) {
        self.outcome = outcome
        self.receipt = receipt
        self.approvalToMark = approvalToMark
    }
}

/// The result screens of a redemption and a reversal share their keys: a new sale, or the receipt
/// (R shows it; while receipts wait because the printer failed, R prints them again).
enum ResultScreen {
    static func act(_ action: KeyAction, _ model: inout Model) -> [Effect] {
        switch (action, model.screen) {
        case (.newSale, _):
            model.startNewSale()
        case (.receipt, .result), (.receipt, .reverseResult):
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
        default:
            break
        }
    }
}
