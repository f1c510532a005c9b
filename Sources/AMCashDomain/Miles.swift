/// A number of AIR MILES Reward Miles. Whole miles only; the host sends them as digit strings.
public struct Miles: Sendable, Hashable, Comparable, WireStringRepresentable, CustomStringConvertible {
    public let value: Int

    public static let zero = Miles(0)

    public init(_ value: Int) {
        precondition(value >= 0, "Miles are never negative")
        self.value = value
    }

    /// Parses the host's digit string (`"1615"`); anything but 1–12 ASCII digits is refused.
    public init(parsing text: String) throws(NumberParseError) {
        self.init(try NumberParseError.wholeNumber(text, field: "miles"))
    }

    public var description: String { "\(value) mi" }

    /// The number for a person: 50,000 (en-CA) or 50 000 (fr-CA).
    public func formatted(_ language: Language) -> String { groupedDigits(String(value), language) }

    public init(wireString: String) throws { try self.init(parsing: wireString) }
    public var wireString: String { String(value) }

    public static func < (lhs: Miles, rhs: Miles) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Miles, rhs: Miles) -> Miles { Miles(lhs.value + rhs.value) }
    public static func - (lhs: Miles, rhs: Miles) -> Miles { Miles(lhs.value - rhs.value) }
}

/// A number of redemption units ($10 / 95 miles steps by default). Redemptions are whole units.
public struct Units: Sendable, Hashable, Comparable, WireStringRepresentable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public let count: Int

    public static let zero = Units(0)

    public init(_ count: Int) {
        precondition(count >= 0, "Units are never negative")
        self.count = count
    }

    public init(integerLiteral value: Int) { self.init(value) }

    /// Parses the host's digit string (`"4"`); anything but 1–12 ASCII digits is refused.
    public init(parsing text: String) throws(NumberParseError) {
        self.init(try NumberParseError.wholeNumber(text, field: "units"))
    }

    public var description: String { "\(count) unit\(count == 1 ? "" : "s")" }

    public init(wireString: String) throws { try self.init(parsing: wireString) }
    public var wireString: String { String(count) }

    public static func < (lhs: Units, rhs: Units) -> Bool { lhs.count < rhs.count }
    public static func + (lhs: Units, rhs: Units) -> Units { Units(lhs.count + rhs.count) }
}

/// Why a host's whole-number string (miles, units) is not usable.
public struct NumberParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let text: String

    public var description: String {
        "\(field) must be a whole number of at most \(NumberParseError.maximumDigits) digits, got \"\(text)\""
    }

    static let maximumDigits = 12

    static func wholeNumber(_ text: String, field: String) throws(NumberParseError) -> Int {
        guard !text.isEmpty, text.count <= maximumDigits, text.allSatisfy(\.isASCIIDigit) else {
            throw NumberParseError(field: field, text: text)
        }
        return text.reduce(0) { $0 * 10 + $1.wholeNumberValue! }
    }
}

/// What one redemption unit is worth: 95 miles = $10.00 unless the host says otherwise
/// (`unitValueAMCash`, `unitValueDollars`). Both parts are positive.
public struct UnitValue: Sendable, Hashable, CustomStringConvertible {
    public let miles: Miles
    public let money: Money

    /// The program's documented value: 95 AM Cash miles = $10.00.
    public static let standard = UnitValue(miles: Miles(95), money: Money(dollars: 10))

    /// The most a host may say one unit is worth (100× the documented value), and the most units one
    /// answer may carry: beyond these an answer is not plausible, and every product below fits an Int.
    public static let ceiling = UnitValue(miles: Miles(9_500), money: Money(dollars: 1_000))
    public static let maximumUnits = Units(100_000)

    /// Whether a host's unit value is one the program has: the documented 95 miles = $10.00. Any other
    /// (a cent a unit, a thousand dollars) is a garbled answer, never a discount to give.
    public var isPlausible: Bool { self == UnitValue.standard }

    public init(miles: Miles, money: Money) {
        precondition(miles.value > 0 && money.cents > 0, "a unit is worth something")
        self.miles = miles
        self.money = money
    }

    /// The host's unit value where it sent a usable one, the standard one otherwise.
    /// A zero or unparsable part is ignored: the standard value is safer than a division by zero.
    public init(hostMiles: String?, hostDollars: String?) {
        let miles = hostMiles.flatMap { try? Miles(parsing: $0) }.flatMap { $0.value > 0 ? $0 : nil }
        let money = hostDollars.flatMap { try? Money(parsing: $0) }.flatMap { $0.cents > 0 ? $0 : nil }
        self.init(miles: miles ?? UnitValue.standard.miles, money: money ?? UnitValue.standard.money)
    }

    /// The miles `units` cost: units × miles per unit.
    public func miles(for units: Units) -> Miles { Miles(units.count * miles.value) }

    /// The discount `units` give: units × dollars per unit.
    public func money(for units: Units) -> Money { Money(cents: units.count * money.cents) }

    /// How many whole units `balance` pays for.
    public func units(payableWith balance: Miles) -> Units { Units(balance.value / miles.value) }

    /// How many whole units fit in `amount` (a $43.35 basket holds 4 units of $10).
    public func units(within amount: Money) -> Units { Units(amount.wholeSteps(of: money)) }

    public var description: String { "\(miles.value) miles = \(money)" }
}
