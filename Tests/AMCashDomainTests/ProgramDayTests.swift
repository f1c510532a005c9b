import AMCashDomain
import Foundation
import Testing

/// The program's days must not depend on the machine's zone, so every table runs under several.
/// `.serialized`: the tests change the process's time zone, and must not overlap one another.
@Suite(.serialized) struct ProgramDayTests {
    static let machineZones = ["UTC", "America/Vancouver", "Asia/Kolkata", "America/Toronto", "Pacific/Kiritimati"]

    /// An instant written as an absolute time with its offset, e.g. "2026-03-08T02:59:59-05:00".
    static func instant(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad instant \(text)") }
        return date
    }

    static func day(_ text: String) -> ProgramDay { ProgramDay(try! CalendarDay(parsing: text)) }

    /// Runs `body` with the process's (machine's) time zone set to `identifier`.
    ///
    /// `TZ` is set and restored, never removed: other suites start processes meanwhile, and `Process.run`
    /// copies the environment. glibc's first `setenv` of a new name copies the array and leaves the old one
    /// readable, and setting a name that exists swaps one pointer; but `unsetenv` followed by the next
    /// `setenv` grows and frees the array under such a copy (a full run crashed in `Process.run`'s memmove).
    /// A machine without `TZ` gets back the zone it had, by name.
    static func underMachineZone(_ identifier: String, _ body: () throws -> Void) rethrows {
        let savedTZ = ProcessInfo.processInfo.environment["TZ"] ?? TimeZone.current.identifier
        let savedDefault = NSTimeZone.default
        setenv("TZ", identifier, 1)
        tzset()
        NSTimeZone.default = TimeZone(identifier: identifier)!
        defer {
            setenv("TZ", savedTZ, 1)
            tzset()
            NSTimeZone.default = savedDefault
        }
        let probe = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(TimeZone.current.secondsFromGMT(for: probe) == TimeZone(identifier: identifier)!.secondsFromGMT(for: probe))
        try body()
    }

    // Instants at and around 03:00 Toronto. EST is -05:00, EDT is -04:00.
    // 2026: clocks spring forward Sunday 8 March 02:00 EST → 03:00 EDT, fall back Sunday 1 November 02:00 EDT → 01:00 EST.
    static let redemptionCases: [(instant: String, day: String, what: String)] = [
        ("2026-11-27T02:59:59-05:00", "2026-11-26", "ordinary day, one second before 03:00"),
        ("2026-11-27T03:00:00-05:00", "2026-11-27", "ordinary day, 03:00 exactly"),
        ("2026-11-27T23:59:59-05:00", "2026-11-27", "ordinary day, late evening"),
        ("2026-11-28T00:30:00-05:00", "2026-11-27", "after midnight, before 03:00"),
        ("2026-03-08T01:59:59-05:00", "2026-03-07", "spring forward, just before the clocks jump"),
        ("2026-03-08T03:00:00-04:00", "2026-03-08", "spring forward, 03:00 EDT straight after 01:59:59 EST"),
        ("2026-03-08T02:59:59-04:00", "2026-03-07", "spring forward, 01:59:59 EST written in EDT"),
        ("2026-03-09T02:59:59-04:00", "2026-03-08", "day after spring forward, 02:59:59 EDT"),
        ("2026-03-09T03:00:00-04:00", "2026-03-09", "day after spring forward, 03:00 EDT"),
        ("2026-11-01T01:30:00-04:00", "2026-10-31", "fall back, first 01:30 (EDT)"),
        ("2026-11-01T01:30:00-05:00", "2026-10-31", "fall back, second 01:30 (EST)"),
        ("2026-11-01T02:59:59-05:00", "2026-10-31", "fall back, 02:59:59 EST"),
        ("2026-11-01T03:00:00-05:00", "2026-11-01", "fall back, 03:00 EST"),
        ("2026-12-31T03:00:00-05:00", "2026-12-31", "new year's eve"),
        ("2027-01-01T02:59:59-05:00", "2026-12-31", "new year, before 03:00"),
    ]

    @Test(arguments: machineZones)
    func redemptionDayEndsAtThreeInTorontoWhateverTheMachineZone(machineZone: String) {
        Self.underMachineZone(machineZone) {
            for (instant, day, what) in Self.redemptionCases {
                #expect(ProgramDay.redemptionDay(at: Self.instant(instant)) == Self.day(day), "\(what) under \(machineZone)")
            }
        }
    }

    static let reconciliationCases: [(instant: String, day: String, what: String)] = [
        ("2026-11-27T23:59:59-05:00", "2026-11-27", "ordinary day, one second before midnight"),
        ("2026-11-28T00:00:00-05:00", "2026-11-28", "ordinary day, midnight"),
        ("2026-11-28T02:59:59-05:00", "2026-11-28", "after midnight belongs to the new file day"),
        ("2026-03-07T23:59:59-05:00", "2026-03-07", "eve of spring forward"),
        ("2026-03-08T03:30:00-04:00", "2026-03-08", "spring forward day"),
        ("2026-10-31T23:59:59-04:00", "2026-10-31", "eve of fall back"),
        ("2026-11-01T01:30:00-05:00", "2026-11-01", "fall back, second 01:30"),
        ("2026-11-01T04:59:59+00:00", "2026-11-01", "fall back day, in UTC"),
    ]

    @Test(arguments: machineZones)
    func reconciliationDayEndsAtMidnightInTorontoWhateverTheMachineZone(machineZone: String) {
        Self.underMachineZone(machineZone) {
            for (instant, day, what) in Self.reconciliationCases {
                #expect(ProgramDay.reconciliationDay(at: Self.instant(instant)) == Self.day(day), "\(what) under \(machineZone)")
            }
        }
    }

    @Test(arguments: machineZones)
    func dayBoundariesAreTheTorontoInstants(machineZone: String) {
        Self.underMachineZone(machineZone) {
            #expect(Self.day("2026-11-27").redemptionStart == Self.instant("2026-11-27T03:00:00-05:00"))
            #expect(Self.day("2026-11-27").redemptionEnd == Self.instant("2026-11-28T03:00:00-05:00"))
            #expect(Self.day("2026-11-27").reconciliationStart == Self.instant("2026-11-27T00:00:00-05:00"))
            #expect(Self.day("2026-11-27").reconciliationEnd == Self.instant("2026-11-28T00:00:00-05:00"))
            // The redemption day that holds the spring-forward is 23 hours long; the fall-back one 25.
            let spring = Self.day("2026-03-07")
            #expect(spring.redemptionEnd.timeIntervalSince(spring.redemptionStart) == 23 * 3600)
            let autumn = Self.day("2026-10-31")
            #expect(autumn.redemptionEnd.timeIntervalSince(autumn.redemptionStart) == 25 * 3600)
            #expect(autumn.redemptionEnd == Self.instant("2026-11-01T03:00:00-05:00"))
        }
    }

    @Test func everyInstantOfAYearFallsInsideTheDayItIsGiven() {
        // Hour by hour through 2026, both DST changes included: start ≤ instant < end.
        var instant = Self.instant("2026-01-01T00:00:00-05:00")
        let stop = Self.instant("2027-01-01T00:00:00-05:00")
        while instant < stop {
            let redemption = ProgramDay.redemptionDay(at: instant)
            #expect(redemption.redemptionStart <= instant && instant < redemption.redemptionEnd, "\(instant)")
            let reconciliation = ProgramDay.reconciliationDay(at: instant)
            #expect(reconciliation.reconciliationStart <= instant && instant < reconciliation.reconciliationEnd, "\(instant)")
            instant = instant.addingTimeInterval(3600)
        }
    }

    @Test(arguments: [
        // redeemed at, checked at, still reversible
        ("2026-11-27T13:32:00-05:00", "2026-11-27T23:59:00-05:00", true),
        ("2026-11-27T13:32:00-05:00", "2026-11-28T02:59:59-05:00", true),
        ("2026-11-27T13:32:00-05:00", "2026-11-28T03:00:00-05:00", false),
        ("2026-11-28T01:00:00-05:00", "2026-11-28T02:59:59-05:00", true),  // bought after midnight: same day
        ("2026-11-28T01:00:00-05:00", "2026-11-28T03:00:00-05:00", false),
        ("2026-10-31T20:00:00-04:00", "2026-11-01T02:30:00-05:00", true),  // the 25-hour day
        ("2026-10-31T20:00:00-04:00", "2026-11-01T03:00:00-05:00", false),
        ("2026-03-07T20:00:00-05:00", "2026-03-08T03:00:00-04:00", false),  // the 23-hour day
        ("2026-03-07T20:00:00-05:00", "2026-03-08T01:59:59-05:00", true),
    ])
    func aReversalIsAllowedUntilThreeInTorontoAtTheEndOfThePurchasesDay(redeemed: String, at: String, allowed: Bool) {
        Self.underMachineZone("America/Vancouver") {
            #expect(ReversalWindow.isReversible(redeemedAt: Self.instant(redeemed), at: Self.instant(at)) == allowed)
        }
    }
}
