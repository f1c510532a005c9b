import Foundation
import FuzzSupport
import Testing

@testable import AMCashDomain

@Suite struct ReconciliationParserTests {
    static let valid = """
        H1%%AMCASHRECON%%1%%LOY1%%20261128
        H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%2026-11-27
        D%%REDEEM%%2026-11-27T13:32:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000042%%81000000001%%4%%380%%40.00%%RD1%%
        D%%REVERSE%%2026-11-27T13:40:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000043%%81000000001%%4%%380%%40.00%%RV2%%RD1
        T1%%2%%1%%1
        T2%%380%%40.00%%380%%40.00

        """

    static func parse(_ text: String) throws(ReconciliationFileError) -> [ReconciliationDetail] {
        var parser = ReconciliationParser()
        var details: [ReconciliationDetail] = []
        // As the command's line reader does: a final line end does not make an empty last line.
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if let detail = try parser.consume(Substring(line)) { details.append(detail) }
        }
        try parser.finish()
        return details
    }

    @Test func totalsTooLargeForAnyDayAreABrokenFileNeverACrash() {
        let huge =
            "D%%REDEEM%%2026-11-27T13:32:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000042%%81000000001%%4%%999999999999%%99999999999999.99%%RD1%%"
        let text =
            "H1%%AMCASHRECON%%1%%LOY1%%20261128\nH2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%2026-11-27\n"
            + String(repeating: huge + "\n", count: 2_000) + "T1%%2000%%2000%%0\nT2%%0%%0.00%%0%%0.00\n"
        #expect(throws: ReconciliationFileError.self) { try Self.parse(text) }
    }

    @Test func aFieldOfTheFileIsEchoedWithoutControlCharactersAndNeverTheCollectorNumber() {
        let bad = Self.valid.replacingOccurrences(of: "%%81000000001%%4%%380%%40.00%%RD1%%\n", with: "%%8100000000X%%4%%380%%40.00%%RD1%%\n")
        do {
            _ = try Self.parse(bad)
            Issue.record("a letter in a collector number must be refused")
        } catch {
            #expect(!error.description.contains("8100000000X"), "\(error)")
        }
        #expect("a\u{1b}[2Jb\u{7}c\u{202E}d".safeForTerminal == "a[2Jbcd")
    }

    @Test func aValidFileGivesItsDetails() throws {
        let details = try Self.parse(Self.valid)
        #expect(details.map(\.type) == [.redeem, .reverse])
        #expect(details[0].money == Money(dollars: 40) && details[0].miles == Miles(380) && details[0].units == Units(4))
        #expect(details[1].originalConfirmationNumber == "RD1")
        #expect(details[0].record + "\n" == Self.valid.split(separator: "\n")[2] + "\n", "the writer writes what the parser reads")
    }

    /// The parser keeps the host's date-time as bytes and sponsor, store and device as the card terminal id:
    /// what it gives reads and compares as the detail made from the fields, and a date-time too long for
    /// the bytes kept inline (up to 40 characters are allowed) is kept whole.
    @Test func aParsedDetailIsTheDetailItsFieldsMake() throws {
        let long = "2026-11-27T13:32:00.123456789012345-05:00"
        for hostDateTime in ["2026-11-27T13:32:00-05:00", "Z", String(long.prefix(40))] {
            let text = Self.valid.replacingOccurrences(of: "%%2026-11-27T13:32:00-05:00%%", with: "%%\(hostDateTime)%%")
            let parsed = try Self.parse(text)[0]
            let made = ReconciliationDetail(
                type: .redeem, hostDateTime: hostDateTime, sponsorCode: "LOY1", storeId: "0001", deviceId: "001", traceId: "000000000042",
                collectorNumber: "81000000001", units: Units(4), miles: Miles(380), money: Money(dollars: 40), confirmationNumber: "RD1",
                originalConfirmationNumber: nil)
            #expect(parsed == made && parsed.hashValue == made.hashValue, "\(hostDateTime)")
            #expect(parsed.hostDateTime == hostDateTime && made.hostDateTime == hostDateTime)
            #expect(parsed.sponsorCode == "LOY1" && parsed.storeId == "0001" && parsed.deviceId == "001" && parsed.cardTerminalId == "LOY10001001")
        }
        let other = ReconciliationDetail(
            type: .redeem, hostDateTime: "2026-11-27T13:32:00-05:00", sponsorCode: "LOY", storeId: "10001", deviceId: "001",
            traceId: "000000000042", collectorNumber: "81000000001", units: Units(4), miles: Miles(380), money: Money(dollars: 40),
            confirmationNumber: "RD1", originalConfirmationNumber: nil)
        #expect(other.cardTerminalId == "LOY10001001" && other.sponsorCode == "LOY" && other.storeId == "10001" && other.deviceId == "001")
        #expect(other != (try Self.parse(Self.valid)[0]), "the same terminal id split differently is another detail")
    }

    @Test func crlfLineEndsAreAccepted() throws {
        #expect(try Self.parse(Self.valid.replacingOccurrences(of: "\n", with: "\r\n")).count == 2)
    }

    @Test(arguments: [
        ("X1%%AMCASHRECON", 1, "unknown record type \"X1\""),
        ("H1%%AMCASHRECON%%1%%LOY1", 1, "a H1 record has 5 fields, this one has 4"),
        ("D%%REDEEM", 1, "a D record has 14 fields, this one has 2"),
    ])
    func badFirstRecordsAreRefused(text: String, record: Int, reason: String) {
        #expect(throws: ReconciliationFileError(record: record, reason: reason)) { try Self.parse(text) }
    }

    static func replacing(_ old: String, _ new: String) -> String { valid.replacingOccurrences(of: old, with: new) }

    @Test(arguments: [
        (replacing("%%4%%380%%40.00%%RD1", "%%04%%380%%40.00%%RD1"), 3, "units \"04\" is not a whole number without padding"),
        (
            replacing("81000000001%%4%%380%%40.00%%RD1", "81000000001%%4%%380%%40.0%%RD1"), 3,
            "dollars \"40.0\" is not written as dollars and two decimals"
        ),
        (replacing("%%RD1%%\n", "%%RD1%%X\n"), 3, "a REDEEM record has an original confirmation number"),
        (replacing("LOY10001001%%000000000042", "LOY10001002%%000000000042"), 3, "card terminal id LOY10001002 is not sponsor + store + device"),
        (replacing("000000000042", "42"), 3, "trace id has 2 characters; 12 are allowed"),
        (replacing("RD1%%\n", String(repeating: "R", count: 41) + "%%\n"), 3, "confirmation number has 41 characters; 1 to 40 are allowed"),
        (replacing("81000000001%%4", "8100000é001%%4"), 3, "the record has a character that is not printable ASCII"),
        (replacing("T1%%2%%1%%1", "T1%%3%%2%%1"), 5, "T1 says 3 details, the file has 2"),
        (replacing("T2%%380%%40.00", "T2%%385%%40.00"), 6, "T2 says 385 REDEEM miles, the details add up to 380"),
        (replacing("T2%%380%%40.00%%380%%40.00", "T2%%380%%40.00%%380%%50.00"), 6, "T2 says 50.00 REVERSE dollars, the details add up to 40.00"),
        (replacing("T2%%380%%40.00%%380%%40.00\n", ""), 6, "the file ends where the T2 trailer was expected"),
        (valid + "D%%REDEEM\n", 7, "a record after the T2 trailer"),
        (replacing("D%%REDEEM", "D%%REFUND"), 3, "transaction type \"REFUND\" is not REDEEM or REVERSE"),
        (replacing("H2%%2026", "H3%%2026"), 2, "unknown record type \"H3\""),
        (
            replacing("2026-11-28T00:00:00-05:00%%2026-11-27\n", "2026-11-28T00:00:00-05:00%%2026-13-27\n"), 2,
            "the file day \"2026-13-27\" is not YYYY-MM-DD"
        ),
        (replacing("T1%%2%%1%%1\n", ""), 5, "a T2 record where a D record or the T1 trailer was expected"),
    ])
    func aFileThatBreaksARuleIsRefusedWithTheRecordAndTheReason(text: String, record: Int, reason: String) {
        #expect(throws: ReconciliationFileError(record: record, reason: reason)) { try Self.parse(text) }
    }

    @Test func anOverlongLineIsRefusedBeforeItIsSplit() {
        let text = Self.valid.replacingOccurrences(of: "RD1%%\n", with: "RD1" + String(repeating: "%%", count: 300) + "\n")
        #expect(throws: ReconciliationFileError(record: 3, reason: "the record is longer than 512 characters")) { try Self.parse(text) }
    }

    @Test func aHundredThousandMutatedFilesNeverCrashOrHang() async {
        let seed = UInt64.random(in: 1...UInt64.max)
        let base = Array(Self.valid.utf8)
        let started = ContinuousClock.now
        // A thread of its own: this minute of parsing must not hold one of the pool's threads.
        let accepted = await offThePool {
            var generator = ByteMutator(seed: seed, interesting: Array("%\n\r0123456789.-DHTREVSM ".utf8) + [0, 0xFF, 0xE9])
            var accepted = 0
            for _ in 0..<100_000 {
                let bytes = generator.mutate(base)
                let text = String(decoding: bytes, as: UTF8.self)
                if (try? Self.parse(text)) != nil { accepted += 1 }
            }
            return accepted
        }
        #expect(accepted < 100_000, "some mutations must be refused (seed \(seed))")
        #expect(ContinuousClock.now - started < .seconds(300), "no hang (seed \(seed))")
        print("ReconciliationParser fuzz: 100000 mutated files, \(accepted) still valid, seed \(seed)")
    }
}
