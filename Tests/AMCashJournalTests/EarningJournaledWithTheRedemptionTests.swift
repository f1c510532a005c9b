import AMCashAPI
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import GRDB
import Testing

@testable import AMCashJournal

/// Issue #28: a console sale that redeems, then earns, journals its ISSUE (on the whole sale, held behind the
/// REDEEM) in the REDEEM's intent commit. The lane releases it on the sale less the approved discount and sends
/// it; a till that dies between the REDEEM's answer and the ISSUE leaves it to recovery, which sends it on the
/// right amount. Either way the sale earns exactly once, proved with the simulator's issuance ledger.
@Suite struct EarningJournaledWithTheRedemptionTests {
    static let collector = "81000000013"
    static let card = EarningJournalTests.card(collector)
    /// A $100 sale (1 mile per whole $20 pre-tax): 5 miles on the whole sale, 4 after a $20 discount.
    static let redemption = RedemptionRequest(card: card, basket: Money(dollars: 100), amount: Money(dollars: 20), preTaxAmount: Money(dollars: 100))
    static let whole = EarningRequest(card: card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100))
    /// The same $100 sale for a collector the host declines (0006, unable to redeem), and its earning.
    static let declinedSale: (redemption: RedemptionRequest, earning: EarningRequest) = {
        let card = EarningJournalTests.card("81000000008")
        var earning = whole
        earning.card = card
        return (RedemptionRequest(card: card, basket: Money(dollars: 100), amount: Money(dollars: 20), preTaxAmount: Money(dollars: 100)), earning)
    }()

    struct Till {
        let simulator: SimulatorServer
        let client: HostClient
        let journal: Journal
        let transactions: JournaledTransactions
        let clock: TestClockBox

        /// `toShow`: 0 makes an approval nobody marked shown voidable by the next recovery pass (a till that died).
        init(toShow: TimeInterval = 60) async throws {
            clock = TestClockBox(Date())
            let clock = clock
            simulator = try await SimulatorServer.start(options: SimulatorOptions(clock: { clock.now }))
            client = try EarningJournalTests.client(simulator.baseURL)
            journal = try Journal(path: JournalTests.temporaryPath())
            transactions = JournaledTransactions(
                journal: journal, host: client, builder: JournalTests.builder, leases: LeaseTimes(inLane: 120, toShow: toShow),
                now: { clock.now })
        }

        /// Runs a test's body, then stops the simulator and the client even when the body failed a requirement.
        func run(_ body: (Till) async throws -> Void) async {
            do { try await body(self) } catch { Issue.record(error) }
            await stop()
        }

        func stop() async {
            await client.shutdown()
            await simulator.stop()
        }
    }

    @Test func theIssueIsJournaledHeldInTheRedemptionsCommitAndTheLaneSendsItOnceLessTheDiscount() async throws {
        let till = try await Till()
        await till.run { (till: Till) async throws in
            let redeemed = await till.transactions.redeem(Self.redemption, earning: Self.whole)
            #expect(redeemed.result.outcome == .approved, "\(redeemed.result)")
            let held = try #require(try till.journal.earnings().first, "the ISSUE is journaled with the REDEEM's intent")
            #expect(held.heldBehind == redeemed.traceId && held.attempts == 0 && held.leaseHolder == nil)
            #expect(Int(held.traceId) == Int(redeemed.traceId).map { $0 + 1 }, "the next trace id, as when it was journaled after the answer")
            #expect(try await till.simulator.issuances().isEmpty, "nothing sent before the REDEEM ended")
            // The lane: the sale less the approved $20, released once the console records APPROVED drawn (a moment
            // after the lane asks, as the frame is drawn after the effect goes out).
            var lessDiscount = Self.whole
            lessDiscount.amcashDiscount = Money(dollars: 20)
            let transactions = till.transactions
            let marking = Task {
                try await Task.sleep(for: .milliseconds(400))
                return transactions.markShown(redeemed)
            }
            let earned = await till.transactions.earn(lessDiscount, behind: redeemed.traceId)
            #expect(try await marking.value)
            #expect(earned.outcome == .earned(miles: 4, confirmationNumber: earned.entry?.confirmationNumber, lines: []), "\(earned.outcome)")
            #expect(earned.entry?.id == held.id && earned.entry?.idempotencyKey == held.idempotencyKey, "the held row, not a second one")
            // Asked again (a repeated effect), or after the fact by the NOT CONFIRMED path: the same row, nothing sent.
            _ = await till.transactions.earn(lessDiscount, behind: redeemed.traceId)
            _ = await till.transactions.earnAfterRedemption(Self.whole, redemptionTraceId: redeemed.traceId)
            _ = try await till.transactions.recover(policy: .once)
            #expect(try till.journal.earnings().count == 1)
            let ledger = try await till.simulator.issuances().filter { $0.operation == "issue" }
            #expect(ledger.map(\.miles) == [4], "one ISSUE, on the sale less the discount: \(ledger)")
            #expect(ledger.first?.checkoutTransactionId == held.checkoutTransactionId)
        }
    }

    /// The lane asks to earn less the discount, but the approval is never recorded shown (the cashier's screen
    /// was under the help overlay, and recovery voided it: "do not give the discount"). The lane sends nothing
    /// and says pending; once the REDEEM is voided the sale earns on the whole sale the customer paid — never on
    /// less, and once.
    @Test func anApprovalNeverRecordedShownEarnsOnTheWholeSaleNotLessTheDiscount() async throws {
        let till = try await Till()
        await till.run { (till: Till) async throws in
            let redeemed = await till.transactions.redeem(Self.redemption, earning: Self.whole)
            #expect(redeemed.result.outcome == .approved, "\(redeemed.result)")
            var lessDiscount = Self.whole
            lessDiscount.amcashDiscount = Money(dollars: 20)
            let lane = await till.transactions.earn(lessDiscount, behind: redeemed.traceId)
            #expect(lane.outcome.exitStatus == 3, "pending while the approval is not shown: \(lane.outcome)")
            #expect(try await till.simulator.issuances().isEmpty, "nothing sent on an amount the journal has not settled")
            let row = try #require(try till.journal.earnings().first)
            #expect(row.heldBehind == redeemed.traceId && row.saleUnseen, "still held, and the result not drawn yet")
            // The approval's time to be shown runs out under the overlay: recovery voids it, and with nothing drawn
            // yet it takes the sale for an interrupted one (not sent).
            till.clock.advance(300)
            _ = try await till.transactions.recover(policy: .once)
            _ = try await till.transactions.recover(policy: .once)
            #expect(try till.journal.entry(traceId: redeemed.traceId)?.state == .voided)
            #expect(try till.journal.earnings().first?.state == .refused)
            #expect(try await till.simulator.issuances().isEmpty)
            // The overlay closes: the result is drawn ("voided, do not give the discount"), the sale seen. It was not
            // interrupted after all: its ISSUE is queued again and earns on the whole sale the customer pays.
            #expect(till.transactions.markSaleSeen(behind: redeemed.traceId))
            #expect(try till.journal.earnings().first?.state == .queued)
            _ = try await till.transactions.recover(policy: .once)
            #expect(try till.journal.earnings().first?.state == .issued)
            let ledger = try await till.simulator.issuances().filter { $0.operation == "issue" }
            #expect(ledger.map(\.miles) == [5], "one ISSUE, on the whole $100 the customer paid: \(ledger)")
            #expect(try till.journal.earnings().count == 1)
        }
    }

    /// A register's sale journals its ISSUE with the REDEEM's intent too. Acknowledged by the register, then the
    /// console stops before the ISSUE: recovery sends it once, on the sale less the discount. Never acknowledged:
    /// the approval is voided and the ISSUE is not sent (nobody saw the sale end; the register rings it again).
    /// The sale's own effect, late, finds that row and sends nothing more.
    @Test(arguments: [true, false])
    func aRegisterSaleEarnsOnceAndOnlyLessADiscountTheRegisterAcknowledged(acknowledged: Bool) async throws {
        let till = try await Till()
        await till.run { (till: Till) async throws in
            let redeemed = await till.transactions.redeem(Self.redemption, saleId: "POS7-000123", acknowledgeWithin: 30, earning: Self.whole)
            #expect(redeemed.result.outcome == .approved, "\(redeemed.result)")
            #expect(try till.journal.earnings().first?.heldBehind == redeemed.traceId, "journaled with the intent")
            if acknowledged {
                guard case .acknowledged = till.journal.acknowledge(saleId: "POS7-000123", at: till.clock.now) else {
                    Issue.record("not acknowledged")
                    return
                }
            }
            // The console is gone: the next start's recovery settles the REDEEM (voids it unacknowledged), then the ISSUE.
            till.clock.advance(300)
            _ = try await till.transactions.recover(policy: .once)
            _ = try await till.transactions.recover(policy: .once)
            #expect(try till.journal.entry(traceId: redeemed.traceId)?.state == (acknowledged ? .shown : .voided))
            let row = try #require(try till.journal.earnings().first)
            var ledger = try await till.simulator.issuances().filter { $0.operation == "issue" }
            if acknowledged {
                #expect(row.state == .issued && row.miles == 4, "\(row.state) \(row.lastFailure ?? "")")
                #expect(ledger.map(\.miles) == [4], "one ISSUE, less the acknowledged $20: \(ledger)")
            } else {
                #expect(row.state == .refused && row.lastFailure == JournaledTransactions.interruptedSale, "\(row.state)")
                #expect(ledger.isEmpty, "\(ledger)")
            }
            var lessDiscount = Self.whole
            lessDiscount.amcashDiscount = Money(dollars: 20)
            let late = await till.transactions.earn(lessDiscount, registerSale: "POS7-000123")
            #expect(late.entry?.id == row.id, "the sale's one row: \(late.outcome)")
            ledger = try await till.simulator.issuances().filter { $0.operation == "issue" }
            let rows = try till.journal.earnings().count
            #expect(ledger.count == (acknowledged ? 1 : 0) && rows == 1)
        }
    }

    /// A held ISSUE whose REDEEM row is gone (pruned while the ISSUE waited): no amount can be chosen, so it is
    /// not sent and does not wait for ever — it becomes an exception for a person, and nothing reaches the host.
    @Test func aHeldIssueWhoseRedemptionIsGoneBecomesAnExceptionUnsent() async throws {
        let till = try await Till(toShow: 0)
        await till.run { (till: Till) async throws in
            let redeemed = await till.transactions.redeem(Self.redemption, earning: Self.whole)
            #expect(redeemed.result.outcome == .approved, "\(redeemed.result)")
            try await DatabaseQueue(path: till.journal.path).write { db in
                try db.execute(sql: "DELETE FROM entries WHERE traceId = ?", arguments: [redeemed.traceId])
            }
            till.clock.advance(300)
            _ = try await till.transactions.recover(policy: .once)
            let row = try #require(try till.journal.earnings().first)
            #expect(row.state == .exception, "\(row.state) \(row.lastFailure ?? "")")
            #expect(row.lastFailure?.contains("is no longer in the journal") == true)
            #expect(try till.journal.queuedEarnings().isEmpty)
            #expect(try await till.simulator.issuances().isEmpty)
        }
    }

    /// The till dies after the REDEEM's outcome commit (approved, never shown) or after it was shown, before the
    /// ISSUE. Shown: the sale went through with its discount, and recovery sends the held ISSUE on the sale less
    /// it. Never shown: recovery voids the approval, and the ISSUE is not sent — the cashier never saw that sale
    /// end and rings it again, and the sale rung again earns (sent from here too, that purchase would earn twice).
    @Test(arguments: [false, true])
    func aTillThatDiesBeforeTheIssueEarnsOnceOnlyForASaleTheCashierSawEnd(shown: Bool) async throws {
        let till = try await Till(toShow: 0)
        await till.run { (till: Till) async throws in
            let redeemed = await till.transactions.redeem(Self.redemption, earning: Self.whole)
            #expect(redeemed.result.outcome == .approved, "\(redeemed.result)")
            if shown { #expect(till.transactions.markShown(redeemed)) }
            // The process is gone: its leases lapse; the next start's recovery settles the REDEEM, then the ISSUE.
            till.clock.advance(300)
            _ = try await till.transactions.recover(policy: .once)
            _ = try await till.transactions.recover(policy: .once)
            let redeem = try #require(try till.journal.entry(traceId: redeemed.traceId))
            #expect(redeem.state == (shown ? .shown : .voided), "\(redeem.state)")
            let row = try #require(try till.journal.earnings().first)
            let ledger = try await till.simulator.issuances().filter { $0.operation == "issue" }
            if shown {
                #expect(row.state == .issued && row.heldBehind == nil, "\(row.state) \(row.lastFailure ?? "")")
                #expect(row.miles == 4)
                #expect(ledger.map(\.miles) == [4], "exactly one ISSUE, on the sale less the shown discount: \(ledger)")
            } else {
                #expect(row.state == .refused && row.attempts == 0, "\(row.state) \(row.lastFailure ?? "")")
                #expect(row.lastFailure == JournaledTransactions.interruptedSale)
                #expect(ledger.isEmpty, "a sale the cashier never saw end earns nothing here: \(ledger)")
                #expect(try till.journal.queuedEarnings().isEmpty, "nothing left for a person or a later pass")
            }
            // The console comes back with the sale's effect still to run: it finds the row, sends nothing more.
            var lessDiscount = Self.whole
            lessDiscount.amcashDiscount = Money(dollars: 20)
            let late = await till.transactions.earn(lessDiscount, behind: redeemed.traceId)
            if shown {
                #expect(late.outcome == .earned(miles: 4, confirmationNumber: row.confirmationNumber, lines: []))
            } else {
                #expect(late.entry?.id == row.id && late.entry?.state == .refused, "\(late.outcome)")
            }
            #expect(try await till.simulator.issuances().filter { $0.operation == "issue" }.count == (shown ? 1 : 0))
        }
    }

    /// The cashier saw the sale end NOT CONFIRMED, with the miles pending (`earnAfterRedemption` on the ISSUE
    /// journaled with the intent): that sale earns on the whole sale once recovery voids the approval nobody saw,
    /// even when the till stopped right after, and exactly once.
    @Test func aNotConfirmedSaleTheCashierSawEarnsOnTheWholeSaleThroughRecovery() async throws {
        let till = try await Till(toShow: 0)
        await till.run { (till: Till) async throws in
            let redeemed = await till.transactions.redeem(Self.redemption, earning: Self.whole)
            let pending = await till.transactions.earnAfterRedemption(Self.whole, redemptionTraceId: redeemed.traceId)
            #expect(pending.outcome.exitStatus == 3, "pending: \(pending.outcome)")
            #expect(try till.journal.earnings().count == 1, "the ISSUE journaled with the intent, not a second")
            // The NOT CONFIRMED frame is drawn.
            #expect(till.transactions.markSaleSeen(behind: redeemed.traceId))
            #expect(try till.journal.earnings().first?.saleUnseen == false)
            till.clock.advance(300)
            _ = try await till.transactions.recover(policy: .once)
            _ = try await till.transactions.recover(policy: .once)
            #expect(try till.journal.entry(traceId: redeemed.traceId)?.state == .voided)
            let ledger = try await till.simulator.issuances().filter { $0.operation == "issue" }
            #expect(ledger.map(\.miles) == [5], "one ISSUE, on the whole sale: \(ledger)")
        }
    }

    /// A pass that comes while the lane may still be alive never takes the sale's ISSUE for an interrupted
    /// sale's: a declined REDEEM (its lease ends with the answer) keeps its held ISSUE for the lane for
    /// `interruptedSaleGrace` after the answer; past it, with no lane to release it, the ISSUE is not sent.
    @Test func aPassDuringALiveLaneLeavesTheUnseenSalesIssueHeld() async throws {
        let till = try await Till()
        await till.run { (till: Till) async throws in
            let (declined, whole) = Self.declinedSale
            let redeemed = await till.transactions.redeem(declined, earning: whole)
            #expect(try till.journal.entry(traceId: redeemed.traceId)?.state == .declined)
            let row = try #require(try till.journal.earnings().first)
            #expect(row.saleUnseen && row.heldBehind == redeemed.traceId)
            till.clock.advance(JournaledTransactions.interruptedSaleGrace - 2)
            let early = till.transactions.settleHold(row)
            #expect(early.state == .queued && early.heldBehind != nil, "still held for the lane: \(early.state) \(early.lastFailure ?? "")")
            till.clock.advance(4)
            let late = till.transactions.settleHold(row)
            #expect(late.state == .refused && late.lastFailure == JournaledTransactions.interruptedSale, "\(late.state)")
            #expect(try await till.simulator.issuances().isEmpty)
        }
    }

    /// The lane tells the cashier "pending" when a recovery pass holds the row at that moment: that sale was
    /// seen to end, so the pass that later finds its REDEEM declined sends the ISSUE on the whole sale —
    /// never takes it for an interrupted sale's (review s10 #1).
    @Test func aSaleTheLaneReportedPendingIsNeverTakenForAnInterruptedOne() async throws {
        let till = try await Till()
        await till.run { (till: Till) async throws in
            let (declined, whole) = Self.declinedSale
            let redeemed = await till.transactions.redeem(declined, earning: whole)
            let held = try #require(try till.journal.earnings().first)
            #expect(try till.journal.takeEarning(held.id, for: LeaseHolder(), at: till.clock.now, for: 1) != nil)
            #expect(till.transactions.markSaleSeen(behind: redeemed.traceId), "the DECLINED frame is drawn")
            let lane = await till.transactions.earn(whole, behind: redeemed.traceId)
            #expect(lane.outcome.exitStatus == 3, "pending while a pass holds it: \(lane.outcome)")
            #expect(try till.journal.earnings().first?.saleUnseen == false)
            till.clock.advance(60)
            _ = try await till.transactions.recover(policy: .once)
            let row = try #require(try till.journal.earnings().first)
            #expect(row.state == .issued, "\(row.state) \(row.lastFailure ?? "")")
            #expect(try await till.simulator.issuances().filter { $0.operation == "issue" }.count == 1)
        }
    }

    /// A recovery pass holds the row (its lease) when the lane wants it: the lane does not send it beside
    /// the pass, reports pending, and the next pass sends it — once, with the body the journal settled.
    @Test func theLaneNeverSendsAHeldRowARecoveryPassHolds() async throws {
        let till = try await Till()
        await till.run { (till: Till) async throws in
            let redeemed = await till.transactions.redeem(Self.redemption, earning: Self.whole)
            #expect(till.transactions.markShown(redeemed))
            let held = try #require(try till.journal.earnings().first)
            let pass = LeaseHolder()
            #expect(try till.journal.takeEarning(held.id, for: pass, at: till.clock.now, for: 120) != nil)
            var lessDiscount = Self.whole
            lessDiscount.amcashDiscount = Money(dollars: 20)
            let lane = await till.transactions.earn(lessDiscount, behind: redeemed.traceId)
            #expect(lane.outcome.exitStatus == 3, "pending while another holds it: \(lane.outcome)")
            #expect(try await till.simulator.issuances().isEmpty)
            try till.journal.releaseEarning(held.id)
            _ = try await till.transactions.forwardEarnings(dueOnly: false)
            let ledger = try await till.simulator.issuances().filter { $0.operation == "issue" }
            #expect(ledger.map(\.miles) == [4], "recovery sent it on the sale less the shown discount: \(ledger)")
            #expect(try till.journal.earnings().count == 1)
        }
    }

    /// A REDEEM declined in the lane: the held ISSUE is released on the whole sale (the request carries no discount).
    @Test func aDeclinedRedemptionEarnsOnTheWholeSale() async throws {
        let till = try await Till()
        await till.run { (till: Till) async throws in
            // 81000000014 has no AM Cash miles (it earns into Dream only): the REDEEM is declined.
            let card = EarningJournalTests.card("81000000014")
            let request = RedemptionRequest(card: card, basket: Money(dollars: 100), amount: Money(dollars: 20), preTaxAmount: Money(dollars: 100))
            let whole = EarningRequest(card: card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100))
            let redeemed = await till.transactions.redeem(request, earning: whole)
            #expect(redeemed.result.outcome == .declined, "\(redeemed.result)")
            #expect(try till.journal.earnings().first?.heldBehind == redeemed.traceId)
            // The lane waits for the DECLINED frame (the sale seen), then sends on the whole sale.
            async let lane = till.transactions.earn(whole, behind: redeemed.traceId)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await till.simulator.issuances().isEmpty, "nothing sent before the cashier sees the sale end")
            #expect(till.transactions.markSaleSeen(behind: redeemed.traceId))
            let earned = await lane
            #expect(earned.outcome.exitStatus == 0, "\(earned.outcome)")
            #expect(try await till.simulator.issuances().filter { $0.operation == "issue" }.map(\.miles) == [5])
            #expect(try till.journal.earnings().count == 1)
        }
    }

    /// A REDEEM whose intent was journaled but that never left the till (the host cannot be reached) still has the
    /// sale's ISSUE held with it: the lane's ISSUE is that row (queued, pending), never a second one that would earn twice.
    @Test func aRedemptionNeverSentKeepsTheOneIssueJournaledWithItsIntent() async throws {
        let journal = try Journal(path: JournalTests.temporaryPath())
        let client = try EarningJournalTests.client("http://127.0.0.1:9")
        let transactions = JournaledTransactions(journal: journal, host: client, builder: JournalTests.builder)
        let redeemed = await transactions.redeem(Self.redemption, earning: Self.whole)
        #expect(redeemed.result.outcome != .approved && redeemed.traceId != "-", "\(redeemed.result)")
        #expect(transactions.markSaleSeen(behind: redeemed.traceId))
        let earned = await transactions.earn(Self.whole, behind: redeemed.traceId)
        #expect(earned.outcome.exitStatus == 3, "pending: \(earned.outcome)")
        let rows = try journal.earnings()
        #expect(rows.count == 1 && rows.first?.heldBehind == nil, "one ISSUE, released on the whole sale: \(rows)")
        await client.shutdown()
    }
}
