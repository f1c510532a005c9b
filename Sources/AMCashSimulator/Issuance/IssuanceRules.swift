public import AMCashConfiguration
import AMCashDomain
import AMCashWire
import TOMLKit

/// The simulator's earning rules (CERT only), in one place: STANDARD miles on the pre-tax amount earned
/// on, and bonus offers per department, category, item or coupon (a fixed number of miles or a multiplier).
struct IssuanceRules: Sendable {
    /// STANDARD: 1 mile for every whole this many cents of the pre-tax amount ($20).
    var centsPerMile: Int = 2_000
    var bonusOffers: [BonusOffer] = BonusOffer.builtIn

    /// STANDARD miles of an amount.
    func standardMiles(_ amount: Money) -> Int { max(0, amount.cents) / centsPerMile }

    /// The lines a basket earns (AIR MILES-calculated): STANDARD on the pre-tax amount, then each bonus.
    func lines(for body: IssuanceRequestBody, locationCode: String?) -> [IssuanceLine] {
        var lines: [IssuanceLine] = []
        let standard = standardMiles(body.basketPreTaxAmount)
        if standard > 0 {
            lines.append(
                IssuanceLine(
                    issuanceOfferCode: "STANDARD", offerId: "STANDARD", offerDescription: "1 mile per $\(centsPerMile / 100) spent",
                    milesAmount: standard, contributingItemIds: body.items.map(\.id), locationCode: locationCode))
        }
        for offer in bonusOffers {
            var miles = 0
            var contributing: [String] = []
            switch offer.match {
            case .coupon(let code):
                if body.coupon.contains(code), case .fixed(let fixed) = offer.reward { miles = fixed }
            case .department, .category, .item:
                let matching = body.items.filter { item in
                    switch offer.match {
                    case .department(let id): item.departmentId == id
                    case .category(let id): item.categoryId == id
                    case .item(let id): item.id == id
                    case .coupon: false
                    }
                }
                guard !matching.isEmpty else { continue }
                contributing = matching.map(\.id)
                switch offer.reward {
                case .fixed(let fixed): miles = fixed
                case .multiplier(let times):
                    let amount = matching.reduce(0) { $0 + ($1.finalAmount ?? $1.baseAmount ?? .zero).cents }
                    miles = standardMiles(Money(cents: amount)) * max(0, times - 1)
                }
            }
            if miles > 0 {
                lines.append(
                    IssuanceLine(
                        issuanceOfferCode: "BONUS", offerId: offer.offerId, offerDescription: offer.description, milesAmount: miles,
                        contributingItemIds: contributing, locationCode: locationCode))
            }
        }
        return lines
    }
}

/// A bonus offer of the simulator's: per department, category, item or coupon, a fixed number of miles
/// or a multiplier of the matching items' STANDARD miles. The built-in ones, or an offers file's.
public struct BonusOffer: Sendable, Hashable {
    public enum Match: Sendable, Hashable {
        case department(String)
        case category(String)
        case item(String)
        case coupon(String)
    }
    public enum Reward: Sendable, Hashable {
        /// This many miles once per sale.
        case fixed(Int)
        /// The matching items earn this many times their STANDARD miles (the extra is the bonus line).
        case multiplier(Int)
    }
    public let offerId: String
    public let description: String
    public let match: Match
    public let reward: Reward

    /// The offers every simulator knows unless an offers file replaces them.
    public static let builtIn: [BonusOffer] = [
        BonusOffer(offerId: "BONUS50", description: "50 bonus miles with coupon BONUS50", match: .coupon("BONUS50"), reward: .fixed(50)),
        BonusOffer(offerId: "DOUBLE", description: "double miles on category DOUBLE", match: .category("DOUBLE"), reward: .multiplier(2)),
    ]

    /// Reads an offers file (`amcash sim --offers FILE`):
    ///
    ///     [[offer]]
    ///     offerId = "DAIRY10"
    ///     description = "10 bonus miles on dairy"
    ///     department = "DAIRY"    # exactly one of department, category, item, coupon
    ///     miles = 10              # or multiplier = 3
    public static func load(path: String) throws(ConfigurationError) -> [BonusOffer] {
        try parse(try ConfigurationFileText.read(path, what: "offers file"), path: path)
    }

    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> [BonusOffer] {
        let root = TOMLReader(try TOMLDocument(path: path, text: text))
        guard let entries = try root.tables("offer"), !entries.isEmpty else {
            throw root.error("offer", "the file needs at least one [[offer]] table")
        }
        var offers: [BonusOffer] = []
        for table in entries {
            offers.append(try offer(table))
        }
        return offers
    }

    /// The keys an `[[offer]]` table may have: a typo is refused at its place, not ignored.
    private static let keys: Set<String> = ["offerId", "description", "department", "category", "item", "coupon", "miles", "multiplier"]

    private static func offer(_ table: TOMLReader) throws(ConfigurationError) -> BonusOffer {
        try table.onlyKeys(keys, in: " in an [[offer]]")
        guard let offerId = try table.text("offerId") else { throw table.error(nil, "\(table.name(of: "offerId")) is required") }
        var matches: [Match] = []
        if let id = try table.text("department") { matches.append(.department(id)) }
        if let id = try table.text("category") { matches.append(.category(id)) }
        if let id = try table.text("item") { matches.append(.item(id)) }
        if let code = try table.text("coupon") { matches.append(.coupon(code)) }
        guard matches.count == 1, let match = matches.first else {
            throw table.error(nil, "\(table.name(of: "offerId")) \(offerId): give exactly one of department, category, item or coupon")
        }
        let reward: Reward
        switch (try table.int("miles", in: 1...100_000), try table.int("multiplier", in: 2...100)) {
        case (let count?, nil):
            reward = .fixed(count)
        case (nil, let times?):
            if case .coupon = match {
                throw table.error("multiplier", "\(table.name(of: "multiplier")): a coupon offer gives miles, not a multiplier")
            }
            reward = .multiplier(times)
        default:
            throw table.error(nil, "\(table.name(of: "offerId")) \(offerId): give exactly one of miles or multiplier")
        }
        return BonusOffer(offerId: offerId, description: try table.text("description") ?? offerId, match: match, reward: reward)
    }
}
