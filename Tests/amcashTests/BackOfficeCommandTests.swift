import AMCashAPI
import AMCashBackOffice
import AMCashConfiguration
import AMCashDomain
import AMCashPostgres
import AMCashWire
import Foundation
import PostgresNIO
import ScratchPostgres
import Testing

/// The back office and the training centre as a chain's IT and a trainer run them: real `amcash`
/// processes, a real PostgreSQL (the tests' own cluster), real simulators over loopback HTTP.
@Suite(.serialized) struct BackOfficeCommandTests {
    static let simulatorCredentials = ["AMCASH_CLIENT_ID": "amcash-training", "AMCASH_CLIENT_SECRET": "cert-simulator-only"]

    static func query<T: PostgresDecodable & Sendable>(_ address: PostgresAddress, _ sql: String, as type: T.Type) async throws -> [T] {
        try await PostgresSession.with(address) { client in
            var values: [T] = []
            for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: quietLogger).decode(T.self) { values.append(value) }
            return values
        }
    }

    static func simulator(_ arguments: [String], home: String) async throws -> (Process, String) {
        let port = try CrashTests.freePort()
        let process = try CrashTests.start(["sim", "--port", String(port), "--log-level", "error"] + arguments, home: home)
        try await CrashTests.waitForPort(port)
        return (process, "http://127.0.0.1:\(port)")
    }

    static func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    /// A till's home: its own configuration (store, device, the simulator, the back office) and journal.
    static func till(store: String, device: String, host: String, backOffice: PostgresAddress?) throws -> String {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-till-\(UUID())").path
        try FileManager.default.createDirectory(atPath: home + "/.config/amcash", withIntermediateDirectories: true)
        var lines = [
            "sponsorCode = \"LOY1\"", "storeId = \"\(store)\"", "deviceId = \"\(device)\"", "hostBaseURL = \"\(host)\"",
            "journalPath = \"\(home)/journal.sqlite\"",
        ]
        if let backOffice {
            lines.append(
                "backOfficeURL = \"postgresql://\(backOffice.user)@\(backOffice.host):\(backOffice.port)/\(backOffice.database)?sslmode=disable\"")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: home + "/.config/amcash/terminal.toml", atomically: true, encoding: .utf8)
        return home
    }

    @Test func twoSimulatorProcessesOnOnePostgreSQLShareOneDailyLimit() async throws {
        let database = try await TestPostgres.freshDatabase()
        let url = TestPostgres.url(database)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-centre-\(UUID())").path
        let (first, firstURL) = try await Self.simulator(["--database", url, "--daily-limit", "30"], home: work)
        defer { Self.stop(first) }
        let (second, secondURL) = try await Self.simulator(["--database", url, "--daily-limit", "30"], home: work)
        defer { Self.stop(second) }

        // 50 terminals at once, split between the two simulators, each asking $20 (2 units) of one collector.
        let outcomes = try await withThrowingTaskGroup(of: (String?, Int).self) { group in
            for terminal in 0..<50 {
                group.addTask {
                    let identity = try TerminalIdentity(
                        sponsorCode: "LOY1", storeId: "0001", deviceId: String(format: "%03d", terminal + 1),
                        vendorId: "1", acquirerId: "1")
                    let client = HostClient(
                        settings: HostSettings(baseURL: try HostEndpoint(terminal % 2 == 0 ? firstURL : secondURL)),
                        credentials: .simulator)
                    let call = try RequestBuilder(identity: identity).redeem(
                        RedemptionRequest(
                            card: CardRead(number: try CollectorNumber(digits: "81000000001"), entryMode: .scan),
                            basket: Money(dollars: 100), amount: Money(dollars: 20)),
                        traceId: try TraceId(1), at: Date())
                    let result = await client.redeem(call, policy: .atTheTill)
                    await client.shutdown()
                    switch result {
                    case .answered(let reply) where reply.answer.outcome == .approved:
                        return (reply.approval?.confirmationNumber, reply.approval?.unitsRedeemed.count ?? 0)
                    case .answered(let reply):
                        #expect(reply.answer.code.rawValue == "0065", "only the daily limit refuses")
                        return (nil, 0)
                    default:
                        Issue.record("terminal \(terminal): \(result)")
                        return (nil, 0)
                    }
                }
            }
            var all: [(String?, Int)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let approved = outcomes.filter { $0.0 != nil }
        let granted = approved.reduce(0) { $0 + $1.1 }
        #expect(granted == 30, "the daily limit, exactly, across both simulators")
        let confirmations = approved.compactMap { $0.0 }
        #expect(Set(confirmations).count == approved.count)

        // The ledger: every grant debited exactly once, the balance never below zero.
        let ledgerUnits = try await Self.query(database, "SELECT coalesce(sum(units), 0)::bigint FROM sim_redemptions", as: Int64.self)
        #expect(ledgerUnits == [30])
        let ledgerConfirmations = try await Self.query(database, "SELECT confirmation FROM sim_redemptions ORDER BY 1", as: String.self)
        #expect(ledgerConfirmations == confirmations.sorted())
        let cash = try await Self.query(database, "SELECT cash FROM sim_accounts WHERE number = '81000000001'", as: Int64.self)
        #expect(cash == [Int64(50_000 - 30 * 95)])
        let usage = try await Self.query(database, "SELECT units FROM sim_daily_usage WHERE number = '81000000001'", as: Int.self)
        #expect(usage == [30])

        // The daily file of the shared ledger lists them all, from either simulator's command line.
        let day = CrashTests.today()
        let export = try await CommandLineTests.amcash(["sim", "export-recon", "--database", url, "--day", day])
        #expect(export.status == 0, "\(export.errors)")
        #expect(export.output.split(separator: "\n").filter { $0.hasPrefix("D%%REDEEM") }.count == approved.count)
    }

    @Test func aChainForwardsReconcilesAndListsItsExceptionsFromTheCommandLine() async throws {
        let database = try await TestPostgres.freshDatabase()
        let url = TestPostgres.url(database)
        let migrate = try await CommandLineTests.amcash(["backoffice", "migrate", "--database", url])
        #expect(migrate.status == 0 && migrate.output.contains("Applied"), "\(migrate.errors)")
        let again = try await CommandLineTests.amcash(["backoffice", "migrate", "--database", url])
        #expect(again.output.contains("up to date"))
        // The password is in the environment, never in the configuration file.
        let secrets = ["AMCASH_BACKOFFICE_PASSWORD": database.password ?? ""].merging(Self.simulatorCredentials) { $1 }

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-chain-\(UUID())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let ledger = work + "/ledger.sqlite"
        let (simulator, host) = try await Self.simulator(["--db", ledger], home: work)
        defer { Self.stop(simulator) }
        let storeOne = try Self.till(store: "0001", device: "001", host: host, backOffice: database)
        let storeTwo = try Self.till(store: "0002", device: "001", host: host, backOffice: database)
        let offline = try Self.till(store: "0003", device: "001", host: host, backOffice: nil)
        for (home, card) in [(storeOne, "81000000001"), (storeTwo, "81000000001"), (storeTwo, "81000000002"), (offline, "81000000001")] {
            let run = try await CommandLineTests.amcash(
                ["redeem", "--card", card, "--entry", "scan", "--basket", "50", "--amount", "10"],
                home: home, extraEnvironment: secrets)
            #expect(run.status == 0, "\(run.output) \(run.errors)")
        }
        let behind = try await CommandLineTests.amcash(["journal"], home: storeOne, extraEnvironment: secrets)
        #expect(behind.output.contains("1 row(s) not yet forwarded"), "\(behind.output)")
        for home in [storeOne, storeTwo] {
            let forward = try await CommandLineTests.amcash(["backoffice", "forward"], home: home, extraEnvironment: secrets)
            #expect(forward.status == 0 && forward.output.hasPrefix("Forwarded"), "\(forward.output) \(forward.errors)")
        }
        let upToDate = try await CommandLineTests.amcash(["journal"], home: storeOne, extraEnvironment: secrets)
        #expect(upToDate.output.contains("up to date"), "\(upToDate.output)")
        #expect(!upToDate.output.contains(database.password ?? "no password"), "the password is never printed")

        let file = work + "/recon.txt"
        let export = try await CommandLineTests.amcash(["sim", "export-recon", "--db", ledger, "--day", CrashTests.today(), "--output", file])
        #expect(export.status == 0, "\(export.errors)")

        // Store 0001 reconciles its own till: the other stores' records are counted, not broken.
        let local = try await CommandLineTests.amcash(["reconcile", file, "--json"], home: storeOne, extraEnvironment: secrets)
        #expect(local.status == 0, "\(local.output) \(local.errors)")
        #expect(local.output.contains(#"{"classification":"other-terminal","count":3"#), "\(local.output)")

        // The chain: every forwarded row matches; the till that never forwarded is one class of its own.
        let chain = try await CommandLineTests.amcash(["reconcile", file, "--database", url])
        #expect(chain.status == 1, "\(chain.output) \(chain.errors)")
        #expect(chain.output.contains("terminal LOY10003001 has never forwarded"), "\(chain.output)")
        let lines = chain.output.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("matched") && $0.contains(" 3 ") }, "\(chain.output)")
        #expect(lines.contains { $0.hasPrefix("terminal not forwarding") && $0.contains(" 1 ") }, "\(chain.output)")
        #expect(!chain.output.contains("81000000001"), "cards are masked in the report")

        let exceptions = try await CommandLineTests.amcash(["backoffice", "exceptions", "--database", url, "--json"])
        #expect(exceptions.status == 1)
        struct Listed: Decodable {
            struct Item: Decodable {
                let category: String
                let store: String
            }
            let exceptions: [Item]
        }
        let listed = try JSONDecoder().decode(Listed.self, from: Data(exceptions.output.utf8)).exceptions
        #expect(listed.map(\.category) == ["reconciliation-break"] && listed.first?.store == "0003", "\(exceptions.output)")
        let storeFilter = try await CommandLineTests.amcash(["backoffice", "exceptions", "--database", url, "--store", "0001"])
        #expect(storeFilter.status == 0 && storeFilter.output.contains("Nothing to look at."), "\(storeFilter.output)")
    }

    @Test func theCommandLineListLeavesOutWhatASupervisorResolvedOnTheWeb() async throws {
        let database = try await TestPostgres.freshDatabase()
        let url = TestPostgres.url(database)
        #expect(try await CommandLineTests.amcash(["backoffice", "migrate", "--database", url]).status == 0)
        let now = Date()
        let day = ProgramDay.reconciliationDay(at: now).description
        // Two voids in exception at store 0001, from a till heard from a minute ago.
        try await PostgresSession.with(database) { client in
            try await client.query(
                """
                INSERT INTO terminals (sponsor, store, device, first_seen_at, last_seen_at, last_change_seq, pending_rows)
                VALUES ('LOY1', '0001', '001', \(now), \(now), 2, 0)
                """, logger: quietLogger)
            for trace in ["V1", "V2"] {
                try await client.query(
                    """
                    INSERT INTO terminal_rows (sponsor, store, device, trace_id, kind, state, card_masked, original_confirmation_number,
                        created_at, redemption_day, reconciliation_day, is_void, is_exception, resolved_by_recovery, change_seq, forwarded_at)
                    VALUES ('LOY1', '0001', '001', \(trace), 'REVERSE', 'exception', '•••••••4321', \("C" + trace), \(now), \(day)::date,
                        \(day)::date, true, true, false, 1, \(now))
                    """, logger: quietLogger)
            }
        }
        struct Listed: Decodable {
            struct Item: Decodable { let traceId: String? }
            let exceptions: [Item]
        }
        let before = try await CommandLineTests.amcash(["backoffice", "exceptions", "--database", url, "--json"])
        #expect(before.status == 1)
        #expect(try JSONDecoder().decode(Listed.self, from: Data(before.output.utf8)).exceptions.map(\.traceId) == ["V1", "V2"])
        // A supervisor resolves V1 on the web: a line of the audit trail under the item's key, as the web writes it.
        try await PostgresSession.with(database) { client in
            let items = try await BackOfficeExceptions.list(client, filter: .init(), now: now, logger: quietLogger)
            let key = try #require(items.first { $0.traceId == "V1" }).key
            try await client.query(
                """
                INSERT INTO exception_resolutions (exception_key, category, sponsor, store, device, summary, resolved_by, resolved_at, note)
                VALUES (\(key), 'void-in-exception', 'LOY1', '0001', '001', 'V1', 'sup.0001', \(now), 'credited the collector')
                """, logger: quietLogger)
        }
        let after = try await CommandLineTests.amcash(["backoffice", "exceptions", "--database", url, "--json"])
        #expect(after.status == 1)
        #expect(try JSONDecoder().decode(Listed.self, from: Data(after.output.utf8)).exceptions.map(\.traceId) == ["V2"], "\(after.output)")
        let table = try await CommandLineTests.amcash(["backoffice", "exceptions", "--database", url])
        #expect(table.output.contains("trace V2") && !table.output.contains("trace V1"), "\(table.output)")
    }

    @Test func aBackOfficeURLWithAPasswordInTheConfigurationIsRefusedWithItsPosition() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-bad-\(UUID())").path
        try FileManager.default.createDirectory(atPath: home + "/.config/amcash", withIntermediateDirectories: true)
        try "backOfficeURL = \"postgresql://amcash:secret@db.example/chain\"\n"
            .write(toFile: home + "/.config/amcash/terminal.toml", atomically: true, encoding: .utf8)
        let run = try await CommandLineTests.amcash(["journal"], home: home)
        #expect(run.status == 2)
        #expect(run.errors.contains("terminal.toml:1:") && run.errors.contains("must not carry a password"), "\(run.errors)")
        #expect(!run.errors.contains("secret"))
    }
    @Test func accountsAreAddedFromTheCommandLineWithThePasswordOnStandardInput() async throws {
        let database = try await TestPostgres.freshDatabase()
        let url = TestPostgres.url(database)
        #expect(try await CommandLineTests.amcash(["backoffice", "migrate", "--database", url]).status == 0)
        let added = try await CommandLineTests.amcash(
            ["backoffice", "user", "add", "--database", url, "--name", "sup.0001", "--role", "store", "--store", "0001"],
            input: "a-long-password\n")
        #expect(added.status == 0, "\(added.errors)")
        #expect(added.output.contains("Added sup.0001 (store 0001)") && !added.output.contains("a-long-password"))
        let stored = try await Self.query(database, "SELECT role || ' ' || store || ' ' || password_hash FROM backoffice_users", as: String.self)
        #expect(stored.count == 1 && stored[0].hasPrefix("store 0001 pbkdf2-sha256$210000$"), "\(stored)")
        #expect(!stored[0].contains("a-long-password"))
        let again = try await CommandLineTests.amcash(
            ["backoffice", "user", "add", "--database", url, "--name", "sup.0001", "--role", "chain"], input: "another-password\n")
        #expect(again.status == 2 && again.errors.contains("already has an account"), "\(again.errors)")
        let noStore = try await CommandLineTests.amcash(
            ["backoffice", "user", "add", "--database", url, "--name", "x", "--role", "store"], input: "a-long-password\n")
        #expect(noStore.status == 2 && noStore.errors.contains("--store"))
        let short = try await CommandLineTests.amcash(
            ["backoffice", "user", "add", "--database", url, "--name", "y", "--role", "chain"], input: "short\n")
        #expect(short.status == 2 && short.errors.contains("at least 10 characters"))
        // Plain HTTP beyond loopback is refused before anything listens.
        let plain = try await CommandLineTests.amcash(["backoffice", "serve", "--database", url, "--listen", "0.0.0.0:0"])
        #expect(plain.status == 2 && plain.errors.contains("loopback only"), "\(plain.errors)")
    }
}
