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

extension EarningOnPostgresLedgerTests {
    /// A classroom attempt earns as its exercise says on a training centre's PostgreSQL ledger too (the room's
    /// profile reaches `PostgresIssuanceLedger`): the pending attempt's ISSUE is answered 202 and waits in the
    /// ledger, the refused one's 400 moves nothing, and a standard test collector still earns as configured.
    @Test func aClassroomAttemptEarnsAsItsExerciseSaysOnThePostgreSQLLedger() async throws {
        let database = try await TestPostgres.freshDatabase()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-room-pg-\(UUID())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let (simulator, host) = try await BackOfficeCommandTests.simulator(["--db", TestPostgres.url(database)], home: work)
        defer { BackOfficeCommandTests.stop(simulator) }
        let till = try BackOfficeCommandTests.till(store: "0001", device: "001", host: host, backOffice: nil)
        let secrets = BackOfficeCommandTests.simulatorCredentials

        func attempt(earning: String) throws -> String {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = [
                "curl", "-s", "-u", "amcash-training:cert-simulator-only", "-H", "Content-Type: application/json", "-d",
                #"{"trainee":"Ana","exercise":"17-pending-earning","cashMiles":1000,"dreamMiles":0,"earning":"\#(earning)"}"#,
                host + "/training/setup",
            ]
            let output = Pipe()
            curl.standardOutput = output
            try curl.run()
            curl.waitUntilExit()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return try #require(object?["collector"] as? String, "\(String(decoding: data, as: UTF8.self))")
        }
        let pending = try attempt(earning: "pending")
        let refused = try attempt(earning: "refused")
        func issue(_ card: String) async throws -> CommandLineTests.Run {
            try await CommandLineTests.amcash(
                ["issue", "--card", card, "--entry", "manual", "--basket", "113.00", "--pre-tax", "100.00"], home: till,
                extraEnvironment: secrets)
        }
        let answeredPending = try await issue(pending)
        #expect(answeredPending.status == 3, "\(answeredPending.output)\(answeredPending.errors)")
        let answeredRefused = try await issue(refused)
        #expect(answeredRefused.status != 0, "\(answeredRefused.output)\(answeredRefused.errors)")
        let standard = try await issue("81000000001")
        #expect(standard.status == 0, "\(standard.output)\(standard.errors)")
        let rows = try await BackOfficeCommandTests.query(
            database, "SELECT operation || ':' || number || ':' || miles || ':' || status FROM sim_issuances ORDER BY at_ms", as: String.self)
        #expect(rows == ["issue:\(pending):5:PENDING", "issue:81000000001:5:ISSUED"], "\(rows)")
    }
}
