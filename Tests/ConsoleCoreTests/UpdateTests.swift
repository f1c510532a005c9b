import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import ReceiptPrinting
import Testing

@Suite struct UpdateTests {
    @Test func typedDigitsAreAManualEntryThatLooksUpABalanceOnly() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        #expect(Fixtures.type("43.35\n", into: &model, startingAt: &time).isEmpty)
        #expect(model.focus == .card && model.basketText == "43.35")
        let effects = Fixtures.type("81000000001\n", into: &model, startingAt: &time)
        #expect(model.kind == .lookingUp)
        #expect(
            effects == [
                .inquire(
                    InquiryRequest(
                        card: CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .manual),
                        basket: Money(cents: 4335)))
            ])
        #expect(model.cardText == "•••••••0001", "the field shows the card masked once it is read")
    }

    @Test func aScannerBurstIsReadAsAScanWhicheverFieldHasTheCursor() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.type("43.35", into: &model, startingAt: &time)
        let effects = Fixtures.scan("81000000001", into: &model, startingAt: &time)
        #expect(model.basketText == "43.35", "the burst that fell into the basket field was taken back out")
        #expect(effects == [.inquire(InquiryRequest(card: Fixtures.card, basket: Money(cents: 4335)))])
    }

    @Test func aScanWithoutABasketAsksForTheBasket() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        #expect(Fixtures.scan("81000000001", into: &model, startingAt: &time).isEmpty)
        #expect(model.kind == .ready && model.focus == .basket)
        #expect(model.notice == ConsoleText.badBasket)
        #expect(model.card == Fixtures.card)
    }

    @Test func aMalformedCardSaysWhy() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.type("10\n8100000\n", into: &model, startingAt: &time)
        #expect(model.kind == .ready)
        #expect(model.notice?.english == "A card number has 11 digits; this one has 7.")
    }

    @Test func escapeCancelsTheWaitForTheHost() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.type("43.35\n", into: &model, startingAt: &time)
        _ = Fixtures.scan("81000000001", into: &model, startingAt: &time)
        #expect(Fixtures.press(.escape, &model, &time) == [.cancel(.inquiry)])
        #expect(model.kind == .ready)
        #expect(update(&model, .inquired(.answered(Fixtures.plentyInquiry))).isEmpty)
        #expect(model.kind == .ready, "a late answer does not pull the cashier back")
    }

    @Test func theOfferDefaultsToTheBasketRoundedDownAndStepsByTenDollars() {
        var model = Fixtures.offerModel()
        var time: Int64 = 10_000
        #expect(model.kind == .offer)
        #expect(model.choice?.money == Money(dollars: 40))
        _ = Fixtures.press(.character("-"), &model, &time)
        #expect(model.choice?.money == Money(dollars: 30))
        _ = Fixtures.press(.up, &model, &time)
        _ = Fixtures.press(.up, &model, &time)
        #expect(model.choice?.money == Money(dollars: 40), "never up past the cap")
        _ = Fixtures.press(.character("0"), &model, &time)
        #expect(model.choice?.money == .zero)
        _ = Fixtures.press(.enter, &model, &time)
        #expect(model.kind == .offer, "nothing to confirm with no amount")
        _ = Fixtures.press(.character("M"), &model, &time)
        #expect(model.choice?.money == Money(dollars: 40))
    }

    @Test func aKeyedCardIsRefusedForRedemptionBeforeAnythingIsSent() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.type("43.35\n81000000001\n", into: &model, startingAt: &time)
        _ = update(&model, .inquired(.answered(Fixtures.plentyInquiry)))
        #expect(model.choice == nil)
        #expect(Fixtures.press(.enter, &model, &time).isEmpty)
        #expect(Fixtures.press(.character("y"), &model, &time).isEmpty)
        #expect(model.kind == .offer)
    }

    @Test func anInactiveCardShowsItsMessageAndAction() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.type("43.35\n", into: &model, startingAt: &time)
        _ = Fixtures.scan("81000000006", into: &model, startingAt: &time)
        _ = update(&model, .inquired(.answered(Fixtures.inactiveInquiry)))
        #expect(model.kind == .offer && model.choice == nil)
        #expect(model.notice?.english == "This collector account is inactive. Take another tender.")
    }

    @Test func noAnswerFromTheHostSaysWhatToDo() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.type("43.35\n", into: &model, startingAt: &time)
        _ = Fixtures.scan("81000000001", into: &model, startingAt: &time)
        _ = update(&model, .inquired(.unknown(.timedOut)))
        #expect(model.status.connection == .down)
        #expect(model.notice?.english == "No clear answer from AIR MILES yet. Take another tender.")
    }

    @Test func confirmingSendsTheRedemptionButAScannersEnterNeverConfirms() {
        var model = Fixtures.offerModel()
        var time: Int64 = 10_000
        _ = Fixtures.press(.character("-"), &model, &time)
        _ = Fixtures.press(.enter, &model, &time)
        #expect(model.kind == .confirm)
        time += 5
        #expect(update(&model, .key(KeyPress(.enter, at: time))).isEmpty, "an Enter 5 ms after the last key is a scanner's")
        #expect(model.kind == .confirm)
        let effects = Fixtures.press(.character("y"), &model, &time)
        #expect(model.kind == .redeeming)
        #expect(effects == [.redeem(RedemptionRequest(card: Fixtures.card, basket: Money(cents: 4335), amount: Money(dollars: 30)))])
    }

    @Test func thePreTaxTotalIsAskedWhenConfiguredAndSentWithTheRedemption() {
        var settings = Fixtures.settings
        settings.askPreTaxAmount = true
        var model = Model(settings: settings)
        var time: Int64 = 0
        _ = Fixtures.type("43.35\n", into: &model, startingAt: &time)
        #expect(model.focus == .preTax)
        // A card scanned before the pre-tax total is typed: the console asks for it and sends nothing.
        #expect(Fixtures.scan("81000000001", into: &model, startingAt: &time) == [])
        #expect(model.notice == ConsoleText.badPreTax && model.focus == .preTax)
        // Enter on the last amount looks up the card kept from the scan, as it was read (scanned).
        #expect(
            Fixtures.type("39.50\n", into: &model, startingAt: &time) == [.inquire(InquiryRequest(card: Fixtures.card, basket: Money(cents: 4335)))])
        #expect(model.kind == .lookingUp)
        #expect(Fixtures.press(.escape, &model, &time) == [.cancel(.inquiry)])
        #expect(model.focus == .preTax && model.preTaxText == "39.50", "the form comes back as it was")
        _ = Fixtures.press(.tab, &model, &time)
        #expect(model.focus == .card)
        _ = Fixtures.press(.tab, &model, &time)
        #expect(model.focus == .basket, "Tab goes round the three fields")
        let lookup = Fixtures.scan("81000000001", into: &model, startingAt: &time)
        #expect(lookup.count == 1 && model.kind == .lookingUp)
        _ = update(&model, .inquired(.answered(Fixtures.plentyInquiry)))
        _ = Fixtures.press(.enter, &model, &time)
        let effects = Fixtures.press(.character("y"), &model, &time)
        #expect(
            effects == [
                .redeem(
                    RedemptionRequest(
                        card: Fixtures.card, basket: Money(cents: 4335), amount: Money(dollars: 40),
                        preTaxAmount: Money(cents: 3950)))
            ])
    }

    @Test func withRequireScannerPrefixAFastKeyboardIsStillAKeyedNumber() {
        var settings = Fixtures.settings
        settings.requireScannerPrefix = true
        var macro = Model(settings: settings)
        var time: Int64 = 0
        _ = Fixtures.type("43.35\n", into: &macro, startingAt: &time)
        // A keyboard macro types as fast as a scanner, but without the symbology prefix.
        _ = Fixtures.scan("81000000001", into: &macro, startingAt: &time)
        #expect(macro.card?.entryMode == .manual, "timing alone does not make a scan")
        var scanner = Model(settings: settings)
        _ = Fixtures.type("43.35\n", into: &scanner, startingAt: &time)
        _ = Fixtures.scan("]C081000000001", into: &scanner, startingAt: &time)
        #expect(scanner.card?.entryMode == .scan)
    }

    @Test func declineGoesBackToTheOffer() {
        var model = Fixtures.offerModel()
        var time: Int64 = 10_000
        _ = Fixtures.press(.enter, &model, &time)
        _ = Fixtures.press(.character("n"), &model, &time)
        #expect(model.kind == .offer)
    }

    @Test func anApprovalShowsTheConfirmationAndPrintsTheReceipt() {
        var model = Fixtures.offerModel()
        var time: Int64 = 10_000
        _ = Fixtures.press(.enter, &model, &time)
        _ = Fixtures.press(.character("y"), &model, &time)
        let effects = update(&model, .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007"))
        #expect(model.kind == .result)
        #expect(model.redemption == .approved(Fixtures.approval, Fixtures.approvedRedemption.balances))
        guard case .printReceipt(let document, let traceId)? = effects.first else {
            Issue.record("no receipt")
            return
        }
        let lines = document.textLines
        #expect(traceId == "000000000007", "kept with its journal row if it does not print")
        #expect(document.barcodeData == "RD0000000001", "the confirmation number as a barcode, for a reversal by scanning")
        #expect(lines.contains("Confirmation: RD0000000001"))
        #expect(lines.contains("Card: *******0001"))
        #expect(lines.contains("*** TRAINING - NO VALUE ***"))
        #expect(!lines.joined().contains("81000000001"))
        _ = Fixtures.press(.character("r"), &model, &time)
        #expect(model.showingReceipt, "R shows the receipt on screen")
        _ = Fixtures.press(.enter, &model, &time)
        #expect(!model.showingReceipt)
        #expect(model.kind == .ready && model.basketText.isEmpty && model.card == nil)
    }

    @Test(arguments: [
        (
            HostResult<RedemptionReply>.answered(RedemptionReply(answer: Fixtures.answer(.insufficientMiles), approval: nil, balances: .none)),
            "declined"
        ),
        (.unknown(.timedOut), "unknown"),
        (.answered(RedemptionReply(answer: Fixtures.answer("0777", status: 200), approval: nil, balances: .none)), "unknown"),
        (.notSent(.cannotConnect("refused")), "notSent"),
    ])
    func everyOtherEndIsShownForWhatItIs(result: HostResult<RedemptionReply>, expected: String) {
        var model = Fixtures.offerModel()
        var time: Int64 = 10_000
        _ = Fixtures.press(.enter, &model, &time)
        _ = Fixtures.press(.character("y"), &model, &time)
        #expect(update(&model, .redeemed(result, traceId: "000000000008")).isEmpty, "no receipt without an approval")
        switch (model.redemption, expected) {
        case (.declined?, "declined"), (.unknown?, "unknown"), (.notSent?, "notSent"): break
        default: Issue.record("\(String(describing: model.redemption)) is not \(expected)")
        }
    }

    @Test func aRedemptionIsReversedFromTheList() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        #expect(Fixtures.press(.function(3), &model, &time) == [.loadReversible])
        #expect(model.kind == .reverseList)
        _ = update(&model, .reversibleLoaded([Fixtures.reversible, Fixtures.reversible]))
        _ = Fixtures.press(.down, &model, &time)
        #expect(model.reverseList!.selected == 1)
        _ = Fixtures.press(.down, &model, &time)
        #expect(model.reverseList!.selected == 1)
        _ = Fixtures.press(.up, &model, &time)
        _ = Fixtures.press(.enter, &model, &time)
        #expect(model.kind == .reverseConfirm)
        #expect(Fixtures.press(.character("y"), &model, &time) == [], "yes alone does not reverse: the card is read again")
        #expect(model.notice == ConsoleText.reverseNeedsCard)
        #expect(Fixtures.scan("81000000001", into: &model, startingAt: &time) == [.reverse(Fixtures.reversible, .english)])
        #expect(model.kind == .reversing)
        let effects = update(&model, .reversed(.reversed(confirmation: "RV0000000002", original: "RD0000000001")))
        #expect(model.kind == .reverseResult)
        guard case .printReceipt(let document, _)? = effects.first else {
            Issue.record("no receipt")
            return
        }
        #expect(document.textLines.contains("Confirmation: RV0000000002"))
    }

    @Test(arguments: ["RD0000000042", "]C0RD0000000042"])
    func aScannedReceiptSelectsItsRedemptionDirectly(scanned: String) {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.press(.function(3), &model, &time)
        let other = ReversibleItem(
            journalId: 2, confirmationNumber: "RD0000000042", card: Fixtures.card, maskedCard: "•••••••0001", money: Money(dollars: 10), time: "13:40"
        )
        // RD0000000042 also contains "RD00000000" like the first: only the whole number selects it.
        _ = update(&model, .reversibleLoaded([Fixtures.reversible, other]))
        _ = Fixtures.scan(scanned, into: &model, startingAt: &time)
        guard case .reverseConfirm(_, let item, _) = model.screen else {
            Issue.record("not on the question: \(model.kind)")
            return
        }
        #expect(item == other)
    }

    @Test func rReprintsWhileReceiptsWaitAndShowsTheReceiptOtherwise() {
        var model = Fixtures.offerModel()
        var time: Int64 = 10_000
        _ = Fixtures.press(.enter, &model, &time)
        _ = Fixtures.press(.character("y"), &model, &time)
        _ = update(&model, .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007"))
        #expect(update(&model, .printerState(.paperOut, unprinted: 1)).isEmpty)
        #expect(model.kind == .result, "a printer out of paper never blocks the sale")
        #expect(Fixtures.press(.character("R"), &model, &time) == [.reprintReceipts])
        #expect(!model.showingReceipt)
        _ = update(&model, .printerState(nil, unprinted: 0))
        #expect(Fixtures.press(.character("R"), &model, &time).isEmpty)
        #expect(model.showingReceipt)
    }

    @Test func aReversalSendsTheCardAsItWasReadAgainAndNeverATypedOne() {
        var time: Int64 = 0
        func onTheQuestion() -> Model {
            var model = Model(settings: Fixtures.settings)
            _ = Fixtures.press(.function(3), &model, &time)
            _ = update(&model, .reversibleLoaded([Fixtures.reversible]))
            _ = Fixtures.press(.enter, &model, &time)
            return model
        }
        var typed = onTheQuestion()
        #expect(Fixtures.type("81000000001\n", into: &typed, startingAt: &time) == [], "a typed number cannot reverse")
        #expect(typed.kind == .reverseConfirm)

        var wrong = onTheQuestion()
        #expect(Fixtures.scan("81000000002", into: &wrong, startingAt: &time) == [])
        #expect(wrong.notice == ConsoleText.reverseWrongCard("•••••••0001") && wrong.kind == .reverseConfirm)

        var swiped = onTheQuestion()
        let effects = Fixtures.scan(";81000000001=2912?", into: &swiped, startingAt: &time)
        guard case .reverse(let item, _)? = effects.first else {
            Issue.record("a swipe should reverse: \(effects)")
            return
        }
        #expect(item.card.entryMode == .swipe && item.confirmationNumber == Fixtures.reversible.confirmationNumber)
    }

    @Test func typingAConfirmationNumberFindsTheRedemption() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.press(.function(3), &model, &time)
        let other = ReversibleItem(
            journalId: 2, confirmationNumber: "RD0000000042", card: Fixtures.card, maskedCard: "•••••••0001",
            money: Money(dollars: 10), time: "13:40")
        _ = update(&model, .reversibleLoaded([Fixtures.reversible, other]))
        _ = Fixtures.type("42", into: &model, startingAt: &time)
        #expect(model.reverseList!.matches == [other])
        _ = Fixtures.press(.enter, &model, &time)
        #expect(Fixtures.scan("81000000001", into: &model, startingAt: &time) == [.reverse(other, .english)])
        var empty = Model(settings: Fixtures.settings)
        _ = Fixtures.press(.function(3), &empty, &time)
        _ = update(&empty, .reversibleLoaded([Fixtures.reversible]))
        _ = Fixtures.type("99", into: &empty, startingAt: &time)
        #expect(empty.reverseList!.matches.isEmpty)
        _ = Fixtures.press(.enter, &empty, &time)
        #expect(empty.kind == .reverseList, "nothing to confirm without a match")
        _ = Fixtures.press(.backspace, &empty, &time)
        _ = Fixtures.press(.backspace, &empty, &time)
        #expect(empty.reverseList!.matches == [Fixtures.reversible])
    }

    @Test func aQueuedReversalPrintsNothingYet() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        _ = Fixtures.press(.function(3), &model, &time)
        _ = update(&model, .reversibleLoaded([Fixtures.reversible]))
        _ = Fixtures.press(.enter, &model, &time)
        _ = Fixtures.scan("81000000001", into: &model, startingAt: &time)
        #expect(update(&model, .reversed(.queued(original: "RD0000000001"))).isEmpty)
        #expect(model.reversal == .queued(original: "RD0000000001"))
    }

    @Test func historyHelpLanguageAndQuit() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        #expect(Fixtures.press(.function(4), &model, &time) == [.loadHistory])
        #expect(model.kind == .history)
        _ = Fixtures.press(.escape, &model, &time)
        #expect(model.kind == .ready)
        _ = Fixtures.press(.function(1), &model, &time)
        #expect(model.kind == .help)
        _ = Fixtures.press(.function(1), &model, &time)
        #expect(model.kind == .ready)
        _ = Fixtures.press(.function(2), &model, &time)
        #expect(model.language == .french)
        #expect(Fixtures.press(.interrupt, &model, &time).isEmpty, "Ctrl-C does not quit")
        #expect(model.notice == ConsoleText.quitHint("F10") && !model.quit)
        #expect(Fixtures.press(.function(10), &model, &time) == [.quit])
        #expect(model.quit)
    }

    @Test func theLanguageGoesBackToTheDefaultForTheNextSale() {
        var model = Fixtures.offerModel()
        var time: Int64 = 10_000
        _ = Fixtures.press(.function(2), &model, &time)
        #expect(model.language == .french)
        _ = Fixtures.press(.escape, &model, &time)
        #expect(model.language == .english)
    }

    @Test func anEchoGoesOutEveryMinuteWhenIdle() {
        var model = Model(settings: Fixtures.settings)
        var echoes = 0
        for second in 0..<180 { echoes += update(&model, .tick(clock: "13:\(second / 60)")).count }
        #expect(echoes == 3)
        #expect(model.status.clock == "13:2")
        _ = update(&model, .echoed(false))
        #expect(model.status.connection == .down)
    }

    @Test func resizingKeepsTheSale() {
        var model = Fixtures.offerModel()
        _ = update(&model, .resized(columns: 40, rows: 12))
        #expect(model.isCompact && model.kind == .offer && model.choice?.money == Money(dollars: 40))
    }

    @Test func aQuitRequestFromASignalEndsTheLoop() {
        var model = Fixtures.offerModel()
        #expect(update(&model, .quitRequested) == [.quit])
        #expect(model.quit)
    }
}

@Suite struct ScannerTests {
    @Test func aScanStraightAfterTheBasketsEnterDoesNotEatTheBasket() {
        var model = Model(settings: Fixtures.settings)
        var time: Int64 = 0
        for character in "43.35" {
            time += 3
            _ = update(&model, .key(KeyPress(.character(character), at: time)))
        }
        time += 3
        _ = update(&model, .key(KeyPress(.enter, at: time)))
        for character in "81000000001" {
            time += 3
            _ = update(&model, .key(KeyPress(.character(character), at: time)))
        }
        time += 3
        let effects = update(&model, .key(KeyPress(.enter, at: time)))
        #expect(effects == [.inquire(InquiryRequest(card: Fixtures.card, basket: Money(cents: 4335)))])
    }
}
