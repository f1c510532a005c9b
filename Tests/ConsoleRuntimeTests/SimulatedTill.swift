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
