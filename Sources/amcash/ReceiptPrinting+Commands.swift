import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import ArgumentParser
import ConsoleCore
import Foundation
import ReceiptPrinterIO
import ReceiptPrinting

/// The one-shot commands' receipts: printed on the configured printer (terminal.toml's receipt keys)
/// through the same module as the console's; one that does not print is kept in the journal with its
/// row, for `amcash reprint` or the console's R.
enum CommandReceipts {
    static func printer(_ configuration: TerminalConfiguration) throws -> ReceiptPrinter {
        let environment = ProcessInfo.processInfo.environment
        let fallback = try HostSession.dataDirectory(environment: environment) + "/receipts.txt"
        do { return ReceiptPrinter(settings: try configuration.receipt.settings(defaultPath: fallback, asciiText: false)) } catch {
            printError("amcash: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    static func context(_ configuration: TerminalConfiguration, language: Language) -> ReceiptContext {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return ReceiptContext(
            language: language, showBalances: configuration.showBalances, isTraining: configuration.environment == .cert,
            identity: configuration.identity, clock: formatter.string(from: Date()))
    }

    /// Prints `document`; on failure keeps it in the journal and says so on standard error. Never fails the command.
    static func print(_ document: ReceiptDocument, traceId: String?, configuration: TerminalConfiguration, journal: Journal, command: String) {
        guard let printer = try? printer(configuration) else { return }
        guard let problem = printer.print(document) else { return }
        let encoded = (try? JSONEncoder().encode(document)) ?? Data()
        _ = try? journal.keepUnprintedReceipt(traceId: traceId, document: encoded, problem: problem.rawValue)
        printError(
            "amcash \(command): the receipt did not print (printer: \(problem.text(french: false))); it is kept: `amcash reprint` prints it")
    }
}

/// `amcash reprint`: prints the receipts that did not print (the printer was off, out of paper …), oldest first.
struct ReprintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprint", abstract: "Print again the receipts that did not print.",
        discussion:
            "The receipts kept in the journal when the printer failed, oldest first, on the configured receiptPrinter. Exit status 0 when none is left, 1 when the printer failed again."
    )

    @OptionGroup var host: HostOptions

    @Flag(name: .long, help: "Only say how many receipts wait and what the printer says.")
    var status = false

    func run() throws {
        let configuration = try HostSession.configuration(host)
        let journal = try Journal(path: HostSession.journalPath(configuration, environment: ProcessInfo.processInfo.environment))
        let printer = try CommandReceipts.printer(configuration)
        let now = ProcessClock.now()
        let all = try journal.unprintedReceipts()
        // A receipt a running console still waits on (its sale's ISSUE is out) is that console's to print.
        let kept = all.filter { !$0.mayStillBePrintedByItsConsole(at: now) }
        let held = all.count - kept.count
        if status {
            let condition =
                switch printer.condition() {
                case .ready: "ready"
                case .unknown: "no status (a file, or a printer that does not answer)"
                case .problem(let problem): problem.text(french: false)
                }
            Swift.print("printer \(printer.settings.destination.description): \(condition); \(kept.count) receipt(s) waiting")
            return
        }
        for receipt in kept {
            guard let document = try? JSONDecoder().decode(ReceiptDocument.self, from: receipt.document) else { continue }
            if let problem = printer.print(document) {
                try journal.receiptStillUnprinted(id: receipt.id, problem: problem.rawValue)
                printError("amcash reprint: printer: \(problem.text(french: false)); \(try journal.unprintedReceiptCount()) receipt(s) still waiting")
                throw ExitCode(ExitStatus.declined)
            }
            try journal.receiptPrinted(id: receipt.id)
        }
        Swift.print("\(kept.count) receipt(s) printed")
        if held > 0 {
            let seconds = Int(UnprintedReceipt.awaitingEarningHold)
            Swift.print("\(held) receipt(s) left to the console still waiting on the sale's miles; run again in \(seconds) s if it stopped")
        }
    }
}
