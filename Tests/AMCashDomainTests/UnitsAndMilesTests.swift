import AMCashDomain
import PropertyBased
import Testing

@Suite struct UnitsAndMilesTests {
    @Test func oneUnitIsNinetyFiveMilesAndTenDollarsByDefault() {
        #expect(UnitValue.standard.miles == Miles(95))
        #expect(UnitValue.standard.money == Money(dollars: 10))
    }

    @Test func milesAreUnitsTimesUnitMiles() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...10_000), Gen.int(in: 1...1000), Gen.int(in: 1...100_000)) {
            units, unitMiles, unitCents in
            let value = UnitValue(miles: Miles(unitMiles), money: Money(cents: unitCents))
            #expect(value.miles(for: Units(units)) == Miles(units * unitMiles))
            #expect(value.money(for: Units(units)) == Money(cents: units * unitCents))
        }
    }

    @Test func theHostsUnitValueReplacesTheDefault() {
        let value = UnitValue(hostMiles: "100", hostDollars: "12.50")
        #expect(value.miles == Miles(100))
        #expect(value.money == Money(cents: 1250))
    }

    @Test(
        arguments: [
            (nil, nil), ("0", "0.00"), ("abc", "ten"), ("-95", "-10"), ("9.5", "10e1"),
        ] as [(String?, String?)])
    func anUnusableHostUnitValueFallsBackToTheStandardOne(miles: String?, dollars: String?) {
        #expect(UnitValue(hostMiles: miles, hostDollars: dollars) == .standard)
    }

    @Test(arguments: ["", "-1", "1.5", "1e3", "1234567890123", " 12", "٣"])
    func hostNumbersMustBeWholeDigitStrings(text: String) {
        #expect(throws: NumberParseError.self) { try Miles(parsing: text) }
        #expect(throws: NumberParseError.self) { try Units(parsing: text) }
    }

    @Test func unitsFitInWholeStepsOfTheBasket() {
        #expect(UnitValue.standard.units(within: Money(cents: 4335)) == Units(4))
        #expect(UnitValue.standard.units(within: Money(cents: 999)) == Units(0))
        #expect(UnitValue.standard.units(payableWith: Miles(189)) == Units(1))
        #expect(UnitValue.standard.units(payableWith: Miles(190)) == Units(2))
    }
}
