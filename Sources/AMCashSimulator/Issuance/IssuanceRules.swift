import AMCashDomain
import AMCashWire

/// The simulator's earning rules (CERT only), in one place: STANDARD miles on the pre-tax amount earned
/// on, and bonus offers per department, category, item or coupon (a fixed number of miles or a multiplier).
struct IssuanceRules: Sendable {
    /// STANDARD: 1 mile for every whole this many cents of the pre-tax amount ($20).
    var centsPerMile: Int = 2_000
    var bonusOffers: [BonusOffer] = BonusOffer.builtIn

    /// A bonus offer of the simulator's.
    struct BonusOffer: Sendable, Hashable {
        enum Match: Sendable, Hashable {
            case department(String)
            case category(String)
            case item(String)
            case coupon(String)
        }
        enum Reward: Sendable, Hashable {
            /// This many miles once per sale.
            case fixed(Int)
            /// The matching items earn this many times their STANDARD miles (the extra is the bonus line).
            case multiplier(Int)
        }
        let offerId: String
        let description: String
        let match: Match
        let reward: Reward

        /// The offers every simulator knows (the test collectors' help names them).
        static let builtIn: [BonusOffer] = [
            BonusOffer(offerId: "BONUS50", description: "50 bonus miles with coupon BONUS50", match: .coupon("BONUS50"), reward: .fixed(50)),
            BonusOffer(offerId: "DOUBLE", description: "double miles on category DOUBLE", match: .category("DOUBLE"), reward: .multiplier(2)),
        ]
    }

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
