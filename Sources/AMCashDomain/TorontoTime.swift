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
        let (year, month, day) = civil(fromDays: days)
        var text = ""
        text.reserveCapacity(25)
        append(&text, Int(year), 4)
        text += "-"
        append(&text, month, 2)
        text += "-"
        append(&text, day, 2)
        text += "T"
        append(&text, secondOfDay / 3_600, 2)
        text += ":"
        append(&text, secondOfDay / 60 % 60, 2)
        text += ":"
        append(&text, secondOfDay % 60, 2)
        text += offset < 0 ? "-" : "+"
        append(&text, abs(offset) / 3_600, 2)
        if offsetColon { text += ":" }
        append(&text, abs(offset) / 60 % 60, 2)
        return text
    }

    /// Year, month and day of a count of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthPrime + 2) / 5 + 1)
        let month = Int(monthPrime < 10 ? monthPrime + 3 : monthPrime - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func append(_ text: inout String, _ value: Int, _ width: Int) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }
}
