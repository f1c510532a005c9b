import AMCashAPI
import AMCashBackOffice
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashPostgres
import AMCashWire
import ArgumentParser
import Foundation
import Logging
import PostgresNIO

/// `amcash backoffice`: the chain's PostgreSQL database — its schema, a till's forwarding, the
/// supervisor's exception list.
struct BackOfficeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backoffice", abstract: "The chain's back-office database: migrate, forward, exceptions, serve (the web), user.",
        discussion: """
            The database is --database postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…], or the terminal \
            configuration's backOfficeURL with its password from AMCASH_BACKOFFICE_PASSWORD or backOfficeCredentialsFile.
            """,
        subcommands: [
            BackOfficeMigrateCommand.self, BackOfficeForwardCommand.self, BackOfficeExceptionsCommand.self, BackOfficeServeCommand.self,
            BackOfficeUserCommand.self,
        ])
}

/// Where the back office is, from `--database` or the terminal configuration.
struct BackOfficeOptions: ParsableArguments {
    @Option(name: .long, help: "The chain database, postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: backOfficeURL).")
    var database: String?

    @Option(name: .long, help: "The terminal configuration file (for backOfficeURL and its credentials).")
    var config: String?

    /// The address with its password, or a usage error naming what is missing.
    func address(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresAddress {
        try BackOfficeOptions.address(database: database, config: config, environment: environment).0
    }

    static func address(database: String?, config: String?, environment: [String: String]) throws -> (PostgresAddress, TerminalConfiguration?) {
        do {
            if let database {
                return (try PostgresAddress(parsing: database).withPassword(environment: environment, credentialsFile: nil), nil)
            }
            let configuration = try TerminalConfigurationLoader.load(
                path: TerminalConfigurationLoader.locate(explicitPath: config, environment: environment))
            return (
                try address(of: configuration, credentials: credentials(configuration, environment: environment), environment: environment),
                configuration
            )
        } catch let error as PostgresAddressError {
            printError("amcash: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// The database a terminal configuration names (`backOfficeURL`), its password from `credentials`.
    static func address(
        of configuration: TerminalConfiguration, credentials: BackOfficeCredentials,
        environment: [String: String]
    ) throws -> PostgresAddress {
        guard let url = configuration.backOfficeURL else {
            printError("amcash: no back-office database: give --database postgresql://… or set backOfficeURL in the terminal configuration")
            throw ExitCode(ExitStatus.usage)
        }
        do {
            return try PostgresAddress(parsing: url, allowPassword: false).withPassword(from: credentials, environment: environment)
        } catch {
            printError("amcash: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// The back office's secrets for a terminal configuration: the environment, then its credentials file.
    static func credentials(_ configuration: TerminalConfiguration, environment: [String: String]) throws -> BackOfficeCredentials {
        do { return try BackOfficeCredentials.load(environment: environment, file: configuration.backOfficeCredentialsFile) } catch {
            printError("amcash: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }
}

/// Runs `body` against the database, turning a database failure into a plain message and exit 2.
func withBackOffice<T: Sendable>(_ address: PostgresAddress, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
    do {
        return try await PostgresSession.with(address) { client in try await withTimeLimit(.seconds(600)) { try await body(client) } }
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("amcash: back office \(address): \(PostgresFailure.describe(error))")
        throw ExitCode(ExitStatus.usage)
    }
}

struct BackOfficeMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the back-office schema (versioned; safe to run again).")

    @OptionGroup var options: BackOfficeOptions

    func run() async throws {
        let address = try options.address()
        let applied = try await withBackOffice(address) { client in
            try await BackOfficeSchema.migrator.migrate(client, logger: Logger(label: "amcash.backoffice"))
        }
        print(applied.isEmpty ? "The back-office schema at \(address) is up to date." : "Applied to \(address): " + applied.joined(separator: ", "))
    }
}

struct BackOfficeForwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward", abstract: "Forward this till's journal rows to the chain database now, and exit.",
        discussion: "The console forwards in the background; this is for a till that was offline, or a journal copied off a till (--journal).")

    @OptionGroup var options: BackOfficeOptions

    @Option(name: .long, help: "The journal to forward (default: this terminal's).")
    var journal: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try TerminalConfigurationLoader.load(
            path: TerminalConfigurationLoader.locate(
                explicitPath: options.config,
                environment: environment))
        // --database wins over backOfficeURL; the card policy and key are the till's either way.
        let named: PostgresAddress?
        do {
            named = try options.database.map { try PostgresAddress(parsing: $0).withPassword(environment: environment, credentialsFile: nil) }
        } catch {
            printError("amcash: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        let settings = try forwardingSettings(configuration, address: named, environment: environment)
        let address = settings.address
        if let journal, !FileManager.default.fileExists(atPath: journal) {
            printError("amcash backoffice forward: no journal at \(journal)")
            throw ExitCode(ExitStatus.usage)
        }
        let opened = try Journal(path: journal ?? HostSession.journalPath(configuration, environment: environment))
        let forwarder = BackOfficeForwarder(journal: opened, settings: settings)
        let sent = try await withBackOffice(address) { client in try await forwarder.forwardPending(client) }
        print("Forwarded \(sent) row\(sent == 1 ? "" : "s") of \(opened.path) to \(address).")
    }
}

/// How a till forwards: the database (`address`, else the configuration's `backOfficeURL`), its policy
/// and card key, the secrets read once.
func forwardingSettings(
    _ configuration: TerminalConfiguration, address: PostgresAddress? = nil,
    environment: [String: String]
) throws -> ForwardingSettings {
    let credentials = try BackOfficeOptions.credentials(configuration, environment: environment)
    let database = try address ?? BackOfficeOptions.address(of: configuration, credentials: credentials, environment: environment)
    return ForwardingSettings(
        address: database, cardPolicy: CardPolicy(rawValue: configuration.backOfficeCardPolicy) ?? .masked,
        cardHash: credentials.cardHashKey.map(CardHash.init(key:)))
}

struct BackOfficeExceptionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exceptions", abstract: "The supervisor's list across the chain: what a person must look at.",
        discussion: """
            Voids and reversals in exception, REDEEMs whose outcome is unknown past the host's key retention, the last \
            reconciliation's breaks (or --day's), and tills not heard from within --stale-minutes; not those a supervisor \
            already marked resolved on the web (amcash backoffice serve). Cards are masked. \
            Exit status: 0 nothing to look at, 1 something is listed, 2 the database cannot be used.
            """)

    @OptionGroup var options: BackOfficeOptions

    @Option(name: .long, help: "One store (4 digits).")
    var store: String?

    @Option(name: .long, help: "One reconciliation day, YYYY-MM-DD.")
    var day: String?

    @Option(name: .customLong("stale-minutes"), help: "A till not heard from for this long is listed (1 to 525600, default 15).")
    var staleMinutes = 15

    /// The range `--stale-minutes` takes: a minute to a year (larger ones overflowed the seconds and trapped).
    static let staleMinutesRange = 1...525_600

    func validate() throws {
        guard Self.staleMinutesRange.contains(staleMinutes) else {
            throw ValidationError("--stale-minutes must be \(Self.staleMinutesRange.lowerBound) to \(Self.staleMinutesRange.upperBound)")
        }
    }

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        if let day { do { _ = try CalendarDay(parsing: day) } catch { throw ValidationError("--day: \(error)") } }
        let address = try options.address()
        var filter = BackOfficeExceptions.Filter(store: store, day: day)
        filter.staleAfter = TimeInterval(staleMinutes * 60)
        let fixedFilter = filter
        let items = try await withBackOffice(address) { client in
            try await BackOfficeExceptions.unresolved(client, filter: fixedFilter, now: Date(), logger: Logger(label: "amcash.backoffice"))
        }
        if json {
            struct Report: Encodable {
                let database: String
                let exceptions: [BackOfficeException]
            }
            print(try commandJSON(Report(database: address.description, exceptions: items), iso8601Dates: true))
        } else {
            var lines = ["Exceptions in \(address)" + (store.map { "   store \($0)" } ?? "") + (day.map { "   day \($0)" } ?? "")]
            if items.isEmpty { lines.append("Nothing to look at.") }
            for category in BackOfficeException.Category.allCases {
                let matching = items.filter { $0.category == category }
                guard !matching.isEmpty else { continue }
                lines.append("")
                lines.append("\(category.label.uppercased()) (\(matching.count))")
                for item in matching {
                    var line = "  store \(item.store) till \(item.device)"
                    if let day = item.day { line += "  day \(day)" }
                    if let trace = item.traceId { line += "  trace \(trace)" }
                    if let confirmation = item.confirmationNumber { line += "  \(confirmation)" }
                    if let card = item.card { line += "  card \(card)" }
                    if let dollars = item.dollars { line += "  $\(dollars)" }
                    if let sale = item.saleId { line += "  register sale \(sale)" }
                    lines.append(line + " — " + item.note)
                }
            }
            print(lines.joined(separator: "\n"))
        }
        throw ExitCode(items.isEmpty ? 0 : 1)
    }
}
