import AMCashBackOffice
import AMCashJournal
import AMCashPostgres
import Foundation
import GRDB
import PostgresNIO
import ScratchPostgres

/// `amcash-bench backoffice`: the chain database (AMCASH_TEST_DATABASE_URL's server, or a throwaway
/// cluster with fsync on) under the back office's loads, each beside a floor of the same run.
///
/// - forwarding: T tills × R journal rows each, forwarded at once (one connection per till, as in a
///   chain). Floor: the same number of rows inserted by the server from `generate_series` in one
///   statement, into a copy of the table with the same indexes (the server's own ceiling).
/// - lag after an outage: T tills whose forwarders have been retrying for `--outage` seconds (their
///   backoff at its cap, 30 s with jitter) with 60 rows each waiting; the database returns: the time until
///   the last till has forwarded everything.
/// - chain reconcile: `amcash reconcile FILE --database` (the release binary beside this one) on a
///   file of N records against N forwarded rows. Floor: reading and splitting the file, plus `COPY`ing
///   the rows it reads out of the database with psql.
struct BackOfficeLoad {
    var tills = 100
    var rows = 1_000
    var outage = 600
    var records = 1_000_000
    /// Which parts to run: forwarding, lag, reconcile.
    var parts: Set<String> = ["forwarding", "lag", "reconcile"]
    /// Keep the generated files (and the database, on AMCASH_TEST_DATABASE_URL's server) to profile on them.
    var keep: String?

    init(_ arguments: ArraySlice<String>) throws {
        try readFlags(
            arguments, into: &self,
            [
                .number("--tills", \.tills), .number("--rows", \.rows), .number("--outage", \.outage), .number("--records", \.records),
                BenchFlag(name: "--parts") { $0.parts = Set(commaSeparated($1)) }, .text("--keep", \.keep),
            ])
        guard tills >= 1, rows >= 1, records >= 100 else { throw BenchError("--tills, --rows ≥ 1, --records ≥ 100") }
    }

    func run() async throws {
        let work = keep.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("amcash-bo-bench-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: work) } }
        let database = try await TestPostgres.freshDatabase(durable: true)
        try await PostgresSession.with(database) { client in _ = try await BackOfficeSchema.migrator.migrate(client, logger: quietLogger) }
        print("back-office benchmark: PostgreSQL at \(database.host):\(database.port) (fsync on)")
        if parts.contains("forwarding") { try await forwarding(database, work: work) }
        if parts.contains("lag") { try await lagAfterOutage(database, work: work) }
        if parts.contains("reconcile") { try await chainReconcile(database, work: work) }
        if keep != nil { print("kept: \(work.path), database \(database.database)") }
        print("peak memory of the benchmark process (tills, forwarders): \(peakResidentMegabytes()) MB")
    }

    /// `count` journals of `perTill` shown REDEEMs each, written in one transaction per journal.
    func makeTills(_ count: Int, rows perTill: Int, work: URL, name: String) throws -> [Journal] {
        try (0..<count).map { till in
            let path = work.appendingPathComponent("\(name)-\(till).sqlite").path
            let journal = try Journal(path: path)
            let store = String(format: "%04d", till + 1)
            let queue = try DatabaseQueue(path: path)
            let now = Date()
            try queue.write { db in
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO entries (kind, traceId, idempotencyKey, body, maskedCard, createdAt, redemptionDay, reconciliationDay,
                            requestedCents, state, responseCode, confirmationNumber, units, cents, miles, answeredAt, attempts, isException,
                            isReconciled, resolvedByRecovery, isVoid, sentInDoubt, cardTerminalId, shownAt)
                        VALUES ('REDEEM', ?, ?, ?, ?, ?, '2026-11-27', '2026-11-27', 2000, 'shown', '0000', ?, 2, 2000, 190, ?, 1, 0, 0, 0, 0, 0, ?, ?)
                        """)
                for row in 0..<perTill {
                    let card = String(format: "8200%07d", (till * perTill + row) % 10_000_000)
                    let body = Data(#"{"collectorNumber":"\#(card)","sponsorCode":"LOY1","storeId":"\#(store)","deviceId":"001"}"#.utf8)
                    try insert.execute(arguments: [
                        String(format: "%012d", row + 1), String(format: "%08x-0000-4000-8000-%012x", till, row), body, "•••••••" + card.suffix(4),
                        now,
                        String(format: "T%04d%06d", till, row), now, "LOY1\(store)001", now,
                    ])
                }
            }
            try queue.close()
            return journal
        }
    }

    func forwarding(_ database: PostgresAddress, work: URL) async throws {
        let total = tills * rows
        FileHandle.standardError.write(Data("  making \(tills) tills × \(rows) rows…\n".utf8))
        let journals = try makeTills(tills, rows: rows, work: work, name: "till")
        let floor = try await PostgresSession.with(database) { client in
            try await client.query("CREATE TABLE floor_rows (LIKE terminal_rows INCLUDING ALL)", logger: quietLogger)
            let start = ContinuousClock.now
            try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO floor_rows (sponsor, store, device, trace_id, kind, state, card_masked, card_hash, confirmation_number,
                            requested_cents, units, miles, cents, response_code, created_at, answered_at, shown_at, redemption_day,
                            reconciliation_day, is_void, is_exception, resolved_by_recovery, change_seq, forwarded_at)
                        SELECT 'LOY1', lpad((i / \(rows))::text, 4, '0'), '001', lpad((i % \(rows))::text, 12, '0'), 'REDEEM', 'shown',
                            '•••••••' || lpad((i % 10000)::text, 4, '0'), md5(i::text) || md5(i::text), 'T' || i, 2000, 2, 190, 2000, '0000',
                            now(), now(), now(), '2026-11-27', '2026-11-27', false, false, false, i, now()
                        FROM generate_series(0, \(total - 1)) AS i
                        """), logger: quietLogger)
            let elapsed = (ContinuousClock.now - start).seconds
            try await client.query("DROP TABLE floor_rows", logger: quietLogger)
            return elapsed
        }
        let start = ContinuousClock.now
        let sent = try await withThrowingTaskGroup(of: Int.self) { group in
            for journal in journals {
                group.addTask {
                    let forwarder = BackOfficeForwarder(
                        journal: journal, settings: ForwardingSettings(address: database, cardHash: CardHash(key: "bench")))
                    return try await PostgresSession.with(database) { client in try await forwarder.forwardPending(client) }
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - start).seconds
        guard sent == total else { throw BenchError("forwarded \(sent) of \(total) rows") }
        print("forwarding: \(tills) tills × \(rows) rows                     elapsed s    rows/s   ÷ floor")
        print(
            "  server insert from generate_series (floor)".padding(toLength: 60, withPad: " ", startingAt: 0)
                + String(format: "%9.2f %9.0f %8.2f×", floor, Double(total) / floor, 1.0))
        print(
            "  \(tills) tills forwarding at once, 1 connection each".padding(toLength: 60, withPad: " ", startingAt: 0)
                + String(format: "%9.2f %9.0f %8.2f×", elapsed, Double(total) / elapsed, elapsed / floor))
    }

    func lagAfterOutage(_ database: PostgresAddress, work: URL) async throws {
        let backlog = 60
        FileHandle.standardError.write(Data("  \(tills) tills, the database away for \(outage) s…\n".utf8))
        let journals = try makeTills(tills, rows: backlog, work: work, name: "outage")
        let away = PostgresAddress(
            host: database.host, port: database.port, user: database.user, password: database.password,
            database: database.database + "_outage", tls: database.tls)
        let forwarders = journals.map { BackOfficeForwarder(journal: $0, settings: ForwardingSettings(address: away)) }
        let running = forwarders.map { forwarder in Task { await forwarder.run() } }
        defer { running.forEach { $0.cancel() } }
        try await Task.sleep(for: .seconds(outage))
        let failing = forwarders.filter { $0.status.lastFailure != nil }.count
        // The database returns.
        _ = try await PostgresSession.with(database) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(away.database)"), logger: quietLogger)
        }
        try await PostgresSession.with(away) { client in _ = try await BackOfficeSchema.migrator.migrate(client, logger: quietLogger) }
        let back = ContinuousClock.now
        var caughtUp = [Double?](repeating: nil, count: journals.count)
        while caughtUp.contains(where: { $0 == nil }) {
            for (index, journal) in journals.enumerated() where caughtUp[index] == nil {
                if try journal.forwardingStatus().pendingRows == 0 { caughtUp[index] = (ContinuousClock.now - back).seconds }
            }
            guard ContinuousClock.now - back < .seconds(300) else { throw BenchError("tills still behind 300 s after the database returned") }
            try await Task.sleep(for: .milliseconds(100))
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
        let lags = caughtUp.compactMap { $0 }.sorted()
        print(
            "lag after a \(outage) s outage (\(failing) of \(tills) tills were retrying; \(backlog) rows waiting each; backoff capped at 30 s, jittered)"
        )
        print(String(format: "  seconds from the database's return to caught up: median %.1f, slowest %.1f", lags[lags.count / 2], lags.last!))
    }

    func chainReconcile(_ database: PostgresAddress, work: URL) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("amcash").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw BenchError("no amcash binary at \(binary): build it first") }
        FileHandle.standardError.write(Data("  making \(records) forwarded rows and the matching file…\n".utf8))
        let file = work.appendingPathComponent("chain.txt").path
        try Self.writeFile(records: records, to: file)
        try await PostgresSession.with(database) { client in
            try await client.query("TRUNCATE terminal_rows, terminals", logger: quietLogger)
            try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO terminal_rows (sponsor, store, device, trace_id, kind, state, card_masked, confirmation_number, requested_cents,
                            units, miles, cents, response_code, created_at, answered_at, shown_at, redemption_day, reconciliation_day, is_void,
                            is_exception, resolved_by_recovery, change_seq, forwarded_at)
                        SELECT 'LOY1', '0001', '001', lpad((i + 1)::text, 12, '0'), 'REDEEM', 'shown',
                            '•••••••' || lpad(((i % 10000000) % 10000)::text, 4, '0'), 'RD' || lpad(i::text, 10, '0'), (1 + i % 75) * 1000,
                            1 + i % 75, (1 + i % 75) * 95, (1 + i % 75) * 1000, '0000', timestamptz '2026-11-27 13:00:00-05',
                            timestamptz '2026-11-27 13:00:00-05', timestamptz '2026-11-27 13:00:00-05', '2026-11-27', '2026-11-27', false, false,
                            false, i + 1, now()
                        FROM generate_series(0, \(records - 1)) AS i
                        """), logger: quietLogger)
            try await client.query(
                """
                INSERT INTO terminals (sponsor, store, device, first_seen_at, last_seen_at, last_change_seq) VALUES ('LOY1', '0001', '001', now(), now(), 0)
                """, logger: quietLogger)
            try await client.query("ANALYZE terminal_rows", logger: quietLogger)
        }
        let splitFloor = try ReconcileLoad.floor(file)
        let copyFloor = try Self.copyOut(database)
        let url = "postgresql://\(database.user):\(database.password ?? "")@\(database.host):\(database.port)/\(database.database)?sslmode=disable"
        let run = try ReconcileLoad.timedChild(binary, ["reconcile", file, "--database", url, "--json", "--max-breaks", "10"])
        guard run.status == 0 else {
            throw BenchError("amcash reconcile --database exited \(run.status): \(String(decoding: run.output.prefix(400), as: UTF8.self))")
        }
        let elapsed = run.elapsed
        let floor = splitFloor + copyFloor
        print("chain reconcile: \(records) records against \(records) forwarded rows      elapsed s   peak MB   ÷ floor   target")
        print(
            "  read and split the file + COPY the rows out with psql (floor)".padding(toLength: 66, withPad: " ", startingAt: 0)
                + String(format: "%9.2f         - %8.2f×", floor, 1.0))
        print("    of which the file \(String(format: "%.2f", splitFloor)) s, the COPY \(String(format: "%.2f", copyFloor)) s")
        print(
            "  amcash reconcile --database, every record matched".padding(toLength: 66, withPad: " ", startingAt: 0)
                + String(format: "%9.2f %9d %8.2f×", elapsed, run.peakMegabytes, elapsed / floor) + "   ≤ 3× floor, ≤ 300 MB")
    }

    /// The rows the reconciliation reads, out of the database by COPY (psql), to /dev/null.
    static func copyOut(_ database: PostgresAddress) throws -> Double {
        let psql = ["/usr/bin/psql", "/usr/local/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let psql else { throw BenchError("psql is needed for the COPY floor (Debian: postgresql-client)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = [
            "-h", database.host, "-p", String(database.port), "-U", database.user, "-d", database.database, "-q", "-c",
            "\\copy (SELECT row_id, kind, state, confirmation_number, trace_id, sponsor || store || device, card_masked, units, miles, cents, reconciliation_day, created_at FROM terminal_rows WHERE reconciliation_day = '2026-11-27') TO '/dev/null'",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = database.password ?? ""
        process.environment = environment
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("psql \\copy exited \(process.terminationStatus)") }
        return (ContinuousClock.now - start).seconds
    }

    /// The sponsor's file for the rows above: every one a REDEEM of the day, matched.
    static func writeFile(records: Int, to path: String) throws {
        var lines = ["H1%%AMCASHRECON%%1%%LOY1%%20261128", "H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%2026-11-27"]
        lines.reserveCapacity(records + 4)
        var miles = 0
        var cents = 0
        for index in 0..<records {
            let units = 1 + index % 75
            let card = String(format: "8100%07d", index % 10_000_000)
            lines.append(
                "D%%REDEEM%%2026-11-27T13:00:00-05:00%%LOY1%%0001%%001%%LOY10001001%%\(String(format: "%012d", index + 1))%%\(card)%%"
                    + "\(units)%%\(units * 95)%%\(units * 10).00%%\(String(format: "RD%010d", index))%%")
            miles += units * 95
            cents += units * 1000
        }
        lines.append("T1%%\(records)%%\(records)%%0")
        lines.append("T2%%\(miles)%%\(cents / 100).\(String(format: "%02d", cents % 100))%%0%%0.00")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }
}
