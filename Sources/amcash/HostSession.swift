import AMCashAPI
import AMCashDomain
import AMCashSimulator
import Foundation
import Logging

/// One run's connection to a host: the configured AIR MILES host, or — with none configured — the
/// built-in CERT simulator started on a free loopback port, reached over real HTTP by the same client.
struct HostSession {
    let configuration: TerminalConfiguration
    let client: HostClient
    let builder: RequestBuilder
    /// The built-in simulator, when this session started one.
    let simulator: SimulatorServer?

    var environmentLabel: String {
        simulator == nil ? configuration.environment.rawValue : "CERT (built-in simulator)"
    }

    /// Reads the terminal configuration the options point at, with `--base-url` and `--token-url` applied.
    static func configuration(_ options: HostOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TerminalConfiguration {
        let path = TerminalConfigurationLoader.locate(explicitPath: options.config, environment: environment)
        var configuration = try TerminalConfigurationLoader.load(path: path)
        try apply(overrides: options, to: &configuration)
        return configuration
    }

    /// Opens a session, runs `body`, and always closes the session (connections, built-in simulator).
    static func with<T>(_ options: HostOptions, configuration: TerminalConfiguration,
                        environment: [String: String] = ProcessInfo.processInfo.environment,
                        _ body: (HostSession) async throws -> T) async throws -> T {
        bootstrapLogging(level: Logger.Level(rawValue: options.logLevel) ?? .warning)
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

    private static func open(configuration: TerminalConfiguration, environment: [String: String]) async throws -> HostSession {
        let logger = Logger(label: "amcash.host")
        if let host = configuration.host {
            let credentials = try ClientCredentials.load(environment: environment, file: configuration.credentialsFile)
            let client = HostClient(settings: host, credentials: credentials, timeouts: configuration.timeouts, logger: logger)
            return HostSession(configuration: configuration, client: client,
                               builder: RequestBuilder(identity: configuration.identity), simulator: nil)
        }
        let ledgerPath = try embeddedLedgerPath(environment: environment)
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(databasePath: ledgerPath),
                                                        logger: Logger(label: "amcash.simulator"))
        let settings = HostSettings(environment: .cert, baseURL: try HostEndpoint(simulator.baseURL))
        let client = HostClient(settings: settings, credentials: .simulator, timeouts: configuration.timeouts, logger: logger)
        return HostSession(configuration: configuration, client: client,
                           builder: RequestBuilder(identity: configuration.identity), simulator: simulator)
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
            configuration.host = HostSettings(environment: configuration.host?.environment, baseURL: try endpoint(base, flag: "--base-url"),
                                              tokenURL: tokenURL, audience: configuration.host?.audience ?? HostSettings.documentedAudience)
        } else if let token = options.tokenURL {
            guard configuration.host != nil else {
                throw ConfigurationError(file: "command line", line: 0, column: 0,
                                         message: "--token-url needs a host: give --base-url or hostBaseURL as well")
            }
            configuration.host?.tokenURL = try endpoint(token, flag: "--token-url")
        }
    }

    /// The built-in simulator keeps its ledger in the user's data directory, so one-shot commands
    /// run one after another (redeem, then reverse) see the same training accounts.
    static func embeddedLedgerPath(environment: [String: String]) throws -> String {
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        let directory = base + "/amcash"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory + "/cert-simulator.sqlite"
    }
}

/// A trace id for a one-shot command: 12 digits from the clock (milliseconds), increasing from run
/// to run on one terminal. The journal hands them out once it lands.
enum ClockTraceIds {
    static func next(now: Date = Date()) -> TraceId {
        let milliseconds = Int((now.timeIntervalSince1970 * 1000).rounded(.down))
        return (try? TraceId(milliseconds % TraceId.largest + 1)) ?? (try! TraceId(1))
    }
}

/// Logs go to standard error (standard output is the command's answer), from `level` up.
/// Called once per process, by the subcommand that runs.
func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
