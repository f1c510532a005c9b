/// An amount of Canadian money in whole cents. Money is never floating point: the host sends
/// amounts as decimal strings, and they are parsed straight into integer cents.
public struct Money: Sendable, Hashable, Comparable, WireStringRepresentable, CustomStringConvertible {
    /// The amount in cents; never negative.
    public let cents: Int

    /// The most digits an amount may have in total (whole and fractional), as the host allows.
    public static let maximumDigits = 16

    public static let zero = Money(cents: 0)

    /// An amount of `cents` cents. Negative amounts do not exist on the money path.
    public init(cents: Int) {
        precondition(cents >= 0, "Money is never negative")
        self.cents = cents
    }

    /// Whole dollars, e.g. `Money(dollars: 10)` is $10.00.
    public init(dollars: Int) {
        self.init(cents: dollars * 100)
    }

    /// Parses a decimal amount as the host and the cashier write it: `"43.35"`, `"43"`, `"0.5"`.
    ///
    /// Digits, optionally a point and one or two more digits; nothing else. Exponents, signs,
    /// spaces, thousands separators and a third decimal are refused, each with its own reason.
    public init(parsing text: String) throws(MoneyParseError) {
        if text.isEmpty { throw .empty }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 2 { throw .notAnAmount(text) }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        for character in text where character != "." && !character.isASCIIDigit {
            if character == "-" { throw .negative(text) }
            throw .notAnAmount(text)
        }
        if whole.isEmpty { throw .notAnAmount(text) }
        if parts.count == 2 && fraction.isEmpty { throw .notAnAmount(text) }
        if fraction.count > 2 { throw .tooManyDecimals(text) }
        // Counted as the wire writes it (two decimals always): an amount read must be one that can be sent.
        if whole.count + 2 > Money.maximumDigits { throw .tooLong(text) }
        var cents = 0
        for digit in whole { cents = cents * 10 + digit.wholeNumberValue! }
        let paddedFraction = fraction + String(repeating: "0", count: 2 - fraction.count)
        for digit in paddedFraction { cents = cents * 10 + digit.wholeNumberValue! }
        self.init(cents: cents)
    }

    /// The amount as the wire writes it: whole dollars, a point, two decimals (`"43.35"`).
    public var decimalString: String {
        let dollars = cents / 100
        let remainder = cents % 100
        return remainder < 10 ? "\(dollars).0\(remainder)" : "\(dollars).\(remainder)"
    }

    /// The amount as a cashier reads it in `language`: `$1,234.50` or `1 234,50 $`.
    public func formatted(_ language: Language) -> String {
        let dollars = String(cents / 100)
        let remainder = cents % 100
        let fraction = remainder < 10 ? "0\(remainder)" : "\(remainder)"
        switch language {
        case .english:
            return "$" + groupedDigits(dollars, language) + "." + fraction
        case .french:
            // A no-break space keeps "1 234,50 $" together on a narrow screen.
            return groupedDigits(dollars, language) + "," + fraction + "\u{00A0}$"
        }
    }

    public var description: String { formatted(.english) }

    public init(wireString: String) throws { try self.init(parsing: wireString) }
    public var wireString: String { decimalString }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }

    /// How many whole `step`s fit in this amount: a $43.35 basket holds 4 steps of $10.
    public func wholeSteps(of step: Money) -> Int {
        precondition(step.cents > 0, "a step must be positive")
        return cents / step.cents
    }

}

/// Digits in groups of three, as each language writes them: 50,000 (en-CA) or 50 000 (fr-CA, with a
/// no-break space). Money and miles both use it.
func groupedDigits(_ digits: String, _ language: Language) -> String {
    var groups: [Substring] = []
    var end = digits.endIndex
    while end > digits.startIndex {
        let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
        groups.insert(digits[start..<end], at: 0)
        end = start
    }
    return groups.joined(separator: language == .english ? "," : "\u{00A0}")
}

/// Why a text is not an amount of money, in words a cashier or an integrator understands.
public enum MoneyParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case negative(String)
    case notAnAmount(String)
    case tooManyDecimals(String)
    case tooLong(String)

    public var description: String {
        switch self {
        case .empty:
            return "no amount was given"
        case .negative(let text):
            return "\"\(text)\" is negative; amounts are never below zero"
        case .notAnAmount(let text):
            return "\"\(text)\" is not an amount; write dollars and cents like 43.35"
        case .tooManyDecimals(let text):
            return "\"\(text)\" has more than two decimals; amounts are in whole cents"
        case .tooLong(let text):
            return "\"\(text)\" has more than \(Money.maximumDigits) digits"
        }
    }
}

extension Character {
    /// True for 0–9 only (not other scripts' digits, which `isNumber` accepts).
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
