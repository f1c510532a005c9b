import AMCashDomain
import Foundation
import Testing

@Suite struct ReconciliationFileTests {
    static func detail(_ type: ReconciliationTransactionType, _ confirmation: String, units: Int, original: String? = nil) -> ReconciliationDetail {
        ReconciliationDetail(
            type: type, hostDateTime: "2026-11-27T13:32:00-05:00", sponsorCode: "LOY1", storeId: "0001", deviceId: "001",
            traceId: "000000000042", collectorNumber: "81000000001", units: Units(units), miles: Miles(units * 95),
            money: Money(dollars: units * 10), confirmationNumber: confirmation, originalConfirmationNumber: original)
    }

    @Test func theFileHasTwoHeadersTheDetailsAndTwoTrailersThatAddUp() throws {
        let file = ReconciliationFile(
            sponsorCode: "LOY1", day: ProgramDay(try CalendarDay(parsing: "2026-11-27")), createdOn: try CalendarDay(parsing: "2026-11-28"),
            periodStart: "2026-11-27T00:00:00-05:00", periodEnd: "2026-11-28T00:00:00-05:00",
            details: [
                Self.detail(.redeem, "RD1", units: 4), Self.detail(.redeem, "RD2", units: 2), Self.detail(.reverse, "RV3", units: 4, original: "RD1"),
            ])
        #expect(
            file.text == """
                H1%%AMCASHRECON%%1%%LOY1%%20261128
                H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%2026-11-27
                D%%REDEEM%%2026-11-27T13:32:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000042%%81000000001%%4%%380%%40.00%%RD1%%
                D%%REDEEM%%2026-11-27T13:32:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000042%%81000000001%%2%%190%%20.00%%RD2%%
                D%%REVERSE%%2026-11-27T13:32:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000042%%81000000001%%4%%380%%40.00%%RV3%%RD1
                T1%%3%%2%%1
                T2%%570%%60.00%%380%%40.00

                """)
        for record in file.records {
            let type = try #require(ReconciliationLayout.RecordType(rawValue: String(record.prefix { $0 != "%" })))
            #expect(record.components(separatedBy: "%%").count == type.fieldCount, "\(record)")
            #expect(record.allSatisfy { $0.isASCII })
        }
    }

    @Test func anEmptyDayStillHasItsHeadersAndTrailers() throws {
        let file = ReconciliationFile(
            sponsorCode: "LOY1", day: ProgramDay(try CalendarDay(parsing: "2026-11-27")),
            createdOn: try CalendarDay(parsing: "2026-11-28"), periodStart: "a", periodEnd: "b", details: [])
        #expect(file.records.suffix(2) == ["T1%%0%%0%%0", "T2%%0%%0.00%%0%%0.00"])
    }
}
