import AMCashJournal
import AMCashWire
import Foundation
import Testing

/// `amcash calculate`, `issue` and `return` as a script runs them: the real binary, its built-in simulator.
@Suite struct EarningCommandTests {
    static func home() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
    }

    @Test func aKeyedCardEarnsAfterTheDiscountAndTheReturnTakesMilesBack() async throws {
        let home = Self.home()
        let items = home + "-items.jsonl"
        try Data(#"{"id":"1","name":"Kettle","quantity":1,"finalAmount":60.00,"categoryId":"DOUBLE"}"#.utf8).write(
            to: URL(fileURLWithPath: items))
        let calculate = try await CommandLineTests.amcash(
            ["calculate", "--card", "81000000001", "--entry", "manual", "--basket", "113.00", "--pre-tax", "100.00", "--discount", "20.00"],
            home: home)
        #expect(calculate.status == 0, "\(calculate.output)\(calculate.errors)")
        #expect(calculate.output.contains("This sale earns 4 miles"), "\(calculate.output)")
        let issue = try await CommandLineTests.amcash(
            [
                "issue", "--card", "81000000001", "--entry", "manual", "--basket", "113.00", "--pre-tax", "100.00", "--discount", "20.00",
                "--items", items, "--coupon", "BONUS50", "--json",
            ], home: home)
        #expect(issue.status == 0, "\(issue.output)\(issue.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(issue.output.utf8)) as? [String: Any])
        #expect(object["outcome"] as? String == "issued")
        // $80.00 after the discount: 4 STANDARD, +3 for the DOUBLE item ($60.00), +50 for the coupon.
        #expect(object["miles"] as? Int == 57)
        #expect(object["card"] as? String == "•••••••0001")
        let sale = try #require(object["checkoutTransactionId"] as? String)
        let back = try await CommandLineTests.amcash(
            ["return", "--card", "81000000001", "--entry", "manual", "--basket", "45.20", "--pre-tax", "40.00", "--original", sale], home: home)
        #expect(back.status == 0, "\(back.output)\(back.errors)")
        #expect(back.output.contains("Miles taken back: 2"), "\(back.output)")
        let journal = try await CommandLineTests.amcash(["journal"], home: home)
        #expect(journal.output.contains("Miles earned 57, returned 2, pending 0 rows"), "\(journal.output)")
    }

    /// Review s9 #10: `amcash journal` lists the day of the till's clock (the one its rows are stamped with),
    /// not the wall clock's: with the test clock three days ahead, today's earning is on today's page.
    @Test func theJournalsDefaultDayIsTheTillsClock() async throws {
        let home = Self.home()
        let clockFile = home + "-clock"
        try "259200".write(toFile: clockFile, atomically: true, encoding: .utf8)
        let moved = ["AMCASH_TEST_CLOCK_FILE": clockFile]
        let issue = try await CommandLineTests.amcash(
            ["issue", "--card", "81000000001", "--entry", "scan", "--basket", "100.00"], home: home, extraEnvironment: moved)
        #expect(issue.status == 0, "\(issue.output)\(issue.errors)")
        let table = try await CommandLineTests.amcash(["journal"], home: home, extraEnvironment: moved)
        #expect(table.output.contains("Miles earned 5, returned 0, pending 0 rows"), "\(table.output)")
    }

    /// The summary's "Exceptions: N" counts an earning in exception too (it read 0 beside one), in the text
    /// and in --json, for the day and for --pending; the day's miles are unchanged by it.
    @Test func theJournalsExceptionsCountEarningExceptions() async throws {
        let home = Self.home()
        let issued = try await CommandLineTests.amcash(["issue", "--card", "81000000001", "--entry", "scan", "--basket", "100.00"], home: home)
        #expect(issued.status == 0, "\(issued.output)\(issued.errors)")
        // An ISSUE never answered while the host surely held its key: no longer sent, an exception for a person.
        let journal = try Journal(path: home + "/data/amcash/journal-cert-builtin.sqlite")
        let call = IssuanceCall(
            operation: .issue, traceId: "000000000099", idempotencyKey: UUID(),
            body: Data(#"{"collectorNumber":"81000000013","basketPreTaxAmount":40.00}"#.utf8), maskedCard: "*******0013")
        let stuck = try journal.recordEarningIntent(
            call, checkoutTransactionId: "LOY100010010000000000099", originalCheckoutTransactionId: nil, at: Date())
        _ = try journal.recordEarningException(stuck.id, reason: "may not have earned: ask AIR MILES", at: Date())
        for arguments in [["journal"], ["journal", "--pending"]] {
            let table = try await CommandLineTests.amcash(arguments, home: home)
            #expect(table.output.contains("Exceptions: 1 (0 redemption, 1 earning"), "\(arguments): \(table.output)")
        }
        let day = try await CommandLineTests.amcash(["journal"], home: home)
        #expect(day.output.contains("Miles earned 5, returned 0, pending 0 rows, 1 exception"), "\(day.output)")
        let json = try await CommandLineTests.amcash(["journal", "--json"], home: home)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(totals["exceptions"] as? Int == 1 && totals["earningExceptions"] as? Int == 1 && totals["redemptionExceptions"] as? Int == 0)
        let earnings = try #require(object["earnings"] as? [String: Any])
        #expect(earnings["exceptions"] as? Int == 1 && earnings["milesEarned"] as? Int == 5)
    }

    /// The day's totals count a 202's miles apart: announced by AIR MILES, not posted, never "earned".
    @Test func theJournalsDayTotalsKeepPendingMilesApartFromEarnedOnes() async throws {
        let home = Self.home()
        let pending = try await CommandLineTests.amcash(["issue", "--card", "81000000015", "--entry", "scan", "--basket", "100.00"], home: home)
        #expect(pending.status == 3, "\(pending.output)\(pending.errors)")
        let table = try await CommandLineTests.amcash(["journal"], home: home)
        #expect(
            table.output.contains("Miles earned 0, returned 0, pending 1 row (5 miles accepted by AIR MILES, not posted yet)"),
            "\(table.output)")
        let json = try await CommandLineTests.amcash(["journal", "--json"], home: home)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let earnings = try #require(object["earnings"] as? [String: Any])
        #expect(earnings["milesEarned"] as? Int == 0)
        #expect(earnings["milesPending"] as? Int == 5)
        #expect(earnings["pending"] as? Int == 1)
    }

    @Test(arguments: [
        (["issue", "--card", "81000000015", "--entry", "scan", "--basket", "100.00"], Int32(3), "PENDING"),
        (["issue", "--card", "81000000016", "--entry", "scan", "--basket", "100.00"], Int32(1), "REFUSED: 0035"),
        (["issue", "--card", "81000000001", "--entry", "scan", "--basket", "1.005"], Int32(2), "--basket"),
        (["return", "--card", "81000000001", "--entry", "scan", "--basket", "10.00"], Int32(2), "--original"),
    ])
    func exitStatusesSayWhatHappened(arguments: [String], status: Int32, text: String) async throws {
        let run = try await CommandLineTests.amcash(arguments)
        #expect(run.status == status, "\(run.output)\(run.errors)")
        #expect((run.output + run.errors).contains(text), "\(run.output)\(run.errors)")
    }

    @Test func aBadItemsLineIsNamedByFileAndLine() async throws {
        let home = Self.home()
        let items = home + "-bad.jsonl"
        try Data("{\"id\":\"1\"}\n{\"id\": 2.5.1}\n".utf8).write(to: URL(fileURLWithPath: items))
        let run = try await CommandLineTests.amcash(
            ["issue", "--card", "81000000001", "--entry", "scan", "--basket", "10.00", "--items", items], home: home)
        #expect(run.status == 2)
        #expect(run.errors.contains("\(items):2: item.id"), "\(run.errors)")
    }
}
