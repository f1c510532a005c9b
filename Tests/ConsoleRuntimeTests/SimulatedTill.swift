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

/// A till for the effect tests that cross the wire: the real simulator on a loopback socket, a client of it,
/// and a real journal and receipt file in a folder of their own. One fixture, so each such test opens a
/// till, makes its console and closes it the same way, and states only what it does at that till.
struct SimulatedTill {
    let simulator: SimulatorServer
    let client: HostClient
    let folder: String
    let journal: Journal
    let transactions: JournaledTransactions

    static func open(options: SimulatorOptions = SimulatorOptions()) async throws -> SimulatedTill {
        let simulator = try await SimulatorServer.start(options: options)
        let client = HostClient(
            settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator, timeouts: .standard)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-till-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let journal = try Journal(path: folder + "/journal.sqlite")
        let transactions = JournaledTransactions(journal: journal, host: client, builder: RequestBuilder(identity: .training))
        return SimulatedTill(simulator: simulator, client: client, folder: folder, journal: journal, transactions: transactions)
    }

    /// A console's effect performer over this till's journal: a new one is a console started again.
    func console(printer: ReceiptPrinterSettings? = nil, register: (any RegisterLink)? = nil) -> ConsoleEffects {
        ConsoleEffects(
            journal: journal, transactions: transactions, host: client, builder: RequestBuilder(identity: .training),
            receiptPath: folder + "/receipts.txt", asciiReceipts: false, supervisorPin: nil,
            lockoutFile: KioskLockoutFile(path: folder + "/kiosk-lockout"), printer: printer, register: register)
    }

    /// What the till has printed to its receipt file ("" before the first receipt).
    var receipts: String { (try? String(contentsOfFile: folder + "/receipts.txt", encoding: .utf8)) ?? "" }

    /// The figure at the end of the first printed line that starts with `label` ("Miles earned:" → "4").
    func printedFigure(_ label: String) -> Substring? {
        receipts.split(separator: "\n").first { $0.hasPrefix(label) }?.split(separator: " ").last
    }

    func close() async {
        await client.shutdown()
        await simulator.stop()
    }

    /// The offer screen of the sale these tests redeem and earn on: $100.00 for the plenty collector, $20 of
    /// AM Cash chosen, so the $80.00 left earns 4 miles (1 per whole $20).
    static func offerOfTwentyOnAHundred() throws -> Screen {
        let basket = Money(dollars: 100)
        var choice = RedemptionChoice(limits: try #require(Fixtures.plentyInquiry.limits(basket: basket)))
        choice.select(Units(2))
        return .offer(
            Offer(sale: Sale(card: Fixtures.card, basket: basket, preTax: nil), inquiry: Fixtures.plentyInquiry, choice: choice, notice: nil))
    }
}

/// The console of a `SimulatedTill`, run as the loop runs it: each key through `update`, the effects it asks for
/// performed by the real performer and their answers fed back until none are left, every effect kept in `log`.
/// One driver, so each test states only what the cashier does and what the till then shows.
struct TillConsole {
    let performer: ConsoleEffects
    var model = Model(settings: Fixtures.settings)
    var time: Int64 = 0
    var log: [Effect] = []

    init(_ performer: ConsoleEffects, screen: Screen? = nil) {
        self.performer = performer
        if let screen { model.screen = screen }
    }

    /// A key, its effects performed until none are left.
    mutating func press(_ key: Key) async { await drive(Fixtures.press(key, &model, &time)) }

    /// A key that only moves between screens: whatever it asks for is left unperformed.
    mutating func move(_ key: Key) { _ = Fixtures.press(key, &model, &time) }

    /// A code the scanner reads, its effects performed.
    mutating func scan(_ code: String) async { await drive(Fixtures.scan(code, into: &model, startingAt: &time)) }

    /// Keys a person types (200 ms apart): a screen's text, nothing performed.
    mutating func type(_ text: String) { _ = Fixtures.type(text, into: &model, startingAt: &time) }

    /// A message from the loop itself (a tick), its effects performed.
    mutating func send(_ message: Msg) async { await drive(update(&model, message)) }

    /// On the offer: Enter, then `y` to the question; the REDEEM and all that follows it performed.
    mutating func confirmTheOffer() async {
        move(.enter)
        await press(.character("y"))
    }

    /// From a result: Enter for the next sale, then F5, the return list loaded from the journal.
    mutating func nextSaleThenReturnList() async {
        move(.enter)
        await press(.function(5))
    }

    /// Performs the effects `update` asks for and feeds their answers back, until none are left.
    mutating func drive(_ effects: [Effect]) async {
        var queue = effects
        while !queue.isEmpty {
            let effect = queue.removeFirst()
            log.append(effect)
            let box = ConsoleEffectsTests.MessageBox()
            await performer.perform(effect) { box.append($0) }
            for message in box.messages {
                let step = Fixtures.updateAndDraw(&model, message)
                queue = step.drawn + queue + step.effects
            }
        }
    }
}
