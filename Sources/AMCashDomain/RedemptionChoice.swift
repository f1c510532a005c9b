/// What the host said this sale may redeem, reduced to the numbers the choice depends on.
public struct OfferLimits: Sendable, Hashable {
    /// The post-tax total of the sale.
    public let basket: Money
    /// `availableOfferUnits`: what the host allows on this sale (basket, balance, today's limit).
    public let availableOfferUnits: Units
    /// `dailyOfferLimit`, when the host sent it.
    public let dailyOfferLimit: Units?
    /// `availableCashBalance`: AM Cash miles the collector may redeem.
    public let availableCashBalance: Miles
    public let unitValue: UnitValue

    public init(
        basket: Money, availableOfferUnits: Units, dailyOfferLimit: Units? = nil,
        availableCashBalance: Miles, unitValue: UnitValue = .standard
    ) {
        self.basket = basket
        self.availableOfferUnits = availableOfferUnits
        self.dailyOfferLimit = dailyOfferLimit
        self.availableCashBalance = availableCashBalance
        self.unitValue = unitValue
    }

    /// The most units this sale can take: the basket in whole units, capped by the host's units,
    /// the balance and the daily limit. The console trusts the host's numbers, never a constant.
    public var maximumUnits: Units {
        var limit = min(
            unitValue.units(within: basket), availableOfferUnits,
            unitValue.units(payableWith: availableCashBalance))
        if let dailyOfferLimit { limit = min(limit, dailyOfferLimit) }
        return limit
    }
}

/// The cashier's choice of how many units to redeem, always inside `0...maximum` where 0 means
/// "no redemption". It starts at the default (the basket rounded down to whole units, capped) and
/// moves one unit ($10) at a time; no sequence of steps can leave the range.
public struct RedemptionChoice: Sendable, Hashable {
    public let limits: OfferLimits
    public private(set) var selected: Units

    /// The default choice for this sale.
    public init(limits: OfferLimits) {
        self.limits = limits
        self.selected = limits.maximumUnits
    }

    /// The default amount offered: the basket rounded down to $10, capped by what the host allows.
    public static func defaultRedemption(for limits: OfferLimits) -> Units {
        RedemptionChoice(limits: limits).selected
    }

    public var maximum: Units { limits.maximumUnits }
    /// Every choice the cashier can make; 0 means no redemption on this sale.
    public var allowed: ClosedRange<Int> { 0...maximum.count }
    /// Whether anything can be redeemed on this sale at all.
    public var canRedeem: Bool { maximum.count >= 1 }
    /// Whether the current choice is a redemption (one unit is the minimum).
    public var isRedemption: Bool { selected.count >= 1 }

    /// The discount the current choice asks for.
    public var money: Money { limits.unitValue.money(for: selected) }
    /// The miles the current choice costs.
    public var miles: Miles { limits.unitValue.miles(for: selected) }

    public mutating func stepUp() { selected = Units(min(selected.count + 1, maximum.count)) }
    public mutating func stepDown() { selected = Units(max(selected.count - 1, 0)) }
    public mutating func selectMaximum() { selected = maximum }
    public mutating func selectNone() { selected = .zero }

    /// Selects `units`, clamped into the allowed range.
    public mutating func select(_ units: Units) {
        selected = Units(min(units.count, maximum.count))
    }
}
