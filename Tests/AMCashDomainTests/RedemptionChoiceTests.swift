import AMCashDomain
import PropertyBased
import Testing

@Suite struct RedemptionChoiceTests {
    static let limits = zip(
        Gen.int(in: 0...200_000),  // basket, cents
        Gen.int(in: 0...100),  // availableOfferUnits
        Gen.int(in: 0...100),  // dailyOfferLimit
        Gen.int(in: 0...20_000)  // availableCashBalance, miles
    ).map { basket, units, daily, balance in
        OfferLimits(
            basket: Money(cents: basket), availableOfferUnits: Units(units),
            dailyOfferLimit: Units(daily), availableCashBalance: Miles(balance))
    }

    enum Step: CaseIterable { case up, down, maximum, none }

    @Test(arguments: [
        // basket, host units, balance miles, expected default units
        (4335, 75, 10_000, 4),  // $43.35 → $40
        (999, 75, 10_000, 0),  // under $10: nothing
        (1000, 75, 10_000, 1),  // exactly $10
        (100_000, 75, 100_000, 75),  // $1000 basket capped by the host's units
        (4335, 2, 10_000, 2),  // host allows 2 on this sale
        (4335, 75, 189, 1),  // 189 miles pay for one unit
        (4335, 75, 94, 0),  // below one unit
    ])
    func defaultIsTheBasketRoundedDownToTenDollarsCapped(basket: Int, hostUnits: Int, balance: Int, expected: Int) {
        let limits = OfferLimits(
            basket: Money(cents: basket), availableOfferUnits: Units(hostUnits),
            availableCashBalance: Miles(balance))
        #expect(RedemptionChoice.defaultRedemption(for: limits) == Units(expected))
    }

    @Test func theDailyLimitCapsTheDefaultWhenTheHostSendsIt() {
        let limits = OfferLimits(
            basket: Money(dollars: 500), availableOfferUnits: Units(40),
            dailyOfferLimit: Units(20), availableCashBalance: Miles(10_000))
        #expect(RedemptionChoice(limits: limits).selected == Units(20))
    }

    @Test func defaultNeverExceedsBasketHostUnitsOrBalance() async {
        await propertyCheck(count: 2000, input: Self.limits) { limits in
            let choice = RedemptionChoice(limits: limits)
            let value = limits.unitValue
            #expect(choice.money.cents % value.money.cents == 0, "a multiple of $10")
            #expect(choice.money <= limits.basket)
            #expect(choice.selected <= limits.availableOfferUnits)
            #expect(choice.miles <= limits.availableCashBalance)
            #expect(choice.miles == value.miles(for: choice.selected))
            // …and it is the largest such amount.
            let oneMore = Units(choice.selected.count + 1)
            #expect(
                value.money(for: oneMore) > limits.basket || oneMore > limits.availableOfferUnits
                    || value.miles(for: oneMore) > limits.availableCashBalance
                    || oneMore > (limits.dailyOfferLimit ?? oneMore))
        }
    }

    @Test func steppingNeverLeavesTheAllowedRange() async {
        let steps = Gen<Step>.case.array(of: 0...60)
        await propertyCheck(count: 1000, input: Self.limits, steps) { limits, steps in
            var choice = RedemptionChoice(limits: limits)
            for step in steps {
                let before = choice.selected.count
                switch step {
                case .up: choice.stepUp()
                case .down: choice.stepDown()
                case .maximum: choice.selectMaximum()
                case .none: choice.selectNone()
                }
                #expect(choice.allowed.contains(choice.selected.count))
                if step == .up { #expect(choice.selected.count == min(before + 1, choice.maximum.count)) }
                if step == .down { #expect(choice.selected.count == max(before - 1, 0)) }
                #expect(choice.money <= limits.basket)
                #expect(choice.miles <= limits.availableCashBalance)
            }
        }
    }

    @Test func cashierStepsDownInTenDollarStepsAndBackUpToTheCapOnly() {
        let limits = OfferLimits(
            basket: Money(cents: 4335), availableOfferUnits: Units(75),
            availableCashBalance: Miles(10_000))
        var choice = RedemptionChoice(limits: limits)
        #expect(choice.money == Money(dollars: 40) && choice.miles == Miles(380))
        choice.stepDown()
        #expect(choice.money == Money(dollars: 30) && choice.miles == Miles(285))
        choice.stepUp()
        choice.stepUp()
        #expect(choice.money == Money(dollars: 40))
        choice.selectNone()
        #expect(!choice.isRedemption && choice.money == .zero)
        choice.stepDown()
        #expect(choice.selected == .zero)
        choice.select(Units(99))
        #expect(choice.selected == Units(4))
    }

    @Test func aSaleThatCannotTakeOneUnitOffersNothing() {
        let limits = OfferLimits(basket: Money(dollars: 100), availableOfferUnits: Units(75), availableCashBalance: Miles(94))
        let choice = RedemptionChoice(limits: limits)
        #expect(!choice.canRedeem)
        #expect(choice.allowed == 0...0)
    }

    @Test func theHostsUnitValueDrivesTheSteps() {
        let value = UnitValue(miles: Miles(100), money: Money(dollars: 5))
        let limits = OfferLimits(
            basket: Money(cents: 2299), availableOfferUnits: Units(75),
            availableCashBalance: Miles(1000), unitValue: value)
        let choice = RedemptionChoice(limits: limits)
        #expect(choice.selected == Units(4))
        #expect(choice.money == Money(dollars: 20) && choice.miles == Miles(400))
    }
}
