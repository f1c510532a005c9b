import AMCashAPI
import AMCashBackOffice
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashPostgres
import AMCashSimulator
import AMCashWire
import Foundation
import Logging
import PostgresNIO
import ScratchPostgres
import Testing
import TillTestSupport

/// A till's ISSUE and RETURN rows reach the chain database (a real PostgreSQL) as they change, from the
/// real simulator over a real socket, and the supervisor's list names the earnings that are stuck.
@Suite(.serialized) struct EarningBackOfficeTests {
    static let logger = quietLogger

    static func request(_ card: String, dollars: Int, original: String? = nil) throws -> EarningRequest {
        EarningRequest(
            card: CardRead(number: try CollectorNumber(digits: card), entryMode: .scan), preTaxAmount: Money(dollars: dollars),
            postTaxAmount: Money(dollars: dollars), originalCheckoutTransactionId: original)
    }

    @Test func earningsReachTheChainWithTheirStateMilesAndMaskedCardAndStuckOnesAreListed() async throws {
        let address = try await ChainBackOfficeTests.migrated()
        let simulator = try await SimulatorServer.start()
        let till = try ChainBackOfficeTests.till(store: "0007", device: "002", simulator: simulator)
        let transactions = JournaledTransactions(journal: till.journal, host: till.client, builder: till.builder)
        // Issued (5 miles on $100), returned in part (2 miles back), pending (202), refused (400).
        let issued = await transactions.earn(try Self.request("81000000001", dollars: 100))
        let returned = await transactions.returnSale(
            try Self.request("81000000001", dollars: 40, original: issued.checkoutTransactionId))
        let pending = await transactions.earn(try Self.request("81000000015", dollars: 60))
        let refused = await transactions.earn(try Self.request("81000000016", dollars: 60))
        // Never answered: the host cannot be reached (nothing listens on port 1).
        let away = HostClient(settings: HostSettings(baseURL: try HostEndpoint("http://127.0.0.1:1")), credentials: .simulator)
        let unanswered = await JournaledTransactions(journal: till.journal, host: away, builder: till.builder)
            .earn(try Self.request("81000000007", dollars: 80))
        #expect(try till.journal.earnings().map(\.state) == [.issued, .issued, .accepted, .refused, .queued])

        let sent = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
        #expect(sent == 5)
        #expect(try till.journal.earningChangesPending() == 0)
        // The chain has them, the refused one's card hash made: the journal keeps its number no longer.
        let refusedBody = String(
            decoding: try #require(try till.journal.earnings().first { $0.traceId == refused.traceId }).body, as: UTF8.self)
        #expect(!refusedBody.contains("81000000016") && refusedBody.contains("*******0016"), "\(refusedBody)")
        let rows = try await ChainBackOfficeTests.scalar(
            address,
            """
            SELECT concat_ws(' ', store, device, trace_id, kind, state, card_masked, COALESCE(miles::text, '-'), earned_on_cents,
                checkout_transaction_id, COALESCE(original_checkout_transaction_id, '-'), card_number IS NULL, card_hash IS NOT NULL)
            FROM terminal_earnings ORDER BY trace_id
            """, as: String.self)
        func expected(_ earning: JournaledTransactions.Earning, _ kind: String, _ state: String, _ card: String, _ miles: String, _ cents: Int)
            -> String
        {
            let masked = try! CollectorNumber(digits: card).masked
            let original = kind == "RETURN" ? issued.checkoutTransactionId ?? "?" : "-"
            return
                "0007 002 \(earning.traceId ?? "?") \(kind) \(state) \(masked) \(miles) \(cents) \(earning.checkoutTransactionId ?? "?") \(original) t t"
        }
        #expect(
            rows == [
                expected(issued, "ISSUE", "issued", "81000000001", "5", 10_000),
                expected(returned, "RETURN", "issued", "81000000001", "2", 4_000),
                expected(pending, "ISSUE", "accepted", "81000000015", "3", 6_000),
                expected(refused, "ISSUE", "refused", "81000000016", "-", 6_000),
                expected(unanswered, "ISSUE", "queued", "81000000007", "-", 8_000),
            ], "\(rows)")
        #expect(
            try await ChainBackOfficeTests.scalar(
                address, "SELECT card_hash FROM terminal_earnings WHERE trace_id = '\(issued.traceId ?? "")'", as: String.self)
                == [CardHash(key: "chain-test-key").hash("81000000001")])
        #expect(try await ChainBackOfficeTests.scalar(address, "SELECT store || device FROM terminals", as: String.self) == ["0007002"])

        // Now: only the refusal is listed; the pending and the unanswered ones are young.
        func listed(at now: Date) async throws -> [BackOfficeException] {
            try await PostgresSession.with(address) { client in
                try await BackOfficeExceptions.list(client, filter: .init(store: "0007"), now: now, logger: Self.logger)
            }
        }
        let young = try await listed(at: Date())
        #expect(young.map(\.category) == [.earningRefused], "\(young)")
        #expect(young.first?.traceId == refused.traceId)
        #expect(young.first?.card == (try CollectorNumber(digits: "81000000016")).masked)
        // Two hours on: the pending and the unanswered ones are stuck too; the issued ones never are.
        // (The till itself is silent by then: it is listed as not forwarding too.)
        let later = try await listed(at: Date().addingTimeInterval(2 * 3600)).filter { $0.category != .forwardingStale }
        #expect(later.map(\.category) == [.earningPending, .earningRefused, .earningFailed], "\(later)")
        #expect(later.first { $0.category == .earningPending }?.traceId == pending.traceId)
        #expect(later.first { $0.category == .earningFailed }?.traceId == unanswered.traceId)
        #expect(later.allSatisfy { $0.traceId != issued.traceId && $0.traceId != returned.traceId })
        let pendingKey = try #require(later.first { $0.category == .earningPending }?.key)

        // The host is reachable again for that earning (the till's own client): it is sent with its key, answered,
        // and forwarded again; the chain's row follows it and the list no longer names it.
        _ = try await transactions.forwardEarnings(dueOnly: false)
        #expect(try till.journal.earningChangesPending() >= 1)
        _ = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
        let settled = try await ChainBackOfficeTests.scalar(
            address, "SELECT state || ' ' || miles || ' ' || attempts FROM terminal_earnings WHERE trace_id = '\(unanswered.traceId ?? "")'",
            as: String.self)
        #expect(settled == ["issued 4 2"], "\(settled)")
        let after = try await listed(at: Date().addingTimeInterval(2 * 3600))
        #expect(!after.contains { $0.category == .earningFailed }, "\(after)")
        if let stillPending = after.first(where: { $0.category == .earningPending }) {
            #expect(stillPending.key == pendingKey, "an attempt more is the same exception")
        }
        await away.shutdown()
        await till.client.shutdown()
        await simulator.stop()
    }

    /// An ISSUE for 81000000007 that the till's host never answers (nothing listens), taken twenty hours on:
    /// past 3/4 of the key retention it is no longer sent, an exception in the journal. The host's client is
    /// returned for the test to shut down.
    static func earningInException(_ till: TestTill) async throws -> (JournaledTransactions.Earning, HostClient) {
        let away = HostClient(settings: HostSettings(baseURL: try HostEndpoint("http://127.0.0.1:1")), credentials: .simulator)
        let unanswered = await JournaledTransactions(journal: till.journal, host: away, builder: till.builder)
            .earn(try Self.request("81000000007", dollars: 80))
        let later = JournaledTransactions(
            journal: till.journal, host: away, builder: till.builder, now: { Date().addingTimeInterval(20 * 3600) })
        _ = try await later.forwardEarnings(dueOnly: false)
        #expect(try till.journal.earnings().map(\.state) == [.exception])
        return (unanswered, away)
    }

    /// An earning the till no longer sends (an exception: never answered while the host surely held its key)
    /// reaches the chain as `exception`, not `queued`, and the supervisor's list names it at once under its
    /// own category, with its masked card.
    @Test func anEarningInExceptionReachesTheChainAsOneAndIsListedAtOnce() async throws {
        let address = try await ChainBackOfficeTests.migrated()
        let simulator = try await SimulatorServer.start()
        let till = try ChainBackOfficeTests.till(store: "0007", device: "003", simulator: simulator)
        let (unanswered, away) = try await Self.earningInException(till)
        _ = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
        let state = try await ChainBackOfficeTests.scalar(
            address, "SELECT state FROM terminal_earnings WHERE trace_id = '\(unanswered.traceId ?? "")'", as: String.self)
        #expect(state == ["exception"])
        let listed = try await PostgresSession.with(address) { client in
            try await BackOfficeExceptions.list(client, filter: .init(store: "0007"), now: Date(), logger: Self.logger)
        }
        let item = try #require(listed.first { $0.traceId == unanswered.traceId }, "\(listed)")
        #expect(item.category == .earningException && item.category.label == "earning in exception")
        #expect(item.note.contains("may not have earned: ask AIR MILES"), "\(item.note)")
        #expect(item.card == (try CollectorNumber(digits: "81000000007")).masked)
        await away.shutdown()
        await till.client.shutdown()
        await simulator.stop()
    }

    /// A till upgraded before the chain's database was migrated: it sends nothing (a version 6 table has no place
    /// for an earning in exception, and the batch would be refused row after row), the failure says to run
    /// `amcash backoffice migrate`, and the journal keeps every row; once migrated, the rows go, the exception as one.
    @Test func aTillNewerThanTheChainDatabaseSendsNothingAndSaysToMigrate() async throws {
        #expect(BackOfficeForwarder.schemaForRows <= BackOfficeSchema.migrator.steps.map(\.version).max() ?? 0, "a version that exists")
        let address = try await TestPostgres.freshDatabase()
        let version6 = SchemaMigrator(component: "backoffice", steps: BackOfficeSchema.migrator.steps.filter { $0.version <= 6 })
        try await PostgresSession.with(address) { client in _ = try await version6.migrate(client, logger: Self.logger) }
        let simulator = try await SimulatorServer.start()
        let till = try ChainBackOfficeTests.till(store: "0007", device: "004", simulator: simulator)
        let (unanswered, away) = try await Self.earningInException(till)
        let forwarder = till.forwarder(address)
        do {
            _ = try await PostgresSession.with(address) { try await forwarder.forwardPending($0) }
            Issue.record("forwarded to a version 6 database")
        } catch let outdated as OutdatedChainSchema {
            #expect(outdated.found == 6 && outdated.description.contains("amcash backoffice migrate"), "\(outdated)")
        }
        let none = try await ChainBackOfficeTests.scalar(address, "SELECT count(*)::int FROM terminal_earnings", as: Int.self)
        #expect(none == [0])
        #expect(try till.journal.earningChangesPending() >= 1, "the journal keeps the row")
        try await PostgresSession.with(address) { client in _ = try await BackOfficeSchema.migrator.migrate(client, logger: Self.logger) }
        _ = try await PostgresSession.with(address) { try await forwarder.forwardPending($0) }
        let state = try await ChainBackOfficeTests.scalar(
            address, "SELECT state FROM terminal_earnings WHERE trace_id = '\(unanswered.traceId ?? "")'", as: String.self)
        #expect(state == ["exception"], "\(state)")
        await away.shutdown()
        await till.client.shutdown()
        await simulator.stop()
    }

    /// Version 7 upgrades a version 6 database in place: the earnings it took as queued for a till's exception
    /// (their last failure says so) become exceptions, the others stay as they were, and the new state is taken.
    @Test func aVersion6DatabaseIsUpgradedAndItsExceptionsNamedAsSuch() async throws {
        let address = try await TestPostgres.freshDatabase()
        let version6 = SchemaMigrator(component: "backoffice", steps: BackOfficeSchema.migrator.steps.filter { $0.version <= 6 })
        try await PostgresSession.with(address) { client in
            _ = try await version6.migrate(client, logger: Self.logger)
            for (trace, failure) in [("000000000001", "may not have earned: ask AIR MILES (never answered)"), ("000000000002", "HTTP 503")] {
                try await client.query(
                    """
                    INSERT INTO terminal_earnings (sponsor, store, device, trace_id, kind, state, card_masked, checkout_transaction_id,
                        attempts, created_at, transaction_day, last_failure, change_seq, forwarded_at)
                    VALUES ('LOY1', '0001', '001', \(trace), 'ISSUE', 'queued', '*******0001', 'x', 3, now(), current_date, \(failure), 1, now())
                    """, logger: Self.logger)
            }
            await #expect(throws: (any Error).self) {
                try await client.query("UPDATE terminal_earnings SET state = 'exception' WHERE trace_id = '000000000002'", logger: Self.logger)
            }
            #expect(
                try await BackOfficeSchema.migrator.migrate(client, logger: Self.logger) == ["7: an earning in exception forwarded as an exception"])
            #expect(try await BackOfficeSchema.migrator.currentVersion(client, logger: Self.logger) == 7)
        }
        let states = try await ChainBackOfficeTests.scalar(
            address, "SELECT trace_id || ' ' || state FROM terminal_earnings ORDER BY 1", as: String.self)
        #expect(states == ["000000000001 exception", "000000000002 queued"])
        let categories = try await PostgresSession.with(address) { client in
            try await BackOfficeExceptions.list(client, filter: .init(), now: Date(), logger: Self.logger).map(\.category)
        }
        #expect(categories == [.earningException], "the young queued one is not stuck yet")
        try await PostgresSession.with(address) { client in
            try await client.query("UPDATE terminal_earnings SET state = 'exception' WHERE trace_id = '000000000002'", logger: Self.logger)
            await #expect(throws: (any Error).self) {
                try await client.query("UPDATE terminal_earnings SET state = 'lost' WHERE trace_id = '000000000002'", logger: Self.logger)
            }
        }
    }

    @Test func theSchemaTakesNoEarningOfAnotherKindOrState() async throws {
        let address = try await ChainBackOfficeTests.migrated()
        await #expect(throws: (any Error).self) {
            try await PostgresSession.with(address) { client in
                try await client.query(
                    """
                    INSERT INTO terminal_earnings (sponsor, store, device, trace_id, kind, state, card_masked, checkout_transaction_id,
                        attempts, created_at, transaction_day, change_seq, forwarded_at)
                    VALUES ('LOY1', '0001', '001', '000001', 'REDEEM', 'issued', '****0001', 'x', 0, now(), current_date, 1, now())
                    """, logger: Self.logger)
            }
        }
    }
}
