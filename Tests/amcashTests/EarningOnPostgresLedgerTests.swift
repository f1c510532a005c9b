import AMCashPostgres
import Foundation
import ScratchPostgres
import Testing

/// Earning end to end on a training centre's ledger: a real `amcash sim --db postgresql://…` process, a
/// real PostgreSQL (the tests' own cluster), and the real client (`amcash issue` and `amcash return`).
@Suite struct EarningOnPostgresLedgerTests {
    @Test func issueAndReturnThroughTheClientLandOnceInThePostgreSQLLedger() async throws {
        let database = try await TestPostgres.freshDatabase()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-earning-pg-\(UUID())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let (simulator, host) = try await BackOfficeCommandTests.simulator(["--db", TestPostgres.url(database)], home: work)
        defer { BackOfficeCommandTests.stop(simulator) }
        let till = try BackOfficeCommandTests.till(store: "0001", device: "001", host: host, backOffice: nil)
        let secrets = BackOfficeCommandTests.simulatorCredentials

        // A keyed card earns: $100.00 pre-tax, 5 STANDARD miles.
        let issue = try await CommandLineTests.amcash(
            ["issue", "--card", "81000000001", "--entry", "manual", "--basket", "113.00", "--pre-tax", "100.00", "--json"],
            home: till, extraEnvironment: secrets)
        #expect(issue.status == 0, "\(issue.output)\(issue.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(issue.output.utf8)) as? [String: Any], "\(issue.output)")
        #expect(object["outcome"] as? String == "issued")
        #expect(object["miles"] as? Int == 5)
        let sale = try #require(object["checkoutTransactionId"] as? String)

        let back = try await CommandLineTests.amcash(
            ["return", "--card", "81000000001", "--entry", "manual", "--basket", "45.20", "--pre-tax", "40.00", "--original", sale],
            home: till, extraEnvironment: secrets)
        #expect(back.status == 0, "\(back.output)\(back.errors)")
        #expect(back.output.contains("Miles taken back: 2"), "\(back.output)")

        // The pending collector: answered 202, its row waits in the ledger.
        let pending = try await CommandLineTests.amcash(
            ["issue", "--card", "81000000015", "--entry", "scan", "--basket", "113.00", "--pre-tax", "100.00"],
            home: till, extraEnvironment: secrets)
        #expect(pending.status == 3, "\(pending.output)\(pending.errors)")

        // The ledger: each earning once, the return naming its sale, the account moved by exactly those miles.
        let rows = try await BackOfficeCommandTests.query(
            database,
            """
            SELECT operation || ':' || number || ':' || miles || ':' || status || ':' || coalesce(original_checkout_transaction_id, '-')
            FROM sim_issuances ORDER BY at_ms, substr(confirmation, 3)
            """, as: String.self)
        #expect(rows == ["issue:81000000001:5:ISSUED:-", "return:81000000001:-2:ISSUED:\(sale)", "issue:81000000015:5:PENDING:-"])
        let transactions = try await BackOfficeCommandTests.query(
            database, "SELECT checkout_transaction_id FROM sim_issuances WHERE operation = 'issue' ORDER BY at_ms", as: String.self)
        #expect(transactions.first == sale)
        let cash = try await BackOfficeCommandTests.query(database, "SELECT cash FROM sim_accounts WHERE number = '81000000001'", as: Int64.self)
        #expect(cash == [50_003])
        let stored = try await BackOfficeCommandTests.query(
            database, "SELECT count(*)::bigint FROM sim_replies WHERE operation LIKE 'issuance/%'", as: Int64.self)
        #expect(stored == [3], "each answer kept under its key for the till's retries")

        let journal = try await CommandLineTests.amcash(["journal"], home: till, extraEnvironment: secrets)
        #expect(journal.output.contains("Miles earned 5, returned 2, pending 1 row"), "\(journal.output)")
    }
}
