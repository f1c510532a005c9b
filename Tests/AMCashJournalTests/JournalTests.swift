import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import GRDB
import Testing

@testable import AMCashJournal

@Suite struct JournalTests {
    static func temporaryPath(_ name: String = "journal") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("amcash-\(name)-\(UUID()).sqlite").path
    }

    static let builder = RequestBuilder(identity: .training)
    static let card = CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .scan)

    static func redemption(_ journal: Journal, dollars: Int = 20, at now: Date = Date()) throws -> PreparedCall {
        try builder.redeem(
            RedemptionRequest(card: card, basket: Money(dollars: 50), amount: Money(dollars: dollars)),
            traceId: try journal.nextTraceId(), at: now)
    }

    static func reversal(_ journal: Journal, of confirmation: String, at now: Date = Date()) throws -> PreparedCall {
        try builder.reverse(ReversalRequest(card: card, redemptionConfirmationNumber: confirmation), traceId: try journal.nextTraceId(), at: now)
    }

    static func approval(_ confirmation: String, units: Int = 2) -> HostResult<RedemptionReply> {
        .answered(
            RedemptionReply(
                answer: HostAnswer(httpStatus: 200, code: "0000", hostMessage: nil, transDateTime: nil),
                approval: RedemptionApproval(unitsRedeemed: Units(units), unitValue: .standard, confirmationNumber: confirmation),
                balances: .none))
    }

    @Test func theWriterIsSynchronousFullAtStartup() throws {
        let journal = try Journal(path: Self.temporaryPath())
        #expect(try journal.synchronousMode() == 2)
    }

    @Test func theJournalIsItsUsersAloneEvenIfAnOlderOneWasNot() throws {
        let path = Self.temporaryPath()
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
        let journal = try Journal(path: path)
        _ = try journal.nextTraceId()
        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) is \(String(mode, radix: 8))")
        }
    }

    @Test func traceIdsAreTwelveDigitsIncreasingAndSurviveARestart() throws {
        let path = Self.temporaryPath()
        let first = try Journal(path: path)
        #expect(try first.nextTraceId().description == "000000000001")
        #expect(try first.nextTraceId().description == "000000000002")
        let reopened = try Journal(path: path)
        #expect(try reopened.nextTraceId().description == "000000000003")
    }

    @Test func theTraceIdAndTheIntentAreCommittedTogether() throws {
        let path = Self.temporaryPath()
        let journal = try Journal(path: path)
        _ = try journal.nextTraceId()
        let request = RedemptionRequest(card: Self.card, basket: Money(dollars: 50), amount: Money(dollars: 20))
        let (call, intent) = try journal.recordRedemptionIntent(requested: Money(dollars: 20), at: Date()) { traceId in
            try Self.builder.redeem(request, traceId: traceId, at: Date())
        }
        #expect(call.traceId == "000000000002")
        #expect(intent.traceId == call.traceId && intent.body == call.body && intent.state == .sending)
        // Committed when it returns: another connection (a restart) sees the intent, and the trace id used.
        let other = try Journal(path: path)
        #expect(try other.pendingRedemptions().map(\.traceId) == [call.traceId])
        #expect(try other.nextTraceId().description == "000000000003")
    }

    @Test func aCallTheBuilderRefusesRecordsNothingAndUsesNoTraceId() throws {
        struct Refused: Error, Equatable {}
        let journal = try Journal(path: Self.temporaryPath())
        #expect(throws: Refused.self) {
            _ = try journal.recordRedemptionIntent(requested: Money(dollars: 20), at: Date()) { _ in throw Refused() }
        }
        #expect(try journal.entries().isEmpty)
        #expect(try journal.nextTraceId().description == "000000000001")
    }

    @Test func anIntentIsCommittedBeforeSendingWithItsExactBytesAndKey() throws {
        let path = Self.temporaryPath()
        let journal = try Journal(path: path)
        let call = try Self.redemption(journal)
        let intent = try journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date())
        // A second process (a restart) sees the intent at once.
        let other = try Journal(path: path)
        let pending = try other.pendingRedemptions()
        #expect(pending.map(\.id) == [intent.id])
        #expect(pending.first?.call == call, "same body bytes, same key, same trace id")
        #expect(pending.first?.state == .sending)
        #expect(pending.first?.maskedCard == "•••••••0001")
    }

    /// An approval at the till, recorded shown.
    static func shownRedemption(_ journal: Journal, _ confirmation: String, at now: Date = Date()) throws -> JournalEntry {
        let intent = try journal.recordRedemptionIntent(try redemption(journal, at: now), requested: Money(dollars: 20), at: now)
        try journal.recordRedemptionOutcome(intent.id, approval(confirmation), at: now)
        return try journal.markShown(intent.id, at: now)
    }

    @Test func outcomesMoveTheStateMachine() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let approved = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        let done = try journal.recordRedemptionOutcome(approved.id, Self.approval("RD1"), at: Date())
        #expect(done.state == .approved && done.confirmationNumber == "RD1" && done.money == Money(dollars: 20) && done.miles == Miles(190))
        #expect(
            try journal.recordRedemptionOutcome(approved.id, Self.approval("RD1"), at: Date()).state == .approved,
            "the same answer recorded twice is a no-op")
        #expect(try journal.markShown(approved.id, at: Date()).state == .shown)

        let lost = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        #expect(try journal.recordRedemptionOutcome(lost.id, .unknown(.timedOut), at: Date()).state == .unknown)
        #expect(throws: JournalError.self, "the till's own answer is recorded once; later answers are replays") {
            try journal.recordRedemptionOutcome(lost.id, .notSent(.cannotConnect("down")), at: Date())
        }
        let far = Date().addingTimeInterval(3600)
        #expect(
            try journal.recordReplayOutcome(lost.id, .notSent(.cannotConnect("down")), at: Date(), replayUntil: far).state == .unknown,
            "a later failure to connect does not undo an earlier send that may have arrived")
        let refusedReplay = try Self.declined("0051")
        #expect(
            try journal.recordReplayOutcome(lost.id, refusedReplay, at: Date(), replayUntil: far).state == .unknown,
            "a refusal to a replay proves nothing: the lost original may have used the balance")
        let learned = try journal.recordReplayOutcome(lost.id, Self.approval("RD2"), at: Date(), replayUntil: far)
        #expect(learned.state == .voiding && learned.resolvedByRecovery, "an approval nobody saw is voided at once")
        let void = try #require(try journal.dueReversals(at: Date()).first)
        #expect(void.isVoid && void.originalConfirmationNumber == "RD2" && void.idempotencyKey != learned.idempotencyKey)
        #expect(void.entryModeText == "SCAN" && void.collectorDigits == "81000000001", "the void names the original's card and entry mode")

        let refused = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        #expect(try journal.recordRedemptionOutcome(refused.id, .notSent(.cannotConnect("refused")), at: Date()).state == .declined)
        #expect(throws: JournalError.self) { try journal.recordRedemptionOutcome(refused.id, Self.approval("RD3"), at: Date()) }
    }

    static func declined(_ code: String) throws -> HostResult<RedemptionReply> {
        .answered(
            RedemptionReply(
                answer: HostAnswer(httpStatus: 202, code: ResponseCode(code), hostMessage: nil, transDateTime: nil),
                approval: nil, balances: .none))
    }

    @Test func replaysEndAsAnExceptionWhenTheirTimeIsUp() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let lost = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        try journal.recordRedemptionOutcome(lost.id, .unknown(.timedOut), at: Date())
        let ended = try journal.recordReplayOutcome(lost.id, .unknown(.timedOut), at: Date(), replayUntil: Date().addingTimeInterval(-1))
        #expect(ended.state == .exception && ended.isException)
        #expect(try journal.entries(pendingOnly: true).map(\.id) == [lost.id], "the supervisor sees it")
    }

    @Test func aConflictThatOutlastsItsRetriesIsUnknownAndReplayedNotAnException() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let intent = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        let entry = try journal.recordRedemptionOutcome(intent.id, .unknown(.conflict(nil)), at: Date())
        #expect(entry.state == .unknown && !entry.isException, "the first attempt may have debited: replays find out")
        #expect(try journal.pendingRedemptions().map(\.id) == [intent.id])
    }

    @Test func aLiveLeaseKeepsRecoveryAndASecondCallForTheCollectorAway() throws {
        let path = Self.temporaryPath()
        let journal = try Journal(path: path)
        let till = LeaseHolder()
        let intent = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date(), holder: till)
        #expect(try journal.claim(intent.id, for: LeaseHolder(), at: Date()) == nil, "recovery leaves the till's own REDEEM alone")
        #expect(throws: JournalError.self, "one call per collector at a time") {
            try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        }
        // A till that died mid-sale frees its rows at once: its process is gone.
        let dead = LeaseHolder(processId: 2_000_000_000, token: "gone")
        let other = try Journal(path: path)
        try journal.recordRedemptionOutcome(intent.id, .unknown(.timedOut), at: Date())
        let orphan = try other.recordRedemptionIntent(
            try Self.builder.redeem(
                RedemptionRequest(
                    card: CardRead(number: try CollectorNumber(digits: "81000000002"), entryMode: .scan),
                    basket: Money(dollars: 50), amount: Money(dollars: 10)),
                traceId: try other.nextTraceId(), at: Date()),
            requested: Money(dollars: 10), at: Date(), holder: dead)
        #expect(try other.claim(orphan.id, for: LeaseHolder(), at: Date()) != nil)
        #expect(try journal.claim(intent.id, for: LeaseHolder(), at: Date()) != nil, "released once the till recorded its answer")
    }

    @Test func recoveryResendsTheSameBytesThenVoidsTheApprovalNobodySaw() async throws {
        let faults = FaultPlan(rules: [FaultRule(kind: .dropAfterApplying, scope: .endpoint("redeem"))])
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(faults: faults))
        let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
        let journal = try Journal(path: Self.temporaryPath())
        let transactions = JournaledTransactions(journal: journal, host: client, builder: Self.builder)
        let lost = await transactions.redeem(RedemptionRequest(card: Self.card, basket: Money(dollars: 50), amount: Money(dollars: 20)))
        #expect(lost.result.outcome == .unknown && lost.entry?.state == .unknown)
        #expect(!transactions.markShown(lost), "nothing to show")

        #expect(try await transactions.recover(policy: .once).stillUnknown == 1, "the answer is still being lost")
        await simulator.injectFaults(FaultPlan())
        let report = try await transactions.recover(policy: .once)
        #expect(report.resolved == 1 && report.voidsQueued == 1 && report.reversalsAcknowledged == 1)
        let entry = try journal.entry(id: lost.entry!.id)
        #expect(entry.state == .voided && entry.resolvedByRecovery)
        // The ledger: one debit and its reversal; the collector's net debit is zero, as nothing was shown.
        let ledger = await simulator.redemptions()
        #expect(ledger.count == 1 && ledger.first?.confirmationNumber == entry.confirmationNumber)
        #expect(ledger.first?.reversalConfirmationNumber != nil)
        await client.shutdown()
        await simulator.stop()
    }

    @Test func aReversalIsRetriedWithCappedJitteredBackoffUntilItsWindowClosesThenIsAnException() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let start = ISO8601DateFormatter().date(from: "2026-11-27T12:00:00-05:00")!
        let redemption = try Self.shownRedemption(journal, "RD9", at: start)
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD9", at: start), of: "RD9", at: start)
        #expect(try journal.entry(id: redemption.id).state == .reversing)
        #expect(try journal.dueReversals(at: start).map(\.id) == [queued.id])

        var now = start
        var attempt = 0
        // Fourteen hours of a host that never answers (12:00 to 02:00): never given up while the window is open.
        while now < ISO8601DateFormatter().date(from: "2026-11-28T02:00:00-05:00")! {
            attempt += 1
            let entry = try journal.recordReversalOutcome(queued.id, .unknown(.timedOut), at: now)
            #expect(entry.attempts == attempt)
            #expect(entry.isPending && !entry.isException, "attempt \(attempt) at \(now): still queued")
            let wait = entry.nextAttemptAt!.timeIntervalSince(now)
            let base = TimeInterval(Journal.reversalBackoff[min(attempt, Journal.reversalBackoff.count) - 1].components.seconds)
            #expect(wait >= base * 0.8 && wait <= base * 1.2, "attempt \(attempt): waits \(wait) s, base \(base) s")
            #expect(try journal.dueReversals(at: now).isEmpty, "not due before its backoff")
            now = entry.nextAttemptAt!
        }
        #expect(attempt > 100, "\(attempt) tries in fourteen hours")
        let closed = try journal.recordReversalOutcome(
            queued.id, .unknown(.timedOut), at: ISO8601DateFormatter().date(from: "2026-11-28T03:00:00-05:00")!)
        #expect(closed.isException && !closed.isPending, "the window closed: an exception for the supervisor")
        #expect(closed.lastFailure?.contains("call AIR MILES support") == true, "\(closed.lastFailure ?? "")")
        #expect(try journal.entry(id: redemption.id).state == .exception)
        #expect(Set(try journal.entries(pendingOnly: true).map(\.id)) == [queued.id, redemption.id])
        #expect(try journal.openCount() == 2, "SQLite's count agrees with the listing")
    }

    @Test func aTryThatWasProvablyNotSentNeverCountsAgainstAReversal() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let start = ISO8601DateFormatter().date(from: "2026-11-27T12:00:00-05:00")!
        _ = try Self.shownRedemption(journal, "RD9", at: start)
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD9", at: start), of: "RD9", at: start)
        var now = start
        for _ in 1...50 {
            let entry = try journal.recordReversalOutcome(queued.id, .notSent(.cannotConnect("refused")), at: now)
            #expect(entry.attempts == 0 && entry.isPending && !entry.sentInDoubt)
            now = entry.nextAttemptAt!
        }
        // The host comes back and refuses it cleanly: conclusive, since nothing earlier reached it.
        let refused = try journal.recordReversalOutcome(queued.id, Self.reversalReply("0035", number: nil), at: now)
        #expect(refused.isException, "refused after the cashier was told it was queued: the supervisor hears of it")
    }

    @Test func aReversalPastItsWindowIsAnException() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let bought = ISO8601DateFormatter().date(from: "2026-11-27T20:00:00-05:00")!
        _ = try Self.shownRedemption(journal, "RD5", at: bought)
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD5", at: bought), of: "RD5", at: bought)
        let late = ISO8601DateFormatter().date(from: "2026-11-28T03:00:00-05:00")!
        #expect(try journal.recordReversalOutcome(queued.id, .notSent(.cannotConnect("down")), at: late).isException)
    }

    static func reversalReply(_ code: String, number: String?) -> HostResult<ReversalReply> {
        .answered(
            ReversalReply(
                answer: HostAnswer(
                    httpStatus: code == "0000" ? 200 : 400, code: ResponseCode(code), hostMessage: nil,
                    transDateTime: nil),
                reversalConfirmationNumber: number, unitsReversed: code == "0000" ? Units(2) : nil, balances: .none))
    }

    @Test func anAcknowledgedReversalReversesTheRedemption() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let redemption = try Self.shownRedemption(journal, "RD7")
        #expect(try journal.reversibleRedemptions(at: Date()).map(\.id) == [redemption.id])
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD7"), of: "RD7", at: Date())
        #expect(try journal.recordReversalOutcome(queued.id, Self.reversalReply("0000", number: "RV8"), at: Date()).state == .reversed)
        #expect(try journal.entry(id: redemption.id).state == .reversed)
        #expect(try journal.reversibleRedemptions(at: Date()).isEmpty)
    }

    @Test func anApprovedReversalWithoutANumberIsReversedAndNoted() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let redemption = try Self.shownRedemption(journal, "RD7")
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD7"), of: "RD7", at: Date())
        let entry = try journal.recordReversalOutcome(queued.id, Self.reversalReply("0000", number: nil), at: Date())
        #expect(entry.state == .reversed && entry.lastFailure?.contains("without a reversal confirmation number") == true)
        #expect(try journal.entry(id: redemption.id).state == .reversed)
    }

    @Test func aRefusedReversalLeavesTheRedemptionShownAndReversibleAgain() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let redemption = try Self.shownRedemption(journal, "RD7")
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD7"), of: "RD7", at: Date())
        let entry = try journal.recordReversalOutcome(queued.id, Self.reversalReply("0035", number: nil), at: Date(), inLane: true)
        #expect(entry.state == .declined && !entry.isPending)
        let original = try journal.entry(id: redemption.id)
        #expect(original.state == .shown && original.lastFailure?.contains("refused") == true)
        #expect(try journal.reversibleRedemptions(at: Date()).map(\.id) == [redemption.id], "the cashier can try again")
        #expect(try journal.openCount() == 0, "nothing stuck")
    }

    @Test func aReversalWithAnotherCardIsRefusedBeforeAnythingIsQueued() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let redemption = try Self.shownRedemption(journal, "RD7")
        let otherCard = CardRead(number: try CollectorNumber(digits: "81000000002"), entryMode: .scan)
        let wrong = try Self.builder.reverse(
            ReversalRequest(card: otherCard, redemptionConfirmationNumber: "RD7"),
            traceId: try journal.nextTraceId(), at: Date())
        #expect(throws: JournalError.self) { try journal.queueReversal(wrong, of: "RD7", at: Date()) }
        #expect(try journal.entry(id: redemption.id).state == .shown)
        #expect(try journal.entries().count == 1)
        // The right card still works.
        _ = try journal.queueReversal(try Self.reversal(journal, of: "RD7"), of: "RD7", at: Date())
    }

    @Test func aJournalOfTheVersionBeforeTheCardTerminalIdColumnGetsItFromItsBodies() throws {
        let path = Self.temporaryPath()
        let now = Date()
        do {
            let journal = try Journal(path: path)
            let entry = try journal.recordRedemptionIntent(
                try Self.redemption(journal, at: now), requested: Money(dollars: 20), at: now,
                leases: LeaseTimes(inLane: 0))
            _ = try journal.recordRedemptionOutcome(entry.id, Self.approval("RD1"), at: now)
            // Back to the schema of version 2: no forwarding, no column, no migrations recorded.
            try journal.queue.writeWithoutTransaction { db in
                try db.execute(
                    sql: """
                        DROP TRIGGER entries_forward_insert; DROP TRIGGER entries_forward_update; DROP INDEX entries_changeSeq;
                        ALTER TABLE entries DROP COLUMN changeSeq; DROP TABLE terminals; DELETE FROM meta WHERE key = 'changeSeq';
                        """)
                try db.execute(sql: "ALTER TABLE entries DROP COLUMN cardTerminalId")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v3: card terminal id', 'v4: forwarding to the back office')")
            }
        }
        let upgraded = try Journal(path: path)
        let records = try upgraded.terminalRecords(for: ProgramDay.reconciliationDay(at: now), journalIndex: 0)
        #expect(records.map(\.cardTerminalId) == [TerminalIdentity.training.cardTerminalId])
        // Version 4 numbers the old rows for forwarding and learns the terminal from them.
        #expect(try upgraded.forwardingStatus().pendingRows == 1)
        #expect(try upgraded.changesToForward(limit: 10).map(\.traceId) == records.map(\.traceId))
        #expect(try upgraded.terminalIds() == [TerminalIdentity.training.cardTerminalId])
    }

    @Test func eachHostCallsTimeIsJournaledAndForwardedEvenWhenNothingElseChanged() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let now = Date()
        let far = now.addingTimeInterval(3600)
        let entry = try journal.recordRedemptionIntent(try Self.redemption(journal, at: now), requested: Money(dollars: 20), at: now)
        #expect(try journal.changesToForward(limit: 10).map(\.hostLatencyMs) == [nil])
        _ = try journal.recordRedemptionOutcome(entry.id, .unknown(.timedOut), at: now, latencyMs: 8012)
        #expect(try journal.entry(id: entry.id).hostLatencyMs == 8012)
        let afterSend = try journal.changesToForward(limit: 10)
        #expect(afterSend.map(\.hostLatencyMs) == [8012] && afterSend.map(\.state) == [.unknown])
        try journal.acknowledgeForwarded(upTo: afterSend[0].changeSeq, at: now)
        // A replay that times out again changes only the time: still a change the chain must see.
        _ = try journal.recordReplayOutcome(entry.id, .unknown(.timedOut), at: now, replayUntil: far, latencyMs: 7990)
        #expect(try journal.changesToForward(limit: 10).map(\.hostLatencyMs) == [7990])
        // A replay that never left the till keeps the last call's time.
        _ = try journal.recordReplayOutcome(entry.id, .notSent(.cannotConnect("down")), at: now, replayUntil: far)
        #expect(try journal.entry(id: entry.id).hostLatencyMs == 7990)
    }

    @Test func everyStateChangeIsNumberedForForwardingAndALeaseIsNot() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let now = Date()
        let entry = try journal.recordRedemptionIntent(try Self.redemption(journal, at: now), requested: Money(dollars: 20), at: now)
        #expect(try journal.changesToForward(limit: 10).map(\.state) == [.sending])
        try journal.release(entry.id)  // a lease ends: nothing the back office shows
        #expect(try journal.changesToForward(limit: 10).map(\.changeSeq) == [1])
        _ = try journal.recordRedemptionOutcome(entry.id, Self.approval("RD1"), at: now)
        let changes = try journal.changesToForward(limit: 10)
        #expect(changes.map(\.state) == [.approved] && changes[0].changeSeq == 2 && changes[0].confirmationNumber == "RD1")
        try journal.acknowledgeForwarded(upTo: 2, at: now)
        #expect(try journal.forwardingStatus().pendingRows == 0)
        _ = try journal.markShown(entry.id, at: now)
        #expect(try journal.changesToForward(limit: 10).map(\.state) == [.shown])
        #expect(try journal.forwardingStatus().pendingRows == 1)
    }

    @Test func aReconciledRowTheBackOfficeHasNotReceivedIsNotPruned() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let old = ISO8601DateFormatter().date(from: "2026-10-01T12:00:00-04:00")!
        let first = try journal.recordRedemptionIntent(
            try Self.redemption(journal, at: old), requested: Money(dollars: 20), at: old,
            leases: LeaseTimes(inLane: 0))
        let second = try journal.recordRedemptionIntent(
            try Self.redemption(journal, at: old), requested: Money(dollars: 20), at: old,
            leases: LeaseTimes(inLane: 0))
        for row in [first, second] {
            try journal.recordRedemptionOutcome(row.id, MoneyPathSecondRoundTests.answer("0051", status: 202), at: old)
        }
        try journal.markReconciled([first.id, second.id])
        try journal.acknowledgeForwarded(upTo: 3, at: Date())
        #expect(try journal.pruneReconciled(olderThan: 30, at: Date()) == 1)
        #expect(try journal.entries().map(\.id) == [second.id])
    }

    @Test func onlyReconciledRowsArePruned() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let old = ISO8601DateFormatter().date(from: "2026-10-01T12:00:00-04:00")!
        let unleased = LeaseTimes(inLane: 0)
        let kept = try journal.recordRedemptionIntent(try Self.redemption(journal, at: old), requested: Money(dollars: 20), at: old, leases: unleased)
        let reconciled = try journal.recordRedemptionIntent(
            try Self.redemption(journal, at: old), requested: Money(dollars: 20), at: old,
            leases: unleased)
        try journal.recordRedemptionOutcome(reconciled.id, MoneyPathSecondRoundTests.answer("0051", status: 202), at: old)
        // An exception the daily file matched is still the supervisor's: never pruned.
        let exception = try journal.recordRedemptionIntent(
            try Self.builder.redeem(
                RedemptionRequest(
                    card: CardRead(number: try CollectorNumber(digits: "81000000002"), entryMode: .scan),
                    basket: Money(dollars: 50), amount: Money(dollars: 10)),
                traceId: try journal.nextTraceId(), at: old),
            requested: Money(dollars: 10), at: old, leases: unleased)
        try journal.quarantine(exception.id, reason: "a test")
        try journal.markReconciled([reconciled.id, exception.id, kept.id])
        #expect(try journal.pruneReconciled(olderThan: 30, at: Date()) == 1)
        #expect(try journal.entries().map(\.id) == [kept.id, exception.id], "open and exception rows are kept")
    }

    @Test func aFullDiskIsAClearErrorBeforeAnythingIsSent() throws {
        let journal = try Journal(path: Self.temporaryPath())
        try journal.freezeSize()
        var refused: JournalError?
        var recorded = 0
        for trace in 1...2_000 where refused == nil {
            let call = try Self.builder.redeem(
                RedemptionRequest(card: Self.card, basket: Money(dollars: 50), amount: Money(dollars: 20)),
                traceId: try TraceId(trace), at: Date())
            do {
                // No lease: this test fills the disk, it does not send.
                _ = try journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date(), leases: LeaseTimes(inLane: 0))
                recorded += 1
            } catch {
                refused = error
            }
        }
        #expect(refused == .diskFull(path: journal.path))
        #expect(try journal.entries().count == recorded, "the refused intent left nothing behind, so it is never sent")
        #expect(
            JournalError.diskFull(path: "/j").description
                == "the disk holding the journal at /j is full; nothing can be redeemed until space is freed")
    }

    @Test func aJournalThatCannotBeCreatedSaysWhere() {
        #expect(throws: JournalError.self) { try Journal(path: "/proc/amcash/journal.sqlite") }
    }
}

/// The console's recovery tick lands while the till's own REDEEM is with the host: it must leave the
/// till's row alone, so the cashier's APPROVED stands and nothing is voided or sent twice.
@Suite struct RecoveryRaceTests {
    @Test func aRecoveryPassDuringAnInFlightRedeemLeavesItAlone() async throws {
        let faults = FaultPlan(rules: [FaultRule(kind: .delay(.milliseconds(800)), scope: .endpoint("redeem"))])
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(faults: faults))
        let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
        let journal = try Journal(path: JournalTests.temporaryPath())
        let transactions = JournaledTransactions(journal: journal, host: client, builder: JournalTests.builder)
        let sale = Task {
            await transactions.redeem(RedemptionRequest(card: JournalTests.card, basket: Money(dollars: 50), amount: Money(dollars: 20)))
        }
        try await Task.sleep(for: .milliseconds(300))
        let report = try await transactions.recover(policy: .once)
        #expect(report.skipped == 1 && report.resolved == 0 && report.voidsQueued == 0, "\(report)")
        let redemption = await sale.value
        #expect(redemption.result.outcome == .approved)
        #expect(transactions.markShown(redemption))
        let after = try await transactions.recover(policy: .once)
        #expect(after.voidsQueued == 0)
        #expect(try journal.entry(id: redemption.entry!.id).state == .shown)
        #expect(await simulator.requestCount("redeem") == 1, "one call, the till's")
        let ledger = await simulator.redemptions()
        #expect(ledger.count == 1 && ledger.first?.reversalConfirmationNumber == nil)
        await client.shutdown()
        await simulator.stop()
    }
}

@Suite struct CardNumberPurgeTests {
    @Test func aFullCardNumberIsKeptOnlyWhileARowCanStillBeSent() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let bought = ISO8601DateFormatter().date(from: "2026-11-27T12:00:00-05:00")!
        let declined = try journal.recordRedemptionIntent(try JournalTests.redemption(journal, at: bought), requested: Money(dollars: 20), at: bought)
        try journal.recordRedemptionOutcome(declined.id, try JournalTests.declined("0051"), at: bought)
        let shown = try JournalTests.shownRedemption(journal, "RD1", at: bought.addingTimeInterval(60))
        let pendingCard = CardRead(number: try CollectorNumber(digits: "81000000002"), entryMode: .scan)
        let pending = try journal.recordRedemptionIntent(
            try JournalTests.builder.redeem(
                RedemptionRequest(card: pendingCard, basket: Money(dollars: 50), amount: Money(dollars: 10)),
                traceId: try journal.nextTraceId(), at: bought),
            requested: Money(dollars: 10), at: bought)

        // The same day: the shown redemption can still be reversed, the pending one re-sent.
        #expect(try journal.purgeCardNumbers(at: bought.addingTimeInterval(3600)) == 1)
        #expect(try journal.entry(id: declined.id).collectorDigits == "*******0001")
        #expect(try journal.entry(id: shown.id).collectorDigits == "81000000001")
        #expect(try journal.entry(id: pending.id).collectorDigits == "81000000002")
        // After the 03:00 close the shown one can no longer be reversed: its number goes too; the pending one stays.
        let nextDay = ISO8601DateFormatter().date(from: "2026-11-28T04:00:00-05:00")!
        #expect(try journal.purgeCardNumbers(at: nextDay) == 1)
        #expect(try journal.entry(id: shown.id).collectorDigits == "*******0001")
        #expect(try journal.entry(id: pending.id).collectorDigits == "81000000002")
        #expect(try journal.purgeCardNumbers(at: nextDay) == 0, "nothing twice")
    }
}
