/// A date on the calendar (year, month, day) with no time and no zone: the name of a program day.
/// Day arithmetic is done on integers, so it is the same on every machine.
public struct CalendarDay: Sendable, Hashable, Comparable, WireStringRepresentable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) throws(CalendarDayError) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CalendarDay.daysIn(month: month, year: year)).contains(day)
        else {
            throw CalendarDayError(text: "\(year)-\(month)-\(day)")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, as the command line and the reconciliation file write a day.
    public init(parsing text: String) throws(CalendarDayError) {
        // Ten ASCII bytes, `YYYY-MM-DD`, read as bytes: the journal reads two days a row it reads.
        // Native strings lend their bytes; a bridged one is copied once.
        let parsed =
            text.utf8.count == 10
            ? text.utf8.withContiguousStorageIfAvailable(Self.fields(of:)) ?? Array(text.utf8).withUnsafeBufferPointer(Self.fields(of:)) : nil
        guard let (year, month, day) = parsed else { throw CalendarDayError(text: text) }
        do { try self.init(year: year, month: month, day: day) } catch { throw CalendarDayError(text: text) }
    }

    /// Year, month and day of the ten bytes `YYYY-MM-DD`, or nil when they are not that.
    private static func fields(of bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), let year = bytes.decimal(0..<4), let month = bytes.decimal(5..<7),
            let day = bytes.decimal(8..<10)
        else { return nil }
        return (year, month, day)
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public init(daysSinceEpoch: Int) {
        // Howard Hinnant's civil_from_days.
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    public func adding(days: Int) -> CalendarDay { CalendarDay(daysSinceEpoch: daysSinceEpoch + days) }
    public var next: CalendarDay { adding(days: 1) }
    public var previous: CalendarDay { adding(days: -1) }

    public var description: String {
        zeroPadded(year, width: 4) + "-" + zeroPadded(month, width: 2) + "-" + zeroPadded(day, width: 2)
    }

    public init(wireString: String) throws { try self.init(parsing: wireString) }
    public var wireString: String { description }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A day that is not a real date, or not written `YYYY-MM-DD`.
public struct CalendarDayError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public init(text: String) { self.text = text }
    public var description: String { "\"\(text)\" is not a day; write it as YYYY-MM-DD, e.g. 2026-11-27" }
}

/// `value` in decimal with leading zeros up to `width` digits (`zeroPadded(7, width: 2)` is "07").
func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
}

extension UnsafeBufferPointer<UInt8> {
    /// The whole number the ASCII digits at `range` write, or nil if one of them is not a digit: for fixed-width
    /// fields (a day's `YYYY-MM-DD`, the journal's times) read from their bytes.
    public func decimal(_ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            let digit = self[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}
