import AMCashJournal
import Foundation
import ReceiptPrinterIO
import ReceiptPrinting
import Testing

/// The real binary against the built-in simulator, printing on the printer emulator over TCP: a
/// printer out of paper never stops the sale, the receipt is kept in the journal, and `amcash
/// reprint` prints it (once) when the printer is back.
@Suite struct ReceiptPrinterEndToEndTests {
    @Test func aSaleCompletesWithThePrinterOutOfPaperAndItsReceiptPrintsWhenThePaperIsBack() async throws {
        let emulator = PrinterEmulator(state: .paperOut)
        try emulator.start(port: 0)
        defer { emulator.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let config = home + "/terminal.toml"
        try "receiptPrinter = \"tcp://127.0.0.1:\(emulator.port)\"\nlocale = \"fr-CA\"\n".write(toFile: config, atomically: true, encoding: .utf8)

        let redeem = try await CommandLineTests.amcash(
            ["redeem", "--config", config, "--card", "81000000001", "--entry", "scan", "--basket", "43.35", "--amount", "30", "--print-receipt"],
            home: home)
        #expect(redeem.status == 0, "the sale completes: \(redeem.output)\(redeem.errors)")
        #expect(redeem.output.contains("Confirmation number: RD"))
        #expect(redeem.errors.contains("the receipt did not print (printer: out of paper)"), "\(redeem.errors)")
        #expect(emulator.receivedJobs.isEmpty)

        let waiting = try await CommandLineTests.amcash(["reprint", "--config", config, "--status"], home: home)
        #expect(waiting.output.contains("out of paper; 1 receipt(s) waiting"), "\(waiting.output)\(waiting.errors)")
        let stillOut = try await CommandLineTests.amcash(["reprint", "--config", config], home: home)
        #expect(stillOut.status == 1 && stillOut.errors.contains("1 receipt(s) still waiting"), "\(stillOut.errors)")

        emulator.state = .ready
        let reprint = try await CommandLineTests.amcash(["reprint", "--config", config], home: home)
        #expect(reprint.status == 0 && reprint.output.contains("1 receipt(s) printed"), "\(reprint.output)\(reprint.errors)")
        let job = try #require(emulator.waitForJobs(1).first)
        #expect(job.contains("[C] [B][2H]ÉCHANGE ARGENT AIR MILES[/2H][/B]") && job.contains("Rabais:"), "\(job)")
        #expect(job.contains("[CODE128 RD") && job.contains("=== cut ==="), "\(job)")
        let again = try await CommandLineTests.amcash(["reprint", "--config", config], home: home)
        #expect(again.output.contains("0 receipt(s) printed") && emulator.receivedJobs.count == 1, "printed once")
    }

    /// A receipt recorded before its sale's ISSUE went out is the running console's to print for a while
    /// (it prints it with the miles); `amcash reprint` takes it only once that console can no longer be
    /// waiting, so the receipt never prints twice.
    @Test func reprintLeavesAReceiptAwaitingItsMilesToItsConsoleForAWhile() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-home-\(UUID())").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let config = home + "/terminal.toml"
        try "journalPath = \"\(home)/journal.sqlite\"\nreceiptPrinter = \"\(home)/receipts.txt\"\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let journal = try Journal(path: home + "/journal.sqlite")
        func keep(_ text: String, ago seconds: TimeInterval) throws {
            let document = try JSONEncoder().encode(ReceiptDocument(lines: [.text(text), .field(label: "Miles earned: ", value: "pending")]))
            try journal.keepUnprintedReceipt(
                traceId: nil, document: document, problem: UnprintedReceipt.awaitingEarning, at: Date().addingTimeInterval(-seconds))
        }
        try keep("JUST NOW", ago: 5)
        try keep("LONG AGO", ago: UnprintedReceipt.awaitingEarningHold + 60)
        let first = try await CommandLineTests.amcash(["reprint", "--config", config], home: home)
        #expect(first.status == 0 && first.output.contains("1 receipt(s) printed"), "\(first.output)\(first.errors)")
        #expect(first.output.contains("1 receipt(s) left to the console"), "\(first.output)")
        let printed = try String(contentsOfFile: home + "/receipts.txt", encoding: .utf8)
        #expect(printed.contains("LONG AGO") && !printed.contains("JUST NOW"), "\(printed)")
        #expect(try journal.unprintedReceipts().count == 1, "the young one still waits")
    }
}
