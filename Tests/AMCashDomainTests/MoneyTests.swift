import AMCashDomain
import Foundation
import PropertyBased
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        ("43.35", 4335), ("43", 4300), ("0.5", 50), ("0.05", 5), ("0", 0), ("10.00", 1000),
        ("007.10", 710), ("99999999999999", 9_999_999_999_999_900), ("99999999999999.99", 9_999_999_999_999_999),
    ])
    func parsesDecimalAmountsIntoCents(text: String, cents: Int) throws {
        #expect(try Money(parsing: text).cents == cents)
    }

    @Test(arguments: [
        ("4e1", MoneyParseError.notAnAmount("4e1")),
        ("-1", .negative("-1")),
        ("1.234", .tooManyDecimals("1.234")),
        ("", .empty),
        ("12345678901234567", .tooLong("12345678901234567")),
        ("123456789012345.67", .tooLong("123456789012345.67")),
        // 16 written digits, but the wire writes ".00" after them: 18 digits no host takes.
        ("1234567890123456", .tooLong("1234567890123456")),
        (".5", .notAnAmount(".5")),
        ("5.", .notAnAmount("5.")),
        ("1.2.3", .notAnAmount("1.2.3")),
        (" 43.35", .notAnAmount(" 43.35")),
        ("1,000.00", .notAnAmount("1,000.00")),
        ("+5", .notAnAmount("+5")),
        ("٣", .notAnAmount("٣")),
        ("NaN", .notAnAmount("NaN")),
    ])
    func refusesWhatIsNotAnAmount(text: String, error: MoneyParseError) {
        #expect(throws: error) { try Money(parsing: text) }
    }

    @Test func errorMessagesSayWhatIsWrong() {
        #expect(MoneyParseError.tooManyDecimals("1.234").description == "\"1.234\" has more than two decimals; amounts are in whole cents")
        #expect(MoneyParseError.negative("-1").description.contains("negative"))
        #expect(MoneyParseError.tooLong("1").description.contains("16 digits"))
    }

    @Test(arguments: [(0, "0.00"), (5, "0.05"), (50, "0.50"), (4335, "43.35"), (100_000, "1000.00")])
    func writesTheWireForm(cents: Int, text: String) {
        #expect(Money(cents: cents).decimalString == text)
    }

    @Test(arguments: [
        (4335, "$43.35", "43,35\u{00A0}$"),
        (123_450, "$1,234.50", "1\u{00A0}234,50\u{00A0}$"),
        (5, "$0.05", "0,05\u{00A0}$"),
        (100_000_000, "$1,000,000.00", "1\u{00A0}000\u{00A0}000,00\u{00A0}$"),
    ])
    func formatsForTheCashierInBothLanguages(cents: Int, english: String, french: String) {
        #expect(Money(cents: cents).formatted(.english) == english)
        #expect(Money(cents: cents).formatted(.french) == french)
    }

    @Test func parseOfFormatIsIdentity() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...9_999_999_999_999_999)) { cents in
            let money = Money(cents: cents)
            #expect((try? Money(parsing: money.decimalString)) == money)
        }
    }

    @Test func formatOfParseKeepsTheValueOfEveryValidSpelling() async {
        let whole = Gen.int(in: 0...99_999_999)
        let fractionDigits = Gen.int(in: 0...2)
        let fraction = Gen.int(in: 0...99)
        await propertyCheck(count: 2000, input: whole, fractionDigits, fraction) { whole, digits, fraction in
            let text: String
            let cents: Int
            switch digits {
            case 0: (text, cents) = ("\(whole)", whole * 100)
            case 1: (text, cents) = ("\(whole).\(fraction % 10)", whole * 100 + (fraction % 10) * 10)
            default: (text, cents) = ("\(whole).\(fraction < 10 ? "0" : "")\(fraction)", whole * 100 + fraction)
            }
            let parsed = try? Money(parsing: text)
            #expect(parsed?.cents == cents, "\(text)")
            #expect(parsed.flatMap { try? Money(parsing: $0.decimalString) } == parsed)
        }
    }

    @Test func wireCodingUsesDecimalStrings() throws {
        let data = try JSONEncoder().encode(["basket": Money(cents: 4335)])
        #expect(String(decoding: data, as: UTF8.self) == #"{"basket":"43.35"}"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Money.self, from: Data(#""4e1""#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Money.self, from: Data("43.35".utf8)) }
    }
}
