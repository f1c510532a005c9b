import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashPostgres
import AMCashSimulator
import AMCashWire
import ArgumentParser
import Dispatch
import Foundation
import Logging

/// `amcash sim`: the CERT simulator as a server for a training room.
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "Serve the CERT simulator of the AIR MILES host for a training room.",
        discussion: """
            Terminals point hostBaseURL (or --base-url) at http://HOST:PORT and use the simulator's client \
            credentials (printed at start). Every terminal's redemptions count against the same daily limit.
            A training room on a network: --tls serves HTTPS with a private CA made once in the data directory; \
            terminals set hostBaseURL = "https://NAME:PORT" and caFile = the CA file printed at start.
            Faults: --fault [SCOPE:]KIND[@PERCENT], KIND one of delay=MS, drop (apply, then lose the answer), \
            5xx, outage, timeout, 409; SCOPE an endpoint (echo, inquire, redeem, reverse, token; issuance for every \
            Issuance call, or calculate, issue, return alone) or a collector number. Example: --fault redeem:drop@50 --seed 7.
            Earning (AIR MILES Issuance) is served on the same server under /checkout/issuance/: test collectors \
            81000000013 to 81000000016 earn split between AM Cash and Dream, into Dream only, pending (202) and \
            refused (400); see docs/earning.md.
            """,
        subcommands: [ExportReconciliationCommand.self, ScorecardCommand.self])

    @Option(name: .long, help: "The address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on (0 picks a free one).")
    var port = 8080

    @Option(
        name: .long,
        help: "Keep the ledger in this SQLite file (survives restarts); in memory if absent. A postgresql:// URL here means --database.")
    var db: String?

    @Option(
        name: .long,
        help:
            "Keep the ledger in this PostgreSQL database, shared by several simulators (postgresql://USER[:PASSWORD]@HOST/DB; the password may come from PGPASSWORD)."
    )
    var database: String?

    @Option(name: .long, help: "Load the test collectors from this TOML file instead of the built-in set.")
    var collectors: String?

    @Option(name: .long, help: "Load the Issuance bonus offers from this TOML file instead of the built-in ones (see docs/earning.md).")
    var offers: String?

    @Option(name: .long, help: "Inject a fault (repeatable).")
    var fault: [String] = []

    @Option(name: .long, help: "The seed for fault draws, so a run can be repeated.")
    var seed: UInt64 = 1

    @Option(name: .customLong("daily-limit"), help: "Units per collector per day (75 = $750).")
    var dailyLimit = 75

    @Option(name: .customLong("token-lifetime"), help: "Seconds a bearer token lives (1 to 86400, default 3600: a training room's hour).")
    var tokenLifetime = 3_600

    @Option(name: .customLong("max-tokens"), help: "The most bearer tokens held at once; the oldest goes first (1 to 1000000).")
    var maxTokens = 10_000

    @Option(name: .customLong("key-retention"), help: "How long an Idempotency-Key's answer is kept (24h, 90m, 30s).")
    var keyRetention = "24h"

    @Option(
        name: .customLong("orphan-refund"),
        help: "A REDEEM whose answer was lost and not asked for again is refunded by the host after this long (20m).")
    var orphanRefund = "20m"

    @Flag(name: .long, help: "Serve HTTPS with the training room's own CA (made once in the data directory).")
    var tls = false

    @Option(name: .customLong("tls-name"), help: "With --tls: another DNS name or address for the certificate (repeatable).")
    var tlsName: [String] = []

    @Flag(name: .customLong("list-collectors"), help: "List the test collectors and exit.")
    var listCollectors = false

    @Option(
        name: .long,
        help: "The class's scorecard, where amcash train --classroom terminals report (default: training.sqlite in the data directory).")
    var scorecard: String?

    @Flag(name: .long, help: "With --list-collectors or scorecard: print JSON.")
    var json = false

    @Option(name: .customLong("log-level"), help: "Log to standard error from this level.")
    var logLevel: String = "notice"

    func run() async throws {
        let collectorSet = try collectors.map { try TestCollectors.load(path: $0) } ?? TestCollectors.standard
        if listCollectors {
            Self.printCollectors(collectorSet, json: json)
            return
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (0...100_000).contains(dailyLimit) else { throw ValidationError("--daily-limit must be 0 to 100000") }
        guard (1...86_400).contains(tokenLifetime) else { throw ValidationError("--token-lifetime must be 1 to 86400 seconds") }
        guard (1...1_000_000).contains(maxTokens) else { throw ValidationError("--max-tokens must be 1 to 1000000") }
        let rules: [FaultRule]
        do { rules = try fault.map { try FaultRule(parsing: $0) } } catch { throw ValidationError("--fault: \(error)") }
        guard let retention = DurationText.parse(keyRetention), retention >= .seconds(1) else {
            throw ValidationError("--key-retention must be a duration such as 24h, 90m or 30s")
        }
        guard let refund = DurationText.parse(orphanRefund), refund >= .seconds(1) else {
            throw ValidationError("--orphan-refund must be a duration such as 20m or 90s")
        }
        bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .notice)

        let environment = ProcessInfo.processInfo.environment
        if db != nil && database != nil { throw ValidationError("give --db or --database, not both") }
        let sharedLedger = try postgresURL.map { try Self.ledgerAddress($0, environment: environment) }
        var credentials = ClientCredentials.simulator
        if let id = environment["AMCASH_CLIENT_ID"], let secret = environment["AMCASH_CLIENT_SECRET"], !id.isEmpty, !secret.isEmpty {
            credentials = ClientCredentials(clientId: id, clientSecret: secret)
        }
        var options = SimulatorOptions(
            collectors: collectorSet, dailyLimitUnits: dailyLimit, credentials: credentials,
            tokenLifetime: .seconds(tokenLifetime), faults: FaultPlan(rules: rules, seed: seed),
            databasePath: ledgerFile)
        options.keyRetention = retention
        if let offers { options.bonusOffers = try BonusOffer.load(path: offers) }
        options.maximumTokens = maxTokens
        options.orphanRefund = refund
        options.database = sharedLedger
        options.scorecardPath = try HostSession.scorecardPath(scorecard, environment: environment)
        if tls {
            let directory = try HostSession.dataDirectory(environment: environment) + "/training-room-tls"
            do {
                options.tls = try TrainingRoomTLS.prepare(directory: directory, names: TrainingRoomTLS.defaultNames(listeningOn: host) + tlsName)
            } catch {
                printError("amcash sim: \(error)")
                throw ExitCode(ExitStatus.usage)
            }
        } else if !["127.0.0.1", "::1", "localhost"].contains(host) && !host.hasPrefix("127.") {
            printError(
                "amcash sim: warning: serving plain HTTP on \(host), off loopback: terminals refuse http:// off loopback. "
                    + "Use --tls for a training room. Its training credentials are public and anyone on that network can use them.")
        }
        let server: SimulatorServer
        do {
            server = try await SimulatorServer.start(options: options, host: host, port: port)
        } catch {
            printError("amcash sim: \(sharedLedger.map { "ledger \($0): " } ?? "")\(PostgresFailure.describe(error))")
            throw ExitCode(ExitStatus.usage)
        }
        print("amcash CERT simulator listening on \(server.baseURL)")
        if let certificates = options.tls {
            print("TLS: terminals set caFile = \"\(certificates.caFile)\" and hostBaseURL = \"https://NAME:\(server.port)\"")
            print("     NAME one of: \(certificates.names.joined(separator: ", "))")
        }
        let secretSource = credentials == .simulator ? "the training secret in the README" : "the one in AMCASH_CLIENT_SECRET"
        print("client id: \(credentials.clientId)   secret: \(secretSource)")
        print("ledger: \(sharedLedger?.description ?? ledgerFile ?? "in memory")   key retention: \(keyRetention)   orphan refund: \(orphanRefund)")
        print(
            "daily limit: \(dailyLimit) units   faults: \(rules.isEmpty ? "none" : rules.map(\.description).joined(separator: ", ")) (seed \(seed))")
        print("test collectors: amcash sim --list-collectors   stop: Ctrl-C")
        fflush(nil)

        let stop = { Task { await server.stop() } }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { _ = stop() }
            source.resume()
            return source
        }
        try? await server.waitUntilStopped()
        sources.forEach { $0.cancel() }
        print("amcash CERT simulator stopped")
    }

    /// `--database URL`, or `--db` given a PostgreSQL URL (`amcash sim --db postgresql://…`): a SQLite
    /// file of that name would be a surprise, never what was meant.
    var postgresURL: String? { database ?? db.flatMap { Self.isPostgresURL($0) ? $0 : nil } }

    /// `--db FILE` when it names a file.
    var ledgerFile: String? { db.flatMap { Self.isPostgresURL($0) ? nil : $0 } }

    static func isPostgresURL(_ text: String) -> Bool { text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") }

    /// A PostgreSQL ledger's address, its password from the URL, AMCASH_BACKOFFICE_PASSWORD or PGPASSWORD.
    static func ledgerAddress(_ url: String, environment: [String: String]) throws -> PostgresAddress {
        do { return try PostgresAddress(parsing: url).withPassword(environment: environment, credentialsFile: nil) } catch {
            printError("amcash sim: --database: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    static func printCollectors(_ collectors: [TestCollector], json: Bool) {
        if json {
            print((try? commandJSON(collectors, pretty: true)) ?? "")
            return
        }
        print("NUMBER       SITUATION          AM CASH   DREAM  TODAY  WHAT A TRAINEE SEES")
        for collector in collectors {
            let columns = [
                collector.number.padding(toLength: 12, withPad: " ", startingAt: 0),
                collector.situation.padding(toLength: 18, withPad: " ", startingAt: 0),
                String(collector.cashMiles).leftPadded(7), String(collector.dreamMiles).leftPadded(7),
                String(collector.redeemedTodayUnits).leftPadded(6), " " + collector.summary,
            ]
            print(columns.joined(separator: " "))
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// `amcash sim export-recon`: the daily reconciliation file, from a simulator ledger kept with `--db`.
struct ExportReconciliationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-recon", abstract: "Write the daily reconciliation file of a simulator ledger (--db or --database).",
        discussion:
            "The file lists every REDEEM and REVERSE of one sponsor from 00:00 to 00:00 Toronto time on the day, in the layout of ReconciliationLayout."
    )

    @Option(name: .long, help: "The reconciliation day, YYYY-MM-DD (00:00 to 00:00 America/Toronto).")
    var day: String

    /// `--db` is the simulator's own option: `amcash sim export-recon --db FILE` reads that ledger.
    @ParentCommand var simulator: SimulatorCommand

    @Option(name: .long, help: "The sponsor code whose transactions the file lists.")
    var sponsor = "LOY1"

    @Option(name: .long, help: "Write the file here instead of standard output.")
    var output: String?

    func run() async throws {
        let calendarDay: CalendarDay
        do { calendarDay = try CalendarDay(parsing: day) } catch { throw ValidationError("--day: \(error)") }
        let file: ReconciliationFile
        // The simulator's clock (a debug build's AMCASH_TEST_CLOCK_FILE moves it), not the wall clock: the
        // orphans the host would have refunded by then are refunded before the file is written.
        do {
            if let url = simulator.postgresURL {
                let address = try SimulatorCommand.ledgerAddress(url, environment: ProcessInfo.processInfo.environment)
                file = try await ReconciliationExport.file(
                    database: address, day: ProgramDay(calendarDay), sponsorCode: sponsor, now: ProcessClock.now())
            } else if let db = simulator.ledgerFile {
                file = try ReconciliationExport.file(databasePath: db, day: ProgramDay(calendarDay), sponsorCode: sponsor, now: ProcessClock.now())
            } else {
                throw ValidationError("export-recon needs the ledger: --db FILE or --database URL (the one the simulator ran with)")
            }
        } catch let error as ValidationError {
            throw error
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("amcash sim export-recon: \(PostgresFailure.describe(error))")
            throw ExitCode(ExitStatus.usage)
        }
        if let output {
            do { try PrivateFile.write(Data(file.text.utf8), to: output) } catch {
                printError("amcash sim export-recon: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.usage)
            }
        } else {
            print(file.text, terminator: "")
        }
    }
}

/// Durations as a trainer writes them: `24h`, `90m`, `30s`, `1500ms`, or plain seconds.
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard let value = Int64(number), value >= 0, value <= Int64.max / milliseconds / 1_000_000 else { return nil }
            return .milliseconds(value * milliseconds)
        }
        guard let seconds = Int64(text), seconds >= 0, seconds <= 10_000_000_000 else { return nil }
        return .seconds(seconds)
    }
}
