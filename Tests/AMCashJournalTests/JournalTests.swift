@testable import AMCashJournal
import AMCashAPI
import AMCashDomain
import AMCashSimulator
import Foundation
import Testing

@Suite struct JournalTests {
    static func temporaryPath(_ name: String = "journal") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("amcash-\(name)-\(UUID()).sqlite").path
    }

    static let builder = RequestBuilder(identity: .training)
    static let card = CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .scan)

    static func redemption(_ journal: Journal, dollars: Int = 20, at now: Date = Date()) throws -> PreparedCall {
        try builder.redeem(RedemptionRequest(card: card, basket: Money(dollars: 50), amount: Money(dollars: dollars)),
                           traceId: try journal.nextTraceId(), at: now)
    }

    static func reversal(_ journal: Journal, of confirmation: String, at now: Date = Date()) throws -> PreparedCall {
        try builder.reverse(ReversalRequest(card: card, redemptionConfirmationNumber: confirmation), traceId: try journal.nextTraceId(), at: now)
    }

    static func approval(_ confirmation: String, units: Int = 2) -> HostResult<RedemptionReply> {
        .answered(RedemptionReply(answer: HostAnswer(httpStatus: 200, code: "0000", hostMessage: nil, transDateTime: nil),
                                  approval: RedemptionApproval(unitsRedeemed: Units(units), unitValue: .standard, confirmationNumber: confirmation),
                                  balances: .none))
    }

    @Test func theWriterIsSynchronousFullAtStartup() throws {
        let journal = try Journal(path: Self.temporaryPath())
        #expect(try journal.synchronousMode() == 2)
    }

    @Test func traceIdsAreTwelveDigitsIncreasingAndSurviveARestart() throws {
        let path = Self.temporaryPath()
        let first = try Journal(path: path)
        #expect(try first.nextTraceId().description == "000000000001")
        #expect(try first.nextTraceId().description == "000000000002")
        let reopened = try Journal(path: path)
        #expect(try reopened.nextTraceId().description == "000000000003")
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

    @Test func outcomesMoveTheStateMachine() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let approved = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        let done = try journal.recordRedemptionOutcome(approved.id, Self.approval("RD1"), at: Date())
        #expect(done.state == .approved && done.confirmationNumber == "RD1" && done.money == Money(dollars: 20) && done.miles == Miles(190))

        let lost = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        #expect(try journal.recordRedemptionOutcome(lost.id, .unknown(.timedOut), at: Date()).state == .unknown)
        #expect(try journal.recordRedemptionOutcome(lost.id, .notSent(.cannotConnect("down")), at: Date()).state == .unknown,
                "a later failure to connect does not undo an earlier send that may have arrived")
        #expect(try journal.recordRedemptionOutcome(lost.id, Self.approval("RD2"), at: Date(), byRecovery: true).resolvedByRecovery)

        let refused = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        #expect(try journal.recordRedemptionOutcome(refused.id, .notSent(.cannotConnect("refused")), at: Date()).state == .declined)
        #expect(throws: JournalError.self) { try journal.recordRedemptionOutcome(refused.id, Self.approval("RD3"), at: Date()) }
    }

    @Test func recoveryResendsTheSameBytesUntilTheHostAnswersAndDebitsOnce() async throws {
        let faults = FaultPlan(rules: [FaultRule(kind: .dropAfterApplying, scope: .endpoint("redeem"))])
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(faults: faults))
        let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
        let journal = try Journal(path: Self.temporaryPath())
        let call = try Self.redemption(journal)
        let intent = try journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date())
        try journal.recordRedemptionOutcome(intent.id, await client.redeem(call, policy: .once), at: Date())
        #expect(try journal.pendingRedemptions().count == 1)

        let recovery = JournalRecovery(journal: journal, host: client)
        #expect(try await recovery.run(policy: .once).stillUnknown == 1, "the answer is still being lost")
        await simulator.injectFaults(FaultPlan())
        let report = try await recovery.run(policy: .once)
        #expect(report.resolved == 1 && report.stillUnknown == 0)
        let entry = try journal.entry(id: intent.id)
        #expect(entry.state == .approved && entry.resolvedByRecovery && entry.attempts == 3)
        let ledger = await simulator.redemptions()
        #expect(ledger.count == 1 && ledger.first?.confirmationNumber == entry.confirmationNumber)
        await client.shutdown()
        await simulator.stop()
    }

    @Test func aReversalIsQueuedAndRetriedWithBackoffThenBecomesAnExceptionAfterSixFailures() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let start = ISO8601DateFormatter().date(from: "2026-11-27T12:00:00-05:00")!
        let redemption = try journal.recordRedemptionIntent(try Self.redemption(journal, at: start), requested: Money(dollars: 20), at: start)
        try journal.recordRedemptionOutcome(redemption.id, Self.approval("RD9"), at: start)
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD9", at: start), of: "RD9", at: start)
        #expect(try journal.entry(id: redemption.id).state == .reversing)
        #expect(try journal.dueReversals(at: start).map(\.id) == [queued.id])

        var now = start
        for attempt in 1...6 {
            let entry = try journal.recordReversalOutcome(queued.id, .unknown(.timedOut), at: now)
            #expect(entry.attempts == attempt)
            if attempt < 6 {
                #expect(entry.isPending && !entry.isException)
                let wait = entry.nextAttemptAt!.timeIntervalSince(now)
                #expect(wait == TimeInterval(Journal.reversalBackoff[attempt - 1].components.seconds), "backoff grows")
                #expect(try journal.dueReversals(at: now).isEmpty, "not due before its backoff")
                now = entry.nextAttemptAt!
            } else {
                #expect(entry.isException && !entry.isPending, "six failures make an exception for the supervisor")
            }
        }
        #expect(try journal.entries(pendingOnly: true).map(\.id) == [queued.id])
        #expect(try journal.openCount() == 1, "SQLite's count agrees with the listing")
    }

    @Test func aReversalPastItsWindowIsAnException() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let bought = ISO8601DateFormatter().date(from: "2026-11-27T20:00:00-05:00")!
        let redemption = try journal.recordRedemptionIntent(try Self.redemption(journal, at: bought), requested: Money(dollars: 20), at: bought)
        try journal.recordRedemptionOutcome(redemption.id, Self.approval("RD5"), at: bought)
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD5", at: bought), of: "RD5", at: bought)
        let late = ISO8601DateFormatter().date(from: "2026-11-28T03:00:00-05:00")!
        #expect(try journal.recordReversalOutcome(queued.id, .notSent(.cannotConnect("down")), at: late).isException)
    }

    @Test func anAcknowledgedReversalReversesTheRedemption() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let redemption = try journal.recordRedemptionIntent(try Self.redemption(journal), requested: Money(dollars: 20), at: Date())
        try journal.recordRedemptionOutcome(redemption.id, Self.approval("RD7"), at: Date())
        #expect(try journal.reversibleRedemptions(at: Date()).map(\.id) == [redemption.id])
        let queued = try journal.queueReversal(try Self.reversal(journal, of: "RD7"), of: "RD7", at: Date())
        let reply = ReversalReply(answer: HostAnswer(httpStatus: 200, code: "0000", hostMessage: nil, transDateTime: nil),
                                  reversalConfirmationNumber: "RV8", unitsReversed: Units(2), balances: .none)
        #expect(try journal.recordReversalOutcome(queued.id, .answered(reply), at: Date()).state == .reversed)
        #expect(try journal.entry(id: redemption.id).state == .reversed)
        #expect(try journal.reversibleRedemptions(at: Date()).isEmpty)
    }

    @Test func onlyReconciledRowsArePruned() throws {
        let journal = try Journal(path: Self.temporaryPath())
        let old = ISO8601DateFormatter().date(from: "2026-10-01T12:00:00-04:00")!
        let kept = try journal.recordRedemptionIntent(try Self.redemption(journal, at: old), requested: Money(dollars: 20), at: old)
        let reconciled = try journal.recordRedemptionIntent(try Self.redemption(journal, at: old), requested: Money(dollars: 20), at: old)
        try journal.markReconciled([reconciled.id])
        #expect(try journal.pruneReconciled(olderThan: 30, at: Date()) == 1)
        #expect(try journal.entries().map(\.id) == [kept.id])
    }

    @Test func aFullDiskIsAClearErrorBeforeAnythingIsSent() throws {
        let journal = try Journal(path: Self.temporaryPath())
        try journal.freezeSize()
        var refused: JournalError?
        var recorded = 0
        for trace in 1...2_000 where refused == nil {
            let call = try Self.builder.redeem(RedemptionRequest(card: Self.card, basket: Money(dollars: 50), amount: Money(dollars: 20)),
                                               traceId: try TraceId(trace), at: Date())
            do {
                _ = try journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: Date())
                recorded += 1
            } catch {
                refused = error
            }
        }
        #expect(refused == .diskFull(path: journal.path))
        #expect(try journal.entries().count == recorded, "the refused intent left nothing behind, so it is never sent")
        #expect(JournalError.diskFull(path: "/j").description == "the disk holding the journal at /j is full; nothing can be redeemed until space is freed")
    }

    @Test func aJournalThatCannotBeCreatedSaysWhere() {
        #expect(throws: JournalError.self) { try Journal(path: "/proc/amcash/journal.sqlite") }
    }
}
