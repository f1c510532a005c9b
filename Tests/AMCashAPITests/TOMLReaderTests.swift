import AMCashConfiguration
import Testing

/// The one typed TOML reader: every file amcash reads reports a bad value at its own line and
/// column, with the key named as the file spells it (`collector.number`, `collector #2: cashMiles`).
@Suite struct TOMLReaderTests {
    static let file = """
        title = "A"
        [collector]
        number = "123"
        cashMiles = 5

        [[visit]]
        miles = 1

        [[visit]]
        miles = -4
        words = ["a", 2]
        """

    @Test func aBadValueIsReportedWhereItIsAndNamedAsTheFileSpellsIt() throws {
        let root = TOMLReader(try TOMLDocument(path: "x.toml", text: Self.file))
        let collector = try #require(try root.table("collector"))
        #expect(try collector.cardNumber("number") == "123")
        #expect(try collector.int("cashMiles", in: 0...1_000_000_000) == 5)
        #expect(throws: ConfigurationError.self) { try collector.int("cashMiles", in: 10...20) }
        do {
            _ = try collector.int("cashMiles", in: 10...2_000_000)
            Issue.record("5 is out of 10...2,000,000")
        } catch {
            #expect(error.description == "x.toml:4:13: collector.cashMiles must be a whole number from 10 to 2,000,000")
        }
        let visits = try #require(try root.tables("visit"))
        #expect(visits.count == 2)
        #expect(try visits[0].int("miles", in: 0...9, unit: "miles") == 1)
        do {
            _ = try visits[1].int("miles", in: 0...9, unit: "miles")
            Issue.record("-4 is out of range")
        } catch {
            #expect(error.description == "x.toml:10:9: visit #2: miles must be a whole number of miles from 0 to 9")
        }
        do {
            _ = try visits[1].strings("words")
            Issue.record("a list with a number is not a list of strings")
        } catch {
            #expect(error.description.hasPrefix("x.toml:11:") && error.description.hasSuffix("visit #2: words must be a list of strings"))
        }
        do {
            try collector.onlyKeys(["number"], in: " in [collector]")
            Issue.record("cashMiles is not allowed")
        } catch {
            #expect(error.description == "x.toml:4:1: unknown key cashMiles in [collector]; it has number")
        }
        #expect(try root.text("missing") == nil, "a key left out is nil, not an error")
        #expect(throws: ConfigurationError.self) { try root.table("title") }
    }
}
