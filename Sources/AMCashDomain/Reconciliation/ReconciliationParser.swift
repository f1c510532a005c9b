public import Foundation

/// Reads a reconciliation file one line at a time, in constant memory: checks the record order
/// (H1, H2, D…, T1, T2), every field's count, characters and length, and that the trailers add up.
/// A file that breaks any rule is refused with the record number and the reason.
public struct ReconciliationParser: Sendable {
    /// What the headers said.
    public private(set) var sponsorCode: String?
    public private(set) var day: ProgramDay?
    public private(set) var periodStart: String?
    public private(set) var periodEnd: String?
    /// The period the file covers, from H2's start and end: the rows reconciled are those made in it.
    public private(set) var period: Range<Date>?
    /// Records read so far (1-based number of the last one).
    public private(set) var recordNumber = 0

    private enum Stage { case expectingHeader1, expectingHeader2, inDetails, expectingTrailer2, done }
    private var stage = Stage.expectingHeader1
    private var redeemCount = 0, reverseCount = 0
    private var redeemMiles = 0, reverseMiles = 0
    private var redeemCents = 0, reverseCents = 0

    /// The longest line the layout allows; a longer one is refused before it is split.
    public static let maximumLineLength = 512

    public init() {}

    /// Field boundaries of the current line, reused from line to line.
    private var ranges: [Range<Int>] = []

    /// Reads one line (without its line end; a trailing CR is accepted). Returns the detail it holds, if any.
    public mutating func consume(_ line: Substring) throws(ReconciliationFileError) -> ReconciliationDetail? {
        var copy = line
        do {
            return try copy.withUTF8 { bytes in try consume(utf8: bytes) }
        } catch let error as ReconciliationFileError {
            throw error
        } catch {
            throw self.error(recordNumber, "\(error)")
        }
    }

    /// The same, from the line's bytes: a file's million detail records are read without making a
    /// `String` of each line or of each field the checks only look at.
    public mutating func consume(utf8 raw: UnsafeBufferPointer<UInt8>) throws(ReconciliationFileError) -> ReconciliationDetail? {
        let length = raw.count > 0 && raw[raw.count - 1] == 0x0D ? raw.count - 1 : raw.count
        let line = UnsafeBufferPointer(rebasing: raw[0..<length])
        if stage == .done {
            if line.isEmpty { return nil }
            throw error(recordNumber + 1, "a record after the T2 trailer")
        }
        recordNumber += 1
        guard !line.isEmpty else { throw error("an empty line where a record was expected") }
        guard line.count <= Self.maximumLineLength else { throw error("the record is longer than \(Self.maximumLineLength) characters") }
        guard line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw error("the record has a character that is not printable ASCII") }
        // Split on "%%" as `components(separatedBy:)` does.
        ranges.removeAll(keepingCapacity: true)
        var start = 0
        var index = 0
        while index + 1 < line.count {
            if line[index] == 0x25 && line[index + 1] == 0x25 {
                ranges.append(start..<index)
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        ranges.append(start..<line.count)
        if stage == .inDetails, ranges.count == ReconciliationLayout.RecordType.detail.fieldCount,
            Self.equals(line, ranges[0], "D")
        {
            let detail = try fastDetail(line)
            try count(detail)
            return detail
        }
        let fields = ranges.map { String(decoding: UnsafeBufferPointer(rebasing: line[$0]), as: UTF8.self) }
        return try consume(fields: fields)
    }

    /// A line's fields, for the records that are not details (and any detail the fast path refused).
    private mutating func consume(fields: [String]) throws(ReconciliationFileError) -> ReconciliationDetail? {
        guard let type = ReconciliationLayout.RecordType(rawValue: fields[0]) else {
            throw error("unknown record type \"\(fields[0].prefix(8))\"")
        }
        guard fields.count == type.fieldCount else {
            throw error("a \(type.rawValue) record has \(type.fieldCount) fields, this one has \(fields.count)")
        }
        switch (stage, type) {
        case (.expectingHeader1, .header1):
            guard fields[1] == ReconciliationLayout.fileType else {
                throw error("the file type is \"\(fields[1])\", not \(ReconciliationLayout.fileType)")
            }
            guard fields[2] == ReconciliationLayout.layoutVersion else {
                throw error("layout version \(fields[2]) is not \(ReconciliationLayout.layoutVersion)")
            }
            try check(fields[3], "sponsor code", length: 4...4, allowed: { $0.isLetter || $0.isNumber })
            try check(fields[4], "creation date", length: 8...8, allowed: \.isNumber)
            sponsorCode = fields[3]
            stage = .expectingHeader2
        case (.expectingHeader2, .header2):
            try check(fields[1], "period start", length: 1...40, allowed: Self.isDateTimeCharacter)
            try check(fields[2], "period end", length: 1...40, allowed: Self.isDateTimeCharacter)
            do { day = ProgramDay(try CalendarDay(parsing: fields[3])) } catch { throw self.error("the file day \"\(fields[3])\" is not YYYY-MM-DD") }
            let formatter = ISO8601DateFormatter()
            guard let start = formatter.date(from: fields[1]) else {
                throw error("the period start \"\(fields[1])\" is not an ISO 8601 date-time with an offset")
            }
            guard let end = formatter.date(from: fields[2]) else {
                throw error("the period end \"\(fields[2])\" is not an ISO 8601 date-time with an offset")
            }
            guard start < end else { throw error("the period ends (\(fields[2])) before it starts (\(fields[1]))") }
            periodStart = fields[1]
            periodEnd = fields[2]
            period = start..<end
            stage = .inDetails
        case (.inDetails, .detail):
            let detail = try detail(fields)
            try count(detail)
            return detail
        case (.inDetails, .trailer1):
            let count = try number(fields[1], "detail count")
            let redeems = try number(fields[2], "REDEEM count")
            let reverses = try number(fields[3], "REVERSE count")
            guard count == redeemCount + reverseCount else { throw error("T1 says \(count) details, the file has \(redeemCount + reverseCount)") }
            guard redeems == redeemCount else { throw error("T1 says \(redeems) REDEEM records, the file has \(redeemCount)") }
            guard reverses == reverseCount else { throw error("T1 says \(reverses) REVERSE records, the file has \(reverseCount)") }
            stage = .expectingTrailer2
        case (.expectingTrailer2, .trailer2):
            let miles = try number(fields[1], "REDEEM miles")
            let reverseMilesTotal = try number(fields[3], "REVERSE miles")
            let dollars = try money(fields[2], "REDEEM dollars")
            let reverseDollars = try money(fields[4], "REVERSE dollars")
            guard miles == redeemMiles else { throw error("T2 says \(miles) REDEEM miles, the details add up to \(redeemMiles)") }
            guard dollars.cents == redeemCents else {
                throw error("T2 says \(dollars.decimalString) REDEEM dollars, the details add up to \(Money(cents: redeemCents).decimalString)")
            }
            guard reverseMilesTotal == reverseMiles else {
                throw error("T2 says \(reverseMilesTotal) REVERSE miles, the details add up to \(reverseMiles)")
            }
            guard reverseDollars.cents == reverseCents else {
                throw error(
                    "T2 says \(reverseDollars.decimalString) REVERSE dollars, the details add up to \(Money(cents: reverseCents).decimalString)")
            }
            stage = .done
        default:
            throw error("a \(type.rawValue) record where \(expected) was expected")
        }
        return nil
    }

    /// Adds a detail to the running totals the trailers are checked against.
    private mutating func count(_ detail: ReconciliationDetail) throws(ReconciliationFileError) {
        // Totals of a file we do not control: an overflow is a broken file, never a crash.
        let tooLarge = error("a total is too large to be a real day's")
        func add(_ total: inout Int, _ value: Int) throws(ReconciliationFileError) {
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { throw tooLarge }
            total = sum
        }
        switch detail.type {
        case .redeem:
            redeemCount += 1
            try add(&redeemMiles, detail.miles.value)
            try add(&redeemCents, detail.money.cents)
        case .reverse:
            reverseCount += 1
            try add(&reverseMiles, detail.miles.value)
            try add(&reverseCents, detail.money.cents)
        }
    }

    /// A detail record checked on its bytes, with the same rules and the same messages as `detail(_:)`;
    /// strings are made only for the fields the detail keeps.
    private func fastDetail(_ line: UnsafeBufferPointer<UInt8>) throws(ReconciliationFileError) -> ReconciliationDetail {
        let f = ranges
        func text(_ index: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: line[f[index]]), as: UTF8.self) }
        let type: ReconciliationTransactionType
        if Self.equals(line, f[1], "REDEEM") {
            type = .redeem
        } else if Self.equals(line, f[1], "REVERSE") {
            type = .reverse
        } else {
            throw error("transaction type \"\(text(1).prefix(10))\" is not REDEEM or REVERSE")
        }
        func check(
            _ index: Int, _ name: String, length: ClosedRange<Int>, echo: Bool = true,
            allowed: (UInt8) -> Bool
        ) throws(ReconciliationFileError) {
            let range = f[index]
            guard length.contains(range.count), UnsafeBufferPointer(rebasing: line[range]).allSatisfy(allowed) else {
                try self.check(text(index), name, length: length, allowed: { _ in false }, echo: echo)
                return
            }
        }
        let digit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        let alphanumeric: (UInt8) -> Bool = { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        let dateTime: (UInt8) -> Bool = {
            switch $0 {
            case 0x30...0x39, 0x2D, 0x3A, 0x2B, 0x54, 0x5A, 0x2E: true
            default: false
            }
        }
        let notSpace: (UInt8) -> Bool = { $0 != 0x20 }
        try check(2, "host date-time", length: 1...40, allowed: dateTime)
        try check(3, "sponsor code", length: 4...4, allowed: alphanumeric)
        try check(4, "store id", length: 4...4, allowed: digit)
        try check(5, "device id", length: 3...3, allowed: digit)
        let terminal = f[6]
        let sponsorEnd = terminal.lowerBound + f[3].count
        let storeEnd = sponsorEnd + f[4].count
        guard terminal.count == f[3].count + f[4].count + f[5].count,
            line[terminal.lowerBound..<sponsorEnd].elementsEqual(line[f[3]]),
            line[sponsorEnd..<storeEnd].elementsEqual(line[f[4]]),
            line[storeEnd..<terminal.upperBound].elementsEqual(line[f[5]])
        else {
            throw error("card terminal id \(text(6)) is not sponsor + store + device")
        }
        try check(7, "trace id", length: 12...12, allowed: digit)
        try check(8, "collector number", length: 1...19, echo: false, allowed: digit)
        var units = 0
        var miles = 0
        var money = Money.zero
        if let fast = fastNumber(line, f[9]) { units = fast } else { units = try number(text(9), "units") }
        if let fast = fastNumber(line, f[10]) { miles = fast } else { miles = try number(text(10), "miles") }
        if let fast = fastMoney(line, f[11]) { money = fast } else { money = try self.money(text(11), "dollars") }
        try check(12, "confirmation number", length: 1...40, allowed: notSpace)
        if type == .reverse {
            try check(13, "original confirmation number", length: 1...40, allowed: notSpace)
        } else if !f[13].isEmpty {
            throw error("a REDEEM record has an original confirmation number")
        }
        // The card terminal id is sponsor + store + device (checked above): one `String` for the three.
        return ReconciliationDetail(
            type: type, hostDateTime: UnsafeBufferPointer(rebasing: line[f[2]]), cardTerminalId: text(6), sponsorLength: f[3].count,
            storeLength: f[4].count, traceId: text(7), collectorNumber: text(8), units: Units(units), miles: Miles(miles), money: money,
            confirmationNumber: text(12), originalConfirmationNumber: f[13].isEmpty ? nil : text(13))
    }

    /// A whole number written as the layout wants it (1 to 12 digits, no padding), or nil to let
    /// `number(_:_:)` say what is wrong.
    private func fastNumber(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard (1...12).contains(range.count), range.count == 1 || line[range.lowerBound] != 0x30 else { return nil }
        var value = 0
        for byte in line[range] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Dollars written as the layout wants them (no padding, a point, two decimals), or nil to let
    /// `money(_:_:)` say what is wrong.
    private func fastMoney(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Money? {
        let count = range.count
        guard (4...17).contains(count), line[range.upperBound - 3] == 0x2E else { return nil }
        let whole = range.lowerBound..<(range.upperBound - 3)
        guard whole.count == 1 || line[whole.lowerBound] != 0x30, whole.count + 2 <= Money.maximumDigits else { return nil }
        var cents = 0
        for index in range where index != range.upperBound - 3 {
            let byte = line[index]
            guard (0x30...0x39).contains(byte) else { return nil }
            cents = cents * 10 + Int(byte - 0x30)
        }
        return Money(cents: cents)
    }

    private static func equals(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { line[range].elementsEqual($0) }
    }

    /// Call after the last line: a file that stops before its T2 trailer is refused.
    public func finish() throws(ReconciliationFileError) {
        guard stage == .done else { throw error(recordNumber + 1, "the file ends where \(expected) was expected") }
    }

    private var expected: String {
        switch stage {
        case .expectingHeader1: "the H1 header"
        case .expectingHeader2: "the H2 header"
        case .inDetails: "a D record or the T1 trailer"
        case .expectingTrailer2: "the T2 trailer"
        case .done: "the end of the file"
        }
    }

    private func detail(_ fields: [String]) throws(ReconciliationFileError) -> ReconciliationDetail {
        guard let type = ReconciliationTransactionType(rawValue: fields[1]) else {
            throw error("transaction type \"\(fields[1].prefix(10))\" is not REDEEM or REVERSE")
        }
        try check(fields[2], "host date-time", length: 1...40, allowed: Self.isDateTimeCharacter)
        try check(fields[3], "sponsor code", length: 4...4, allowed: { $0.isLetter || $0.isNumber })
        try check(fields[4], "store id", length: 4...4, allowed: \.isNumber)
        try check(fields[5], "device id", length: 3...3, allowed: \.isNumber)
        guard fields[6] == fields[3] + fields[4] + fields[5] else { throw error("card terminal id \(fields[6]) is not sponsor + store + device") }
        try check(fields[7], "trace id", length: 12...12, allowed: \.isNumber)
        try check(fields[8], "collector number", length: 1...19, allowed: \.isNumber, echo: false)
        let units = try number(fields[9], "units")
        let miles = try number(fields[10], "miles")
        let money = try money(fields[11], "dollars")
        try check(fields[12], "confirmation number", length: 1...40, allowed: { !$0.isWhitespace })
        if type == .reverse {
            try check(fields[13], "original confirmation number", length: 1...40, allowed: { !$0.isWhitespace })
        } else if !fields[13].isEmpty {
            throw error("a REDEEM record has an original confirmation number")
        }
        return ReconciliationDetail(
            type: type, hostDateTime: fields[2], sponsorCode: fields[3], storeId: fields[4], deviceId: fields[5],
            traceId: fields[7], collectorNumber: fields[8], units: Units(units), miles: Miles(miles), money: money,
            confirmationNumber: fields[12], originalConfirmationNumber: fields[13].isEmpty ? nil : fields[13])
    }

    /// A whole number with no padding: "190", never "0190".
    private func number(_ text: String, _ name: String) throws(ReconciliationFileError) -> Int {
        guard (1...12).contains(text.count), text.allSatisfy(\.isNumber), text == "0" || !text.hasPrefix("0"), let value = Int(text) else {
            throw error("\(name) \"\(text.prefix(20))\" is not a whole number without padding")
        }
        return value
    }

    private func money(_ text: String, _ name: String) throws(ReconciliationFileError) -> Money {
        guard text.count <= 17 else { throw error("\(name) is longer than 17 characters") }
        do {
            let value = try Money(parsing: text)
            guard value.decimalString == text else { throw error("\(name) \"\(text)\" is not written as dollars and two decimals") }
            return value
        } catch let error as ReconciliationFileError {
            throw error
        } catch {
            throw self.error("\(name): \(error)")
        }
    }

    /// `echo: false` for a field whose value must never be printed (a collector number).
    private func check(
        _ text: String, _ name: String, length: ClosedRange<Int>, allowed: (Character) -> Bool,
        echo: Bool = true
    ) throws(ReconciliationFileError) {
        guard length.contains(text.count) else {
            throw error(
                "\(name) has \(text.count) characters; \(length.count == 1 ? "\(length.lowerBound)" : "\(length.lowerBound) to \(length.upperBound)") are allowed"
            )
        }
        guard text.allSatisfy(allowed) else {
            throw error(
                echo ? "\(name) \"\(text.prefix(20).safeForTerminal)\" has a character it may not have" : "\(name) has a character it may not have")
        }
    }

    private static func isDateTimeCharacter(_ character: Character) -> Bool {
        character.isNumber || "-:+TZ.".contains(character)
    }

    private func error(_ reason: String) -> ReconciliationFileError { error(recordNumber, reason) }
    private func error(_ record: Int, _ reason: String) -> ReconciliationFileError { ReconciliationFileError(record: record, reason: reason) }
}

/// Why a reconciliation file is unusable, and at which record (1-based).
public struct ReconciliationFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let record: Int
    public let reason: String

    public var description: String { "record \(record): \(reason)" }
}
