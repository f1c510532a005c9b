import AMCashDomain
import Foundation
import GRDB

extension Date {
    /// This instant as the journal stores a date: GRDB's own text for a `Date` ("yyyy-MM-dd HH:mm:ss.SSS",
    /// UTC, to the nearest millisecond, a half up), to the byte — `JournalTimeTests` checks it against GRDB —
    /// written with integer arithmetic. GRDB formats a `Date` through a `DateFormatter`, which was three
    /// quarters of building the arguments of a journal write. Instants before 1583 (the formatter's calendar
    /// is Julian there) or after 9999 go through GRDB.
    var journalText: String {
        // The formatter's milliseconds: Foundation's UDate (the reference date's seconds, in ms), a half rounded up.
        let milliseconds = ((timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down)
        guard milliseconds.isFinite, milliseconds >= -12_212_553_600_000, milliseconds < 253_402_300_800_000 else {
            return String.fromDatabaseValue(databaseValue) ?? ""
        }
        let total = Int64(milliseconds)
        let (days, inDay) = total.quotientAndRemainder(dividingBy: 86_400_000)
        let (dayNumber, msOfDay) = inDay < 0 ? (days - 1, inDay + 86_400_000) : (days, inDay)
        let day = CalendarDay(daysSinceEpoch: Int(dayNumber))
        let ms = Int(msOfDay)
        return String(unsafeUninitializedCapacity: 23) { buffer in
            var at = 0
            func put(_ value: Int, digits: Int) {
                var rest = value
                for place in stride(from: digits - 1, through: 0, by: -1) {
                    buffer[at + place] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                at += digits
            }
            func put(_ byte: Character) {
                buffer[at] = byte.asciiValue!
                at += 1
            }
            put(day.year, digits: 4)
            put("-")
            put(day.month, digits: 2)
            put("-")
            put(day.day, digits: 2)
            put(" ")
            put(ms / 3_600_000, digits: 2)
            put(":")
            put(ms / 60_000 % 60, digits: 2)
            put(":")
            put(ms / 1000 % 60, digits: 2)
            put(".")
            put(ms % 1000, digits: 3)
            return at
        }
    }
}

extension Date {
    /// The instant a journal date's text names, as GRDB reads it, bit for bit (`JournalTimeTests` checks it
    /// against GRDB), for the text `journalText` writes; nil for any other text (the caller asks GRDB).
    /// GRDB reads a date through `Calendar.date(from:)`, most of the time spent reading a journal row.
    init?(journalText text: String) {
        guard let seconds = text.utf8.withContiguousStorageIfAvailable(Self.referenceSeconds(ofJournalText:)) ?? nil else { return nil }
        self.init(timeIntervalSinceReferenceDate: seconds)
    }

    /// Seconds since the reference date of "yyyy-MM-dd HH:mm:ss.SSS" (1583 to 9999), summed in the order
    /// Foundation's Gregorian calendar sums them (the day's start, then the time of day with its fraction),
    /// so the Double is the one GRDB would give.
    private static func referenceSeconds(ofJournalText bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count == 23, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: ".")
        else { return nil }
        guard let year = bytes.decimal(0..<4), let month = bytes.decimal(5..<7), let day = bytes.decimal(8..<10),
            let hour = bytes.decimal(11..<13), let minute = bytes.decimal(14..<16), let second = bytes.decimal(17..<19),
            let millisecond = bytes.decimal(20..<23),
            year >= 1583, hour < 24, minute < 60, second < 60,
            let calendarDay = try? CalendarDay(year: year, month: month, day: day)
        else { return nil }
        let dayStart = Double(calendarDay.daysSinceEpoch * 86_400 - 978_307_200)
        return dayStart + (Double(hour * 3600 + minute * 60 + second) + Double(millisecond * 1_000_000) / 1e9)
    }
}
