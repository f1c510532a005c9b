import Foundation
import Testing

/// Issue #28: the real console, killed (SIGKILL, `AMCASH_TEST_CRASH_AT`) in a sale that redeems and then
/// earns, between the REDEEM's answer and its ISSUE — once the outcome is committed (approved, never shown) and
/// once the approval is shown. The ISSUE was journaled held with the REDEEM's intent. Shown: the sale went
/// through, and a restart's recovery sends it on the sale less the discount — the simulator's issuance ledger
/// (on disk) shows exactly one ISSUE. Never shown: recovery voids the approval and does not send the ISSUE —
/// the cashier rings that sale again, and the sale rung again earns (sent too, the purchase would earn twice).
@Suite(.serialized) struct EarningCrashTests {
    @Test(arguments: ["after-outcome-commit", "after-shown"])
    func aSaleWhoseTillDiesBeforeItsIssueEarnsOnceIfTheCashierSawItEnd(point: String) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-earn-crash-\(UUID())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let ledger = work + "/ledger.sqlite"
        let port = try CrashTests.freePort()
        let simulator = try CrashTests.start(["sim", "--port", String(port), "--db", ledger, "--log-level", "error"], home: work)
        defer {
            simulator.terminate()
            simulator.waitUntilExit()
        }
        try await CrashTests.waitForPort(port)
        let settings = "hostBaseURL = \"http://127.0.0.1:\(port)\"\njournalPath = \"\(work)/journal.sqlite\"\nreadTimeoutMs = 3000\n"
        let console = try ConsoleEndToEndTests.Console(
            environment: CrashTests.credentials.merging(["AMCASH_TEST_CRASH_AT": point]) { $1 }, configuration: settings)
        try await console.waitUntilReady()
        try await console.offerTwentyOnAHundredDollarSale()
        try await console.press("Enter")
        try await console.waitFor("Apply this AIR MILES Cash discount?")
        try await console.press("y")
        #expect(await console.waitForExit(), "the console was not killed at \(point):\n\(console.screen)")

        // A restart: each command's recovery settles the REDEEM (voids an approval nobody saw), then the ISSUE.
        let config = console.home + "/terminal.toml"
        let shown = point == "after-shown"
        var issues: [[String]] = []
        var settled = false
        for _ in 0..<8 {
            let settle = try await CommandLineTests.amcash(
                ["echo", "--config", config], home: console.home, extraEnvironment: CrashTests.credentials)
            #expect(settle.status == 0, "\(settle.errors)")
            issues = try Self.rows(ledger, "SELECT checkoutTransactionId, preTaxCents, miles FROM issuances WHERE operation = 'issue'")
            let earnings = try Self.rows(work + "/journal.sqlite", "SELECT state FROM earnings")
            settled = shown ? !issues.isEmpty : earnings.first?.first == "refused"
            if settled { break }
            try await Task.sleep(for: .seconds(2))
        }
        #expect(settled, "the held ISSUE was settled: \(issues)")
        // One more pass: nothing is left to send, nothing earns twice.
        _ = try await CommandLineTests.amcash(["echo", "--config", config], home: console.home, extraEnvironment: CrashTests.credentials)
        issues = try Self.rows(ledger, "SELECT checkoutTransactionId, preTaxCents, miles FROM issuances WHERE operation = 'issue'")
        if shown {
            #expect(issues.count == 1, "exactly one ISSUE for the sale: \(issues)")
            #expect(issues.first?[1] == "8000", "earned on the sale less the $20 shown: \(issues)")
            #expect(issues.first?[2] == "4", "\(issues)")
        } else {
            #expect(issues.isEmpty, "a sale the cashier never saw end earns nothing here (it is rung again): \(issues)")
        }
        let listing = try await CommandLineTests.amcash(
            ["journal", "--config", config, "--json", "--day", CrashTests.today()], home: console.home, extraEnvironment: CrashTests.credentials)
        let journal = try #require(try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [String: Any], "\(listing.errors)")
        let redeems = (journal["entries"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "REDEEM" }
        #expect(redeems.map { $0["state"] as? String } == [shown ? "shown" : "voided"], "\(redeems)")
        #expect(listing.output.contains("\"milesPending\" : 0") || listing.output.contains("\"milesPending\":0"), "\(listing.output)")
    }

    /// The rows of a query on the simulator's SQLite ledger, through the sqlite3 shell (fields split on `|`).
    static func rows(_ database: String, _ sql: String) throws -> [[String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.components(separatedBy: "|") }
    }
}
