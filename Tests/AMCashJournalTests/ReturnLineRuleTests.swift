import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import Testing

@testable import AMCashJournal

/// Returns by line, as the docs state them ("no more lines of an id go back than the sale had"; "when the sale's
/// ISSUE is in this journal it counts lines"): two defects the session-14 review found, each with the ledger's proof.
@Suite struct ReturnLineRuleTests {
    /// Once the sale's ISSUE is a day old its body is masked (`maskFinalEarnings`: "*******0001"). `Journal.saleItems`
    /// read it as a whole request, which refuses a collectorNumber that is not digits, so the journal forgot the sale's
    /// lines and fell back to the rule by id: the second kettle of a sale with two lines of id 7 was refused "returned
    /// already" by every path — a legitimate return no cashier could make. It reads only the items now.
    @Test func theSecondLineOfAnIdStillGoesBackOnceTheSaleIsMasked() async throws {
        let clock = TestClockBox(Date())
        let (simulator, client, journal, transactions) = try await EarningJournalTests.start(
            SimulatorOptions(clock: { clock.now }), now: { clock.now })
        let card = EarningJournalTests.card("81000000001", .manual)
        let kettles = [
            IssuanceItem(id: "7", name: "Kettle", finalAmount: Money(dollars: 60)),
            IssuanceItem(id: "7", name: "Kettle", finalAmount: Money(dollars: 40)),
        ]
        let earning = await transactions.earn(
            EarningRequest(card: card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 113), items: kettles))
        #expect(earning.outcome.exitStatus == 0)
        func returning(_ item: IssuanceItem) -> EarningRequest {
            EarningRequest(
                card: card, preTaxAmount: item.finalAmount!, postTaxAmount: item.finalAmount!, items: [item],
                originalCheckoutTransactionId: earning.checkoutTransactionId)
        }
        #expect(await transactions.returnSale(returning(kettles[1])).outcome.exitStatus == 0, "the first kettle, the same day")
        clock.advance(25 * 3600)
        _ = try journal.purgeCardNumbers(at: clock.now)
        let issue = try journal.earnings().first { $0.kind == "ISSUE" }
        #expect(issue.map { String(decoding: $0.body, as: UTF8.self).contains("*******0001") } == true, "the ISSUE is masked now")
        let second = await transactions.returnSale(returning(kettles[0]))
        #expect(second.outcome.exitStatus == 0, "the other line of id 7, the next day: \(second.outcome)")
        #expect(try await simulator.issuances().map(\.miles) == [5, -2, -3])
        await client.shutdown()
        await simulator.stop()
    }

    /// `Journal.returnedAgain` passed any first RETURN, and later refused only ids an earlier RETURN named — so ONE
    /// RETURN naming a line more often than the sale had it passed. Of a sale of one kettle (id 7) and one toaster
    /// (id 8), `amcash return --items` with the kettle twice was journaled and sent, and the host (capping at what the
    /// sale earned) took back every mile while the collector kept the toaster. Now each line of the request takes one
    /// open line of the sale: the kettle twice is refused unsent; the kettle once, then the toaster, go back.
    @Test func oneReturnCannotNameALineMoreOftenThanTheSaleHasIt() async throws {
        let (simulator, client, journal, transactions) = try await EarningJournalTests.start()
        let card = EarningJournalTests.card("81000000001", .manual)
        let kettle = IssuanceItem(id: "7", name: "Kettle", finalAmount: Money(dollars: 60))
        let toaster = IssuanceItem(id: "8", name: "Toaster", finalAmount: Money(dollars: 40))
        let earning = await transactions.earn(
            EarningRequest(card: card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 113), items: [kettle, toaster]))
        #expect(earning.outcome.exitStatus == 0)
        let twice = await transactions.returnSale(
            EarningRequest(
                card: card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 113), items: [kettle, kettle],
                originalCheckoutTransactionId: earning.checkoutTransactionId))
        guard case .refused(nil, _) = twice.outcome else {
            let ledger = try await simulator.issuances().map(\.miles)
            let kinds = try journal.earnings().map(\.kind)
            Issue.record("a RETURN naming the sale's one kettle line twice was not refused: \(twice.outcome); ledger \(ledger), journal \(kinds)")
            await client.shutdown()
            await simulator.stop()
            return
        }
        #expect(try await simulator.issuances().map(\.miles) == [5], "refused unsent")
        #expect(try journal.earnings().map(\.kind) == ["ISSUE"], "and unjournaled")
        for item in [kettle, toaster] {
            let back = await transactions.returnSale(
                EarningRequest(
                    card: card, preTaxAmount: item.finalAmount!, postTaxAmount: item.finalAmount!, items: [item],
                    originalCheckoutTransactionId: earning.checkoutTransactionId))
            #expect(back.outcome.exitStatus == 0, "\(item.name): \(back.outcome)")
        }
        #expect(try await simulator.issuances().map(\.miles) == [5, -3, -2])
        await client.shutdown()
        await simulator.stop()
    }
}
