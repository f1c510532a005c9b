import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
import Foundation
import Logging

/// One run's connection to a host: the configured AIR MILES host, or — with none configured — the
/// built-in CERT simulator started on a free loopback port, reached over real HTTP by the same client.
struct HostSession: Sendable {
    let configuration: TerminalConfiguration
    let client: HostClient
    let builder: RequestBuilder
    /// The built-in simulator, when this session started one.
    let simulator: SimulatorServer?
    /// The terminal's journal: every REDEEM and REVERSE is written here before it is sent.
    let journal: Journal

    /// The one path of every REDEEM and REVERSE, and of recovery.
    var transactions: JournaledTransactions {
        JournaledTransactions(
            journal: journal, host: client, builder: builder,
            replayRetentionHours: configuration.idempotencyRetentionHours, orphanRefundMinutes: configuration.orphanRefundMinutes,
            leases: .covering(connect: configuration.timeouts.connect, read: configuration.timeouts.read), crash: CrashHook.hook)
    }

    var environmentLabel: String {
        simulator == nil ? configuration.environment.rawValue : "CERT (built-in simulator)"
    }

    /// Reads the terminal configuration the options point at, with `--base-url` and `--token-url` applied.
    static func configuration(_ options: HostOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> TerminalConfiguration
    {
        let path = TerminalConfigurationLoader.locate(explicitPath: options.config, environment: environment)
        var configuration = try TerminalConfigurationLoader.load(path: path)
        try apply(overrides: options, to: &configuration)
        return configuration
    }

    /// Opens a session, runs `body`, and always closes the session (connections, built-in simulator).
    static func with<T>(
        _ options: HostOptions, configuration: TerminalConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment, logFile: String? = nil,
        _ body: (HostSession) async throws -> T
    ) async throws -> T {
        bootstrapLogging(level: Logger.Level(rawValue: options.logLevel) ?? .warning, file: logFile)
        let session = try await open(configuration: configuration, environment: environment)
        do {
            let value = try await body(session)
            await session.close()
            return value
        } catch {
            await session.close()
            throw error
        }
    }

    /// Opens a session; the caller must `close()` it. Prefer `with`, which always does.
    static func open(configuration: TerminalConfiguration, environment: [String: String]) async throws -> HostSession {
        let logger = Logger(label: "amcash.host")
        // The journal first: if it cannot record, nothing may be sent.
        let journal = try Journal(path: journalPath(configuration, environment: environment))
        // The journal knows whose it is: a reconciliation then answers for this terminal's records only.
        try journal.noteTerminal(configuration.identity.cardTerminalId)
        // A till that forwards to the chain keeps a final row's full number until the back office has it
        // (its card hash is made there), even when only one-shot commands ran before the first forward.
        if configuration.backOfficeURL != nil { try journal.noteForwarding() }
        if let days = configuration.journalRetentionDays { try journal.pruneReconciled(olderThan: days, at: Date()) }
        if let host = configuration.host {
            let credentials = try ClientCredentials.load(environment: environment, file: configuration.credentialsFile)
            let client = HostClient(settings: host, credentials: credentials, timeouts: configuration.timeouts, logger: logger)
            return HostSession(
                configuration: configuration, client: client,
                builder: RequestBuilder(identity: configuration.identity), simulator: nil, journal: journal)
        }
        let ledgerPath = try dataDirectory(environment: environment) + "/cert-simulator.sqlite"
        let simulator = try await SimulatorServer.start(
            options: SimulatorOptions(databasePath: ledgerPath),
            logger: Logger(label: "amcash.simulator"))
        let settings = HostSettings(environment: .cert, baseURL: try HostEndpoint(simulator.baseURL))
        let client = HostClient(settings: settings, credentials: .simulator, timeouts: configuration.timeouts, logger: logger)
        return HostSession(
            configuration: configuration, client: client,
            builder: RequestBuilder(identity: configuration.identity), simulator: simulator, journal: journal)
    }

    /// `journalPath` from the configuration; by default `journal.sqlite` in the data directory, or
    /// `journal-cert-builtin.sqlite` for the built-in simulator, so training never mixes with a real host.
    static func journalPath(_ configuration: TerminalConfiguration, environment: [String: String]) throws -> String {
        if let path = configuration.journalPath { return path }
        let name = configuration.host == nil ? "journal-cert-builtin.sqlite" : "journal.sqlite"
        return try dataDirectory(environment: environment) + "/" + name
    }

    /// Resolves what an earlier run left open, saying so on standard error.
    func recover() async throws {
        let transactions = self.transactions
        let pending = try transactions.pendingCount()
        guard pending > 0 else {
            // Nothing to resolve; a number no send needs any more is masked all the same (a quiet till).
            try transactions.purgeCardNumbers()
            return
        }
        printError("amcash: resolving \(pending) pending transaction\(pending == 1 ? "" : "s") from the journal…")
        // One attempt per row: a one-shot command does not make its caller wait on old rows; the next command tries again.
        let report = try await transactions.recover(policy: .once)
        var parts = ["\(report.resolved) resolved"]
        if report.stillUnknown > 0 { parts.append("\(report.stillUnknown) still unknown") }
        if report.voidsQueued > 0 { parts.append("\(report.voidsQueued) approval(s) never shown, given back (voided)") }
        if report.skipped > 0 { parts.append("\(report.skipped) in use by another operation") }
        if report.reversalsAcknowledged > 0 { parts.append("\(report.reversalsAcknowledged) reversal(s) acknowledged") }
        if report.reversalsWaiting > 0 { parts.append("\(report.reversalsWaiting) reversal(s) waiting") }
        if report.earningsAnswered > 0 { parts.append("\(report.earningsAnswered) earning(s) forwarded") }
        if report.earningsWaiting > 0 { parts.append("\(report.earningsWaiting) earning(s) still pending") }
        if report.exceptions > 0 { parts.append("\(report.exceptions) exception(s) for the supervisor: amcash journal --pending") }
        printError("amcash: " + parts.joined(separator: ", "))
    }

    func close() async {
        await client.shutdown()
        await simulator?.stop()
    }

    /// `--base-url` and `--token-url` win over the file.
    private static func apply(overrides options: HostOptions, to configuration: inout TerminalConfiguration) throws {
        func endpoint(_ text: String, flag: String) throws -> HostEndpoint {
            do { return try HostEndpoint(text) } catch {
                throw ConfigurationError(file: "command line", line: 0, column: 0, message: "\(flag): \(error.description)")
            }
        }
        if let base = options.baseURL {
            let tokenURL = try options.tokenURL.map { try endpoint($0, flag: "--token-url") } ?? configuration.host?.tokenURL
            configuration.host = HostSettings(
                environment: configuration.host?.environment, baseURL: try endpoint(base, flag: "--base-url"),
                tokenURL: tokenURL, audience: configuration.host?.audience ?? HostSettings.documentedAudience)
        } else if let token = options.tokenURL {
            guard configuration.host != nil else {
                throw ConfigurationError(
                    file: "command line", line: 0, column: 0,
                    message: "--token-url needs a host: give --base-url or hostBaseURL as well")
            }
            configuration.host?.tokenURL = try endpoint(token, flag: "--token-url")
        }
    }

    /// The training scorecard: `explicit`, or `training.sqlite` in the data directory (a trainee's own
    /// for `amcash train`, the trainer's for a room's `amcash sim`).
    static func scorecardPath(_ explicit: String?, environment: [String: String]) throws -> String {
        try explicit ?? dataDirectory(environment: environment) + "/training.sqlite"
    }

    /// The user's data directory for amcash (`$XDG_DATA_HOME/amcash`, default `~/.local/share/amcash`):
    /// the journal and the built-in simulator's ledger, so one-shot commands run one after another
    /// (redeem, then reverse) see the same training accounts.
    static func dataDirectory(environment: [String: String]) throws -> String {
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        let directory = base + "/amcash"
        // The user's alone: it holds the journal, the receipts and the logs.
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        _ = chmod(directory, 0o700)
        return directory
    }
}
