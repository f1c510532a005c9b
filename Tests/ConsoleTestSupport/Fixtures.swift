public import AMCashDomain
public import AMCashWire
public import ConsoleCore
import Foundation

/// Ready-made models and host answers for the console's tests (update and golden screens).
public enum Fixtures {
    /// The repository, where the shipped `themes/` and `keymaps/` are.
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The standard test settings with another keymap, or in kiosk mode.
    public static func settings(keymap: Keymap = .standard, kiosk: Bool = false, idleSeconds: Int = 60) -> ConsoleSettings {
        ConsoleSettings(testCollectors: testCollectors, keymap: keymap, kiosk: kiosk, kioskIdleSeconds: idleSeconds)
    }

    public static let testCollectors = [
        TestCollectorLine(
            number: "81000000001", situation: "plenty",
            summary: LocalizedText(english: "plenty of miles", french: "beaucoup de milles"))
    ]

    public static let settings = ConsoleSettings(testCollectors: testCollectors)

    public static func answer(_ code: ResponseCode, status: Int? = nil) -> HostAnswer {
        HostAnswer(httpStatus: status ?? code.meaning.httpStatus ?? 200, code: code, hostMessage: nil, transDateTime: nil)
    }

    public static let plentyInquiry = InquiryReply(
        answer: answer(.approved), balances: Balances(cash: Miles(50_000), dream: Miles(12_000), availableCash: Miles(50_000)),
        availableDollarAmount: Money(dollars: 5260), unitValue: .standard, availableOfferUnits: Units(4), dailyOfferLimit: Units(75),
        offer: OfferDetails(
            type: "RGL", id: "AMC-RGL-10",
            text: LocalizedText(
                english: "Use 95 AIR MILES Cash miles for $10 off",
                french: "95 milles Argent AIR MILES pour 10 $ de rabais")))

    public static let inactiveInquiry = InquiryReply(
        answer: answer(.accountInactive), balances: .none, availableDollarAmount: nil,
        unitValue: .standard, availableOfferUnits: nil, dailyOfferLimit: nil, offer: nil)

    public static let approval = RedemptionApproval(unitsRedeemed: Units(3), unitValue: .standard, confirmationNumber: "RD0000000001")

    public static let approvedRedemption = RedemptionReply(
        answer: answer(.approved), approval: approval,
        balances: Balances(cash: Miles(49_715), dream: Miles(12_000), availableCash: Miles(49_715)))

    public static let card = CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .scan)

    public static let reversible = ReversibleItem(
        journalId: 1, confirmationNumber: "RD0000000001", card: card, maskedCard: "•••••••0001",
        money: Money(dollars: 30), time: "13:32")

    /// A sale of today that earned 4 miles on $80.00 (a $100.00 basket less $20 of AM Cash), as the return
    /// screen lists it, with the RETURN of the whole sale it would send.
    public static let returnable = ReturnableSale(
        journalId: 3, checkoutTransactionId: "LOY10001001000000000012", maskedCard: "•••••••0001", milesEarned: 4, time: "13:32",
        request: EarningRequest(
            card: CardRead(number: card.number, entryMode: .manual), preTaxAmount: Money(dollars: 80), postTaxAmount: Money(dollars: 80),
            originalCheckoutTransactionId: "LOY10001001000000000012"))

    /// Another, whose miles are still pending (the host answered 202).
    public static let returnablePending = ReturnableSale(
        journalId: 5, checkoutTransactionId: "LOY10001001000000000042", maskedCard: "•••••••0003", milesEarned: nil, time: "13:40",
        request: EarningRequest(
            card: CardRead(number: try! CollectorNumber(digits: "81000000003"), entryMode: .manual), preTaxAmount: Money(dollars: 100),
            postTaxAmount: Money(dollars: 113), originalCheckoutTransactionId: "LOY10001001000000000042"))

    /// A sale with three items, $90.00 of them on a sale that earned on $72.00 (a $18.00 AM Cash discount).
    public static let returnableWithItems = ReturnableSale(
        journalId: 7, checkoutTransactionId: "LOY10001001000000000077", maskedCard: "•••••••0001", milesEarned: 3, time: "14:05",
        request: EarningRequest(
            card: CardRead(number: card.number, entryMode: .manual), preTaxAmount: Money(cents: 7200), postTaxAmount: Money(cents: 8136),
            items: [
                IssuanceItem(id: "1", name: "Kettle", quantity: 1, finalAmount: Money(cents: 4500), departmentId: "HOME"),
                IssuanceItem(id: "2", name: "Mugs", quantity: 2, finalAmount: Money(cents: 3000), categoryId: "DOUBLE"),
                IssuanceItem(id: "3", name: "Tea", quantity: 1, finalAmount: Money(cents: 1500)),
            ], coupons: ["BONUS50"], originalCheckoutTransactionId: "LOY10001001000000000077"))

    /// A sale of 32 lines, two of which went back already (the second of two mugs, a line each under one item id, and
    /// the soap): 30 items left, more than a checklist page holds at 80×24 (16) or 40×12 (7). The 29 others are
    /// "Item N" at N dollars, so each line is told apart on screen.
    public static let returnableWithManyItems: ReturnableSale = {
        let mug = IssuanceItem(id: "MUG", name: "Mug", finalAmount: Money(dollars: 8))
        var items = (1...29).map { IssuanceItem(id: "SKU\($0)", name: "Item \($0)", finalAmount: Money(dollars: $0)) }
        items.insert(contentsOf: [mug, mug], at: 2)
        items.insert(IssuanceItem(id: "SOAP", name: "Soap", finalAmount: Money(dollars: 3)), at: 10)
        return ReturnableSale(
            journalId: 9, checkoutTransactionId: "LOY10001001000000000091", maskedCard: "•••••••0001", milesEarned: 22, time: "12:10",
            request: EarningRequest(
                card: CardRead(number: card.number, entryMode: .manual), preTaxAmount: Money(dollars: 454), postTaxAmount: Money(dollars: 513),
                items: items, originalCheckoutTransactionId: "LOY10001001000000000091"),
            returnedLines: [3, 10])
    }()

    /// Feeds keys a person types: 200 ms apart.
    public static func type(_ text: String, into model: inout Model, startingAt time: inout Int64) -> [Effect] {
        var effects: [Effect] = []
        for character in text {
            time += 200
            effects += update(&model, .key(KeyPress(character == "\n" ? .enter : .character(character), at: time)))
        }
        return effects
    }

    /// Feeds keys a scanner sends: 5 ms apart, ending with Enter.
    public static func scan(_ text: String, into model: inout Model, startingAt time: inout Int64) -> [Effect] {
        var effects: [Effect] = []
        time += 500
        for character in text {
            time += 5
            effects += update(&model, .key(KeyPress(.character(character), at: time)))
        }
        time += 5
        effects += update(&model, .key(KeyPress(.enter, at: time)))
        return effects
    }

    /// One message as the loop takes it: `update`, then the frame drawn at once (`.drawn`). The frame's effects
    /// (an approval recorded shown) are apart: in the console they go out beside the message's, before an effect
    /// that waits on them (the sale's ISSUE waits for the approval to be recorded shown) is done.
    public static func updateAndDraw(_ model: inout Model, _ message: Msg) -> (drawn: [Effect], effects: [Effect]) {
        let effects = update(&model, message)
        return (update(&model, .drawn), effects)
    }

    public static func press(_ key: Key, _ model: inout Model, _ time: inout Int64) -> [Effect] {
        time += 300
        return update(&model, .key(KeyPress(key, at: time)))
    }

    /// A model on the offer screen for the plenty collector and a $43.35 basket.
    public static func offerModel(settings: ConsoleSettings = Fixtures.settings) -> Model {
        var model = Model(settings: settings)
        var time: Int64 = 0
        _ = type("43.35\n", into: &model, startingAt: &time)
        _ = scan("81000000001", into: &model, startingAt: &time)
        _ = update(&model, .inquired(.answered(plentyInquiry)))
        return model
    }
}
