import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashWire
import ConsoleCore
import ConsoleRuntime
import ConsoleTestSupport
import Foundation
import ReceiptPrinterIO
import ReceiptPrinting
import Testing

/// The console's receipts on a network printer (the emulator on a real socket) with a real journal:
/// a printer that is off, out of paper or drops the line never stops the sale; the receipt is kept
/// with its row, survives a restart, and prints when `R` asks again with the printer back.
@Suite(.serialized)
struct ReceiptPrinterEffectsTests {
    static func effects(folder: String, journal: Journal, port: Int) -> ConsoleEffects {
        let builder = RequestBuilder(identity: .training)
        let host = FakeHost()
        return ConsoleEffects(
            journal: journal, transactions: JournaledTransactions(journal: journal, host: host, builder: builder), host: host, builder: builder,
            receiptPath: folder + "/receipts.txt", asciiReceipts: false, supervisorPin: nil,
            lockoutFile: KioskLockoutFile(path: folder + "/kiosk-lockout"),
            printer: ReceiptPrinterSettings(destination: .tcp(host: "127.0.0.1", port: port), deadlineMilliseconds: 400))
    }

    static func perform(_ effect: Effect, _ effects: ConsoleEffects) async -> [Msg] {
        let box = ConsoleEffectsTests.MessageBox()
        await effects.perform(effect) { box.append($0) }
        return box.messages
    }

    static func printerState(_ messages: [Msg]) -> (PrinterProblem?, Int)? {
        for case .printerState(let problem, let unprinted) in messages { return (problem, unprinted) }
        return nil
    }

    static let receipt = ReceiptDocument(lines: [
        .title("ÉCHANGE ARGENT AIR MILES"), .field(label: "Confirmation: ", value: "RD0000000001"), .barcode("RD0000000001"), .cut,
    ])

    @Test(arguments: [PrinterEmulator.State.paperOut, .offline])
    func aSaleCompletesWithThePrinterDownAndTheReceiptReprintsAfterARestart(state: PrinterEmulator.State) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-printer-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let emulator = PrinterEmulator(state: state)
        try emulator.start(port: 0)
        defer { emulator.stop() }
        var journal: Journal? = try Journal(path: folder + "/journal.sqlite")
        let first = Self.effects(folder: folder, journal: journal!, port: emulator.port)

        // The sale: approved, shown, and its debit stands whatever the printer does.
        let redeemed = await Self.perform(.redeem(ConsoleEffectsTests.request), first)
        guard case .redeemed(.answered(let reply), let traceId)? = redeemed.first, reply.approval != nil else {
            Issue.record("\(redeemed)")
            return
        }
        _ = await Self.perform(.markShown(traceId: traceId), first)
        let printed = await Self.perform(.printReceipt(Self.receipt, traceId: traceId), first)
        let expected: PrinterProblem = state == .paperOut ? .paperOut : .offline
        #expect(Self.printerState(printed)?.0 == expected && Self.printerState(printed)?.1 == 1, "\(printed)")
        #expect(try journal!.entry(traceId: traceId)?.state == .shown, "the sale completed")
        #expect(try journal!.unprintedReceipts().first?.traceId == traceId, "kept with its row")
        #expect(emulator.receivedJobs.isEmpty)

        // R while the printer is still down: still kept.
        let again = await Self.perform(.reprintReceipts, first)
        #expect(Self.printerState(again)?.0 == expected && Self.printerState(again)?.1 == 1)

        // A restart: the journal reopened, the console told at start.
        journal = nil
        let reopened = try Journal(path: folder + "/journal.sqlite")
        let second = Self.effects(folder: folder, journal: reopened, port: emulator.port)
        let atStart = await Self.perform(.checkPrinter, second)
        #expect(Self.printerState(atStart)?.0 == expected && Self.printerState(atStart)?.1 == 1, "\(atStart)")

        // The printer back: R prints it, once.
        emulator.state = .ready
        let reprinted = await Self.perform(.reprintReceipts, second)
        #expect(Self.printerState(reprinted)?.0 == nil && Self.printerState(reprinted)?.1 == 0, "\(reprinted)")
        let jobs = emulator.waitForJobs(1)
        #expect(jobs.count == 1 && jobs.first?.contains("[CODE128 RD0000000001]") == true, "\(jobs)")
        #expect(try reopened.unprintedReceiptCount() == 0)
        let quiet = await Self.perform(.checkPrinter, second)
        #expect(quiet.isEmpty, "nothing wrong, nothing waiting: nothing on the status line")
    }

    @Test func aPrinterThatDropsTheConnectionKeepsTheReceipt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-printer-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let emulator = PrinterEmulator(dropAfter: 30)
        try emulator.start(port: 0)
        defer { emulator.stop() }
        let journal = try Journal(path: folder + "/journal.sqlite")
        let effects = Self.effects(folder: folder, journal: journal, port: emulator.port)
        let printed = await Self.perform(.printReceipt(Self.receipt, traceId: "000000000001"), effects)
        #expect(Self.printerState(printed)?.0 == .connectionLost && Self.printerState(printed)?.1 == 1, "\(printed)")
        emulator.dropAfter = nil
        let reprinted = await Self.perform(.reprintReceipts, effects)
        #expect(Self.printerState(reprinted)?.1 == 0)
        #expect(emulator.waitForJobs(2).last?.contains("ÉCHANGE ARGENT AIR MILES") == true)
    }

    @Test func aPrinterThatIsOffIsGivenUpOnQuickly() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-printer-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let emulator = PrinterEmulator()
        try emulator.start(port: 0)
        let port = emulator.port
        emulator.stop()
        let journal = try Journal(path: folder + "/journal.sqlite")
        let start = Date()
        let printed = await Self.perform(.printReceipt(Self.receipt, traceId: nil), Self.effects(folder: folder, journal: journal, port: port))
        #expect(Self.printerState(printed)?.0 == .noAnswer && Date().timeIntervalSince(start) < 2)
    }
}
