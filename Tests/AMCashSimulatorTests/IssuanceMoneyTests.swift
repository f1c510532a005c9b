import AMCashDomain
import AMCashWire
import Foundation
import Testing

/// Money on the Issuance wire is a JSON number from integer cents: written with exactly two decimals
/// and read back exactly, without floating point.
@Suite struct IssuanceMoneyTests {
    @Test(arguments: [(0, "0.00"), (5, "0.05"), (2497, "24.97"), (2490, "24.90"), (100_000_000_00, "100000000.00"), (-150, "-1.50")])
    func centsAreWrittenWithTwoDecimals(cents: Int, literal: String) {
        #expect(IssuanceMoney.literal(cents: cents) == literal)
        #expect(IssuanceMoney.cents(literal: literal) == cents)
    }

    @Test(arguments: ["24.9", "25", "24.970", "2.5e1", "1.005", "", "-", ".5", "12a", "1.2.3"])
    func otherLiteralsAreReadExactlyOrRefused(literal: String) {
        let expected: Int? = ["24.9": 2490, "25": 2500][literal]
        #expect(IssuanceMoney.cents(literal: literal) == expected, "\(literal)")
    }

    @Test func everyAmountSurvivesABodyRoundTrip() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("IssuanceMoneyTests seed \(seed)")
        var generator = SplitMix64(seed: seed)
        for _ in 0..<2_000 {
            let cents = Int.random(in: 0...9_999_999_999, using: &generator)
            let body = IssuanceRequestBody(basketPreTaxAmount: Money(cents: cents), basketPostTaxAmount: Money(cents: cents / 3))
            let read = try IssuanceRequestBody(json: IssuanceJSON.parse(body.json.data))
            #expect(read.basketPreTaxAmount.cents == cents, "seed \(seed): \(cents)")
            #expect(read.basketPostTaxAmount.cents == cents / 3, "seed \(seed)")
            #expect(body.json.text.contains("\"basketPreTaxAmount\":\(cents / 100).\(String(format: "%02d", cents % 100))"), "seed \(seed)")
        }
    }
}
