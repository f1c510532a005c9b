import AMCashAPI
import AMCashDomain
import AMCashWire
import Foundation
import GRDB
import Testing

@testable import AMCashJournal

/// A host for the tests of this module alone: it answers what the test says, counts the calls, and
/// can hold the till's REDEEM until the test lets it go (the end-to-end proof is `scripts/reliability`,
/// against the real simulator).
final class HeldHost: RedemptionHost, @unchecked Sendable {
    private let lock = NSLock()
    private var redeemAnswers: [HostResult<RedemptionReply>]
    private var reverseAnswers: [HostResult<ReversalReply>]
    private var held: CheckedContinuation<Void, Never>?
    private var holdNext = false
    private(set) var redeemCalls = 0
    private(set) var reverseCalls = 0

    init(redeem: [HostResult<RedemptionReply>] = [], reverse: [HostResult<ReversalReply>] = []) {
        redeemAnswers = redeem
        reverseAnswers = reverse
    }

    /// The next REDEEM waits until `release()`.
    func holdNextRedeem() { lock.withLock { holdNext = true } }

    func release() {
        let waiting = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            defer { held = nil }
            return held
        }
        waiting?.resume()
    }

    var isHolding: Bool { lock.withLock { held != nil } }

    func echo(_ call: PreparedCall) async -> HostResult<EchoReply> { .notSent(.cannotConnect("not used")) }
    func inquire(_ call: PreparedCall) async -> HostResult<InquiryReply> { .notSent(.cannotConnect("not used")) }

    func redeem(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<RedemptionReply> {
        let hold = lock.withLock { () -> Bool in
            redeemCalls += 1
            defer { holdNext = false }
            return holdNext
        }
        if hold { await withCheckedContinuation { continuation in lock.withLock { held = continuation } } }
        return lock.withLock { redeemAnswers.count > 1 ? redeemAnswers.removeFirst() : redeemAnswers[0] }
    }

    func reverse(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<ReversalReply> {
        lock.withLock {
            reverseCalls += 1
            return reverseAnswers.count > 1 ? reverseAnswers.removeFirst() : reverseAnswers[0]
        }
    }
}

/// The second round of the money path: what a certification team found beyond the first fault suite.
@Suite struct MoneyPathSecondRoundTests {
    static let request = RedemptionRequest(card: JournalTests.card, basket: Money(dollars: 50), amount: Money(dollars: 20))
    static let noon = ISO8601DateFormatter().date(from: "2026-11-27T12:00:00-05:00")!

    static func answer(_ code: String, status: Int) -> HostResult<RedemptionReply> {
        .answered(
            RedemptionReply(
                answer: HostAnswer(httpStatus: status, code: ResponseCode(code), hostMessage: nil, transDateTime: nil), approval: nil,
                balances: .none))
    }

    static let reversed = JournalTests.reversalReply("0000", number: "RV1")

    // MARK: 1. Voids never give up while the window is open

    @Test func aVoidIsRetriedThroughAnHourLongOutageAndThenSent() async throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        // Approved at the till, never shown (the till died): recovery voids it.
        let intent = try journal.recordRedemptionIntent(
            try JournalTests.redemption(journal, at: Self.noon), requested: Money(dollars: 20), at: Self.noon)
        try journal.recordRedemptionOutcome(intent.id, JournalTests.approval("RD40"), at: Self.noon)
        let clock = TestClockBox(Self.noon)
        let down = HeldHost(reverse: [.notSent(.cannotConnect("connection refused")), .unknown(.timedOut)])
        let transactions = JournaledTransactions(journal: journal, host: down, builder: JournalTests.builder, now: { clock.now })
        // Recovery at the till's restart, then every 20 s for an hour; the host is away all the time.
        for _ in 0..<180 {
            clock.advance(20)
            _ = try await transactions.recover(policy: .once)
        }
        let void = try #require(try journal.entries().first { $0.isVoid })
        #expect(void.state == .reversing && !void.isException, "an hour of outage: the void is still queued (\(void.lastFailure ?? ""))")
        #expect(try journal.entry(id: intent.id).state == .voiding)
        #expect(down.reverseCalls > 6, "tried \(down.reverseCalls) times, more than the old limit of six")
        // The host is back: the next due pass sends it.
        let up = HeldHost(reverse: [Self.reversed])
        let back = JournaledTransactions(journal: journal, host: up, builder: JournalTests.builder, now: { clock.now })
        clock.advance(400)
        _ = try await back.recover(policy: .once)
        #expect(try journal.entry(id: void.id).state == .reversed)
        #expect(try journal.entry(id: intent.id).state == .voided)
    }

    // MARK: 2. The screen shows what the journal committed

    @Test func anApprovalThatComesBackAfterRecoveryVoidedItIsNotShown() async throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let host = HeldHost(redeem: [JournalTests.approval("RD77")], reverse: [Self.reversed])
        // The old fixed lease: shorter than the till's own call.
        let short = LeaseTimes(inLane: 0.2, toShow: 60, recovery: 60)
        let transactions = JournaledTransactions(journal: journal, host: host, builder: JournalTests.builder, leases: short)
        host.holdNextRedeem()
        let sale = Task { await transactions.redeem(Self.request) }
        while !host.isHolding { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(300))
        // The lease ran out while the till waited: a recovery pass replays, learns the approval and voids it.
        let report = try await transactions.recover(policy: .once)
        #expect(report.voidsQueued == 1, "\(report)")
        host.release()
        let redemption = await sale.value
        #expect(redemption.result.outcome != .approved, "the screen must not draw APPROVED: \(redemption.result)")
        guard case .unknown(.unshowableApproval(let confirmation, _, _)) = redemption.result else {
            Issue.record("expected an unshowable approval, got \(redemption.result)")
            return
        }
        #expect(confirmation == "RD77")
        #expect(!transactions.markShown(redemption), "nothing to mark shown")
        let row = try journal.entry(id: try #require(redemption.entry).id)
        #expect(row.state == .voided, "the miles are back: \(row.state)")
    }

    @Test func leasesOutliveTheLongestCallTheConfigurationAllows() {
        let leases = LeaseTimes.covering(connect: .seconds(3), read: .seconds(600))
        // Four attempts, each up to two token fetches and two sends of connect + read.
        #expect(leases.inLane >= 4 * 4 * 603, "\(leases.inLane) s")
        #expect(leases.recovery >= 2 * 4 * 603)
        let standard = LeaseTimes.covering(connect: .seconds(3), read: .seconds(8))
        #expect(standard.inLane >= 4 * 4 * 11 && standard.inLane < 600)
    }

    @Test func quarantineNeverOverwritesAShownRow() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let shown = try JournalTests.shownRedemption(journal, "RD5")
        try journal.quarantine(shown.id, reason: "a replay's answer could not be recorded")
        let after = try journal.entry(id: shown.id)
        #expect(after.state == .shown && !after.isException)
    }

    // MARK: 3. What the host never acted on is never sent later

    @Test func aScheduledOutageIsConclusiveNothingWasRedeemed() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let intent = try journal.recordRedemptionIntent(try JournalTests.redemption(journal), requested: Money(dollars: 20), at: Date())
        let entry = try journal.recordRedemptionOutcome(intent.id, Self.answer("0092", status: 503), at: Date())
        #expect(entry.state == .declined && !entry.isPending)
        #expect(try journal.pendingRedemptions().isEmpty, "never replayed")
    }

    /// A journal whose till died right after the intent commit of a $20 REDEEM at noon (nothing, or
    /// something, went out): the intent, under the lease of a process that is gone.
    static func orphanedIntentAtNoon() throws -> (Journal, JournalEntry) {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let intent = try journal.recordRedemptionIntent(
            try JournalTests.redemption(journal, at: Self.noon), requested: Money(dollars: 20), at: Self.noon,
            holder: LeaseHolder(processId: 2_000_000_000, token: "dead"))
        return (journal, intent)
    }

    @Test func anUnknownRedeemIsNotReplayedAfterTheOrphanRefundWindow() async throws {
        let (journal, intent) = try Self.orphanedIntentAtNoon()
        let host = HeldHost(redeem: [JournalTests.approval("RD88")], reverse: [Self.reversed])
        let clock = TestClockBox(Self.noon.addingTimeInterval(21 * 60))
        let transactions = JournaledTransactions(
            journal: journal, host: host, builder: JournalTests.builder, orphanRefundMinutes: 20, now: { clock.now })
        let report = try await transactions.recover(policy: .once)
        #expect(host.redeemCalls == 0, "past the orphan window a replay could only make a new debit")
        #expect(report.stillUnknown == 1)
        let row = try journal.entry(id: intent.id)
        #expect(row.state == .unknown && row.awaitingFile && !row.isException)
        #expect(try journal.pendingRedemptions().isEmpty)
        #expect(try journal.entries(pendingOnly: true).map(\.id) == [intent.id], "still listed: the daily file settles it")
        // Hours later, still never sent.
        clock.advance(5 * 3600)
        _ = try await transactions.recover(policy: .once)
        #expect(host.redeemCalls == 0)
    }

    @Test func anUnknownRedeemIsReplayedWithinTheOrphanWindow() async throws {
        let (journal, intent) = try Self.orphanedIntentAtNoon()
        let host = HeldHost(redeem: [JournalTests.approval("RD89")], reverse: [Self.reversed])
        let clock = TestClockBox(Self.noon.addingTimeInterval(5 * 60))
        let transactions = JournaledTransactions(journal: journal, host: host, builder: JournalTests.builder, now: { clock.now })
        _ = try await transactions.recover(policy: .once)
        #expect(host.redeemCalls == 1 && host.reverseCalls == 1)
        #expect(try journal.entry(id: intent.id).state == .voided)
    }

    // MARK: 4 and 8. Every answer that may have moved miles is shown or voided

    @Test func anOverApprovalKeepsItsNumberAndIsVoided() async throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let over = HostResult<RedemptionReply>.unknown(
            .unshowableApproval(confirmationNumber: "RD30", units: Units(3), reason: "an approval of $30.00 when $20.00 was asked"))
        let host = HeldHost(redeem: [over], reverse: [Self.reversed])
        let transactions = JournaledTransactions(journal: journal, host: host, builder: JournalTests.builder)
        let redemption = await transactions.redeem(Self.request)
        #expect(redemption.result.outcome == .unknown, "never shown")
        let row = try journal.entry(id: try #require(redemption.entry).id)
        #expect(row.state == .voiding && row.confirmationNumber == "RD30" && row.units == Units(3) && row.money == nil)
        let void = try #require(try journal.entries().first { $0.isVoid })
        #expect(void.originalConfirmationNumber == "RD30")
        _ = try await transactions.recover(policy: .once)
        #expect(try journal.entry(id: row.id).state == .voided, "the debit nobody was shown is given back")
    }

    @Test func anOverApprovalLearnedByAReplayIsVoidedToo() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let intent = try journal.recordRedemptionIntent(try JournalTests.redemption(journal), requested: Money(dollars: 20), at: Date())
        try journal.recordRedemptionOutcome(intent.id, .unknown(.timedOut), at: Date())
        let row = try journal.recordReplayOutcome(
            intent.id, .unknown(.unshowableApproval(confirmationNumber: "RD31", units: Units(4000), reason: "a unit value of 1 miles = $0.01")),
            at: Date(), replayUntil: Date().addingTimeInterval(600))
        #expect(row.state == .voiding && row.confirmationNumber == "RD31")
    }

    // MARK: 5 and 6. A redirect and a 409 are unknown, not declined, not an exception

    @Test func aRedirectedRedeemIsUnknownAndReplayed() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let intent = try journal.recordRedemptionIntent(try JournalTests.redemption(journal), requested: Money(dollars: 20), at: Date())
        let entry = try journal.recordRedemptionOutcome(intent.id, .unknown(.redirectRefused(status: 307, location: "/elsewhere")), at: Date())
        #expect(entry.state == .unknown && entry.isPending)
    }

    // MARK: 7. A queued reversal the host later refuses is the supervisor's

    @Test func aQueuedReversalRefusedLaterIsAnExceptionNotQuietlyDeclined() async throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        _ = try JournalTests.shownRedemption(journal, "RD7", at: Self.noon)
        let clock = TestClockBox(Self.noon)
        let host = HeldHost(reverse: [.unknown(.timedOut), .notSent(.cannotConnect("down")), JournalTests.reversalReply("0035", number: nil)])
        let transactions = JournaledTransactions(journal: journal, host: host, builder: JournalTests.builder, now: { clock.now })
        let reversal = await transactions.reverse(ReversalRequest(card: JournalTests.card, redemptionConfirmationNumber: "RD7"))
        #expect(reversal.isQueued, "the cashier is told QUEUED")
        // A refusal after a try in doubt proves nothing; the clean refusal below still reaches the supervisor.
        let fresh = try journal.entry(id: try #require(reversal.entry).id)
        #expect(fresh.sentInDoubt)
        clock.advance(3600)
        _ = try await transactions.recover(policy: .once)
        clock.advance(3600)
        _ = try await transactions.recover(policy: .once)
        let row = try journal.entry(id: fresh.id)
        #expect(row.state == .reversing, "a refusal after a doubtful try is not conclusive: \(row.state)")
    }

    @Test func aCleanRefusalOfAQueuedReversalIsAnExceptionForTheSupervisor() async throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        _ = try JournalTests.shownRedemption(journal, "RD8", at: Self.noon)
        let clock = TestClockBox(Self.noon)
        let host = HeldHost(reverse: [.notSent(.cannotConnect("down")), JournalTests.reversalReply("0035", number: nil)])
        let transactions = JournaledTransactions(journal: journal, host: host, builder: JournalTests.builder, now: { clock.now })
        let reversal = await transactions.reverse(ReversalRequest(card: JournalTests.card, redemptionConfirmationNumber: "RD8"))
        #expect(reversal.isQueued)
        clock.advance(3600)
        _ = try await transactions.recover(policy: .once)
        let row = try journal.entry(id: try #require(reversal.entry).id)
        #expect(row.state == .exception && row.isException, "\(row.state): \(row.lastFailure ?? "")")
        #expect(row.lastFailure?.contains("told") == true)
        #expect(try journal.entries(pendingOnly: true).contains { $0.id == row.id }, "journal --pending lists it")
    }
}

/// What an adversarial review of the second round found: stale lists, a till's answer after recovery
/// took its row, retries that never left the till.
@Suite struct MoneyPathReviewTests {
    @Test func aRowTheTillDeclinedSinceItWasListedIsNeverReplayed() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let intent = try journal.recordRedemptionIntent(try JournalTests.redemption(journal), requested: Money(dollars: 20), at: Date())
        let listed = try journal.pendingRedemptions()
        #expect(listed.map(\.id) == [intent.id])
        // The till's own answer lands between the recovery's list and its claim: 0092, nothing was done.
        try journal.recordRedemptionOutcome(intent.id, MoneyPathSecondRoundTests.answer("0092", status: 503), at: Date())
        let claimed = try journal.claim(intent.id, for: LeaseHolder(), at: Date(), expecting: [.sending, .unknown])
        #expect(claimed == nil, "a declined row is never sent again: a replay now would be a new debit")
    }

    @Test func theTillsApprovalForARowRecoveryMadeUnknownIsVoidedNotDropped() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let intent = try journal.recordRedemptionIntent(try JournalTests.redemption(journal), requested: Money(dollars: 20), at: Date())
        // Recovery took the row after a clock step and stopped replaying it.
        try journal.endReplays(intent.id, orphanWindowMinutes: 20, at: Date())
        let row = try journal.recordRedemptionOutcome(intent.id, JournalTests.approval("RD61"), at: Date())
        #expect(row.state == .voiding && row.confirmationNumber == "RD61" && !row.awaitingFile)
        let shown = JournaledTransactions.showable(JournalTests.approval("RD61"), committed: row)
        #expect(shown.outcome == .unknown, "never drawn APPROVED")
    }

    @Test func tryThatNeverLeftTheTillStillBackOffAsTheOutageGoesOn() {
        for _ in 0..<50 {
            let early = Journal.reversalDelay(afterAttempts: 1, queuedFor: 0)
            #expect(early >= 4 && early <= 6)
            let hourIn = Journal.reversalDelay(afterAttempts: 1, queuedFor: 3600)
            #expect(hourIn >= 240 && hourIn <= 360, "\(hourIn) s an hour into an outage")
        }
    }

    @Test func aRowShownSinceItWasListedIsGivenBackByTheVoidPass() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let shown = try JournalTests.shownRedemption(journal, "RD62")
        let recovery = LeaseHolder()
        _ = try journal.claim(shown.id, for: recovery, at: Date())
        let after = try journal.voidUnshown(shown.id, at: Date())
        #expect(after.state == .shown && after.leaseHolder == nil, "no lease left on a shown row")
    }
}

/// A clock a test moves by hand.
final class TestClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// Upgrades keep the data; a downgrade is refused before it can touch it.
@Suite struct JournalUpgradeTests {
    @Test func aJournalANewerAmcashMigratedIsRefusedWithAClearMessage() throws {
        let path = JournalTests.temporaryPath()
        let journal = try Journal(path: path)
        _ = try journal.recordRedemptionIntent(try JournalTests.redemption(journal), requested: Money(dollars: 20), at: Date())
        try journal.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')") }
        #expect {
            _ = try Journal(path: path)
        } throws: { error in
            "\(error)".contains("newer version of amcash")
        }
        // Nothing was changed: the newer version still finds its row and its migration.
        let rows = try journal.run { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entries") }
        #expect(rows == 1)
    }

    /// The live-lease indexes are made at open, never as a migration: a journal this amcash opened is still one
    /// the previous release opens (it knows every migration applied), and its lease checks read by index.
    @Test func theLeaseIndexesLeaveTheJournalOneTheLastReleaseOpens() throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let (migrations, plan) = try journal.run { db in
            (
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
                try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN SELECT * FROM entries WHERE cardKey = ? AND leaseHolder IS NOT NULL AND leaseUntil > ?",
                    arguments: ["k", "2026-12-06 00:00:00.000"]
                ).map { $0["detail"] as String }
            )
        }
        #expect(migrations.last?.hasPrefix("v15:") == true, "\(migrations)")
        #expect(plan.contains { $0.contains("entries_cardKey_leaseUntil") }, "\(plan)")
    }
}
