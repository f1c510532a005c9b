import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import ReceiptPrinting
import Testing

/// `update` step by step: each step states the whole change to the model and the effects (`UpdateStore`).
@Suite struct UpdateTests {
    static let manual = CardRead(number: Fixtures.card.number, entryMode: .manual)

    @Test func typedDigitsAreAManualEntryThatLooksUpABalanceOnly() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        store.type("81000000001\n", effects: [.inquire(InquiryRequest(card: Self.manual, basket: Given.basket))]) {
            // The field shows the card masked once it is read.
            $0.screen = .lookingUp(
                Sale(card: Self.manual, basket: Given.basket, preTax: nil),
                form: ReadyForm(focus: .card, basketText: "43.35", cardText: "•••••••0001", card: Self.manual))
        }
    }

    @Test func aScannerBurstIsReadAsAScanWhicheverFieldHasTheCursor() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.type("43.35") { $0.screen = .ready(ReadyForm(basketText: "43.35")) }
        store.scan("81000000001", effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))]) {
            // The burst that fell into the basket field was taken back out.
            $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .basket))
        }
    }

    @Test func aScanWithoutABasketAsksForTheBasket() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.scan("81000000001") {
            $0.screen = .ready(ReadyForm(focus: .basket, cardText: Given.masked, card: Fixtures.card, notice: ConsoleText.badBasket))
        }
    }

    @Test func aMalformedCardSaysWhy() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.type("10\n8100000\n") {
            let notice = LocalizedText(
                english: "A card number has 11 digits; this one has 7.", french: "Un numéro de carte a 11 chiffres; celui-ci en a 7.")
            $0.screen = .ready(ReadyForm(focus: .card, basketText: "10", cardText: "8100000", notice: notice))
        }
    }

    @Test func escapeCancelsTheWaitForTheHost() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        store.scan("81000000001", effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))]) {
            $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .card))
        }
        store.press(.escape, effects: [.cancel(.inquiry)]) { $0.screen = .ready(Given.read(focus: .card)) }
        // A late answer does not pull the cashier back.
        store.send(.inquired(.answered(Fixtures.plentyInquiry)))
    }

    @Test func theOfferDefaultsToTheBasketRoundedDownAndStepsByTenDollars() {
        let store = UpdateStore.atTheOffer()
        #expect(Given.choice(4).money == Money(dollars: 40) && Given.choice(3).money == Money(dollars: 30))
        store.press(.character("-")) { $0.screen = .offer(Given.offer(3)) }
        store.press(.up) { $0.screen = .offer(Given.offer(4)) }
        store.press(.up)  // never up past the cap
        store.press(.character("0")) { $0.screen = .offer(Given.offer(0)) }
        store.press(.character("M")) { $0.screen = .offer(Given.offer(4)) }
        store.press(.character("0")) { $0.screen = .offer(Given.offer(0)) }
        // Enter with nothing to redeem finishes the sale: it earns on the whole amount, no REDEEM.
        let earning = EarningRequest(card: Fixtures.card, preTaxAmount: Given.basket, postTaxAmount: Given.basket)
        store.press(.enter, effects: [.earn(earning, receipt: Given.heldEarningReceipt(), traceId: nil)]) {
            $0.screen = .result(RedemptionResult(outcome: .notRedeemed, receipt: [], approvalToMark: nil, earning: .sending(earning)))
        }
    }

    @Test func theOfferShowsWhatTheSaleEarnsOnTheAmountOnScreenOnly() {
        let store = UpdateStore.atTheOffer()
        // At the next tick: CALCULATE on the sale less the $40 chosen.
        let at40 = Given.offer().earningRequest
        #expect(at40.amcashDiscount == Money(dollars: 40))
        var offer = Given.offer()
        offer.preview = EarningPreview(request: at40, miles: nil)
        store.send(.tick(clock: "13:32"), effects: [.calculate(at40)]) {
            $0.status.clock = "13:32"
            $0.status.secondsSinceEcho = 1
            $0.kiosk.idleSeconds = 1
            $0.screen = .offer(offer)
        }
        store.send(.calculated(at40, .earned(miles: 0, confirmationNumber: nil, lines: []))) {
            offer.preview?.miles = 0
            $0.screen = .offer(offer)
        }
        #expect(offer.previewMiles == 0)
        // A step changes the amount: the old answer is not shown for it, and the next tick asks again (its id
        // replaces any CALCULATE still in flight).
        var none = Given.offer(0)
        none.preview = offer.preview
        store.press(.character("0")) {
            $0.kiosk.idleSeconds = 0
            $0.screen = .offer(none)
        }
        #expect(none.previewMiles == nil, "an answer for another amount is never shown")
        let whole = none.earningRequest
        #expect(whole.amcashDiscount == .zero && Effect.calculate(whole).id == .calculation)
        none.preview = EarningPreview(request: whole, miles: nil)
        store.send(.tick(clock: "13:32"), effects: [.calculate(whole)]) {
            $0.status.secondsSinceEcho = 2
            $0.kiosk.idleSeconds = 1
            $0.screen = .offer(none)
        }
        // An answer for the old amount is dropped; a failure leaves the line out and the sale goes on.
        store.send(.calculated(at40, .earned(miles: 9, confirmationNumber: nil, lines: [])))
        store.send(.calculated(whole, .pending(reason: "the host cannot be reached")))
        store.send(.tick(clock: "13:32")) {
            $0.status.secondsSinceEcho = 3
            $0.kiosk.idleSeconds = 2
        }
        #expect(none.previewMiles == nil)
    }

    @Test func aKeyedCardIsRefusedForRedemptionBeforeAnythingIsSent() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let sale = Sale(card: Self.manual, basket: Given.basket, preTax: nil)
        store.type("43.35\n81000000001\n", effects: [.inquire(InquiryRequest(card: Self.manual, basket: Given.basket))]) {
            $0.screen = .lookingUp(sale, form: Given.read(focus: .card, card: Self.manual))
        }
        store.send(.inquired(.answered(Fixtures.plentyInquiry))) {
            $0.status.connection = .up
            $0.screen = .offer(Offer(sale: sale, inquiry: Fixtures.plentyInquiry, choice: nil, notice: nil))
        }
        store.press(.character("y"))
        // A keyed card cannot redeem, but it earns: Enter finishes the sale with an ISSUE, never a REDEEM.
        let earning = EarningRequest(card: Self.manual, preTaxAmount: Given.basket, postTaxAmount: Given.basket)
        store.press(.enter, effects: [.earn(earning, receipt: Given.heldEarningReceipt(card: Self.manual), traceId: nil)]) {
            $0.screen = .result(RedemptionResult(outcome: .notRedeemed, receipt: [], approvalToMark: nil, earning: .sending(earning)))
        }
        // Its own receipt prints with the miles the host recorded.
        let two = EarningOutcome.earned(miles: 2, confirmationNumber: nil, lines: [])
        let slip = Receipt.withEarning(Given.earningReceipt(card: Self.manual), two, language: .english)
        #expect(slip.textLines.contains("Card: *******0001") && slip.textLines.contains { $0.hasPrefix("Miles earned:") && $0.hasSuffix(" 2") })
        store.send(
            .earned(earning, two, receipt: Given.heldEarningReceipt(card: Self.manual), traceId: nil), effects: [.printReceipt(slip, traceId: nil)]
        ) {
            $0.screen = .result(RedemptionResult(outcome: .notRedeemed, receipt: slip.textLines, approvalToMark: nil, earning: .done(two)))
        }
        // An answer for another sale's ISSUE never lands on this screen.
        store.send(.earned(Given.approval(traceId: "1").request, .pending(reason: "late"), receipt: nil, traceId: nil))
    }

    @Test func anInactiveCardShowsItsMessageAndAction() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let card = CardRead(number: try! CollectorNumber(digits: "81000000006"), entryMode: .scan)
        let sale = Sale(card: card, basket: Given.basket, preTax: nil)
        store.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        store.scan("81000000006", effects: [.inquire(InquiryRequest(card: card, basket: Given.basket))]) {
            $0.screen = .lookingUp(sale, form: Given.read(focus: .card, card: card))
        }
        store.send(.inquired(.answered(Fixtures.inactiveInquiry))) {
            $0.status.connection = .up
            let notice = LocalizedText(
                english: "This collector account is inactive. Take another tender.",
                french: "Ce compte d’adhérent est inactif. Acceptez un autre mode de paiement.")
            $0.screen = .offer(Offer(sale: sale, inquiry: Fixtures.inactiveInquiry, choice: nil, notice: notice))
        }
    }

    @Test func noAnswerFromTheHostSaysWhatToDo() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        store.scan("81000000001", effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))]) {
            $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .card))
        }
        store.send(.inquired(.unknown(.timedOut))) {
            $0.status.connection = .down
            let notice = LocalizedText(
                english: "No clear answer from AIR MILES yet. Take another tender.",
                french: "Pas encore de réponse claire d’AIR MILES. Acceptez un autre mode de paiement.")
            $0.screen = .offer(Offer(sale: Given.sale, inquiry: nil, choice: nil, notice: notice))
        }
    }

    @Test func confirmingSendsTheRedemptionButAScannersEnterNeverConfirms() {
        let store = UpdateStore.atTheOffer()
        store.press(.character("-")) { $0.screen = .offer(Given.offer(3)) }
        store.press(.enter) { $0.screen = .confirm(Given.offer(3), Given.choice(3)) }
        store.press(.enter, after: 5)  // an Enter 5 ms after the last key is a scanner's
        store.press(.character("y"), effects: [.redeem(RedemptionRequest(card: Fixtures.card, basket: Given.basket, amount: Money(dollars: 30)))]) {
            $0.screen = .redeeming(Given.offer(3), Given.choice(3))
        }
    }

    @Test func thePreTaxTotalIsAskedWhenConfiguredAndSentWithTheRedemption() {
        var settings = Fixtures.settings
        settings.askPreTaxAmount = true
        let store = UpdateStore.console(Model(settings: settings))
        let sale = Sale(card: Fixtures.card, basket: Given.basket, preTax: Money(cents: 3950))
        let inquire = Effect.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))
        store.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .preTax, basketText: "43.35")) }
        // A card scanned before the pre-tax total is typed: the console asks for it and sends nothing.
        store.scan("81000000001") {
            $0.screen = .ready(
                ReadyForm(focus: .preTax, basketText: "43.35", cardText: Given.masked, card: Fixtures.card, notice: ConsoleText.badPreTax))
        }
        // Enter on the last amount looks up the card kept from the scan, as it was read (scanned).
        store.type("39.50\n", effects: [inquire]) { $0.screen = .lookingUp(sale, form: Given.read(focus: .preTax, preTax: "39.50")) }
        // The form comes back as it was.
        store.press(.escape, effects: [.cancel(.inquiry)]) { $0.screen = .ready(Given.read(focus: .preTax, preTax: "39.50")) }
        store.press(.tab) { $0.screen = .ready(Given.read(focus: .card, preTax: "39.50")) }
        // Tab goes round the three fields.
        store.press(.tab) { $0.screen = .ready(Given.read(focus: .basket, preTax: "39.50")) }
        store.scan("81000000001", effects: [inquire]) { $0.screen = .lookingUp(sale, form: Given.read(focus: .basket, preTax: "39.50")) }
        store.send(.inquired(.answered(Fixtures.plentyInquiry))) {
            $0.status.connection = .up
            $0.screen = .offer(Given.offer(sale: sale))
        }
        store.press(.enter) { $0.screen = .confirm(Given.offer(sale: sale), Given.choice(4)) }
        let redeem = RedemptionRequest(card: Fixtures.card, basket: Given.basket, amount: Money(dollars: 40), preTaxAmount: Money(cents: 3950))
        store.press(.character("y"), effects: [.redeem(redeem)]) { $0.screen = .redeeming(Given.offer(sale: sale), Given.choice(4)) }
    }

    @Test func withRequireScannerPrefixAFastKeyboardIsStillAKeyedNumber() {
        var settings = Fixtures.settings
        settings.requireScannerPrefix = true
        let macro = UpdateStore.console(Model(settings: settings))
        macro.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        // A keyboard macro types as fast as a scanner, but without the symbology prefix: timing alone does not make a scan.
        macro.scan("81000000001", effects: [.inquire(InquiryRequest(card: Self.manual, basket: Given.basket))]) {
            $0.screen = .lookingUp(Sale(card: Self.manual, basket: Given.basket, preTax: nil), form: Given.read(focus: .card, card: Self.manual))
        }
        let scanner = UpdateStore.console(Model(settings: settings))
        scanner.type("43.35\n") { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        scanner.scan("]C081000000001", effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))]) {
            $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .card))
        }
    }

    @Test func declineGoesBackToTheOffer() {
        let store = UpdateStore.atTheOffer()
        store.press(.enter) { $0.screen = .confirm(Given.offer(), Given.choice(4)) }
        store.press(.character("n")) { $0.screen = .offer(Given.offer()) }
    }

    /// From the offer: confirms $40 and the host approves it under `traceId`; returns the effects of the approval.
    @discardableResult
    static func approve(_ store: UpdateStore, traceId: String) -> [Effect] {
        store.press(.enter) { $0.screen = .confirm(Given.offer(), Given.choice(4)) }
        let request = RedemptionRequest(card: Fixtures.card, basket: Given.basket, amount: Money(dollars: 40))
        store.press(.character("y"), effects: [.redeem(request)]) { $0.screen = .redeeming(Given.offer(), Given.choice(4)) }
        let approval = Given.approval(traceId: traceId)
        return store.send(.redeemed(.answered(Fixtures.approvedRedemption), traceId: traceId), effects: [approval.effect]) {
            $0.screen = .result(approval.result)
        }
    }

    @Test func anApprovalShowsTheConfirmationAndPrintsTheReceipt() {
        let store = UpdateStore.atTheOffer()
        let approval = Given.approval(traceId: "000000000007")
        Self.approve(store, traceId: "000000000007")
        // The REDEEM ended: the ISSUE of the rest carries the receipt, printed with the miles the host recorded.
        var earned = approval.result
        earned.earning = .done(.earned(miles: 1, confirmationNumber: "IS1", lines: []))
        let withMiles = Receipt.withEarning(approval.receipt, .earned(miles: 1, confirmationNumber: "IS1", lines: []), language: .english)
        earned = RedemptionResult(
            outcome: earned.outcome, receipt: withMiles.textLines, approvalToMark: earned.approvalToMark, earning: earned.earning,
            saleToMarkSeen: earned.saleToMarkSeen)
        // The ISSUE carries the receipt as the journal records it before it is sent: "Miles earned: pending".
        guard case .earn(_, let held?, _, _, _) = approval.effect else {
            Issue.record("no receipt with the ISSUE: \(approval.effect)")
            return
        }
        #expect(held.textLines.filter { $0.hasPrefix("Miles earned:") } == ["Miles earned: pending"], "\(held.textLines)")
        let effects = store.send(
            .earned(approval.request, .earned(miles: 1, confirmationNumber: "IS1", lines: []), receipt: held, traceId: "000000000007"),
            effects: [.printReceipt(withMiles, traceId: "000000000007")]
        ) { $0.screen = .result(earned) }
        guard case .printReceipt(let document, let traceId)? = effects.first else {
            Issue.record("no receipt")
            return
        }
        let lines = document.textLines
        #expect(lines.filter { $0.hasPrefix("Miles earned:") } == ["Miles earned: 1"], "the pending line becomes the miles, once: \(lines)")
        #expect(approval.request.earnedOn().postTax == Money(cents: 4335 - 3000), "earned on the sale less the AM Cash discount")
        #expect(traceId == "000000000007", "kept with its journal row if it does not print")
        #expect(document.barcodeData == "RD0000000001", "the confirmation number as a barcode, for a reversal by scanning")
        #expect(lines.contains("Confirmation: RD0000000001"))
        #expect(lines.contains("Card: *******0001"))
        #expect(lines.contains("*** TRAINING - NO VALUE ***"))
        #expect(!lines.joined().contains("81000000001"))
        var shown = earned
        shown.showingReceipt = true
        // R shows the receipt on screen; Enter starts a new sale, the receipt put away.
        store.press(.character("r")) { $0.screen = .result(shown) }
        store.press(.enter) { $0.screen = .ready(ReadyForm()) }
    }

    @Test(arguments: [
        (
            HostResult<RedemptionReply>.answered(RedemptionReply(answer: Fixtures.answer(.insufficientMiles), approval: nil, balances: .none)),
            RedemptionOutcome.declined(Fixtures.answer(.insufficientMiles).meaning, hostMessage: nil)
        ),
        (.unknown(.timedOut), .unknown(traceId: "000000000008")),
        (
            .answered(RedemptionReply(answer: Fixtures.answer("0777", status: 200), approval: nil, balances: .none)),
            .unknown(traceId: "000000000008")
        ),
        (.notSent(.cannotConnect("refused")), .notSent(HostFailure.cannotConnect("refused").message)),
    ])
    func everyOtherEndIsShownForWhatItIs(result: HostResult<RedemptionReply>, expected: RedemptionOutcome) {
        let store = UpdateStore.atTheOffer()
        store.press(.enter) { $0.screen = .confirm(Given.offer(), Given.choice(4)) }
        let request = RedemptionRequest(card: Fixtures.card, basket: Given.basket, amount: Money(dollars: 40))
        store.press(.character("y"), effects: [.redeem(request)]) { $0.screen = .redeeming(Given.offer(), Given.choice(4)) }
        // No receipt without an approval. A sale whose REDEEM ended without one earns on its whole amount;
        // one not confirmed earns later: its ISSUE is journaled held behind the REDEEM, "pending" (review s9 #5).
        let earning = EarningRequest(card: Fixtures.card, preTaxAmount: Given.basket, postTaxAmount: Given.basket)
        if case .unknown = expected {
            store.send(
                .redeemed(result, traceId: "000000000008"),
                effects: [.earnAfterRedemption(earning, redemptionTraceId: "000000000008", receipt: Given.earningReceipt())]
            ) {
                $0.screen = .result(
                    RedemptionResult(
                        outcome: expected, receipt: [], approvalToMark: nil, earning: .sending(earning), saleToMarkSeen: "000000000008"))
            }
            // Drawn: the cashier saw NOT CONFIRMED, so the sale earns once its REDEEM ends.
            store.send(.drawn, effects: [.markSaleSeen(traceId: "000000000008")]) {
                $0.screen = .result(RedemptionResult(outcome: expected, receipt: [], approvalToMark: nil, earning: .sending(earning)))
            }
            store.send(.earned(earning, .pending(reason: "held"), receipt: nil, traceId: nil)) {
                $0.screen = .result(RedemptionResult(outcome: expected, receipt: [], approvalToMark: nil, earning: .done(.pending(reason: "held"))))
            }
            return
        }
        // The REDEEM's intent journaled the sale's ISSUE held: the effect names that REDEEM, even when nothing was
        // sent (the intent may be journaled all the same).
        store.send(
            .redeemed(result, traceId: "000000000008"),
            effects: [.earn(earning, receipt: Given.heldEarningReceipt(), traceId: nil, behind: "000000000008")]
        ) {
            $0.screen = .result(
                RedemptionResult(
                    outcome: expected, receipt: [], approvalToMark: nil, earning: .sending(earning), saleToMarkSeen: "000000000008"))
        }
        // Drawn: the end is seen, and only then may the held ISSUE be released on the whole sale.
        store.send(.drawn, effects: [.markSaleSeen(traceId: "000000000008")]) {
            $0.screen = .result(RedemptionResult(outcome: expected, receipt: [], approvalToMark: nil, earning: .sending(earning)))
        }
        store.send(.earned(earning, .pending(reason: "host away"), receipt: nil, traceId: nil)) {
            $0.screen = .result(RedemptionResult(outcome: expected, receipt: [], approvalToMark: nil, earning: .done(.pending(reason: "host away"))))
        }
    }

    @Test func aRedemptionIsReversedFromTheList() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let two = [Fixtures.reversible, Fixtures.reversible]
        store.press(.function(3), effects: [.loadReversible]) { $0.screen = .reverseList(ReverseList()) }
        store.send(.reversibleLoaded(two)) { $0.screen = .reverseList(ReverseList(items: two)) }
        store.press(.down) { $0.screen = .reverseList(ReverseList(items: two, selected: 1)) }
        store.press(.down)  // the last stays selected
        store.press(.up) { $0.screen = .reverseList(ReverseList(items: two, selected: 0)) }
        store.press(.enter) { $0.screen = .reverseConfirm(ReverseList(items: two), Fixtures.reversible, notice: nil) }
        // Yes alone does not reverse: the card is read again.
        store.press(.character("y")) {
            $0.screen = .reverseConfirm(ReverseList(items: two), Fixtures.reversible, notice: ConsoleText.reverseNeedsCard)
        }
        store.scan("81000000001", effects: [.reverse(Fixtures.reversible, .english)]) {
            $0.screen = .reversing(ReverseList(items: two), Fixtures.reversible)
        }
        let receipt = Receipt.reversal(
            card: Fixtures.card, money: Money(dollars: 30), original: "RD0000000001", reversalConfirmation: "RV0000000002",
            context: ReceiptContext(language: .english, showBalances: true, isTraining: true, identity: .training, clock: ""))
        let outcome = ReversalOutcome.reversed(confirmation: "RV0000000002", original: "RD0000000001")
        let effects = store.send(.reversed(outcome), effects: [.printReceipt(receipt, traceId: nil)]) {
            $0.screen = .reverseResult(ReversalResult(outcome: outcome, receipt: receipt.textLines))
        }
        guard case .printReceipt(let document, _)? = effects.first else {
            Issue.record("no receipt")
            return
        }
        #expect(document.textLines.contains("Confirmation: RV0000000002"))
    }

    static let other = ReversibleItem(
        journalId: 2, confirmationNumber: "RD0000000042", card: Fixtures.card, maskedCard: "•••••••0001", money: Money(dollars: 10), time: "13:40")

    @Test(arguments: ["RD0000000042", "]C0RD0000000042"])
    func aScannedReceiptSelectsItsRedemptionDirectly(scanned: String) {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let items = [Fixtures.reversible, Self.other]
        store.press(.function(3), effects: [.loadReversible]) { $0.screen = .reverseList(ReverseList()) }
        // RD0000000042 also contains "RD00000000" like the first: only the whole number selects it.
        store.send(.reversibleLoaded(items)) { $0.screen = .reverseList(ReverseList(items: items)) }
        // The scanner's symbology prefix `]C0` arrives as `C0`: `]` is not typed into the search.
        store.scan(scanned) { $0.screen = .reverseConfirm(ReverseList(items: items, query: scanned.filter { $0 != "]" }), Self.other, notice: nil) }
    }

    @Test func rReprintsWhileReceiptsWaitAndShowsTheReceiptOtherwise() {
        let store = UpdateStore.atTheOffer()
        Self.approve(store, traceId: "000000000007")
        // A printer out of paper never blocks the sale.
        store.send(.printerState(.paperOut, unprinted: 1)) {
            $0.status.printer = .paperOut
            $0.status.unprintedReceipts = 1
        }
        store.press(.character("R"), effects: [.reprintReceipts])
        store.send(.printerState(nil, unprinted: 0)) {
            $0.status.printer = nil
            $0.status.unprintedReceipts = 0
        }
        var shown = Given.approval(traceId: "000000000007").result
        shown.showingReceipt = true
        store.press(.character("R")) { $0.screen = .result(shown) }
    }

    /// A store on "Reverse this redemption?" for `Fixtures.reversible`.
    static func onTheQuestion() -> UpdateStore {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.press(.function(3), effects: [.loadReversible]) { $0.screen = .reverseList(ReverseList()) }
        store.send(.reversibleLoaded([Fixtures.reversible])) { $0.screen = .reverseList(ReverseList(items: [Fixtures.reversible])) }
        store.press(.enter) { $0.screen = .reverseConfirm(ReverseList(items: [Fixtures.reversible]), Fixtures.reversible, notice: nil) }
        return store
    }

    @Test func aReversalSendsTheCardAsItWasReadAgainAndNeverATypedOne() {
        let list = ReverseList(items: [Fixtures.reversible])
        // A typed number cannot reverse: its Enter is the cashier's yes, which asks for the card.
        let typed = Self.onTheQuestion()
        typed.type("81000000001\n") { $0.screen = .reverseConfirm(list, Fixtures.reversible, notice: ConsoleText.reverseNeedsCard) }

        let wrong = Self.onTheQuestion()
        wrong.scan("81000000002") { $0.screen = .reverseConfirm(list, Fixtures.reversible, notice: ConsoleText.reverseWrongCard("•••••••0001")) }

        let swiped = Self.onTheQuestion()
        let swipe = CardRead(number: Fixtures.card.number, entryMode: .swipe)
        let reread = ReversibleItem(
            journalId: 1, confirmationNumber: "RD0000000001", card: swipe, maskedCard: "•••••••0001", money: Money(dollars: 30), time: "13:32")
        let effects = swiped.scan(";81000000001=2912?", effects: [.reverse(reread, .english)]) {
            $0.screen = .reversing(list, Fixtures.reversible)
        }
        guard case .reverse(let item, _)? = effects.first else {
            Issue.record("a swipe should reverse: \(effects)")
            return
        }
        #expect(item.card.entryMode == .swipe && item.confirmationNumber == Fixtures.reversible.confirmationNumber)
    }

    @Test func typingAConfirmationNumberFindsTheRedemption() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let items = [Fixtures.reversible, Self.other]
        store.press(.function(3), effects: [.loadReversible]) { $0.screen = .reverseList(ReverseList()) }
        store.send(.reversibleLoaded(items)) { $0.screen = .reverseList(ReverseList(items: items)) }
        let found = ReverseList(items: items, query: "42")
        store.type("42") { $0.screen = .reverseList(found) }
        #expect(found.matches == [Self.other])
        store.press(.enter) { $0.screen = .reverseConfirm(found, Self.other, notice: nil) }
        store.scan("81000000001", effects: [.reverse(Self.other, .english)]) { $0.screen = .reversing(found, Self.other) }

        let empty = UpdateStore.console(Model(settings: Fixtures.settings))
        empty.press(.function(3), effects: [.loadReversible]) { $0.screen = .reverseList(ReverseList()) }
        empty.send(.reversibleLoaded([Fixtures.reversible])) { $0.screen = .reverseList(ReverseList(items: [Fixtures.reversible])) }
        let none = ReverseList(items: [Fixtures.reversible], query: "99")
        empty.type("99") { $0.screen = .reverseList(none) }
        #expect(none.matches.isEmpty)
        empty.press(.enter)  // nothing to confirm without a match
        empty.press(.backspace) { $0.screen = .reverseList(ReverseList(items: [Fixtures.reversible], query: "9")) }
        empty.press(.backspace) { $0.screen = .reverseList(ReverseList(items: [Fixtures.reversible])) }
        #expect(ReverseList(items: [Fixtures.reversible]).matches == [Fixtures.reversible])
    }

    @Test func aQueuedReversalPrintsNothingYet() {
        let store = Self.onTheQuestion()
        let list = ReverseList(items: [Fixtures.reversible])
        store.scan("81000000001", effects: [.reverse(Fixtures.reversible, .english)]) { $0.screen = .reversing(list, Fixtures.reversible) }
        store.send(.reversed(.queued(original: "RD0000000001"))) {
            $0.screen = .reverseResult(ReversalResult(outcome: .queued(original: "RD0000000001"), receipt: []))
        }
    }

    @Test func aSaleIsReturnedFromTodaysListAndItsMilesGoBack() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let two = [Fixtures.returnable, Fixtures.returnablePending]
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        store.send(.returnableLoaded(two)) { $0.screen = .returnList(ReturnList(items: two)) }
        store.press(.down) { $0.screen = .returnList(ReturnList(items: two, selected: 1)) }
        store.press(.down)  // the last stays selected
        store.press(.up) { $0.screen = .returnList(ReturnList(items: two, selected: 0)) }
        store.press(.enter) { $0.screen = .returnConfirm(ReturnList(items: two), Fixtures.returnable) }
        // No goes back to the list; nothing is sent.
        store.press(.character("n")) { $0.screen = .returnList(ReturnList(items: two)) }
        store.press(.enter) { $0.screen = .returnConfirm(ReturnList(items: two), Fixtures.returnable) }
        // Yes sends the RETURN of the whole sale, naming it by its transaction id.
        store.press(.character("y"), effects: [.returnSale(Fixtures.returnable.request)]) {
            $0.screen = .returning(ReturnList(items: two), Fixtures.returnable)
        }
        #expect(Fixtures.returnable.request.originalCheckoutTransactionId == "LOY10001001000000000012")
        // While the RETURN is with the host, keys wait.
        store.press(.escape)
        store.press(.function(3))
        store.press(.function(5))
        let taken = EarningOutcome.earned(miles: 4, confirmationNumber: "IR0000000002", lines: [])
        let receipt = Receipt.saleReturn(Fixtures.returnable, taken, context: Self.receiptContext)
        store.send(.saleReturned(taken), effects: [.printReceipt(receipt, traceId: nil)]) {
            $0.screen = .returnResult(ReturnResult(sale: Fixtures.returnable, outcome: taken, receipt: receipt.textLines))
        }
        #expect(receipt.textLines.contains { $0.hasPrefix("Miles taken back:") && $0.hasSuffix(" 4") }, "\(receipt.textLines)")
        #expect(receipt.textLines.contains { $0.contains("LOY10001001000000000012") } && !receipt.textLines.joined().contains("81000000001"))
        // A second answer finds no return waiting and changes nothing.
        store.send(.saleReturned(.pending(reason: "late")))
        // R shows the receipt, and back.
        var shown = ReturnResult(sale: Fixtures.returnable, outcome: taken, receipt: receipt.textLines)
        shown.showingReceipt = true
        store.press(.character("R")) { $0.screen = .returnResult(shown) }
        shown.showingReceipt = false
        store.press(.character("R")) { $0.screen = .returnResult(shown) }
        store.press(.enter) { $0.screen = .ready(ReadyForm()) }
    }

    @Test func typingATransactionIdFindsTheSaleAndAPendingReturnSaysSo() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let two = [Fixtures.returnable, Fixtures.returnablePending]
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        store.send(.returnableLoaded(two)) { $0.screen = .returnList(ReturnList(items: two)) }
        let found = ReturnList(items: two, query: "42")
        store.type("42") { $0.screen = .returnList(found) }
        #expect(found.matches == [Fixtures.returnablePending])
        store.press(.enter) { $0.screen = .returnConfirm(found, Fixtures.returnablePending) }
        store.press(.character("y"), effects: [.returnSale(Fixtures.returnablePending.request)]) {
            $0.screen = .returning(found, Fixtures.returnablePending)
        }
        let pending = EarningOutcome.pending(reason: "the host cannot be reached")
        let receipt = Receipt.saleReturn(Fixtures.returnablePending, pending, context: Self.receiptContext)
        store.send(.saleReturned(pending), effects: [.printReceipt(receipt, traceId: nil)]) {
            $0.screen = .returnResult(ReturnResult(sale: Fixtures.returnablePending, outcome: pending, receipt: receipt.textLines))
        }
        #expect(receipt.textLines.contains { $0.hasPrefix("Miles taken back:") && $0.hasSuffix(" pending") }, "\(receipt.textLines)")

        // Nothing matches: Enter has nothing to confirm; Backspace widens the search again; Esc is a new sale.
        let empty = UpdateStore.console(Model(settings: Fixtures.settings))
        empty.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        empty.send(.returnableLoaded(two)) { $0.screen = .returnList(ReturnList(items: two)) }
        empty.type("99") { $0.screen = .returnList(ReturnList(items: two, query: "99")) }
        #expect(ReturnList(items: two, query: "99").matches.isEmpty)
        empty.press(.enter)
        empty.press(.backspace) { $0.screen = .returnList(ReturnList(items: two, query: "9")) }
        empty.press(.escape) { $0.screen = .ready(ReadyForm()) }
        // A list read after the cashier left is dropped.
        empty.send(.returnableLoaded(two))
    }

    static let receiptContext = ReceiptContext(language: .english, showBalances: true, isTraining: true, identity: .training, clock: "")

    @Test func aReturnTheHostRefusesPrintsNothingAndSaysSo() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        store.send(.returnableLoaded([Fixtures.returnable])) { $0.screen = .returnList(ReturnList(items: [Fixtures.returnable])) }
        store.press(.enter) { $0.screen = .returnConfirm(ReturnList(items: [Fixtures.returnable]), Fixtures.returnable) }
        store.press(.character("y"), effects: [.returnSale(Fixtures.returnable.request)]) {
            $0.screen = .returning(ReturnList(items: [Fixtures.returnable]), Fixtures.returnable)
        }
        let refused = EarningOutcome.refused(code: "0035", message: "names no sale this collector earned on")
        store.send(.saleReturned(refused)) { $0.screen = .returnResult(ReturnResult(sale: Fixtures.returnable, outcome: refused)) }
        store.press(.character("R"))  // no receipt to show
    }

    /// F5 on a new sale: the Return list, loaded with today's one sale (`Fixtures.returnableWithItems`), each step stated.
    static func atTheReturnListOfASaleWithItems() -> (store: UpdateStore, sale: ReturnableSale, list: ReturnList) {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let sale = Fixtures.returnableWithItems
        let list = ReturnList(items: [sale])
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        store.send(.returnableLoaded([sale])) { $0.screen = .returnList(list) }
        return (store, sale, list)
    }

    /// An item's name came from a register or an `--items` file: what the checklist shows and the receipt prints
    /// carries none of its control characters (an escape sequence would reach the terminal or the ESC/POS printer).
    @Test func anItemsNameReachesNeitherTheScreenNorTheReceiptWithItsControlCharacters() {
        var request = Fixtures.returnableWithItems.request
        request.items = [
            IssuanceItem(id: "9\u{1B}[2J", name: "Kettle\u{1B}[2J\u{07}\u{202E}", quantity: 1, finalAmount: Money(cents: 4500)),
            IssuanceItem(id: "3", name: "Tea", quantity: 1, finalAmount: Money(cents: 1500)),
        ]
        let base = Fixtures.returnableWithItems
        let sale = ReturnableSale(
            journalId: base.journalId, checkoutTransactionId: base.checkoutTransactionId, maskedCard: base.maskedCard,
            milesEarned: base.milesEarned, time: base.time, request: request)
        let shown = sale.remainingItemLabels(.english)
        #expect(shown == ["Kettle[2J $45.00", "Tea $15.00"], "\(shown)")
        let chosen = sale.returning([request.items[0]])
        let receipt = Receipt.saleReturn(chosen, .earned(miles: 1, confirmationNumber: nil, lines: []), context: Self.receiptContext)
        let lines = receipt.textLines.filter { $0.hasPrefix("Item:") }
        #expect(lines.count == 1 && lines.allSatisfy { !$0.unicodeScalars.contains { HostText.isRemoved($0) } }, "\(lines)")
    }

    @Test func theCashierTicksTheItemsThatGoBackAndOnlyTheirAmountsAreReturned() {
        let (store, sale, list) = Self.atTheReturnListOfASaleWithItems()
        // A sale with items opens their checklist, nothing ticked; Enter with nothing ticked does nothing.
        store.press(.enter) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale)) }
        store.press(.enter)
        store.press(.character(" ")) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, chosen: [0])) }
        store.press(.down) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 1, chosen: [0])) }
        store.press(.down) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 2, chosen: [0])) }
        store.press(.down)  // the last stays selected
        store.press(.character(" ")) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 2, chosen: [0, 2])) }
        store.press(.up) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 1, chosen: [0, 2])) }
        store.press(.up) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 0, chosen: [0, 2])) }
        store.press(.up)  // the first stays selected
        // Space again unticks.
        store.press(.character(" ")) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 0, chosen: [2])) }
        store.press(.character(" ")) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 0, chosen: [0, 2])) }
        // Enter asks about the ticked items: Kettle ($45.00) and Tea ($15.00) of $90.00 of items on a sale that earned on
        // $72.00 go back at their share, $48.00 (post-tax $54.24), without the coupon.
        let chosen = sale.returning([sale.request.items[0], sale.request.items[2]])
        #expect(chosen.chosenItems.map(\.id) == ["1", "3"])
        #expect(chosen.request.items.map(\.id) == ["1", "3"])
        #expect(chosen.request.preTaxAmount == Money(cents: 4800) && chosen.request.postTaxAmount == Money(cents: 5424))
        #expect(chosen.request.coupons.isEmpty && chosen.request.originalCheckoutTransactionId == sale.checkoutTransactionId)
        #expect(chosen.request.card == sale.request.card)
        store.press(.enter) { $0.screen = .returnConfirm(list, chosen) }
        // No goes back to the list (a new choice starts from nothing ticked).
        store.press(.character("n")) { $0.screen = .returnList(list) }
        store.press(.enter) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale)) }
        // Esc on the checklist goes back to the list.
        store.press(.escape) { $0.screen = .returnList(list) }
        store.press(.enter) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale)) }
        store.press(.character(" ")) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, chosen: [0])) }
        store.press(.character(" ")) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale)) }
        store.press(.down) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 1)) }
        store.press(.character(" ")) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale, selected: 1, chosen: [1])) }
        let mugs = sale.returning([sale.request.items[1]])
        store.press(.enter) { $0.screen = .returnConfirm(list, mugs) }
        store.press(.character("y"), effects: [.returnSale(mugs.request)]) { $0.screen = .returning(list, mugs) }
        let taken = EarningOutcome.earned(miles: 2, confirmationNumber: "IR0000000009", lines: [])
        let receipt = Receipt.saleReturn(mugs, taken, context: Self.receiptContext)
        store.send(.saleReturned(taken), effects: [.printReceipt(receipt, traceId: nil)]) {
            $0.screen = .returnResult(ReturnResult(sale: mugs, outcome: taken, receipt: receipt.textLines))
        }
        #expect(receipt.textLines.contains { $0.hasPrefix("Item:") && $0.hasSuffix("2 x Mugs 30.00") }, "\(receipt.textLines)")
        #expect(receipt.textLines.contains { $0.hasPrefix("Miles taken back:") && $0.hasSuffix(" 2") }, "\(receipt.textLines)")
    }

    @Test func allIsOneKeyAwayAndReturnsTheWholeSaleOrWhatIsLeftOfIt() {
        let (store, sale, list) = Self.atTheReturnListOfASaleWithItems()
        store.press(.enter) { $0.screen = .returnItems(list, ReturnChecklist(sale: sale)) }
        // A with nothing returned yet is the whole sale, exactly the RETURN of before (its coupon too).
        store.press(.character("a")) { $0.screen = .returnConfirm(list, sale) }
        store.press(.character("y"), effects: [.returnSale(sale.request)]) { $0.screen = .returning(list, sale) }

        // A sale returned in part offers only what is left; all of it is those items, at their share.
        let part = ReturnableSale(
            journalId: sale.journalId, checkoutTransactionId: sale.checkoutTransactionId, maskedCard: sale.maskedCard, milesEarned: 3,
            time: sale.time, request: sale.request, returnedLines: [1])
        #expect(part.remainingItems.map(\.id) == ["1", "3"])
        let rest = UpdateStore.console(Model(settings: Fixtures.settings))
        let partList = ReturnList(items: [part])
        rest.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        rest.send(.returnableLoaded([part])) { $0.screen = .returnList(partList) }
        rest.press(.enter) { $0.screen = .returnItems(partList, ReturnChecklist(sale: part)) }
        let left = part.returning([sale.request.items[0], sale.request.items[2]])
        rest.press(.character("A")) { $0.screen = .returnConfirm(partList, left) }
        #expect(left.request.items.map(\.id) == ["1", "3"] && left.request.preTaxAmount == Money(cents: 4800))
        #expect(left.request.coupons.isEmpty)
    }

    @Test func theAmountsOfChosenItemsNeverExceedWhatTheSaleEarnedOn() {
        // Items that add up to less than the sale: their own amounts; to more: their share; never above the sale's.
        let items = [IssuanceItem(id: "a", finalAmount: Money(cents: 1999)), IssuanceItem(id: "b", baseAmount: Money(cents: 3001))]
        let sale = EarningRequest(
            card: Fixtures.returnable.request.card, preTaxAmount: Money(cents: 10000), postTaxAmount: Money(cents: 11300), items: items)
        #expect(ReturnableSale.amounts(of: [items[0]], in: sale) == (Money(cents: 1999), Money(cents: 2258)))
        #expect(ReturnableSale.amounts(of: items, in: sale) == (Money(cents: 5000), Money(cents: 5650)))
        let discounted = EarningRequest(
            card: sale.card, preTaxAmount: Money(cents: 3000), postTaxAmount: Money(cents: 3390), items: items)
        #expect(ReturnableSale.amounts(of: [items[1]], in: discounted) == (Money(cents: 1800), Money(cents: 2034)))
        #expect(ReturnableSale.amounts(of: items, in: discounted) == (Money(cents: 3000), Money(cents: 3390)))
    }

    @Test func aScannedEarningReceiptOpensItsSaleOrIsLookedUpInTheJournal() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let two = [Fixtures.returnable, Fixtures.returnableWithItems]
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        store.send(.returnableLoaded(two)) { $0.screen = .returnList(ReturnList(items: two)) }
        // The barcode of a listed sale, after the scanner's symbology prefix: its checklist opens at once.
        let scanned = ReturnList(items: two, query: "C0LOY10001001000000000077")
        #expect(scanned.matches == [Fixtures.returnableWithItems] && scanned.scannedItem == Fixtures.returnableWithItems)
        store.scan("C0LOY10001001000000000077") { $0.screen = .returnItems(scanned, ReturnChecklist(sale: Fixtures.returnableWithItems)) }
        store.press(.escape) { $0.screen = .returnList(scanned) }
        store.press(.escape) { $0.screen = .ready(ReadyForm()) }
        // An id the list does not hold (an earlier day's): the journal is asked; its refusal is said on the list.
        store.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        store.send(.returnableLoaded(two)) { $0.screen = .returnList(ReturnList(items: two)) }
        let other = ReturnList(items: two, query: "LOY10001001000000000003")
        store.scan("LOY10001001000000000003", effects: [.findReturnable(checkoutTransactionId: "LOY10001001000000000003")]) {
            $0.screen = .returnList(other)
        }
        let why = LocalizedText(english: "too old", french: "trop ancienne")
        store.send(.returnableFound(.failure(ReturnLookupRefusal(why)))) {
            $0.screen = .returnList(ReturnList(items: two, query: "LOY10001001000000000003", notice: why))
        }
        // Found in the journal: it opens as if listed (no items: the question).
        store.send(.returnableFound(.success(Fixtures.returnablePending))) {
            $0.screen = .returnConfirm(other, Fixtures.returnablePending)
        }
    }

    @Test func theReturnKeyOpensTheListFromBetweenSalesOnly() {
        // From the offer, the sale on screen is left (nothing was redeemed) for the return list.
        let offer = UpdateStore.atTheOffer()
        offer.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        // From the return list, F3 goes to the reverse list and F5 comes back.
        offer.press(.function(3), effects: [.loadReversible]) { $0.screen = .reverseList(ReverseList()) }
        offer.press(.function(5), effects: [.loadReturnable]) { $0.screen = .returnList(ReturnList()) }
        // Not while the cashier answers a question: the confirm screen ignores it.
        let confirm = UpdateStore.atTheOffer()
        confirm.press(.enter) { $0.screen = .confirm(Given.offer(), Given.choice(4)) }
        confirm.press(.function(5))
    }

    @Test func historyHelpLanguageAndQuit() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        store.press(.function(4), effects: [.loadHistory]) { $0.overlays = [.history(nil, page: 0)] }
        store.press(.escape) { $0.overlays = [] }
        store.press(.function(1)) { $0.overlays = [.help(page: 0)] }
        store.press(.function(1)) { $0.overlays = [] }
        store.press(.function(2)) { $0.language = .french }
        // Ctrl-C does not quit: it says which key does.
        store.press(.interrupt) { $0.screen = .ready(ReadyForm(notice: ConsoleText.quitHint("F10"))) }
        store.press(.function(10)) { $0.quit = true }
    }

    @Test func theLanguageGoesBackToTheDefaultForTheNextSale() {
        let store = UpdateStore.atTheOffer()
        store.press(.function(2)) { $0.language = .french }
        store.press(.escape) {
            $0.language = .english
            $0.screen = .ready(ReadyForm())
        }
    }

    @Test func anEchoGoesOutEveryMinuteWhenIdle() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        let minutes = (0..<180).map { second in Msg.tick(clock: "13:\(second / 60)") }
        store.send(minutes, effects: [.echo, .echo, .echo]) {
            $0.status.clock = "13:2"
            $0.status.secondsSinceEcho = 0
            $0.kiosk.idleSeconds = 180
        }
        store.send(.echoed(false)) { $0.status.connection = .down }
    }

    @Test func resizingKeepsTheSale() {
        let store = UpdateStore.atTheOffer()
        store.send(.resized(columns: 40, rows: 12)) {
            $0.columns = 40
            $0.rows = 12
        }
        #expect(store.model.isCompact)
    }

    /// At 40×12 a sale's receipt (11 lines) is longer than the screen: R shows its first page, R again the
    /// second (its miles earned were cut off before), then the summary. At 80×24 it fits: R shows it and back.
    @Test func aReceiptLongerThanTheScreenTurnsPageByPageWithR() {
        var model = Model(settings: Fixtures.settings)
        let result = RedemptionResult(outcome: .notRedeemed, receipt: (1...11).map { "line \($0)" }, approvalToMark: nil)
        model.screen = .result(result)
        let store = UpdateStore.console(model)
        var shown = result
        shown.showingReceipt = true
        store.press(.character("r")) { $0.screen = .result(shown) }
        #expect(ReceiptPages.page(0, of: result.receipt, store.model).pages == 1, "it fits at 80×24")
        store.press(.character("r")) { $0.screen = .result(result) }
        store.send(.resized(columns: 40, rows: 12)) {
            $0.columns = 40
            $0.rows = 12
        }
        store.press(.character("r")) { $0.screen = .result(shown) }
        #expect(ReceiptPages.page(0, of: result.receipt, store.model).lines == (1...8).map { "line \($0)" })
        #expect(store.model.screen.receiptPage(store.model)! == (0, 2))
        shown.receiptPage = 1
        store.press(.character("r")) { $0.screen = .result(shown) }
        #expect(ReceiptPages.page(1, of: result.receipt, store.model).lines == ["line 9", "line 10", "line 11"])
        store.press(.character("r")) { $0.screen = .result(result) }
        #expect(store.model.screen.receiptPage(store.model) == nil)
        // A line wider than the screen is wrapped (it was cut at 40 columns); the others keep their spacing.
        let earning = ["Miles:     2"] + (2...9).map { "line \($0)" } + ["Transaction AIR MILES: LOY10001001000000000003"]
        #expect(ReceiptPages.page(0, of: earning, store.model).lines.first == "Miles:     2")
        #expect(ReceiptPages.page(1, of: earning, store.model).lines == ["line 9", "Transaction AIR MILES:", "LOY10001001000000000003"])
    }

    @Test func aQuitRequestFromASignalEndsTheLoop() {
        let store = UpdateStore.atTheOffer()
        store.send(.quitRequested) { $0.quit = true }
    }
}

@Suite struct ScannerTests {
    /// Keys 3 ms apart, from `time` on.
    static func burst(_ keys: [Key], _ time: inout Int64) -> [Msg] {
        keys.map { key in
            time += 3
            return .key(KeyPress(key, at: time))
        }
    }

    @Test func aScanStraightAfterTheBasketsEnterDoesNotEatTheBasket() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings))
        var time: Int64 = 0
        store.send(Self.burst("43.35".map(Key.character) + [.enter], &time)) { $0.screen = .ready(ReadyForm(focus: .card, basketText: "43.35")) }
        store.send(
            Self.burst("81000000001".map(Key.character) + [.enter], &time),
            effects: [.inquire(InquiryRequest(card: Fixtures.card, basket: Given.basket))]
        ) { $0.screen = .lookingUp(Given.sale, form: Given.read(focus: .card)) }
    }
}
