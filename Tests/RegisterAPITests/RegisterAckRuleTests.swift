import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
import Foundation
import RegisterAPI
import Testing

/// The money rule for a register's sale: the discount is given when the register acknowledges it. An
/// approval not acknowledged within `registerAckSeconds` is voided, checked on the simulator's ledger.
@Suite struct RegisterAckRuleTests {
    static let card = CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .scan)
    static let ackSeconds: TimeInterval = 120

    /// What the console does when the cashier confirms a register's sale: one REDEEM under its saleId,
    /// its approval leased for the register's acknowledgement.
    static func redeem(_ transactions: JournaledTransactions, saleId: String, dollars: Int = 20) async -> JournaledTransactions.Redemption {
        await transactions.redeem(
            RedemptionRequest(card: card, basket: Money(cents: 4335), amount: Money(dollars: dollars)), saleId: saleId,
            acknowledgeWithin: ackSeconds)
    }

    struct World {
        let simulator: SimulatorServer
        let client: HostClient
        let fixture: RegisterFixture
        let transactions: JournaledTransactions
        let clock: TestClock

        static func start() async throws -> World {
            let clock = TestClock()
            let simulator = try await SimulatorServer.start()
            let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
            let fixture = try await RegisterFixture.start(clock: clock)
            let transactions = JournaledTransactions(
                journal: fixture.journal, host: client, builder: RequestBuilder(identity: .training), now: { clock.now })
            return World(simulator: simulator, client: client, fixture: fixture, transactions: transactions, clock: clock)
        }

        func stop() async {
            await fixture.stop()
            await client.shutdown()
            await simulator.stop()
        }
    }

    @Test func anApprovalTheRegisterNeverAcknowledgesIsVoidedAndTheLedgerNetsToZero() async throws {
        let world = try await World.start()
        #expect(try await world.fixture.push(["saleId": "NOACK-1", "postTaxTotal": "43.35"]).status == 201)
        let redemption = await Self.redeem(world.transactions, saleId: "NOACK-1")
        #expect(redemption.result.outcome == .approved, "\(redemption.result)")
        let approved = try await world.fixture.request(.GET, "/v1/sales/NOACK-1")
        #expect(approved.body["state"] as? String == "approved" && approved.body["acknowledged"] as? Bool == false, "\(approved.text)")
        #expect(approved.body["discount"] as? String == "20.00" && (approved.body["receipt"] as? [String])?.isEmpty == false)
        RegisterContract.check(approved)

        // Past a cashier's 60 s: a register's approval still waits for its acknowledgement.
        world.clock.advance(61)
        #expect(try await world.transactions.recover(policy: .once).voidsQueued == 0)
        #expect(try world.fixture.journal.redemption(saleId: "NOACK-1")?.state == .approved)

        world.clock.advance(Self.ackSeconds)
        let report = try await world.transactions.recover(policy: .once)
        #expect(report.voidsQueued == 1 && report.reversalsAcknowledged == 1, "\(report)")
        let voided = try await world.fixture.request(.GET, "/v1/sales/NOACK-1")
        #expect(voided.body["state"] as? String == "voided", "\(voided.text)")
        RegisterContract.check(voided)
        let late = try await world.fixture.request(.POST, "/v1/sales/NOACK-1/ack")
        #expect(late.status == 409, "an ack after the void is refused: \(late.text)")
        RegisterContract.check(late)

        let ledger = await world.simulator.redemptions()
        #expect(ledger.count == 1 && ledger.first?.reversalConfirmationNumber != nil, "one debit, given back: \(ledger)")
        await world.stop()
    }

    @Test func anAcknowledgedApprovalStandsAndTheAckCanBeRepeated() async throws {
        let world = try await World.start()
        #expect(try await world.fixture.push(["saleId": "ACK-1", "postTaxTotal": "43.35"]).status == 201)
        let redemption = await Self.redeem(world.transactions, saleId: "ACK-1")
        #expect(redemption.result.outcome == .approved, "\(redemption.result)")
        world.clock.advance(30)
        let acked = try await world.fixture.request(.POST, "/v1/sales/ACK-1/ack")
        #expect(acked.status == 200 && acked.body["acknowledged"] as? Bool == true, "\(acked.text)")
        RegisterContract.check(acked)
        #expect(world.fixture.recordedEvents.contains(.acknowledged(saleId: "ACK-1")))
        let again = try await world.fixture.request(.POST, "/v1/sales/ACK-1/ack")
        #expect(again.status == 200 && again.body["acknowledged"] as? Bool == true, "the same ack twice: \(again.text)")

        world.clock.advance(Self.ackSeconds * 2)
        #expect(try await world.transactions.recover(policy: .once).voidsQueued == 0)
        let row = try #require(try world.fixture.journal.redemption(saleId: "ACK-1"))
        #expect(row.state == .shown && row.saleId == "ACK-1")
        let ledger = await world.simulator.redemptions()
        #expect(ledger.count == 1 && ledger.first?.reversalConfirmationNumber == nil, "one debit that stands: \(ledger)")
        #expect(ledger.first?.confirmationNumber == row.confirmationNumber)
        // Once answered, the register's next sale is taken.
        #expect(try await world.fixture.push(["saleId": "ACK-2", "postTaxTotal": "5.00"]).status == 201)
        await world.stop()
    }

    /// The sale's answer carries what it earned once the console's ISSUE ended: the miles the simulator's
    /// ledger recorded, or pending; nothing before.
    @Test func anAcknowledgedSaleReportsTheMilesItEarnedOrPending() async throws {
        let world = try await World.start()
        #expect(try await world.fixture.push(["saleId": "EARN-1", "postTaxTotal": "100.00"]).status == 201)
        let redemption = await world.transactions.redeem(
            RedemptionRequest(card: Self.card, basket: Money(dollars: 100), amount: Money(dollars: 20)), saleId: "EARN-1",
            acknowledgeWithin: Self.ackSeconds)
        #expect(redemption.result.outcome == .approved, "\(redemption.result)")
        let acked = try await world.fixture.request(.POST, "/v1/sales/EARN-1/ack")
        #expect(acked.status == 200 && acked.body["earning"] == nil && acked.body["milesEarned"] == nil, "not earned yet: \(acked.text)")
        // The console's part after the ack: the ISSUE of the sale less the discount, then the desk is told.
        let earning = await world.transactions.earn(
            EarningRequest(card: Self.card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100), amcashDiscount: Money(dollars: 20))
        )
        await world.fixture.server.desk.earned("EARN-1", earning.outcome)
        let answer = try await world.fixture.request(.GET, "/v1/sales/EARN-1")
        let ledger = try await world.simulator.issuances()
        #expect(ledger.count == 1 && ledger.first?.miles == 4, "\(ledger)")
        #expect(answer.body["state"] as? String == "approved" && answer.body["earning"] as? String == "earned", "\(answer.text)")
        #expect(answer.body["milesEarned"] as? Int == ledger.first?.miles, "the miles the host recorded: \(answer.text)")
        // The receipt lines the register prints carry the miles too (issue #28), the ledger's, once.
        let lines = answer.body["receipt"] as? [String] ?? []
        #expect(lines.filter { $0.hasPrefix("Miles earned: ") } == ["Miles earned: 4"], "\(lines)")
        RegisterContract.check(answer)
        // Pending: said so, and no number of miles the host did not answer.
        await world.fixture.server.desk.earned("EARN-1", .pending(reason: "the host cannot be reached"))
        let pending = try await world.fixture.request(.GET, "/v1/sales/EARN-1")
        #expect(pending.body["earning"] as? String == "pending" && pending.body["milesEarned"] == nil, "\(pending.text)")
        #expect((pending.body["receipt"] as? [String] ?? []).filter { $0.hasPrefix("Miles earned: ") } == ["Miles earned: pending"])
        RegisterContract.check(pending)
        await world.stop()
    }

    /// The sale's ISSUE journaled with its REDEEM's intent: a console that stops right after the register's ack
    /// never tells the desk anything, yet once recovery sends the ISSUE the sale's answer carries the miles the
    /// ledger recorded — read from the journal. Nothing is said while the ISSUE waits on the ack.
    @Test func theMilesOfASaleRecoveryEarnedAreReadFromTheJournal() async throws {
        let world = try await World.start()
        #expect(try await world.fixture.push(["saleId": "EARN-2", "postTaxTotal": "100.00"]).status == 201)
        let whole = EarningRequest(card: Self.card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100))
        let redemption = await world.transactions.redeem(
            RedemptionRequest(card: Self.card, basket: Money(dollars: 100), amount: Money(dollars: 20)), saleId: "EARN-2",
            acknowledgeWithin: Self.ackSeconds, earning: whole)
        #expect(redemption.result.outcome == .approved, "\(redemption.result)")
        let waiting = try await world.fixture.request(.GET, "/v1/sales/EARN-2")
        #expect(waiting.body["earning"] == nil, "the ISSUE waits on the ack: \(waiting.text)")
        let acked = try await world.fixture.request(.POST, "/v1/sales/EARN-2/ack")
        #expect(acked.status == 200, "\(acked.text)")
        // The console is gone before its ISSUE: recovery (its next start) releases it less the discount and sends it.
        world.clock.advance(Self.ackSeconds * 2)
        _ = try await world.transactions.recover(policy: .once)
        let ledger = try await world.simulator.issuances()
        #expect(ledger.count == 1 && ledger.first?.miles == 4, "\(ledger)")
        let answer = try await world.fixture.request(.GET, "/v1/sales/EARN-2")
        #expect(answer.body["earning"] as? String == "earned", "\(answer.text)")
        #expect(answer.body["milesEarned"] as? Int == 4, "the miles the ledger recorded: \(answer.text)")
        // Read from the journal: the receipt lines name the miles and the sale's Issuance id (the Return screen scans it).
        let issue = try #require(try world.fixture.journal.earnings().first)
        let lines = answer.body["receipt"] as? [String] ?? []
        #expect(lines.suffix(2) == ["Miles earned: 4", "Transaction AIR MILES: " + issue.checkoutTransactionId], "\(lines)")
        RegisterContract.check(answer)
        await world.stop()
    }

    /// A $100 register sale whose REDEEM the console sends in this run and the host declines (81000000008:
    /// 0006), its ISSUE on the whole sale journaled with the intent; the console then stops before drawing it.
    static func declinedSale(_ saleId: String, _ world: World) async throws {
        #expect(try await world.fixture.push(["saleId": saleId, "postTaxTotal": "100.00"]).status == 201)
        let card = CardRead(number: try CollectorNumber(digits: "81000000008"), entryMode: .scan)
        let whole = EarningRequest(card: card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100))
        #expect(await world.fixture.server.desk.beginRedeem(saleId), "the console sends the sale's REDEEM in this run")
        let redemption = await world.transactions.redeem(
            RedemptionRequest(card: card, basket: Money(dollars: 100), amount: Money(dollars: 20)), saleId: saleId,
            acknowledgeWithin: ackSeconds, earning: whole)
        #expect(redemption.result.outcome == .declined, "\(redemption.result)")
    }

    /// A decline the register read ends the sale without a discount, even if the console stopped before it
    /// showed it: nobody rings that sale again, so it earns (on the whole sale), once, through recovery — where a
    /// sale whose end nobody read is taken for an interrupted one and does not earn here.
    @Test func aDeclineTheRegisterReadEarnsEvenWhenTheConsoleStoppedBeforeShowingIt() async throws {
        let world = try await World.start()
        try await Self.declinedSale("DECL-1", world)
        #expect(try world.fixture.journal.earnings().first?.saleUnseen == true, "nobody has seen the sale end yet")
        // The console stops here. The register reads the decline.
        let answer = try await world.fixture.request(.GET, "/v1/sales/DECL-1")
        #expect(answer.body["state"] as? String == "declined", "\(answer.text)")
        #expect(try world.fixture.journal.earnings().first?.saleUnseen == false, "the register saw the sale end")
        world.clock.advance(Self.ackSeconds * 2)
        _ = try await world.transactions.recover(policy: .once)
        let ledger = try await world.simulator.issuances()
        #expect(ledger.map(\.miles) == [5], "one ISSUE, on the whole $100: \(ledger)")
        await world.stop()
    }

    /// After a restart the register's read of a decline marks nothing: the register may have rung the purchase
    /// again while amcash was down, so a sale a pass took for an interrupted one stays unsent (it earns there).
    @Test func aDeclineReadAfterARestartDoesNotMakeAnInterruptedSaleEarn() async throws {
        let world = try await World.start()
        try await Self.declinedSale("DECL-2", world)
        let path = world.fixture.journalPath
        await world.fixture.stop()
        // The console died before drawing the decline; its next start's recovery finds a sale nobody saw end.
        world.clock.advance(Self.ackSeconds * 2)
        _ = try await world.transactions.recover(policy: .once)
        #expect(try world.fixture.journal.earnings().first?.state == .refused)
        let restarted = try await RegisterFixture.start(journalPath: path, clock: world.clock)
        let answer = try await restarted.request(.GET, "/v1/sales/DECL-2")
        #expect(answer.body["state"] as? String == "declined", "\(answer.text)")
        let transactions = JournaledTransactions(
            journal: restarted.journal, host: world.client, builder: RequestBuilder(identity: .training), now: { world.clock.now })
        _ = try await transactions.recover(policy: .once)
        #expect(try restarted.journal.earnings().first?.state == .refused, "still not sent")
        #expect(try await world.simulator.issuances().isEmpty)
        await restarted.stop()
        await world.client.shutdown()
        await world.simulator.stop()
    }

    @Test func afterARestartTheRegisterGetsTheJournalsAnswer() async throws {
        let world = try await World.start()
        #expect(try await world.fixture.push(["saleId": "RESTART-1", "postTaxTotal": "43.35"]).status == 201)
        #expect(await Self.redeem(world.transactions, saleId: "RESTART-1").result.outcome == .approved)
        #expect(try await world.fixture.request(.POST, "/v1/sales/RESTART-1/ack").status == 200)
        let path = world.fixture.journalPath
        await world.fixture.stop()

        // The console starts again on the same journal: the register asks again and gets the same answer.
        let restarted = try await RegisterFixture.start(journalPath: path)
        let answer = try await restarted.request(.GET, "/v1/sales/RESTART-1")
        #expect(
            answer.status == 200 && answer.body["state"] as? String == "approved" && answer.body["acknowledged"] as? Bool == true, "\(answer.text)")
        RegisterContract.check(answer)
        // Pushed again after the restart (the register never heard): the same sale, not a new one.
        let pushedAgain = try await restarted.push(["saleId": "RESTART-1", "postTaxTotal": "43.35"])
        #expect(pushedAgain.status == 200 && pushedAgain.body["state"] as? String == "approved", "\(pushedAgain.text)")
        #expect(restarted.recordedEvents.isEmpty, "the console is not shown it again")
        #expect(await world.simulator.redemptions().count == 1)
        await restarted.stop()
        await world.client.shutdown()
        await world.simulator.stop()
    }

    @Test func aSaleCannotBeCancelledOnceItsRedeemWasSentAndOnlyOneRedeemIsJournaledForIt() async throws {
        let world = try await World.start()
        #expect(try await world.fixture.push(["saleId": "ONE-1", "postTaxTotal": "43.35"]).status == 201)
        #expect(await world.fixture.server.desk.beginRedeem("ONE-1"))
        let cancel = try await world.fixture.request(.POST, "/v1/sales/ONE-1/cancel")
        #expect(cancel.status == 409, "being sent: \(cancel.text)")
        #expect(await Self.redeem(world.transactions, saleId: "ONE-1").result.outcome == .approved)
        let second = await Self.redeem(world.transactions, saleId: "ONE-1", dollars: 10)
        #expect(second.entry == nil && second.result.outcome != .approved, "a second REDEEM for the sale is refused before it is sent")
        let afterRedeem = try await world.fixture.request(.POST, "/v1/sales/ONE-1/cancel")
        #expect(afterRedeem.status == 409 && (afterRedeem.body["message"] as? String)?.contains("reverse") == true, "\(afterRedeem.text)")
        #expect(await world.simulator.redemptions().count == 1)
        await world.stop()
    }
}
