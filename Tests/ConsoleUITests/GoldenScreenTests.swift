import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import Foundation
import ReceiptPrinting
import Testing

@testable import ConsoleUI

/// Every screen, drawn into a Frame at 80×24 and 40×12, in English and French, compared with
/// the reviewed text in Goldens/. `AMCASH_RECORD_GOLDENS=1 swift test --filter GoldenScreenTests`
/// rewrites them: review the diff before committing.
@Suite struct GoldenScreenTests {
    static let sizes = [(80, 24), (40, 12)]

    static func states() -> [(String, Model)] {
        var states: [(String, Model)] = []
        var time: Int64 = 0
        /// `model` with the status line every golden shows: 13:32, the host reached.
        func withStatus(_ model: Model) -> Model {
            var shown = model
            _ = update(&shown, .clock("13:32"))
            _ = update(&shown, .echoed(true))
            return shown
        }
        /// `model` after one key, kept as the golden `name`: most screens are one key from the one before.
        func pressed(_ key: Key, on model: Model, as name: String) -> Model {
            var next = model
            _ = Fixtures.press(key, &next, &time)
            states.append((name, next))
            return next
        }
        let ready = withStatus(Model(settings: Fixtures.settings))
        states.append(("ready", ready))

        var typed = ready
        _ = Fixtures.type("43.35", into: &typed, startingAt: &time)
        states.append(("ready-basket", typed))

        var lookingUp = typed
        _ = Fixtures.scan("81000000001", into: &lookingUp, startingAt: &time)
        states.append(("looking-up", lookingUp))

        var offer = lookingUp
        _ = update(&offer, .inquired(.answered(Fixtures.plentyInquiry)))
        _ = Fixtures.press(.character("-"), &offer, &time)
        states.append(("offer", offer))

        // CALCULATE answered at the next tick: "This sale earns 2 miles" on the amount on screen.
        var earns = offer
        _ = update(&earns, .tick(clock: "13:32"))
        if case .offer(let shown) = earns.screen {
            _ = update(&earns, .calculated(shown.earningRequest, .earned(miles: 2, confirmationNumber: nil, lines: [])))
        }
        states.append(("offer-earns", earns))

        var keyed = typed
        _ = Fixtures.type("\n81000000001\n", into: &keyed, startingAt: &time)
        _ = update(&keyed, .inquired(.answered(Fixtures.plentyInquiry)))
        states.append(("offer-keyed-card", keyed))

        var inactive = typed
        _ = Fixtures.scan("81000000006", into: &inactive, startingAt: &time)
        _ = update(&inactive, .inquired(.answered(Fixtures.inactiveInquiry)))
        states.append(("offer-inactive", inactive))

        let confirm = pressed(.enter, on: offer, as: "confirm")

        let redeeming = pressed(.character("y"), on: confirm, as: "redeeming")

        var approved = redeeming
        _ = update(&approved, .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007"))
        states.append(("result-approved", approved))

        // The ISSUE of the rest answered: the miles the host recorded, on screen and on the receipt.
        var earned = approved
        let earning = EarningRequest(
            card: Fixtures.card, preTaxAmount: Money(cents: 4335), postTaxAmount: Money(cents: 4335), amcashDiscount: Money(dollars: 30))
        let document = Receipt.redemption(
            Fixtures.approval, balances: Fixtures.approvedRedemption.balances, card: Fixtures.card, traceId: "000000000007",
            context: ReceiptContext(language: .english, showBalances: true, isTraining: true, identity: .training, clock: "13:32"))
        _ = update(
            &earned, .earned(earning, .earned(miles: 1, confirmationNumber: "IS0000000001", lines: []), receipt: document, traceId: "000000000007"))
        states.append(("result-earned", earned))

        // A keyed card cannot redeem but earns: Enter finishes the sale; the host away, the miles are pending.
        var keyedSale = keyed
        _ = Fixtures.press(.enter, &keyedSale, &time)
        let keyedCard = CardRead(number: Fixtures.card.number, entryMode: .manual)
        _ = update(
            &keyedSale,
            .earned(
                EarningRequest(card: keyedCard, preTaxAmount: Money(cents: 4335), postTaxAmount: Money(cents: 4335)),
                .pending(reason: "the host cannot be reached"), receipt: nil, traceId: nil))
        states.append(("result-earning-pending", keyedSale))

        _ = pressed(.character("r"), on: earned, as: "result-receipt")
        // At 40×12 the receipt is two pages: R again turns to the second (its miles earned), then back to the summary.
        var smallTill = earned
        _ = update(&smallTill, .resized(columns: 40, rows: 12))
        _ = Fixtures.press(.character("r"), &smallTill, &time)
        _ = pressed(.character("r"), on: smallTill, as: "result-receipt-more")

        var declined = redeeming
        _ = update(
            &declined,
            .redeemed(
                .answered(RedemptionReply(answer: Fixtures.answer(.dailyLimitExceeded), approval: nil, balances: .none)),
                traceId: "000000000008"))
        states.append(("result-declined", declined))

        var unknown = redeeming
        _ = update(&unknown, .redeemed(.unknown(.timedOut), traceId: "000000000009"))
        states.append(("result-unknown", unknown))

        // A sale the store's register pushed: its totals filled in and locked, the cursor on the card.
        var registerSale = ready
        _ = update(&registerSale, .registerSaleArrived(RegisterSaleOrigin(saleId: "POS7-000123", basket: Money(cents: 4335))))
        states.append(("register-sale", registerSale))

        // Its approval, never acknowledged by the register: voided, and the cashier is told.
        var registerVoided = registerSale
        _ = Fixtures.scan("81000000001", into: &registerVoided, startingAt: &time)
        _ = update(&registerVoided, .inquired(.answered(Fixtures.plentyInquiry)))
        _ = Fixtures.press(.enter, &registerVoided, &time)
        _ = Fixtures.press(.character("y"), &registerVoided, &time)
        _ = update(&registerVoided, .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000010"))
        _ = update(&registerVoided, .registerApprovalVoided(saleId: "POS7-000123"))
        states.append(("register-voided", registerVoided))

        var reverseList = ready
        _ = Fixtures.press(.function(3), &reverseList, &time)
        _ = update(&reverseList, .reversibleLoaded([Fixtures.reversible]))
        states.append(("reverse-list", reverseList))

        let reverseConfirm = pressed(.enter, on: reverseList, as: "reverse-confirm")

        var reversed = reverseConfirm
        _ = Fixtures.scan("81000000001", into: &reversed, startingAt: &time)
        _ = update(&reversed, .reversed(.reversed(confirmation: "RV0000000002", original: "RD0000000001")))
        states.append(("reverse-result", reversed))

        // Refused before anything was sent: another transaction for the collector is in progress (N3). The
        // redemption stands and the cashier tries again in a moment; no supervisor.
        var reverseBusy = reverseConfirm
        _ = Fixtures.scan("81000000001", into: &reverseBusy, startingAt: &time)
        _ = update(&reverseBusy, .reversed(.collectorBusy(original: "RD0000000001")))
        states.append(("reverse-busy", reverseBusy))

        // A busy day: 40 redemptions, more than a page holds. The list pages with the selection (the 30th), the title
        // naming the page; on the question the list pages in the rows the question leaves it.
        var reverseListScrolled = ready
        _ = Fixtures.press(.function(3), &reverseListScrolled, &time)
        _ = update(&reverseListScrolled, .reversibleLoaded(BusyDay.reversible(40)))
        for _ in 0..<29 { _ = Fixtures.press(.down, &reverseListScrolled, &time) }
        states.append(("reverse-list-scrolled", reverseListScrolled))
        let reverseConfirmScrolled = pressed(.enter, on: reverseListScrolled, as: "reverse-confirm-scrolled")
        // Yes without the card read again: the notice says to read it; at 40×12 it stands in for the request to.
        _ = pressed(.character("y"), on: reverseConfirmScrolled, as: "reverse-needs-card-scrolled")

        // A sale brought back: today's sales that earned, the question, and the miles going back (or pending).
        var returnList = ready
        _ = Fixtures.press(.function(5), &returnList, &time)
        _ = update(&returnList, .returnableLoaded([Fixtures.returnable, Fixtures.returnablePending]))
        states.append(("return-list", returnList))

        // A busy day: 40 sales that earned, more than a page holds; the list pages with the selection (the 30th).
        var returnListScrolled = ready
        _ = Fixtures.press(.function(5), &returnListScrolled, &time)
        _ = update(&returnListScrolled, .returnableLoaded(BusyDay.returnable(40)))
        for _ in 0..<29 { _ = Fixtures.press(.down, &returnListScrolled, &time) }
        states.append(("return-list-scrolled", returnListScrolled))

        let returnConfirm = pressed(.enter, on: returnList, as: "return-confirm")

        var returned = returnConfirm
        _ = Fixtures.press(.character("y"), &returned, &time)
        var returnPending = returned
        _ = update(&returned, .saleReturned(.earned(miles: 4, confirmationNumber: "IR0000000002", lines: [])))
        states.append(("return-result", returned))
        _ = update(&returnPending, .saleReturned(.pending(reason: "the host cannot be reached")))
        states.append(("return-pending", returnPending))

        // A sale with items: the checklist (Kettle ticked, the cursor on the mugs), the question, the miles going back.
        var returnItems = ready
        _ = Fixtures.press(.function(5), &returnItems, &time)
        _ = update(&returnItems, .returnableLoaded([Fixtures.returnableWithItems]))
        _ = Fixtures.press(.enter, &returnItems, &time)
        _ = Fixtures.press(.character(" "), &returnItems, &time)
        _ = Fixtures.press(.down, &returnItems, &time)
        states.append(("return-items", returnItems))

        // A sale with more items than a page holds: the checklist pages with the selection (the 21st of 30, the 18th
        // ticked), the title naming the page; the lines already returned (one of two mugs under one id) under the last.
        var returnItemsScrolled = ready
        _ = Fixtures.press(.function(5), &returnItemsScrolled, &time)
        _ = update(&returnItemsScrolled, .returnableLoaded([Fixtures.returnableWithManyItems]))
        _ = Fixtures.press(.enter, &returnItemsScrolled, &time)
        for _ in 0..<17 { _ = Fixtures.press(.down, &returnItemsScrolled, &time) }
        _ = Fixtures.press(.character(" "), &returnItemsScrolled, &time)
        for _ in 0..<3 { _ = Fixtures.press(.down, &returnItemsScrolled, &time) }
        states.append(("return-items-scrolled", returnItemsScrolled))
        // All 30 of them going back: the items the question's screen has no room for are counted, the question stays.
        _ = pressed(.character("a"), on: returnItemsScrolled, as: "return-items-confirm-many")

        // A scanned receipt of a sale the till can no longer return: the list says why.
        var returnNotHere = returnList
        _ = Fixtures.scan("LOY10001001000000000003", into: &returnNotHere, startingAt: &time)
        let why = LocalizedText(
            english:
                "This sale of 2026-12-01 is too old to return here: the till keeps its card number one day. Return it with amcash return --original LOY10001001000000000003 --card N.",
            french:
                "Cette vente du 2026-12-01 est trop ancienne pour un retour ici : le terminal garde son n° de carte un jour. Retournez-la avec amcash return --original LOY10001001000000000003 --card N."
        )
        _ = update(&returnNotHere, .returnableFound(.failure(ReturnLookupRefusal(why))))
        states.append(("return-not-here", returnNotHere))

        _ = pressed(.function(1), on: returnItems, as: "help-return-items")

        var returnItemsConfirm = returnItems
        _ = Fixtures.press(.down, &returnItemsConfirm, &time)
        _ = Fixtures.press(.character(" "), &returnItemsConfirm, &time)
        _ = Fixtures.press(.enter, &returnItemsConfirm, &time)
        states.append(("return-items-confirm", returnItemsConfirm))

        var returnedItems = returnItemsConfirm
        _ = Fixtures.press(.character("y"), &returnedItems, &time)
        _ = update(&returnedItems, .saleReturned(.earned(miles: 2, confirmationNumber: "IR0000000003", lines: [])))
        states.append(("return-items-result", returnedItems))

        var history = ready
        _ = Fixtures.press(.function(4), &history, &time)
        _ = update(
            &history,
            .historyLoaded([
                HistoryLine(
                    time: "13:32", kind: "REDEEM", maskedCard: "•••••••0001", state: "approved",
                    money: Money(dollars: 30), confirmationNumber: "RD0000000001")
            ]))
        states.append(("history", history))

        _ = pressed(.function(1), on: ready, as: "help")

        // Twelve test cards do not fit under the keys: help pages instead of cutting the last ones off.
        var cards = withStatus(
            Model(
                settings: ConsoleSettings(
                    testCollectors: (1...12).map {
                        TestCollectorLine(
                            number: String(format: "810000000%02d", $0), situation: "situation-\($0)",
                            summary: LocalizedText(english: "what card \($0) shows", french: "ce que montre la carte \($0)"))
                    })))
        _ = Fixtures.press(.function(1), &cards, &time)
        states.append(("help-cards", cards))
        var cardsLastPage = cards
        for _ in 0..<5 { _ = Fixtures.press(.pageDown, &cardsLastPage, &time) }
        states.append(("help-cards-last-page", cardsLastPage))

        // amcash train: the story, the closing question and the verdict over the till.
        var story = withStatus(Model(settings: Fixtures.settings))
        story.training = TrainingState(
            exercise: ExerciseCard(
                title: LocalizedText(english: "The answer is lost", french: "La réponse se perd"),
                story: LocalizedText(
                    english: "A customer buys $43.35 with card 81000000001 and redeems $40. The network is unreliable today.",
                    french: "Un client achète pour 43,35 $ avec la carte 81000000001 et échange 40 $. Le réseau est instable aujourd’hui."),
                hint: LocalizedText(english: "NOT CONFIRMED means no discount.", french: "NON CONFIRMÉ veut dire aucun rabais."),
                asksDiscountQuestion: true, position: 3, count: 14, trainee: "Ana"))
        states.append(("training-story", story))
        var hint = story
        _ = Fixtures.press(.enter, &hint, &time)
        _ = Fixtures.press(.function(1), &hint, &time)
        states.append(("training-help", hint))
        var question = story
        _ = Fixtures.press(.enter, &question, &time)
        _ = Fixtures.press(.function(8), &question, &time)
        states.append(("training-question", question))
        var verdict = question
        _ = Fixtures.press(.character("y"), &verdict, &time)
        _ = update(
            &verdict,
            .exerciseChecked(
                ExerciseVerdict(lines: [
                    .init(
                        passed: false,
                        text: LocalizedText(
                            english: "The till did not confirm this discount: it must not be given (the miles come back on their own).",
                            french: "Le terminal n’a pas confirmé ce rabais : il ne faut pas l’accorder (les milles reviennent d’eux-mêmes).")),
                    .init(
                        passed: true,
                        text: LocalizedText(
                            english: "No discount stands: the collector kept every mile.",
                            french: "Aucun rabais ne reste : l’adhérent a gardé tous ses milles.")),
                ])))
        states.append(("training-verdict", verdict))

        // The legend, the help screen and the questions come from the active keymap.
        let numpadOffer = withStatus(Fixtures.offerModel(settings: Fixtures.settings(keymap: Fixtures.keymap("numpad"))))
        states.append(("offer-numpad", numpadOffer))

        _ = pressed(.enter, on: numpadOffer, as: "confirm-numpad")

        var viHelp = withStatus(Fixtures.offerModel(settings: Fixtures.settings(keymap: Fixtures.keymap("vi"))))
        _ = Fixtures.press(.function(1), &viHelp, &time)
        states.append(("help-offer-vi", viHelp))

        // Kiosk mode: the quit key asks for the supervisor PIN; a wrong one says so.
        var supervisor = withStatus(Model(settings: Fixtures.settings(kiosk: true)))
        _ = Fixtures.press(.function(10), &supervisor, &time)
        _ = Fixtures.type("9999\n", into: &supervisor, startingAt: &time)
        _ = update(&supervisor, .supervisorPinChecked(false))
        _ = Fixtures.type("12", into: &supervisor, startingAt: &time)
        states.append(("supervisor", supervisor))
        return states
    }

    static var goldens: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens") }
    static let record = ProcessInfo.processInfo.environment["AMCASH_RECORD_GOLDENS"] == "1"

    /// One golden: a screen, a size, a language. Each is its own test, so a failure names its screen.
    struct Golden: CustomTestStringConvertible, Sendable {
        let name: String
        let columns: Int
        let rows: Int
        let language: Language
        var file: String { "\(name)-\(columns)x\(rows)-\(language.rawValue)" }
        var testDescription: String { file }

        static let all: [Golden] = GoldenScreenTests.states().flatMap { state in
            GoldenScreenTests.sizes.flatMap { size in
                Language.allCases.map { Golden(name: state.0, columns: size.0, rows: size.1, language: $0) }
            }
        }

        /// The model drawn at this golden's size and language, as the loop sends them: by messages.
        func draw(ascii: Bool = false) -> Frame {
            var model = GoldenScreenTests.states().first { $0.0 == name }!.1
            _ = update(&model, .resized(columns: columns, rows: rows))
            model.language = language
            var buffer = Frame(columns: columns, rows: rows, ascii: ascii)
            view(model, into: &buffer)
            return buffer
        }
    }

    static func compare(_ text: String, file: String) throws {
        let url = goldens.appendingPathComponent(file)
        if record {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(file) differs; AMCASH_RECORD_GOLDENS=1 rewrites it (review the diff)")
    }

    @Test(arguments: Golden.all)
    func theScreenMatchesItsReviewedGolden(_ golden: Golden) throws {
        try Self.compare(golden.draw().text, file: golden.file + ".txt")
    }

    /// Where each style falls (APPROVED in the approved role, the legend's keys in theirs …), one letter
    /// a cell (`StyleRole.letter`), at 80×24 in English: a theme change cannot move a colour unseen.
    @Test(arguments: Golden.all.filter { $0.columns == 80 && $0.language == .english })
    func theStylesFallWhereTheGoldenSays(_ golden: Golden) throws {
        try Self.compare(golden.draw().rolesText, file: golden.file + ".roles.txt")
    }

    @Test func everyGoldenFileBelongsToAScreen() throws {
        let names = Set(
            Golden.all.map { $0.file + ".txt" } + Golden.all.filter { $0.columns == 80 && $0.language == .english }.map { $0.file + ".roles.txt" })
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.goldens.path).filter { !$0.hasPrefix("ascii-") }
        #expect(Set(files).subtracting(names).isEmpty, "golden files no screen draws: \(Set(files).subtracting(names).sorted())")
    }

    @Test func everyScreenFitsAndSaysWhereItIsInWords() {
        for (name, state) in Self.states() {
            for (columns, rows) in Self.sizes {
                var model = state
                _ = update(&model, .resized(columns: columns, rows: rows))
                var buffer = Frame(columns: columns, rows: rows)
                view(model, into: &buffer)
                let lines = buffer.text.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.allSatisfy { $0.count <= columns }, "\(name) at \(columns)×\(rows) overflows")
                #expect(buffer.text.contains("TRAINING"), "\(name) at \(columns)×\(rows): the training banner is in words, not only colour")
                // Help lists the simulator's test cards, and an exercise's story the card to scan: a trainer needs them in full.
                if !name.hasPrefix("help") && name != "training-story" && name != "training-help" {
                    #expect(!buffer.text.contains("81000000001"), "\(name): a full card number on screen")
                }
            }
        }
    }

    @Test func anASCIITerminalGetsOnlyASCIIAndTheSameWords() throws {
        for (name, state) in Self.states() {
            for language in Language.allCases {
                var model = state
                model.language = language
                var buffer = Frame(columns: 80, rows: 24, ascii: true)
                view(model, into: &buffer)
                #expect(buffer.text.allSatisfy { $0.isASCII }, "\(name) in \(language.rawValue): a character beyond ASCII")
            }
        }
        var offer = Self.states().first { $0.0 == "offer" }!.1
        offer.language = .french
        var buffer = Frame(columns: 80, rows: 24, ascii: true)
        view(offer, into: &buffer)
        let file = Self.goldens.appendingPathComponent("ascii-offer-80x24-fr-CA.txt")
        if Self.record {
            try buffer.text.write(to: file, atomically: true, encoding: .utf8)
        } else {
            #expect(buffer.text == (try String(contentsOf: file, encoding: .utf8)), "ascii-offer differs; AMCASH_RECORD_GOLDENS=1 rewrites it")
        }
    }

    @Test func theCursorRestsOnTheFocusedField() {
        var model = Self.states().first { $0.0 == "ready-basket" }!.1
        var buffer = Frame(columns: 80, rows: 24)
        view(model, into: &buffer)
        #expect(buffer.cursor?.row == 3 && buffer.cursor?.column == 38 + 5)
        guard case .ready(var form) = model.screen else {
            Issue.record("not the ready screen")
            return
        }
        form.focus = .card
        model.screen = .ready(form)
        buffer = Frame(columns: 80, rows: 24)
        view(model, into: &buffer)
        #expect(buffer.cursor?.row == 4)
    }

    @Test func fromEightyColumnsEveryKeyOfTheScreenStaysOnTheLegend() {
        for (name, state) in Self.states() where name != "help" && !name.hasPrefix("help-") {
            for language in Language.allCases {
                var model = state
                model.language = language
                var buffer = Frame(columns: 80, rows: 24)
                view(model, into: &buffer)
                let legend = buffer.text.split(separator: "\n", omittingEmptySubsequences: false).suffix(3).joined(separator: " ")
                for entry in Legend.entries(model) {
                    #expect(
                        legend.contains(entry.key + " " + entry.label.text(language)),
                        "\(name) in \(language.rawValue) at 80 columns: \(entry.key) dropped off the legend")
                }
            }
        }
    }

    @Test func aTinyTerminalIsToldItIsTooSmall() {
        var buffer = Frame(columns: 30, rows: 8)
        view(Model(settings: Fixtures.settings), into: &buffer)
        #expect(buffer.text.hasPrefix("Window too small"))
    }
}

/// No screen shows a full collector number, whatever the keys and answers, except what the cashier
/// is typing in a field (shown as typed until it is read).
@Suite struct ViewPropertyTests {
    @Test func noViewEverContainsAFullCollectorNumber() {
        let seed = RandomRuns.seed(for: "ViewPropertyTests")
        var drawn = 0
        for run in 0..<60 {
            for step in RandomRuns.run(seed: seed &+ UInt64(run), steps: 150, settings: Fixtures.settings) {
                let model = step.after
                let typed: [String] =
                    switch model.screen {
                    case .ready(let form), .lookingUp(_, let form): [form.card == nil ? form.cardText : "", form.basketText, form.preTaxText]
                    case .reverseList(let list), .reverseConfirm(let list, _, _), .reversing(let list, _): [list.query]
                    case .returnList(let list), .returnConfirm(let list, _), .returning(let list, _): [list.query]
                    default: []
                    }
                if typed.contains(where: { $0.contains(RandomRuns.card) }) || model.kind == .help { continue }
                var buffer = Frame(columns: model.columns, rows: model.rows)
                view(model, into: &buffer)
                drawn += 1
                #expect(!buffer.text.contains(RandomRuns.card), "seed \(seed) run \(run): a full card number on \(model.kind)\n\(buffer.text)")
            }
        }
        #expect(drawn > 3_000)
    }
}
