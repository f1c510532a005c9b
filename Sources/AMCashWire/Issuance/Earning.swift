public import AMCashDomain

/// One sale's earning (ISSUE) or one return (RETURN), as the till asks for it: the console and the
/// one-shot commands build this; `JournaledTransactions.earn`/`returnSale` journal and send it.
public struct EarningRequest: Sendable, Hashable {
    public var card: CardRead
    /// The sale's pre-tax amount, before the AM Cash discount.
    public var preTaxAmount: Money
    /// The sale's post-tax amount, before the AM Cash discount.
    public var postTaxAmount: Money
    /// The AM Cash discount given on this sale (a tender: not earned on, `IssuanceDecisions.earnAfterAMCashDiscount`).
    public var amcashDiscount: Money
    public var items: [IssuanceItem]
    public var coupons: [String]
    /// RETURN only: the `checkoutTransactionId` of the sale being returned.
    public var originalCheckoutTransactionId: String?

    public init(
        card: CardRead, preTaxAmount: Money, postTaxAmount: Money, amcashDiscount: Money = .zero, items: [IssuanceItem] = [],
        coupons: [String] = [], originalCheckoutTransactionId: String? = nil
    ) {
        self.card = card
        self.preTaxAmount = preTaxAmount
        self.postTaxAmount = postTaxAmount
        self.amcashDiscount = amcashDiscount
        self.items = items
        self.coupons = coupons
        self.originalCheckoutTransactionId = originalCheckoutTransactionId
    }

    /// The amounts sent: after the AM Cash discount when the decision says so, never below zero.
    public func earnedOn(afterDiscount: Bool = IssuanceDecisions.earnAfterAMCashDiscount) -> (preTax: Money, postTax: Money) {
        guard afterDiscount else { return (preTaxAmount, postTaxAmount) }
        return (
            Money(cents: max(0, preTaxAmount.cents - amcashDiscount.cents)), Money(cents: max(0, postTaxAmount.cents - amcashDiscount.cents))
        )
    }
}

/// What the till may show and print for an earning: the miles the host recorded, or "pending", or a refusal.
/// The money rule for earning: never a number of miles the host did not answer.
public enum EarningOutcome: Sendable, Hashable {
    /// The host recorded these miles (for a RETURN: the miles taken back).
    case earned(miles: Int, confirmationNumber: String?, lines: [IssuanceLine])
    /// Not answered yet, or answered 202: the receipt says "miles pending"; the journal sends it until answered.
    case pending(reason: String)
    /// The host refused it (400 and the like): tell the cashier, no automatic retry.
    case refused(code: String?, message: String)

    /// The exit status of the one-shot commands: 0 issued, 1 refused, 3 pending.
    public var exitStatus: Int32 {
        switch self {
        case .earned: 0
        case .refused: 1
        case .pending: 3
        }
    }
}
