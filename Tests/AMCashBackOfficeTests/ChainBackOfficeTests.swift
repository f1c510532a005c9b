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

/// Tills of two stores forward their journals to one chain database (a real PostgreSQL), and the
/// simulator's daily file is reconciled against it: every class where it belongs, results written back.
@Suite(.serialized) struct ChainBackOfficeTests {
    static let logger = quietLogger

    /// A till the back office forwards from: its journal knows its terminal.
    static func till(store: String, device: String, simulator: SimulatorServer) throws -> TestTill {
        let till = try TestTill(store: store, device: device, simulator: simulator)
        try till.journal.noteTerminal(till.identity.cardTerminalId)
        // As a till configured with a back office does when it opens its journal (`HostSession`).
        try till.journal.noteForwarding()
        return till
    }

    /// A migrated chain database, a simulator and one till of it for `body`; the till's client and the
    /// simulator are shut down however `body` ends.
    static func withTill(
        store: String, device: String, _ body: (PostgresAddress, TestTill, SimulatorServer) async throws -> Void
    ) async throws {
        let address = try await migrated()
        let simulator = try await SimulatorServer.start()
        let till = try Self.till(store: store, device: device, simulator: simulator)
        do {
            try await body(address, till, simulator)
        } catch {
            await till.client.shutdown()
            await simulator.stop()
            throw error
        }
        await till.client.shutdown()
        await simulator.stop()
    }

    static func migrated() async throws -> PostgresAddress {
        let address = try await TestPostgres.freshDatabase()
        try await PostgresSession.with(address) { client in _ = try await BackOfficeSchema.migrator.migrate(client, logger: logger) }
        return address
    }

    static func scalar<T: PostgresDecodable & Sendable>(_ address: PostgresAddress, _ sql: String, as type: T.Type) async throws -> [T] {
        try await PostgresSession.with(address) { client in
            var values: [T] = []
            for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(T.self) { values.append(value) }
            return values
        }
    }

    /// The chain-wide reconciliation as `amcash reconcile --database` runs it.
    static func reconcileChain(_ address: PostgresAddress, file: ReconciliationFile, day: ProgramDay) async throws -> [ReconciliationFinding] {
        try await PostgresSession.with(address) { client in
            // The period as the file's H2 gives it.
            var parser = ReconciliationParser()
            _ = try parser.consume(Substring(file.records[0]))
            _ = try parser.consume(Substring(file.records[1]))
            let period = try #require(parser.period)
            let rows = try await ChainReconciliation.rows(client, day: day, period: period, logger: logger)
            var reconciler = Reconciler(
                day: day, period: period, terminalRecords: rows.records,
                scope: .terminals(rows.forwardingTerminals, outside: .terminalNotForwarding), queuesVoids: false)
            let (findings, records) = try reconciler.reconcile(file)
            try await ChainReconciliation.write(
                client, day: day, sponsor: "LOY1", file: "test", records: records,
                reconciled: findings.compactMap { ReconciledRow($0, journalIndex: 0) }, unmatchable: rows.unmatchable,
                breaks: findings.filter(\.classification.isBreak), summary: reconciler.summary, logger: logger)
            return findings
        }
    }

    @Test func theMigrationIsVersionedAndSafeToRunAgain() async throws {
        let address = try await TestPostgres.freshDatabase()
        let first = try await PostgresSession.with(address) { try await BackOfficeSchema.migrator.migrate($0, logger: Self.logger) }
        let second = try await PostgresSession.with(address) { try await BackOfficeSchema.migrator.migrate($0, logger: Self.logger) }
        #expect(
            first == [
                "1: terminal rows, terminals, reconciliation", "2: web accounts, sessions, exception resolutions",
                "3: host latency forwarded by the tills", "4: each till's totals by hour, kept as rows arrive",
                "5: the store register's sale id forwarded with its rows",
                "6: each till's earnings (ISSUE and RETURN) forwarded",
                "7: an earning in exception forwarded as an exception",
            ])
        #expect(second.isEmpty, "a second run changes nothing")
        let version = try await PostgresSession.with(address) { try await BackOfficeSchema.migrator.currentVersion($0, logger: Self.logger) }
        #expect(version == 7)
        let indexes = try await Self.scalar(
            address, "SELECT indexname::text FROM pg_indexes WHERE tablename = 'terminal_rows' ORDER BY 1", as: String.self)
        #expect(indexes.contains("terminal_rows_by_day") && indexes.contains("terminal_rows_by_confirmation"), "\(indexes)")
    }

    @Test func eachTillsHostLatencyAndAnswerCodeReachTheChainWithItsRows() async throws {
        try await Self.withTill(store: "0005", device: "003") { address, till, simulator in
            let transactions = JournaledTransactions(journal: till.journal, host: till.client, builder: till.builder)
            func redeem(_ card: String, dollars: Int) async throws -> JournaledTransactions.Redemption {
                await transactions.redeem(
                    RedemptionRequest(
                        card: CardRead(number: try CollectorNumber(digits: card), entryMode: .scan), basket: Money(dollars: 100),
                        amount: Money(dollars: dollars)))
            }
            // The host takes 300 ms over every REDEEM: the till's own clock must see it.
            await simulator.injectFaults(FaultPlan(rules: [FaultRule(kind: .delay(.milliseconds(300)), scope: .endpoint("redeem"))]))
            let approved = try await redeem("81000000001", dollars: 20)
            await simulator.injectFaults(FaultPlan())
            let declined = try await redeem("81000000003", dollars: 10)
            let approvedRow = try #require(approved.entry)
            let declinedRow = try #require(declined.entry)
            #expect(approvedRow.state == .approved && declinedRow.state == .declined)
            let slow = try #require(try till.journal.entry(id: approvedRow.id).hostLatencyMs)
            #expect(slow >= 300 && slow < 20_000, "\(slow) ms")
            #expect(try till.journal.entry(id: declinedRow.id).hostLatencyMs != nil)
            // A REDEEM still on its way has no answer and no time yet.
            let busy = try till.journal.recordRedemptionIntent(
                try till.builder.redeem(
                    RedemptionRequest(
                        card: CardRead(number: try CollectorNumber(digits: "81000000002"), entryMode: .scan), basket: Money(dollars: 100),
                        amount: Money(dollars: 10)), traceId: try till.journal.nextTraceId(), at: Date()),
                requested: Money(dollars: 10), at: Date())
            #expect(busy.hostLatencyMs == nil)

            _ = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
            let rows = try await Self.scalar(
                address,
                "SELECT trace_id || ' ' || COALESCE(response_code, '-') || ' ' || COALESCE(host_latency_ms::text, '-') FROM terminal_rows ORDER BY trace_id",
                as: String.self)
            #expect(
                rows == [
                    "\(approvedRow.traceId) 0000 \(slow)",
                    "\(declinedRow.traceId) \(try #require(declinedRow.responseCode)) \(declinedRow.hostLatencyMs!)",
                    "\(busy.traceId) - -",
                ], "\(rows)")
            #expect(try till.journal.forwardingStatus().pendingRows == 0)
        }
    }

    /// A register's sale keeps its id from the till's journal to the chain: the supervisor's exception
    /// names the register's sale (#27), and a row without a register has none.
    @Test func aRegistersSaleIdReachesTheChainAndNamesItsException() async throws {
        let address = try await Self.migrated()
        let simulator = try await SimulatorServer.start()
        let till = try Self.till(store: "0006", device: "001", simulator: simulator)
        let call = try till.builder.redeem(
            RedemptionRequest(
                card: CardRead(number: try CollectorNumber(digits: "81000000001"), entryMode: .scan), basket: Money(dollars: 100),
                amount: Money(dollars: 20)), traceId: try till.journal.nextTraceId(), at: Date())
        let intent = try till.journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date(), saleId: "POS7-000123")
        try till.journal.release(intent.id)
        try till.journal.giveUpReplays(intent.id, at: Date())
        let plain = try await till.redeem("81000000007", dollars: 10)
        _ = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
        let ids = try await Self.scalar(
            address, "SELECT trace_id || ' ' || COALESCE(sale_id, '-') FROM terminal_rows ORDER BY trace_id", as: String.self)
        #expect(ids == ["\(intent.traceId) POS7-000123", "\(plain.traceId) -"], "\(ids)")
        let items = try await PostgresSession.with(address) { client in
            try await BackOfficeExceptions.list(client, filter: .init(store: "0006"), now: Date(), logger: Self.logger)
        }
        let item = try #require(items.first { $0.traceId == intent.traceId })
        #expect(item.saleId == "POS7-000123")
        #expect(items.allSatisfy { $0.traceId != plain.traceId })
        await till.client.shutdown()
        await simulator.stop()
    }

    /// Each till's day as `till_hour_totals` keeps it, and as the rows themselves say (the Today page's
    /// former query): one line per till and hour.
    static func totalsAndRows(_ address: PostgresAddress) async throws -> (kept: [String], counted: [String]) {
        let kept = try await scalar(
            address,
            """
            SELECT concat_ws(' ', reconciliation_day, store, device, hour, redemptions, redeemed_cents, reversals, reversed_cents, voids, voided_cents)
            FROM till_hour_totals
            WHERE redemptions <> 0 OR redeemed_cents <> 0 OR reversals <> 0 OR reversed_cents <> 0 OR voids <> 0 OR voided_cents <> 0
            ORDER BY 1
            """, as: String.self)
        let counted = try await scalar(
            address,
            """
            SELECT concat_ws(' ', day, store, device, hour, count(*) FILTER (WHERE kind = 'REDEEM'), COALESCE(sum(worth) FILTER (WHERE kind = 'REDEEM'), 0),
                count(*) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), COALESCE(sum(worth) FILTER (WHERE kind = 'REVERSE' AND NOT is_void), 0),
                count(*) FILTER (WHERE kind = 'REVERSE' AND is_void), COALESCE(sum(worth) FILTER (WHERE kind = 'REVERSE' AND is_void), 0))
            FROM (
                SELECT r.reconciliation_day AS day, r.store, r.device, r.kind, r.is_void,
                    extract(hour FROM r.created_at AT TIME ZONE 'America/Toronto')::integer AS hour,
                    CASE WHEN r.kind = 'REDEEM' THEN r.cents ELSE COALESCE(r.cents, (SELECT o.cents FROM terminal_rows o
                        WHERE o.kind = 'REDEEM' AND o.confirmation_number = r.original_confirmation_number LIMIT 1)) END AS worth
                FROM terminal_rows r
                WHERE (r.kind = 'REDEEM' AND r.state IN ('approved', 'shown', 'reversing', 'reversed', 'voiding', 'voided'))
                    OR (r.kind = 'REVERSE' AND r.state IN ('reversed', 'voided'))
            ) rows
            GROUP BY day, store, device, hour ORDER BY 1
            """, as: String.self)
        return (kept, counted)
    }

    @Test func eachTillsTotalsFollowItsRowsThroughEveryStateAndTheBackfillAgrees() async throws {
        try await Self.withTill(store: "0006", device: "001") { address, till, _ in
            let transactions = JournaledTransactions(journal: till.journal, host: till.client, builder: till.builder)
            func forwardAndCompare(_ step: String) async throws {
                _ = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
                let (kept, counted) = try await Self.totalsAndRows(address)
                #expect(kept == counted, "\(step): kept \(kept), counted \(counted)")
            }
            // A sale shown, then reversed by the cashier.
            let first = try await till.redeem("81000000001", dollars: 40)
            try await forwardAndCompare("shown")
            _ = try await till.reverse("81000000001", confirmation: try #require(first.confirmationNumber))
            try await forwardAndCompare("reversed")
            // An approval nobody saw: counted while approved, then its void queued and sent.
            let call = try till.builder.redeem(
                RedemptionRequest(
                    card: CardRead(number: try CollectorNumber(digits: "81000000007"), entryMode: .scan), basket: Money(dollars: 100),
                    amount: Money(dollars: 20)), traceId: try till.journal.nextTraceId(), at: Date())
            let intent = try till.journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date())
            let unseen = try till.journal.recordRedemptionOutcome(intent.id, await till.client.redeem(call, policy: .once), at: Date())
            #expect(unseen.state == .approved)
            try await forwardAndCompare("approved, not shown")
            _ = try till.journal.voidUnshown(unseen.id, at: Date())
            try await forwardAndCompare("void queued")
            _ = try await transactions.recover()
            #expect(try till.journal.entry(id: unseen.id).state == .voided)
            try await forwardAndCompare("voided")
            // A declined one counts nowhere.
            _ = try await till.redeem("81000000003", dollars: 10)
            try await forwardAndCompare("declined")
            // The reconciliation's own columns change nothing.
            _ = try await PostgresSession.with(address) { client in
                try await client.query("UPDATE terminal_rows SET host_units = 1, host_cents = 1000", logger: Self.logger)
            }
            let (kept, counted) = try await Self.totalsAndRows(address)
            #expect(kept == counted, "\(kept)")
            let day = try await Self.scalar(
                address,
                """
                SELECT concat_ws(' ', sum(redemptions), sum(redeemed_cents), sum(reversals), sum(reversed_cents), sum(voids), sum(voided_cents))
                FROM till_hour_totals
                """, as: String.self)
            #expect(day == ["2 6000 1 4000 1 2000"], "two redemptions, one reversed, one voided: \(kept)")
            // The migration's backfill finds the same from the rows alone.
            let backfill = try #require(BackOfficeSchema.migrator.steps.first { $0.version == 4 }?.statements.last)
            _ = try await PostgresSession.with(address) { client in
                try await client.query("DELETE FROM till_hour_totals", logger: Self.logger)
                try await client.query(PostgresQuery(unsafeSQL: backfill), logger: Self.logger)
            }
            #expect(try await Self.totalsAndRows(address).kept == kept)
        }
    }

    @Test func twoStoresForwardAndTheChainReconcilesTheWholeFile() async throws {
        let address = try await Self.migrated()
        let simulator = try await SimulatorServer.start()
        let storeOne = try Self.till(store: "0001", device: "001", simulator: simulator)
        let storeTwo = try Self.till(store: "0002", device: "001", simulator: simulator)
        // A till of store 0003 redeems but is never connected to the back office.
        let storeThree = try Self.till(store: "0003", device: "002", simulator: simulator)

        let first = try await storeOne.redeem("81000000001", dollars: 40)
        #expect(try await storeOne.reverse("81000000001", confirmation: first.confirmationNumber!).state == .reversed)
        _ = try await storeOne.redeem("81000000002", dollars: 20)
        _ = try await storeOne.redeem("81000000003", dollars: 10)  // declined: nothing at the host, nothing in the file
        // Store 0002's till loses an answer: it never learns the outcome.
        await simulator.injectFaults(FaultPlan(rules: [FaultRule(kind: .dropAfterApplying, scope: .endpoint("redeem"))]))
        let lost = try await storeTwo.redeem("81000000004", dollars: 30)
        await simulator.injectFaults(FaultPlan())
        #expect(lost.state == .unknown)
        _ = try await storeTwo.redeem("81000000001", dollars: 10)
        _ = try await storeThree.redeem("81000000001", dollars: 10)

        // Store 0001 forwards as it goes; store 0002's till is offline from the back office all day.
        let unreachable = PostgresAddress(
            host: address.host, port: address.port, user: address.user, password: address.password,
            database: "no_such_database", tls: address.tls)
        await #expect(throws: (any Error).self) {
            try await PostgresSession.with(unreachable) { client in try await storeTwo.forwarder(unreachable).forwardPending(client) }
        }
        #expect(try storeTwo.journal.forwardingStatus().pendingRows == 2, "the journal keeps every row while the database is away")
        let sentOne = try await PostgresSession.with(address) { try await storeOne.forwarder(address).forwardPending($0) }
        #expect(sentOne == 4, "three REDEEMs and a REVERSE, the declined one included")
        #expect(try storeOne.journal.forwardingStatus().pendingRows == 0)
        // Later the same day store 0002 is back and catches up.
        let sentTwo = try await PostgresSession.with(address) { try await storeTwo.forwarder(address).forwardPending($0) }
        #expect(sentTwo == 2)

        // A batch sent twice changes nothing.
        let before = try await Self.scalar(address, "SELECT count(*)::bigint FROM terminal_rows", as: Int64.self)
        try storeOne.journal.resetForwardingForTests()
        _ = try await PostgresSession.with(address) { try await storeOne.forwarder(address).forwardPending($0) }
        #expect(try await Self.scalar(address, "SELECT count(*)::bigint FROM terminal_rows", as: Int64.self) == before)
        #expect(before == [6])

        // Masked by default: no full number in the chain database, a keyed hash to find a collector's rows.
        #expect(try await Self.scalar(address, "SELECT count(*)::bigint FROM terminal_rows WHERE card_number IS NOT NULL", as: Int64.self) == [0])
        let hash = CardHash(key: "chain-test-key").hash("81000000002")
        #expect(try await Self.scalar(address, "SELECT count(*)::bigint FROM terminal_rows WHERE card_hash = '\(hash)'", as: Int64.self) == [1])
        #expect(
            try await Self.scalar(address, "SELECT DISTINCT card_masked FROM terminal_rows WHERE card_hash = '\(hash)'", as: String.self)
                == ["•••••••0002"])

        #expect(try await Self.scalar(address, "SELECT count(*)::bigint FROM open_rows", as: Int64.self) == [5])
        let day = ProgramDay.reconciliationDay(at: Date())
        let file = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        #expect(file.details.count == 6, "five redemptions and one reversal")
        let findings = try await Self.reconcileChain(address, file: file, day: day)
        let classes = Dictionary(grouping: findings, by: \.classification).mapValues(\.count)
        // The lost answer is a debit nobody was shown: a break, never "matched".
        #expect(
            classes == [.matched: 4, .unshownDebit: 1, .terminalNotForwarding: 1], "\(findings.filter(\.classification.isBreak).map(\.note))")
        #expect(findings.filter(\.resolvesUnknown).count == 1, "the lost answer is resolved from the file")
        #expect(findings.first { $0.classification == .terminalNotForwarding }?.cardTerminalId == "LOY10003002")

        // Written back: the matched rows are reconciled, the lost one carries the host's numbers, the break is listed.
        // Every matched row leaves the open set (the declined one never entered it).
        #expect(try await Self.scalar(address, "SELECT count(*)::bigint FROM open_rows", as: Int64.self) == [0])
        #expect(
            try await Self.scalar(address, "SELECT host_units FROM terminal_rows WHERE host_confirmation_number IS NOT NULL", as: Int.self) == [2])
        #expect(
            try await Self.scalar(address, "SELECT class FROM reconciliation_breaks ORDER BY class", as: String.self)
                == ["terminal-not-forwarding", "unshown-debit"])
        let exceptions = try await PostgresSession.with(address) { client in
            try await BackOfficeExceptions.list(client, filter: .init(), now: Date(), logger: Self.logger)
        }
        #expect(exceptions.map(\.category) == [.reconciliationBreak, .reconciliationBreak], "\(exceptions)")
        #expect(Set(exceptions.map(\.store)) == ["0002", "0003"])

        // The next night: what matched is not read again, and a re-run of the day replaces its breaks.
        let again = try await Self.reconcileChain(address, file: file, day: day)
        #expect(again.filter { $0.classification == .matched }.count == 4)
        #expect(try await Self.scalar(address, "SELECT count(*)::bigint FROM reconciliation_breaks", as: Int64.self) == [2])

        // Store 0001's own reconciliation no longer breaks on the other stores' records.
        var local = Reconciler(
            day: day, terminalRecords: try storeOne.journal.terminalRecords(for: day, journalIndex: 0),
            scope: .terminals(try storeOne.journal.terminalIds(), outside: .otherTerminal))
        _ = try local.reconcile(file)
        #expect(local.summary.breaks == 0)
        #expect(local.summary[.matched].count == 3 && local.summary[.otherTerminal].count == 3)

        for till in [storeOne, storeTwo, storeThree] { await till.client.shutdown() }
        await simulator.stop()
    }

    /// Issue #24, R1–R5, in the chain database: a debit nobody saw is an unshown debit (the chain cannot
    /// void it: it says to reverse it at the till), a reversal in exception is matched, two rows with
    /// one confirmation number are a duplicate, and a resubmitted file reconciles only its H2 period.
    @Test func theChainNeverCallsADebitNobodySawMatchedAndReconcilesTheH2Period() async throws {
        let address = try await Self.migrated()
        let simulator = try await SimulatorServer.start()
        let till = try Self.till(store: "0001", device: "001", simulator: simulator)
        let journal = till.journal
        // R1: a lost answer whose replays ended.
        await simulator.injectFaults(FaultPlan(rules: [FaultRule(kind: .dropAfterApplying, scope: .endpoint("redeem"))]))
        let lost = try await till.redeem("81000000001", dollars: 30)
        await simulator.injectFaults(FaultPlan())
        try journal.giveUpReplays(lost.id, at: Date())
        // R2: an approval nobody saw whose void gave up.
        let call = try till.builder.redeem(
            RedemptionRequest(
                card: CardRead(number: try CollectorNumber(digits: "81000000007"), entryMode: .scan), basket: Money(dollars: 100),
                amount: Money(dollars: 20)), traceId: try journal.nextTraceId(), at: Date())
        let intent = try journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date())
        let unseen = try journal.recordRedemptionOutcome(intent.id, await till.client.redeem(call, policy: .once), at: Date())
        _ = try journal.voidUnshown(unseen.id, at: Date())
        let gaveUp = try #require(try journal.dueReversals(at: Date()).first)
        try journal.quarantine(gaveUp.id, reason: "its void gave up")
        try journal.quarantine(unseen.id, reason: "its void gave up")
        // R4: a reversal the host applied, its answer lost and its retries spent.
        let shown = try await till.redeem("81000000007", dollars: 10)
        let reversalCall = try till.builder.reverse(
            ReversalRequest(
                card: CardRead(number: try CollectorNumber(digits: "81000000007"), entryMode: .scan),
                redemptionConfirmationNumber: try #require(shown.confirmationNumber)),
            traceId: try journal.nextTraceId(), at: Date())
        let reversal = try journal.queueReversal(reversalCall, of: shown.confirmationNumber!, at: Date())
        _ = await till.client.reverse(reversalCall, policy: .once)
        try journal.quarantine(reversal.id, reason: "retries spent")
        // R5: two sales, then two rows with one confirmation number.
        let first = try await till.redeem("81000000001", dollars: 10)
        let second = try await till.redeem("81000000001", dollars: 10)
        _ = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
        _ = try await PostgresSession.with(address) { client in
            try await client.query(
                "UPDATE terminal_rows SET confirmation_number = \(first.confirmationNumber!) WHERE trace_id = \(second.traceId)", logger: Self.logger)
        }

        let day = ProgramDay.reconciliationDay(at: Date())
        let file = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        let findings = try await Self.reconcileChain(address, file: file, day: day)
        func classes(_ trace: String) -> [ReconciliationClass] { findings.filter { $0.traceId == trace }.map(\.classification) }
        #expect(classes(lost.traceId) == [.unshownDebit], "R1: \(findings.filter { $0.traceId == lost.traceId }.map(\.note))")
        #expect(classes(unseen.traceId) == [.unshownDebit], "R2")
        let said = try #require(findings.first { $0.traceId == unseen.traceId })
        #expect(!said.queuesVoid && said.note.contains("reverse it at the till"), "\(said.note)")
        #expect(classes(reversal.traceId) == [.matched], "R4: \(findings.filter { $0.traceId == reversal.traceId }.map(\.note))")
        #expect(classes(second.traceId) == [.duplicate, .duplicate], "R5: the second sale's record, and its row")
        #expect(classes(first.traceId) == [.matched])
        // The exceptions stay open (reported again each night); the breaks are written.
        let breaks = try await Self.scalar(address, "SELECT class FROM reconciliation_breaks WHERE class = 'unshown-debit'", as: String.self)
        #expect(breaks.count == 2)

        // R3: a resubmitted file of the last moments of the day holds one later sale: only it is reconciled.
        try await Task.sleep(for: .milliseconds(1_500))
        let start = Date()
        let late = try await till.redeem("81000000001", dollars: 10)
        _ = try await PostgresSession.with(address) { try await till.forwarder(address).forwardPending($0) }
        let full = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        let resubmitted = ReconciliationFile(
            sponsorCode: "LOY1", day: day, createdOn: full.createdOn, periodStart: TorontoTime.iso8601(start),
            periodEnd: TorontoTime.iso8601(day.reconciliationEnd), details: full.details.filter { $0.traceId == late.traceId })
        let partial = try await Self.reconcileChain(address, file: resubmitted, day: day)
        #expect(partial.map(\.classification) == [.matched], "\(partial.map(\.note))")

        await till.client.shutdown()
        await simulator.stop()
    }

    @Test func theFullNumberIsForwardedOnlyWhenThePolicySaysSo() async throws {
        let address = try await Self.migrated()
        let simulator = try await SimulatorServer.start()
        let till = try Self.till(store: "0001", device: "001", simulator: simulator)
        _ = try await till.redeem("81000000001", dollars: 10)
        _ = try await PostgresSession.with(address) { try await till.forwarder(address, policy: .full).forwardPending($0) }
        #expect(try await Self.scalar(address, "SELECT card_number FROM terminal_rows", as: String.self) == ["81000000001"])
        await till.client.shutdown()
        await simulator.stop()
    }

    /// A forwarder that knocks often (polls every 100 ms, backs off at most 200 ms), running until cancelled.
    static func eagerForwarder(
        _ till: TestTill, _ address: PostgresAddress, passTimeLimit: Duration
    ) -> (BackOfficeForwarder, Task<Void, Never>) {
        var settings = ForwardingSettings(address: address)
        settings.pollInterval = .milliseconds(100)
        settings.maximumBackoff = .milliseconds(200)
        settings.passTimeLimit = passTimeLimit
        let forwarder = BackOfficeForwarder(journal: till.journal, settings: settings)
        return (forwarder, Task { await forwarder.run() })
    }

    /// Until the till has nothing left to forward, or 20 s.
    static func waitUntilForwarded(_ till: TestTill) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try till.journal.forwardingStatus().pendingRows > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func theForwarderWaitsOutAnAbsentDatabaseAndCatchesUp() async throws {
        let server = try await TestPostgres.freshDatabase()
        let address = PostgresAddress(
            host: server.host, port: server.port, user: server.user, password: server.password,
            database: server.database + "_later", tls: server.tls)
        let simulator = try await SimulatorServer.start()
        let till = try Self.till(store: "0001", device: "001", simulator: simulator)
        let (forwarder, running) = Self.eagerForwarder(till, address, passTimeLimit: .seconds(2))
        // The till works while the database does not exist.
        let sale = try await till.redeem("81000000001", dollars: 20)
        #expect(sale.state == .shown)
        try await Task.sleep(for: .milliseconds(500))
        #expect(forwarder.status.lastFailure != nil)
        #expect(try till.journal.forwardingStatus().pendingRows == 1)
        // The chain's IT creates it; the till catches up on its own.
        _ = try await PostgresSession.with(server) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(address.database)"), logger: Self.logger)
        }
        try await PostgresSession.with(address) { client in _ = try await BackOfficeSchema.migrator.migrate(client, logger: Self.logger) }
        try await Self.waitUntilForwarded(till)
        running.cancel()
        await running.value
        #expect(try till.journal.forwardingStatus().pendingRows == 0)
        #expect(try await Self.scalar(address, "SELECT state FROM terminal_rows", as: String.self) == ["shown"])
        #expect(try await Self.scalar(address, "SELECT store || device FROM terminals", as: String.self) == ["0001001"])
        await till.client.shutdown()
        await simulator.stop()
    }

    /// A pass the database holds past its limit (a migration's lock nobody releases, a server that stopped
    /// answering) is given up at the limit, its session closed, and the forwarder goes on knocking: when the
    /// lock goes the till catches up, the row in the chain once. Before, the limit waited for the query to
    /// notice its cancellation, which a postgres-nio query never does: the forwarder hung for good, silently.
    @Test func aPassTheDatabaseHoldsIsGivenUpAtItsLimitAndTheTillCatchesUp() async throws {
        try await Self.withTill(store: "0001", device: "001") { address, till, _ in
            // Another session holds the chain's rows table, as a long migration would.
            let holder = try await PostgresConnection.connect(configuration: try address.connectionConfiguration(), id: 9, logger: Self.logger)
            try await holder.query("BEGIN", logger: Self.logger)
            try await holder.query("LOCK TABLE terminal_rows IN ACCESS EXCLUSIVE MODE", logger: Self.logger)
            let (forwarder, running) = Self.eagerForwarder(till, address, passTimeLimit: .seconds(1))
            let sale = try await till.redeem("81000000001", dollars: 20)
            #expect(sale.state == .shown)
            // Given up at its limit (before, `lastFailure` stayed nil: the pass never ended).
            let deadline = ContinuousClock.now + .seconds(15)
            while forwarder.status.lastFailure == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(forwarder.status.lastFailure == "no answer from the database within 1 s")
            // and knocking again, given up again, while the lock is held.
            // A pass given up leaves no server connection waiting on the lock past a second (the server's statement
            // timeout): before, one more waited after each pass until the lock went (six after seven seconds).
            try await Task.sleep(for: .seconds(8))
            #expect(forwarder.status.lastFailure == "no answer from the database within 1 s")
            let waiting = try await Self.scalar(
                address, "SELECT count(*)::bigint FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                as: Int64.self)
            #expect(waiting.first ?? 99 <= 3, "sessions waiting on the lock: \(waiting)")
            #expect(try till.journal.forwardingStatus().pendingRows == 1, "nothing acknowledged while the chain did not commit it")
            try await holder.query("COMMIT", logger: Self.logger)
            try await holder.close()
            try await Self.waitUntilForwarded(till)
            running.cancel()
            await running.value
            #expect(try till.journal.forwardingStatus().pendingRows == 0)
            #expect(try await Self.scalar(address, "SELECT state FROM terminal_rows", as: String.self) == ["shown"], "in the chain once")
            #expect(forwarder.status.lastFailure == nil)
        }
    }
}

extension TestTill {
    func forwarder(_ address: PostgresAddress, policy: CardPolicy = .masked) -> BackOfficeForwarder {
        BackOfficeForwarder(
            journal: journal,
            settings: ForwardingSettings(
                address: address, cardPolicy: policy,
                cardHash: CardHash(key: "chain-test-key")))
    }
}
