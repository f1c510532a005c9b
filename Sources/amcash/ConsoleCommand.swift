import AMCashAPI
import AMCashBackOffice
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import ArgumentParser
import ConsoleCore
import ConsoleUI
import CursesBackend
import Foundation
import Logging

/// `amcash` / `amcash console`: the cashier console.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "The cashier console: scan, offer, redeem, reverse, history.",
        discussion: "Needs a terminal (TTY). With no configuration it runs in CERT mode against the built-in simulator. Logs go to amcash.log in the data directory.")

    @OptionGroup var host: HostOptions

    @Option(name: .long, help: "Append receipts to this file or printer device (default: receiptPath, else receipts.txt in the data directory).")
    var receipts: String?

    @Option(name: .long, help: "The colour theme: default, high-contrast, mono, training, a theme of your own, or a path to a .toml file (default: theme, else default).")
    var theme: String?

    @Option(name: .long, help: "The key bindings: default, numpad, vi, a keymap of your own, or a path to a .toml file (default: keymap, else default).")
    var keymap: String?

    @Flag(name: .long, help: "Draw with ASCII only (automatic on TERM=linux or a non-UTF-8 locale).")
    var ascii = false

    @Flag(name: .long, help: "Kiosk mode: no quit key; leaving needs the supervisor PIN (supervisorPinHash in the configuration).")
    var kiosk = false

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            printError("amcash console needs a terminal; for scripts use amcash inquire, redeem or reverse.")
            throw ExitCode(ExitStatus.usage)
        }
        // Before any thread starts: setlocale races with every thread that reads the locale.
        let utf8 = Terminal.adoptLocale()
        let environment = ProcessInfo.processInfo.environment
        let configuration = try HostSession.configuration(host)
        let appearance = try ConsoleAppearance.resolve(theme: theme ?? configuration.theme, keymap: keymap ?? configuration.keymap,
                                                       environment: environment)
        let ascii = self.ascii || (configuration.ascii ?? (environment["TERM"] == "linux" || !utf8))
        let kiosk = self.kiosk || configuration.kiosk
        if kiosk && configuration.supervisorPin == nil {
            printError("amcash: kiosk mode needs supervisorPinHash in the terminal configuration, or no one could leave it; make one with `amcash hash-pin`.")
            throw ExitCode(ExitStatus.usage)
        }
        let dataDirectory = try HostSession.dataDirectory(environment: environment)
        let receiptPath = receipts ?? configuration.receiptPath ?? dataDirectory + "/receipts.txt"
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
                testCollectors: session.simulator == nil ? [] : TestCollectors.standard.map { ($0.number, $0.situation, $0.summary) },
                keymap: appearance.keymap, kiosk: kiosk, kioskIdleSeconds: configuration.kioskIdleSeconds,
                askPreTaxAmount: configuration.askPreTaxAmount, requireScannerPrefix: configuration.requireScannerPrefix)
            if kiosk {
                settings.pinLockoutRemaining = lockout.remainingSeconds
                settings.pinLockouts = lockout.lockouts
            }
            let performer = ConsoleEffects(session: session, receiptPath: receiptPath, asciiReceipts: ascii,
                                           supervisorPin: configuration.supervisorPin, lockoutFile: lockoutFile)
            let loop = ConsoleLoop(model: Model(settings: settings), performer: performer, terminal: Terminal(theme: appearance.theme, ascii: ascii),
                                   clockText: ConsoleEffects.clockText)
            let send = loop.send
            // Recovery runs beside the screen: the cashier sees "resolving…", not a blocked console. It runs
            // at start and then every 30 s, so queued reversals are re-sent when their backoff is over.
            let recovery = Task.detached {
                // Rows the till's own REDEEM or REVERSE holds are leased: the pass leaves them alone.
                let recovery = session.transactions
                var first = true
                while !Task.isCancelled {
                    if first || ((try? recovery.pendingCount()) ?? 0) > 0 {
                        send(.recovering(true))
                        _ = try? await recovery.recover()
                        send(.recovering(false))
                        send(.pendingCount((try? session.journal.openCount()) ?? 0))
                    }
                    first = false
                    try? await Task.sleep(for: .seconds(30))
                }
            }
            _ = await loop.run(noColor: noColor, startingEffects: [.echo])
            recovery.cancel()
        }
        await session.close()
    }
}

/// What the console's effects do: journal, host, receipts.
struct ConsoleEffects: EffectPerformer {
    let session: HostSession
    let receiptPath: String
    /// Receipts folded to ASCII (`--ascii`, `ascii = true`, or a terminal that cannot show UTF-8): the
    /// printer on such a till is as likely to print mojibake for "é" as the screen is.
    let asciiReceipts: Bool
    let supervisorPin: SupervisorPinHash?
    let lockoutFile: KioskLockoutFile

    static let clockText: @Sendable () -> String = {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: Date())
    }

    func perform(_ effect: Effect, send: @escaping @Sendable (Msg) -> Void) async {
        let journal = session.journal
        let client = session.client
        switch effect {
        case .inquire(let request):
            guard let trace = try? journal.nextTraceId() else { return send(.inquired(.notSent(.cannotConnect("journal unavailable")))) }
            let result = await client.inquire(session.builder.inquire(request, traceId: trace, at: Date()))
            if !Task.isCancelled { send(.inquired(result)) }
        case .redeem(let request):
            // Journal, send, journal: an error after the send is "not confirmed", never "nothing was redeemed".
            let redemption = await session.transactions.redeem(request)
            send(.redeemed(redemption.result, traceId: redemption.traceId))
            send(.pendingCount((try? journal.openCount()) ?? 0))
        case .markShown(let traceId):
            // The result screen with APPROVED was drawn: the debit stands. Unrecorded, recovery voids it.
            if let entry = try? journal.entry(traceId: traceId) { session.transactions.markShown(entry) }
            send(.pendingCount((try? journal.openCount()) ?? 0))
        case .loadReversible:
            let entries = (try? journal.reversibleRedemptions(at: Date())) ?? []
            send(.reversibleLoaded(entries.compactMap(Self.reversibleItem)))
        case .reverse(let item, let language):
            let reversal = await session.transactions.reverse(
                ReversalRequest(card: item.card, redemptionConfirmationNumber: item.confirmationNumber, language: language))
            if reversal.isReversed {
                send(.reversed(.reversed(confirmation: reversal.entry?.confirmationNumber, original: item.confirmationNumber)))
            } else if reversal.isQueued {
                send(.reversed(.queued(original: item.confirmationNumber)))
            } else {
                // Refused (by the host, or here before anything was sent) or given up: the redemption stands.
                send(.reversed(.exception(original: item.confirmationNumber,
                                          reason: reversal.refusal ?? reversal.entry?.lastFailure ?? "the reversal did not complete")))
            }
            send(.pendingCount((try? journal.openCount()) ?? 0))
        case .loadHistory:
            let entries = (try? journal.entries(day: ProgramDay.reconciliationDay(at: Date()))) ?? []
            send(.historyLoaded(entries.reversed().map {
                HistoryLine(time: Self.time($0.createdAt), kind: $0.kind.rawValue, maskedCard: $0.maskedCard, state: $0.state.rawValue,
                            money: $0.money, confirmationNumber: $0.confirmationNumber)
            }))
        case .echo:
            guard let trace = try? journal.nextTraceId() else { return send(.echoed(false)) }
            send(.echoed(await client.echo(session.builder.echo(traceId: trace)).outcome == .approved))
        case .printReceipt(let lines):
            let printed = asciiReceipts ? lines.map(AsciiText.fold) : lines
            let text = printed.joined(separator: "\n") + "\n" + String(repeating: "-", count: 40) + "\n"
            if let handle = FileHandle(forWritingAtPath: receiptPath) ?? {
                _ = FileManager.default.createFile(atPath: receiptPath, contents: nil, attributes: [.posixPermissions: 0o600])
                return FileHandle(forWritingAtPath: receiptPath)
            }() {
                handle.seekToEndOfFile()
                handle.write(Data(text.utf8))
                try? handle.close()
            }
            send(.receiptWritten)
        case .checkSupervisorPin(let pin):
            let matches = supervisorPin?.matches(pin) ?? false
            if matches {
                lockoutFile.clear()
            } else {
                Logger(label: "amcash.kiosk").warning("a wrong supervisor PIN was typed")
            }
            send(.supervisorPinChecked(matches))
        case .supervisorLockedOut(let seconds, let lockouts):
            Logger(label: "amcash.kiosk").warning("supervisor screen locked after three wrong PINs",
                                                  metadata: ["seconds": "\(seconds)", "lockouts": "\(lockouts)"])
            lockoutFile.record(until: Date().addingTimeInterval(TimeInterval(seconds)), lockouts: lockouts)
        case .cancelInquiry, .quit:
            break
        }
    }

    /// A journaled redemption as the reverse screen lists it; its card comes from the request it sent.
    static func reversibleItem(_ entry: JournalEntry) -> ReversibleItem? {
        guard let confirmation = entry.confirmationNumber, let money = entry.money,
              let digits = entry.collectorDigits, let mode = entry.entryModeText.flatMap(CardEntryMode.init(rawValue:)),
              let number = try? CollectorNumber(digits: digits, format: CollectorNumberFormat(lengths: 1...19)) else { return nil }
        return ReversibleItem(journalId: entry.id, confirmationNumber: confirmation, card: CardRead(number: number, entryMode: mode),
                              maskedCard: entry.maskedCard, money: money, time: time(entry.createdAt))
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: date)
    }
}

/// The theme and keymap the console draws and reads keys with, from their names or paths.
struct ConsoleAppearance {
    let theme: Theme
    let keymap: Keymap

    static func resolve(theme: String?, keymap: String?, environment: [String: String]) throws(ConfigurationErrors) -> ConsoleAppearance {
        let folders = ConfigurationFolders.standard(environment: environment)
        var errors: [ConfigurationError] = []
        var loadedTheme = Theme.standard
        var loadedKeymap = Keymap.standard
        do { loadedTheme = try ThemeLoader(folders: folders).load(theme ?? "default") } catch { errors += error.errors }
        do { loadedKeymap = try KeymapLoader(folders: folders).load(keymap ?? "default") } catch { errors += error.errors }
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return ConsoleAppearance(theme: loadedTheme, keymap: loadedKeymap)
    }
}
