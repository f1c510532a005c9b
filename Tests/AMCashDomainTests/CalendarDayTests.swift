import AMCashDomain
import PropertyBased
import Testing

@Suite struct CalendarDayTests {
    @Test(arguments: ["2026-11-27", "2024-02-29", "2000-02-29", "1970-01-01", "9999-12-31"])
    func parsesAndWritesRealDays(text: String) throws {
        #expect(try CalendarDay(parsing: text).description == text)
    }

    @Test(arguments: [
        "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-11-31", "2026-1-5",
        "26-11-27", "2026/11/27", "", "2026-11-27T00:00", "２０２６-11-27",
    ])
    func refusesWhatIsNotADay(text: String) {
        #expect(throws: CalendarDayError(text: text)) { try CalendarDay(parsing: text) }
    }

    @Test func dayArithmeticRoundTrips() async {
        await propertyCheck(count: 1000, input: Gen.int(in: -700_000...2_900_000)) { days in
            let day = CalendarDay(daysSinceEpoch: days)
            #expect(day.daysSinceEpoch == days)
            #expect(day.next.previous == day)
            #expect(day < day.next)
        }
    }

    @Test func knownDays() throws {
        #expect(try CalendarDay(parsing: "1970-01-01").daysSinceEpoch == 0)
        #expect(try CalendarDay(parsing: "2026-11-27").daysSinceEpoch == 20_784)
        #expect(try CalendarDay(parsing: "2026-02-28").next.description == "2026-03-01")
        #expect(try CalendarDay(parsing: "2024-02-28").next.description == "2024-02-29")
        #expect(try CalendarDay(parsing: "2026-12-31").next.description == "2027-01-01")
    }
}
