import AMCashDomain
import Foundation
import PropertyBased
import Testing

/// The hand-written timestamp must say exactly what Foundation's ISO 8601 formatter says, in every
/// season and across every daylight-saving change.
@Suite struct TorontoTimeTests {
    static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = ProgramDay.zone
        return formatter
    }

    @Test func writesWhatTheFormatterWritesForAnyInstant() async {
        let formatter = Self.formatter()
        // 1950 to 2100, to the second.
        await propertyCheck(count: 5_000, input: Gen.int(in: -631_152_000...4_102_444_800)) { seconds in
            let instant = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(TorontoTime.iso8601(instant) == formatter.string(from: instant))
        }
    }

    @Test(arguments: [
        "2026-03-08T01:59:59-05:00", "2026-03-08T03:00:00-04:00", "2026-11-01T01:59:59-04:00",
        "2026-11-01T01:00:00-05:00", "2026-12-31T23:59:59-05:00", "2028-02-29T12:00:00-05:00",
    ])
    func writesTheDaylightSavingEdges(text: String) throws {
        let instant = try #require(Self.formatter().date(from: text))
        #expect(TorontoTime.iso8601(instant) == text)
        #expect(TorontoTime.iso8601(instant, offsetColon: false) == text.dropLast(3) + text.suffix(2))
    }

    @Test func aFractionOfASecondIsDroppedNotRounded() {
        let instant = Date(timeIntervalSince1970: 1_780_000_000.999)
        #expect(TorontoTime.iso8601(instant) == Self.formatter().string(from: Date(timeIntervalSince1970: 1_780_000_000)))
    }
}
