public import Foundation

/// The AIR MILES program's days, which run on Eastern time (America/Toronto) whatever the
/// terminal's own zone, daylight-saving days included:
/// - the **redemption day** (daily limit, reversal window) ends at 03:00 Toronto;
/// - the **reconciliation day** (the daily file) ends at 00:00 Toronto.
///
/// A `ProgramDay` names a day by its Toronto calendar date; the redemption day 2026-11-27 runs
/// from 2026-11-27 03:00 to 2026-11-28 03:00 Toronto time.
public struct ProgramDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let date: CalendarDay

    /// The zone every program day is computed in.
    public static let zone: TimeZone = {
        guard let zone = TimeZone(identifier: "America/Toronto") else {
            fatalError("the time zone database has no America/Toronto; install tzdata")
        }
        return zone
    }()

    /// The hour (Toronto wall clock) at which a redemption day ends.
    public static let redemptionCutoffHour = 3
    /// The hour (Toronto wall clock) at which a reconciliation day ends.
    public static let reconciliationCutoffHour = 0

    public init(_ date: CalendarDay) { self.date = date }

    /// The redemption day that `instant` belongs to.
    public static func redemptionDay(at instant: Date) -> ProgramDay {
        day(at: instant, cutoffHour: redemptionCutoffHour)
    }

    /// The reconciliation day that `instant` belongs to.
    public static func reconciliationDay(at instant: Date) -> ProgramDay {
        day(at: instant, cutoffHour: reconciliationCutoffHour)
    }

    /// When this redemption day starts: 03:00 Toronto on its date.
    public var redemptionStart: Date { ProgramDay.instant(on: date, hour: ProgramDay.redemptionCutoffHour) }
    /// When this redemption day ends (exclusive): 03:00 Toronto on the next date.
    public var redemptionEnd: Date { ProgramDay.instant(on: date.next, hour: ProgramDay.redemptionCutoffHour) }
    /// When this reconciliation day starts: 00:00 Toronto on its date.
    public var reconciliationStart: Date { ProgramDay.instant(on: date, hour: ProgramDay.reconciliationCutoffHour) }
    /// When this reconciliation day ends (exclusive): 00:00 Toronto on the next date.
    public var reconciliationEnd: Date { ProgramDay.instant(on: date.next, hour: ProgramDay.reconciliationCutoffHour) }

    public var description: String { date.description }

    public static func < (lhs: ProgramDay, rhs: ProgramDay) -> Bool { lhs.date < rhs.date }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }()

    private static func day(at instant: Date, cutoffHour: Int) -> ProgramDay {
        // Compare the Toronto wall clock with the cut-off: on the day clocks fall back, 01:00–02:00
        // happens twice and is before 03:00 both times; on the day they spring forward, 03:00 exists.
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour,
            let local = try? CalendarDay(year: year, month: month, day: day)
        else {
            fatalError("the Gregorian calendar gave no date for \(instant)")
        }
        return ProgramDay(hour < cutoffHour ? local.previous : local)
    }

    private static func instant(on date: CalendarDay, hour: Int) -> Date {
        let parts = DateComponents(timeZone: zone, year: date.year, month: date.month, day: date.day, hour: hour)
        guard let instant = calendar.date(from: parts) else {
            fatalError("the Gregorian calendar has no \(date) \(hour):00 in America/Toronto")
        }
        return instant
    }
}

/// The rule for reversing a redemption: full reversal only, allowed until 03:00 Toronto at the
/// end of the redemption day the purchase was made in.
public enum ReversalWindow {
    /// When the reversal window of a redemption made at `redeemedAt` closes (exclusive).
    public static func closes(forRedemptionAt redeemedAt: Date) -> Date {
        ProgramDay.redemptionDay(at: redeemedAt).redemptionEnd
    }

    /// Whether a redemption made at `redeemedAt` may still be reversed at `instant`.
    public static func isReversible(redeemedAt: Date, at instant: Date) -> Bool {
        instant < closes(forRedemptionAt: redeemedAt)
    }
}
