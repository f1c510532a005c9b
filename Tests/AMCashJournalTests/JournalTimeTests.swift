import Foundation
import GRDB
import PropertyBased
import Testing

@testable import AMCashJournal

/// The journal writes its dates itself (`Date.journalText`) where GRDB would format them: the text must be
/// GRDB's to the byte, or a lease, a retention edge or a day's rows would compare wrong against rows GRDB wrote.
@Suite struct JournalTimeTests {
    static func grdb(_ date: Date) -> String? { String.fromDatabaseValue(date.databaseValue) }

    @Test func writesWhatGRDBWritesForAnyInstant() async {
        // 1900 to 2200, to the millisecond, with a fraction of a millisecond (rounded as the formatter rounds).
        await propertyCheck(count: 20_000, input: Gen.int(in: -2_208_988_800_000...7_258_118_400_000), Gen.int(in: 0...999)) { ms, micro in
            let date = Date(timeIntervalSince1970: Double(ms) / 1000 + Double(micro) / 1_000_000)
            #expect(date.journalText == Self.grdb(date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test(arguments: [
        0, 0.001, 0.0015, 0.0005, 0.0009999, -0.0005, -0.001, -1, -86_400.0005, 1_765_000_000.9999, 1_765_000_000.123456,
        1_765_000_000.1235, 253_402_300_799.999, 253_402_300_799.9996, -12_212_553_600, -12_212_553_600.0006, -62_135_596_800,
        253_402_300_800, 1e15,
    ])
    func writesWhatGRDBWritesAtTheEdges(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(date.journalText == Self.grdb(date), "\(seconds)")
    }

    @Test func readsBackAsTheSameMillisecond() throws {
        let date = Date(timeIntervalSince1970: 1_765_000_000.123_9)
        let read = try #require(Date.fromDatabaseValue(date.journalText.databaseValue))
        #expect(date.journalText == "2025-12-06 05:46:40.124")
        #expect(abs(read.timeIntervalSince1970 - 1_765_000_000.124) < 0.000_5)
    }
}

extension JournalTimeTests {
    @Test func readsWhatGRDBReadsBitForBit() async {
        // The journal's text of any millisecond from 1900 to 2200, and of 2001 (small values round differently).
        await propertyCheck(count: 20_000, input: Gen.int(in: -2_208_988_800_000...7_258_118_400_000), Gen.int(in: 970_000_000_000...990_000_000_000))
        {
            wide, nearReference in
            for ms in [wide, nearReference] {
                let text = Date(timeIntervalSince1970: Double(ms) / 1000).journalText
                let grdb = Date.fromDatabaseValue(text.databaseValue)
                #expect(
                    Date(journalText: text)?.timeIntervalSinceReferenceDate.bitPattern == grdb?.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
            }
        }
    }

    @Test(arguments: [
        "2026-12-06 20:15:00", "2026-12-06T20:15:00.000", "2026-02-30 00:00:00.000", "2026-12-06 24:00:00.000", "1582-10-15 00:00:00.000",
        "2026-12-06 20:15:00.00a", "", "2026-12-06 20:15:60.000",
    ])
    func leavesAnyOtherTextToGRDB(text: String) {
        #expect(Date(journalText: text) == nil)
    }
}
