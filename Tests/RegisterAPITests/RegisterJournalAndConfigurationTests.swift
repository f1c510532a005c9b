import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation
import RegisterAPI
import Testing

@testable import AMCashJournal

/// The journal keeps a register's saleId with its REDEEM row, and terminal.toml's register keys are
/// checked with their positions.
@Suite struct RegisterJournalAndConfigurationTests {
    static let card = CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .scan)

    @Test func theSaleIdIsKeptWithTheRedeemRowAndFoundByIt() throws {
        let journal = try Journal(path: RegisterFixture.temporaryPath("journal") + ".sqlite")
        let builder = RequestBuilder(identity: .training)
        let call = try builder.redeem(
            RedemptionRequest(card: Self.card, basket: Money(dollars: 50), amount: Money(dollars: 20)), traceId: try journal.nextTraceId(),
            at: Date())
        let entry = try journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date(), saleId: "POS7-1")
        #expect(entry.saleId == "POS7-1")
        #expect(try journal.redemption(saleId: "POS7-1")?.id == entry.id)
        #expect(try journal.redemption(saleId: "POS7-2") == nil)
        #expect(try journal.entries().map(\.saleId) == ["POS7-1"])
        // Unacknowledged rows are refused an ack until approved; nothing changes.
        guard case .refused(let row, _) = journal.acknowledge(saleId: "POS7-1", at: Date()) else {
            Issue.record("a sending row was acknowledged")
            return
        }
        #expect(row?.state == .sending)
    }

    @Test func aJournalFromBeforeTheRegisterIsMigratedWithItsRowsKept() throws {
        let path = RegisterFixture.temporaryPath("journal") + ".sqlite"
        let old = try Journal(path: path)
        let call = try RequestBuilder(identity: .training).redeem(
            RedemptionRequest(card: Self.card, basket: Money(dollars: 50), amount: Money(dollars: 20)), traceId: try old.nextTraceId(), at: Date())
        let entry = try old.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date())
        // Back to the schema before the register: no saleId column, no v7 in the migrations.
        try old.write { db in
            try db.execute(sql: "DROP INDEX entries_saleId")
            try db.execute(sql: "ALTER TABLE entries DROP COLUMN saleId")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7: register sale id'")
        }
        let upgraded = try Journal(path: path)
        let row = try upgraded.entry(id: entry.id)
        #expect(row.traceId == entry.traceId && row.state == .sending && row.saleId == nil)
        #expect(try upgraded.redemption(saleId: "anything") == nil)
    }

    static func parse(_ text: String) throws(ConfigurationError) -> TerminalConfiguration {
        try TerminalConfigurationLoader.parse(text, path: "terminal.toml")
    }

    @Test func theRegisterKeysAreReadAndCheckedWithTheirPositions() throws {
        let token = try RegisterFixture.tokenFile()
        let configuration = try Self.parse("registerListen = \"127.0.0.1:8089\"\nregisterTokenFile = \"\(token)\"\nregisterAckSeconds = 90\n")
        #expect(configuration.registerListen == .loopback(host: "127.0.0.1", port: 8089))
        #expect(configuration.registerTokenFile == token && configuration.registerAckSeconds == 90)
        #expect(try Self.parse("").registerListen == nil, "no register by default")
        #expect(try Self.parse("").registerAckSeconds == 120)

        let open = try RegisterFixture.tokenFile(mode: 0o640)
        let cases: [(String, String)] = [
            ("registerListen = \"0.0.0.0:8089\"\nregisterTokenFile = \"\(token)\"\n", "terminal.toml:1:"),
            ("registerListen = \"127.0.0.1:8089\"\n", "needs registerTokenFile"),
            ("registerListen = \"127.0.0.1:8089\"\nregisterTokenFile = \"\(open)\"\n", "terminal.toml:2:"),
            ("registerListen = \"127.0.0.1:8089\"\nregisterTokenFile = \"\(open)\"\n", "chmod 600"),
            ("registerTokenFile = \"\(token)\"\n", "registerListen is not"),
            ("registerListen = \"127.0.0.1:8089\"\nregisterTokenFile = \"\(token)\"\nregisterAckSeconds = 5\n", "terminal.toml:3:"),
        ]
        for (text, expected) in cases {
            do {
                _ = try Self.parse(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(error) names \(expected)")
            }
        }
    }
}
