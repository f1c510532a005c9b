import AMCashBackOffice
import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import ArgumentParser
import ConsoleAppearance
import ConsoleCore
import ConsoleRuntime
import ConsoleUI
import CursesBackend
import Foundation
import Logging
import ReceiptPrinting

/// `amcash` / `amcash console`: the cashier console.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "The cashier console: scan, offer, redeem, reverse, history.",
        discussion:
            "Needs a terminal (TTY). With no configuration it runs in CERT mode against the built-in simulator. Logs go to amcash.log in the data directory."
    )

    @OptionGroup var host: HostOptions

    @Option(
        name: .long,
        help:
            "Print receipts here: a file (appended to), a device, or tcp://HOST:9100 (default: receiptPrinter, else receipts.txt in the data directory)."
    )
    var receipts: String?

    @Option(
        name: .long,
        help:
            "The colour theme: default, high-contrast, mono, training, a theme of your own, or a path to a .toml file (default: theme, else default)."
    )
    var theme: String?

    @Option(
        name: .long, help: "The key bindings: default, numpad, vi, a keymap of your own, or a path to a .toml file (default: keymap, else default).")
    var keymap: String?

    @Flag(name: .long, help: "Draw with ASCII only (automatic on TERM=linux or a non-UTF-8 locale).")
    var ascii = false

    @Flag(name: .long, help: "Kiosk mode: no quit key; leaving needs the supervisor PIN (supervisorPinHash in the configuration).")
    var kiosk = false

    func run() async throws {
        let utf8 = try adoptTerminal(refusing: "amcash console needs a terminal; for scripts use amcash inquire, redeem or reverse.")
        let environment = ProcessInfo.processInfo.environment
        let configuration = try HostSession.configuration(host)
        let appearance = try Appearance.resolve(
            theme: theme ?? configuration.theme, keymap: keymap ?? configuration.keymap,
            environment: environment)
        let ascii = AsciiText.isNeeded(flag: self.ascii, configured: configuration.ascii, term: environment["TERM"], utf8: utf8)
        let kiosk = self.kiosk || configuration.kiosk
        if kiosk && configuration.supervisorPin == nil {
            printError(
                "amcash: kiosk mode needs supervisorPinHash in the terminal configuration, or no one could leave it; make one with `amcash hash-pin`."
            )
            throw ExitCode(ExitStatus.usage)
        }
        let dataDirectory = try HostSession.dataDirectory(environment: environment)
        let receiptPath = dataDirectory + "/receipts.txt"
        let printer: ReceiptPrinterSettings
        do { printer = try configuration.receipt.settings(override: receipts, defaultPath: receiptPath, asciiText: ascii) } catch {
            printError("amcash: --receipts: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        bootstrapLogging(level: Logger.Level(rawValue: host.logLevel) ?? .warning, file: dataDirectory + "/amcash.log")
        // A back office that is configured but unusable (a bad URL, a missing password) stops the start:
        // a database that is merely away does not (the journal keeps every row until it returns).
        let backOffice = try configuration.backOfficeURL.map { _ in try forwardingSettings(configuration, environment: environment) }
        let session = try await HostSession.open(configuration: configuration, environment: environment)
        let forwarding = backOffice.map { settings in
            let forwarder = BackOfficeForwarder(journal: session.journal, settings: settings)
            return Task.detached { await forwarder.run() }
        }
        defer { forwarding?.cancel() }
        let lockoutFile = KioskLockoutFile(path: dataDirectory + "/kiosk-lockout")
        let lockout = lockoutFile.read(at: Date())
        do {
            var settings = ConsoleSettings(
                environment: configuration.environment, builtInSimulator: session.simulator != nil, identity: configuration.identity,
                showBalances: configuration.showBalances, cardFormat: configuration.cardNumberFormat, language: configuration.language,
                testCollectors: session.simulator == nil
                    ? []
                    : TestCollectors.standard.map {
                        TestCollectorLine(
                            number: $0.number, situation: $0.situation,
                            summary: LocalizedText(english: $0.summary, french: $0.summaryFrench ?? $0.summary))
                    },
                keymap: appearance.keymap, kiosk: kiosk, kioskIdleSeconds: configuration.kioskIdleSeconds,
                askPreTaxAmount: configuration.askPreTaxAmount, requireScannerPrefix: configuration.requireScannerPrefix)
            if kiosk {
                settings.pinLockoutRemaining = lockout.remainingSeconds
                settings.pinLockouts = lockout.lockouts
            }
            // The store register's API (registerListen): off unless configured; a bad token file stops the start.
            let register = try await RegisterBridge.start(configuration, journal: session.journal)
            let performer = ConsoleEffects(
                journal: session.journal, transactions: session.transactions, host: session.client,
                builder: session.builder, receiptPath: receiptPath, asciiReceipts: ascii,
                supervisorPin: configuration.supervisorPin, lockoutFile: lockoutFile, printer: printer, register: register)
            let program = ConsoleProgram(
                model: Model(settings: settings), performer: performer, device: Terminal(theme: appearance.theme),
                journal: session.journal, transactions: session.transactions, ascii: ascii)
            register?.connect(program.send)
            _ = await program.run(noColor: noColor, startingEffects: [.echo, .checkPrinter])
            await register?.stop()
        } catch {
            // A start that fails (a register address in use, a bad token file) still closes the session:
            // its connections and the built-in simulator are shut down before the error is reported.
            await session.close()
            throw error
        }
        await session.close()
    }
}

/// The start of a command that draws on the terminal (`console`, `train`): refused with `refusal` and the
/// usage status when standard input or output is not a terminal; otherwise adopts the terminal's locale
/// and says whether it is UTF-8. Call it before any thread starts: setlocale races with every thread that
/// reads the locale.
func adoptTerminal(refusing refusal: String) throws -> Bool {
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
        printError(refusal)
        throw ExitCode(ExitStatus.usage)
    }
    return Terminal.adoptLocale()
}
