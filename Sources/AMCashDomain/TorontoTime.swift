public import Foundation

/// Toronto wall-clock time written as ISO 8601, without a formatter: the host stamps every answer
/// and the client every request with it, and building an `ISO8601DateFormatter` (ICU) each time was a
/// third of the simulator's time per request. Same output as the formatter, digit for digit.
public enum TorontoTime {
    /// `2026-11-27T13:32:00-05:00` (`offsetColon`) or `2026-11-27T13:32:00-0500`.
    public static func iso8601(_ instant: Date, offsetColon: Bool = true) -> String {
        let offset = ProgramDay.zone.secondsFromGMT(for: instant)
        let local = Int64((instant.timeIntervalSince1970).rounded(.down)) + Int64(offset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = Int(local - days * 86_400)
        let date = CalendarDay(daysSinceEpoch: Int(days))
        return zeroPadded(date.year, width: 4) + "-" + zeroPadded(date.month, width: 2) + "-" + zeroPadded(date.day, width: 2)
            + "T" + zeroPadded(secondOfDay / 3_600, width: 2) + ":" + zeroPadded(secondOfDay / 60 % 60, width: 2)
            + ":" + zeroPadded(secondOfDay % 60, width: 2) + (offset < 0 ? "-" : "+") + zeroPadded(abs(offset) / 3_600, width: 2)
            + (offsetColon ? ":" : "") + zeroPadded(abs(offset) / 60 % 60, width: 2)
    }
}
