import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
import ConsoleCore
import ConsoleRuntime
import ConsoleTestSupport
import Foundation
import ReceiptPrinting
import Testing

/// A whole sale at the till through `update` and the real effect performer: a real journal and the real
/// simulator over a real socket. The REDEEM ends first, then the ISSUE of the rest; the receipt prints the
/// miles the simulator's ledger recorded, once. The offer's CALCULATE answers what the ISSUE then records.
@Suite struct EarningEffectsTests {
    @Test func aSaleRedeemsThenEarnsOnTheRestAndTheReceiptPrintsTheLedgersMiles() async throws {
        let till = try await SimulatedTill.open()
        let performer = till.console()

        // A $100.00 sale for the plenty collector, $20 of it in AM Cash: the rest, $80.00, earns 4 miles (1 per whole $20).
        var console = TillConsole(performer, screen: try SimulatedTill.offerOfTwentyOnAHundred())
        // The offer's tick asks CALCULATE for the amount on screen: 4 miles, shown; nothing recorded.
        await console.send(.tick(clock: "13:32"))
        guard case .offer(let offer) = console.model.screen else {
            Issue.record("not on the offer: \(console.model.screen)")
            return
        }
        #expect(offer.previewMiles == 4, "\(String(describing: offer.preview))")
        #expect(try await till.simulator.issuances().isEmpty, "a CALCULATE moves nothing")
        await console.confirmTheOffer()

        // REDEEM to its end, then ISSUE: never both at once for one collector.
        let kinds = console.log.map { effect -> String in
            switch effect {
            case .redeem: "redeem"
            case .earn: "earn"
            case .printReceipt: "print"
            default: "other"
            }
        }
        #expect(kinds.filter { $0 != "other" } == ["redeem", "earn", "print"], "\(kinds)")
        #expect(console.log.first == .calculate(offer.earningRequest))
        guard case .result(let result) = console.model.screen, case .approved(let approval, _) = result.outcome else {
            Issue.record("not approved: \(console.model.screen)")
            return
        }
        #expect(approval.discount == Money(dollars: 20))
        #expect(
            result.earning == .done(.earned(miles: 4, confirmationNumber: try await till.simulator.issuances().first?.confirmationNumber, lines: [])))
        let rows = try await till.simulator.issuances()
        #expect(rows.count == 1 && rows.first?.miles == 4 && rows.first?.operation == "issue", "the ledger shows the miles once: \(rows)")
        let receipts = till.receipts
        #expect(receipts.contains("Miles earned:") && receipts.contains("Miles redeemed:"), "\(receipts)")
        #expect(till.printedFigure("Miles earned:") == "4", "the receipt prints the miles the host recorded: \(receipts)")
        #expect(!receipts.contains("81000000001"))

        // Recovery's forwarding finds nothing to send again: nothing earns twice.
        let forwarded = try await till.transactions.forwardEarnings(dueOnly: false)
        #expect(forwarded.answered == 0 && forwarded.waiting == 0)
        #expect(try await till.simulator.issuances().count == 1)
        #expect(try till.journal.earnings().map(\.state) == [.issued])
        await till.close()
    }

    @Test func aKeyedCardCannotRedeemButEarnsAndGetsAReceiptOfItsMiles() async throws {
        let till = try await SimulatedTill.open()
        let performer = till.console()
        // A keyed card on a $61.00 sale: no REDEEM is possible; Enter finishes the sale, which earns 3 miles.
        let keyed = CardRead(number: Fixtures.card.number, entryMode: .manual)
        var console = TillConsole(
            performer,
            screen: .offer(
                Offer(sale: Sale(card: keyed, basket: Money(dollars: 61), preTax: nil), inquiry: Fixtures.plentyInquiry, choice: nil, notice: nil)))
        await console.press(.enter)
        #expect(!console.log.contains { if case .redeem = $0 { true } else { false } }, "a keyed card never redeems")
        guard case .result(let result) = console.model.screen else {
            Issue.record("no result: \(console.model.screen)")
            return
        }
        #expect(result.outcome == .notRedeemed)
        let rows = try await till.simulator.issuances()
        #expect(rows.count == 1 && rows.first?.miles == 3, "\(rows)")
        #expect(result.earning == .done(.earned(miles: 3, confirmationNumber: rows.first?.confirmationNumber, lines: [])))
        let receipts = till.receipts
        #expect(receipts.contains("AIR MILES REWARD MILES") && !receipts.contains("81000000001"), "\(receipts)")
        #expect(till.printedFigure("Miles earned:") == "3", "the receipt prints the miles the host recorded: \(receipts)")
        await till.close()
    }

    /// The return screen, through `update` and the real performer: today's sale that earned is listed with its
    /// miles, its RETURN (journaled, naming the sale) takes them back on the simulator's ledger, and the sale
    /// is no longer listed.
    @Test func aSaleEarnedAtTheTillIsReturnedFromTheConsoleAndItsMilesGoBack() async throws {
        let till = try await SimulatedTill.open()
        let performer = till.console()
        // A $100.00 sale less $20 of AM Cash: $80.00 earns 4 miles.
        let sale = await till.transactions.earn(
            EarningRequest(
                card: Fixtures.card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100), amcashDiscount: Money(dollars: 20)))
        let id = try #require(sale.checkoutTransactionId)
        var console = TillConsole(performer)
        await console.press(.function(5))
        guard case .returnList(let list) = console.model.screen, let listed = list.items?.first else {
            Issue.record("the sale is not listed: \(console.model.screen)")
            return
        }
        #expect(list.items?.count == 1)
        #expect(listed.checkoutTransactionId == id && listed.milesEarned == 4 && listed.maskedCard == Fixtures.card.number.masked)
        #expect(listed.request.originalCheckoutTransactionId == id)
        #expect(listed.request.earnedOn() == (Money(dollars: 80), Money(dollars: 80)), "the return sends the amounts the sale earned on")
        console.move(.enter)
        await console.press(.character("y"))
        guard case .returnResult(let result) = console.model.screen, case .earned(let miles, let confirmation, _) = result.outcome else {
            Issue.record("not returned: \(console.model.screen)")
            return
        }
        #expect(miles == 4)
        let rows = try await till.simulator.issuances()
        #expect(rows.map(\.operation) == ["issue", "return"], "\(rows)")
        #expect(rows.last?.miles == -4 && rows.last?.originalCheckoutTransactionId == id && rows.last?.confirmationNumber == confirmation)
        #expect(try till.journal.earnings().map(\.kind) == ["ISSUE", "RETURN"])
        let receipts = till.receipts
        #expect(receipts.contains("AIR MILES RETURN") && receipts.contains(id), "\(receipts)")
        #expect(till.printedFigure("Miles taken back:") == "4", "the receipt prints the miles the host took back: \(receipts)")
        #expect(!receipts.contains("81000000001"))
        // Returned once: the list no longer offers it.
        await console.nextSaleThenReturnList()
        #expect(console.model.screen == .returnList(ReturnList(items: [])))
        await till.close()
    }

    /// Issue #28: the cashier ticks the items that go back. Their RETURN names only them, with their amounts;
    /// the simulator's ledger takes back their miles; the list then offers only the items left; the same items
    /// sent again are refused here, unsent; "all" returns what is left, and the sale leaves the list.
    /// Earns a $100.00 sale of `items` (5 miles: 1 per whole $20) and opens its Return checklist from the list:
    /// the console, the checklist and the sale's id; nil, with the issue recorded, when either step fails.
    static func openTheChecklist(
        of items: [IssuanceItem], at till: SimulatedTill
    ) async -> (TillConsole, ReturnChecklist, String)? {
        let sale = await till.transactions.earn(
            EarningRequest(card: Fixtures.card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 113), items: items))
        guard case .earned(5, _, _) = sale.outcome, let id = sale.checkoutTransactionId else {
            Issue.record("the sale did not earn 5 miles: \(sale.outcome)")
            return nil
        }
        var console = TillConsole(till.console())
        await console.press(.function(5))
        console.move(.enter)
        guard case .returnItems(_, let checklist) = console.model.screen else {
            Issue.record("no checklist: \(console.model.screen)")
            return nil
        }
        return (console, checklist, id)
    }

    @Test func chosenItemsGoBackOnceAndTheRestLater() async throws {
        let till = try await SimulatedTill.open()
        let items = [
            IssuanceItem(id: "1", name: "Kettle", finalAmount: Money(dollars: 45)),
            IssuanceItem(id: "2", name: "Mugs", quantity: 2, finalAmount: Money(dollars: 30)),
            IssuanceItem(id: "3", name: "Tea", finalAmount: Money(dollars: 25)),
        ]
        guard let (firstConsole, checklist, id) = await Self.openTheChecklist(of: items, at: till) else {
            await till.close()
            return
        }
        var console = firstConsole
        #expect(checklist.sale.remainingItems.map(\.id) == ["1", "2", "3"])
        // Kettle and Tea: $70.00 (post-tax $79.10) goes back, 3 miles.
        console.move(.character(" "))
        console.move(.down)
        console.move(.down)
        console.move(.character(" "))
        console.move(.enter)
        guard case .returnConfirm(_, let chosen) = console.model.screen else {
            Issue.record("no question: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(chosen.request.items.map(\.id) == ["1", "3"])
        #expect(chosen.request.preTaxAmount == Money(dollars: 70) && chosen.request.postTaxAmount == Money(cents: 7910))
        await console.press(.character("y"))
        guard case .returnResult(let result) = console.model.screen, case .earned(let miles, _, _) = result.outcome else {
            Issue.record("not returned: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(miles == 3)
        var rows = try await till.simulator.issuances()
        #expect(rows.map(\.miles) == [5, -3], "\(rows)")
        #expect(rows.last?.originalCheckoutTransactionId == id)
        #expect(till.printedFigure("Miles taken back:") == "3", "\(till.receipts)")
        #expect(till.receipts.contains("Item: Kettle 45.00") && till.receipts.contains("Item: Tea 25.00"), "\(till.receipts)")

        // The same items again, as a stale screen would send them: refused here, nothing sent, the ledger unchanged.
        let again = ConsoleEffectsTests.MessageBox()
        await console.performer.perform(.returnSale(chosen.request)) { again.append($0) }
        guard case .saleReturned(.refused(nil, let message)) = again.messages.first else {
            Issue.record("a second RETURN of the same items was not refused: \(again.messages)")
            await till.close()
            return
        }
        #expect(message.contains("item 1, 3") && message.contains("returned already"), "\(message)")
        #expect(try await till.simulator.issuances().count == 2)
        #expect(try till.journal.earnings().map(\.kind) == ["ISSUE", "RETURN"])

        // The list offers the sale again, with only the mugs left; "all" returns them.
        await console.nextSaleThenReturnList()
        console.move(.enter)
        guard case .returnItems(_, let rest) = console.model.screen else {
            Issue.record("no checklist: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(rest.sale.remainingItems.map(\.id) == ["2"] && rest.sale.returnedLines == [0, 2])
        console.move(.character("a"))
        await console.press(.character("y"))
        guard case .returnResult(let last) = console.model.screen, case .earned(let back, _, _) = last.outcome else {
            Issue.record("not returned: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(back == 1)
        rows = try await till.simulator.issuances()
        #expect(rows.map(\.miles) == [5, -3, -1], "\(rows)")
        // The RETURN journaled names the mugs only (its body was rewritten when its card number was masked: read its ids).
        let lastBody = try till.journal.earnings().last?.body ?? Data()
        var returnedIds: [String] = []
        if case .array(let named)? = (try? IssuanceJSON.parse(lastBody))?["items"] {
            for case .string(let itemId)? in named.map({ $0["id"] }) { returnedIds.append(itemId) }
        }
        #expect(returnedIds == ["2"])
        #expect(try till.journal.earnings().map(\.kind) == ["ISSUE", "RETURN", "RETURN"])
        // Every item went back: the sale leaves the list.
        await console.nextSaleThenReturnList()
        #expect(console.model.screen == .returnList(ReturnList(items: [])))
        await till.close()
    }

    /// Issue #28: a sale may carry two lines with one item id (two kettles rung apart, one of them discounted). Each is a
    /// line of its own on the checklist: the RETURN of one names that line and the ledger takes back its miles only;
    /// the list then offers the other, whose RETURN the journal lets through and the ledger takes the rest for; a
    /// third RETURN of that id is refused here, unsent, and the sale leaves the list.
    @Test func twoLinesWithOneItemIdGoBackEachOnItsOwn() async throws {
        let till = try await SimulatedTill.open()
        let items = [
            IssuanceItem(id: "7", name: "Kettle", finalAmount: Money(dollars: 60)),
            IssuanceItem(id: "7", name: "Kettle", finalAmount: Money(dollars: 40)),
        ]
        guard let (firstConsole, checklist, id) = await Self.openTheChecklist(of: items, at: till) else {
            await till.close()
            return
        }
        var console = firstConsole
        #expect(checklist.sale.remainingItems == items, "each line is a line of the checklist")
        // The $40.00 kettle: 2 miles back, and no more.
        console.move(.down)
        console.move(.character(" "))
        console.move(.enter)
        guard case .returnConfirm(_, let first) = console.model.screen else {
            Issue.record("no question: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(first.request.items == [items[1]] && first.request.preTaxAmount == Money(dollars: 40))
        await console.press(.character("y"))
        guard case .returnResult(let result) = console.model.screen, case .earned(2, _, _) = result.outcome else {
            Issue.record("not returned for 2 miles: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(try await till.simulator.issuances().map(\.miles) == [5, -2])

        // The list offers the sale again with the other kettle, the $60.00 one; it goes back for the rest.
        await console.nextSaleThenReturnList()
        console.move(.enter)
        guard case .returnItems(_, let rest) = console.model.screen else {
            Issue.record("the other line is not offered: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(rest.sale.remainingItems == [items[0]] && rest.sale.returnedLines == [1])
        console.move(.character("a"))
        guard case .returnConfirm(_, let second) = console.model.screen else {
            Issue.record("no question: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(second.request.items == [items[0]] && second.request.preTaxAmount == Money(dollars: 60))
        await console.press(.character("y"))
        guard case .returnResult(let last) = console.model.screen, case .earned(3, _, _) = last.outcome else {
            Issue.record("the other line did not go back for 3 miles: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(try await till.simulator.issuances().map(\.miles) == [5, -2, -3], "the ledger took back what the sale earned, once")

        // A third kettle of that id, as a stale screen would send it: refused here, nothing sent, the ledger unchanged.
        let again = ConsoleEffectsTests.MessageBox()
        await console.performer.perform(.returnSale(first.request)) { again.append($0) }
        guard case .saleReturned(.refused(nil, let message)) = again.messages.first else {
            Issue.record("a third RETURN of item 7 was not refused: \(again.messages)")
            await till.close()
            return
        }
        #expect(message.contains("item 7 of \(id)") && message.contains("returned already"), "\(message)")
        #expect(try await till.simulator.issuances().count == 3)
        #expect(try till.journal.earnings().map(\.kind) == ["ISSUE", "RETURN", "RETURN"])
        // Both lines went back: the sale leaves the list.
        await console.nextSaleThenReturnList()
        #expect(console.model.screen == .returnList(ReturnList(items: [])))
        await till.close()
    }

    /// Issue #28: the earning receipt names the sale by its `checkoutTransactionId` (text and barcode); scanned on the
    /// Return screen, it opens that sale. An id the list does not hold is looked up in the journal: a sale whose card
    /// number the till no longer keeps (a day after it), one returned already, or another till's is refused, saying why.
    @Test func anEarningReceiptScannedOnTheReturnScreenFindsItsSale() async throws {
        let till = try await SimulatedTill.open()
        let performer = till.console()
        var console = TillConsole(performer, screen: try SimulatedTill.offerOfTwentyOnAHundred())
        await console.confirmTheOffer()
        let printed = console.log.compactMap { effect -> ReceiptDocument? in
            if case .printReceipt(let document, _) = effect { document } else { nil }
        }
        let issue = try #require(try till.journal.earnings().first { $0.kind == "ISSUE" })
        let id = issue.checkoutTransactionId
        #expect(printed.count == 1 && printed.first?.lines.contains(.barcode(id)) == true, "\(printed)")
        #expect(till.receipts.contains("Transaction AIR MILES: \(id)"), "\(till.receipts)")

        // Scanned on the Return screen (after the scanner's symbology prefix): the sale opens at once.
        await console.nextSaleThenReturnList()
        await console.scan("C0" + id)
        guard case .returnConfirm(_, let sale) = console.model.screen else {
            Issue.record("the scan did not open the sale: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(sale.checkoutTransactionId == id)

        // Another till's id: said so, nothing else.
        console.move(.character("n"))
        console.move(.escape)
        await console.press(.function(5))
        await console.scan("LOY10001009000000000042")
        guard case .returnList(let list) = console.model.screen, let notice = list.notice else {
            Issue.record("no notice: \(console.model.screen)")
            await till.close()
            return
        }
        #expect(notice.english.hasPrefix("No sale of this till has that transaction id"))
        // Typing clears it.
        console.type("1")
        if case .returnList(let typed) = console.model.screen { #expect(typed.notice == nil) }

        // A day later the till no longer keeps the sale's card number: too old to return here, and it says how.
        #expect(try till.journal.purgeCardNumbers(at: Date().addingTimeInterval(2 * 86_400)) >= 1)
        guard case .failure(let old) = performer.findReturnable(id) else {
            Issue.record("an ISSUE whose card number is masked was offered for a RETURN")
            await till.close()
            return
        }
        #expect(old.text.english.contains("too old to return here") && old.text.english.contains("amcash return --original \(id)"))
        // Nothing was returned on the simulator's ledger.
        #expect(try await till.simulator.issuances().map(\.operation) == ["issue"])
        await till.close()
    }
}

/// Review s11: an approval the console could not record shown in time (APPROVED under the help overlay past its
/// time to be shown) is voided, the screen says not to give the discount — and the receipt must not say APPROVED
/// either. The sale earns on the whole amount the customer pays, once, and its receipt is the earning's alone.
@Suite struct ApprovalVoidedBeforeShownReceiptTests {
    @Test func anApprovalVoidedBeforeItWasShownPrintsNoRedemptionOnTheReceipt() async throws {
        let till = try await SimulatedTill.open()
        let performer = till.console()
        var model = Model(settings: Fixtures.settings)
        model.screen = try SimulatedTill.offerOfTwentyOnAHundred()
        var time: Int64 = 0
        _ = Fixtures.press(.enter, &model, &time)
        let redeem = Fixtures.press(.character("y"), &model, &time)
        #expect(redeem.count == 1)
        let answers = ConsoleEffectsTests.MessageBox()
        await performer.perform(redeem[0]) { answers.append($0) }
        // The help overlay is over the screen: APPROVED is not drawn, so nothing marks it shown or the sale seen.
        var effects: [Effect] = []
        for message in answers.messages { effects += update(&model, message) }
        guard case .result(let result) = model.screen, case .approved(let approval, _) = result.outcome,
            case .earn(_, _, let traceId?, _, let ifNotShown?) = effects.first
        else {
            Issue.record("an approval and its ISSUE with the receipt to print if it is not shown: \(model.screen) \(effects)")
            return
        }
        // The ISSUE waits for the approval's fate before anything is recorded or printed.
        let printed = ConsoleEffectsTests.MessageBox()
        let lane = Task { await performer.perform(effects[0]) { printed.append($0) } }
        try await Task.sleep(for: .milliseconds(300))
        #expect(printed.messages.isEmpty, "nothing answered while the approval is undecided")
        // Recorded meanwhile (for a reprint if the till stops): only the sale's receipt without the redemption.
        let recorded = try till.journal.unprintedReceipts()
        #expect(recorded.count == 1, "\(recorded.count)")
        #expect(recorded.allSatisfy { !String(decoding: $0.document, as: UTF8.self).contains("Discount") }, "no APPROVED while undecided")
        // Past its time to be shown, recovery voids the approval (and, nothing drawn yet, leaves the sale's ISSUE unsent).
        let later = JournaledTransactions(
            journal: till.journal, host: till.client, builder: RequestBuilder(identity: .training), now: { Date().addingTimeInterval(180) })
        _ = try await later.recover(policy: .once)
        #expect(try till.journal.entry(traceId: traceId)?.state == .voided)
        // The overlay closes: the result is drawn, the sale seen, and the shown mark refused.
        let drawnEffects = update(&model, .drawn)
        #expect(drawnEffects == [.markSaleSeen(traceId: traceId), .markShown(traceId: traceId)], "\(drawnEffects)")
        for effect in drawnEffects {
            let box = ConsoleEffectsTests.MessageBox()
            await performer.perform(effect) { box.append($0) }
            for message in box.messages { _ = update(&model, message) }
        }
        guard case .result(let voided) = model.screen, case .notSent = voided.outcome else {
            Issue.record("the screen must say not to give the discount: \(model.screen)")
            return
        }
        await lane.value
        for message in printed.messages {
            for effect in update(&model, message) { await performer.perform(effect) { _ in } }
        }
        let receipts = till.receipts
        #expect(!receipts.contains(approval.confirmationNumber) && !receipts.contains("Discount:"), "no APPROVED receipt: \(receipts)")
        #expect(receipts.contains("AIR MILES REWARD MILES"), "the earning's receipt: \(receipts)")
        // The host's miles on the whole $100 the customer pays — or "pending" on a till too loaded to get the
        // answer in the lane, and then recovery sends it: the ledger's miles, once, either way.
        let figure = till.printedFigure("Miles earned:")
        #expect(figure == "5" || figure == "pending", "\(receipts)")
        #expect(Receipt.withoutEarning(ifNotShown).textLines.allSatisfy { receipts.contains($0) || $0.isEmpty })
        guard case .result(let final) = model.screen, case .done(let outcome)? = final.earning else {
            Issue.record("the screen shows the sale's earning: \(model.screen)")
            return
        }
        #expect(Receipt.earnedValue(outcome, language: .english) == String(figure ?? ""), "the screen and the receipt agree")
        _ = try await till.transactions.forwardEarnings(dueOnly: false)
        #expect(try await till.simulator.issuances().map(\.miles) == [5], "one ISSUE, on the whole sale")
        #expect(await till.simulator.redemptions().allSatisfy { $0.reversalConfirmationNumber != nil }, "the debit was voided at the host")
        #expect(try till.journal.unprintedReceipts().isEmpty, "nothing left to reprint with APPROVED on it")
        await till.close()
    }
}

/// Review s9 #5 at the till: a sale whose REDEEM is NOT CONFIRMED still earns — its ISSUE is journaled held
/// behind the REDEEM, the screen and the receipt say "pending", and recovery earns it on the whole sale once
/// the REDEEM is voided.
@Suite struct NotConfirmedSaleEarnsTests {
    @Test func aNotConfirmedSaleShowsPendingAndEarnsOnceItsRedemptionIsVoided() async throws {
        let collector = Fixtures.card.number.unmaskedDigits
        let till = try await SimulatedTill.open(
            options: SimulatorOptions(faults: FaultPlan(rules: [try FaultRule(parsing: "\(collector):drop")])))
        let performer = till.console()
        var console = TillConsole(performer, screen: try SimulatedTill.offerOfTwentyOnAHundred())
        await console.confirmTheOffer()
        guard case .result(let result) = console.model.screen, case .unknown = result.outcome else {
            Issue.record("every answer lost: NOT CONFIRMED, got \(console.model.screen)")
            return
        }
        #expect(console.log.contains { if case .earnAfterRedemption = $0 { true } else { false } }, "\(console.log)")
        guard case .done(.pending) = result.earning else {
            Issue.record("the screen must say pending: \(String(describing: result.earning))")
            return
        }
        let receipts = till.receipts
        #expect(receipts.contains("Miles earned:") && receipts.contains("pending"), "\(receipts)")
        #expect(try await till.simulator.issuances().isEmpty, "not sent while the REDEEM is not confirmed")
        // The host answers again: recovery voids the unshown approval, then earns on the whole $100 sale.
        await till.simulator.injectFaults(FaultPlan())
        _ = try await till.transactions.recover(policy: .once)
        _ = try await till.transactions.recover(policy: .once)
        #expect(try till.journal.earnings().map(\.state) == [.issued])
        #expect(try await till.simulator.issuances().map(\.miles) == [5])
        await till.close()
    }

    /// A register that cancelled its sale just as the cashier confirmed (a one-module stand-in for the desk).
    final class CancellingRegister: RegisterLink, @unchecked Sendable {
        let acknowledgeSeconds = 120
        func beginRedeem(_ saleId: String) async -> Bool { false }
        func moved(_ saleId: String, to step: RegisterSaleStep) async {}
        func closed(_ saleId: String) async {}
        func earned(_ saleId: String, _ outcome: EarningOutcome) async {}
        func cancelled(_ saleId: String) async -> Bool { true }
    }

    /// The register cancels as the cashier confirms: the REDEEM is refused before it goes out, and the sale the
    /// register cancelled earns nothing — no row is journaled and no ISSUE reaches the simulator's ledger.
    @Test func aRegisterSaleCancelledAsTheCashierConfirmsEarnsNothing() async throws {
        let till = try await SimulatedTill.open()
        let performer = till.console(register: CancellingRegister())
        let sale = RedemptionRequest(card: Fixtures.card, basket: Money(dollars: 100), amount: Money(dollars: 20))
        let redeemed = ConsoleEffectsTests.MessageBox()
        await performer.perform(.redeemForRegister(sale, saleId: "POS7-CANCEL")) { redeemed.append($0) }
        guard case .redeemed(.notSent, let traceId) = redeemed.messages.first else {
            Issue.record("\(redeemed.messages)")
            return await till.close()
        }
        #expect(traceId == "-")
        let whole = EarningRequest(card: Fixtures.card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100))
        let earned = ConsoleEffectsTests.MessageBox()
        await performer.perform(.earnForRegister(whole, saleId: "POS7-CANCEL")) { earned.append($0) }
        guard case .earned(_, .refused(_, let message), _, _) = earned.messages.first else {
            Issue.record("\(earned.messages)")
            return await till.close()
        }
        #expect(message.contains("the register cancelled sale POS7-CANCEL"))
        #expect(try till.journal.earnings().isEmpty)
        #expect(try await till.simulator.issuances().isEmpty)
        await till.close()
    }
}
