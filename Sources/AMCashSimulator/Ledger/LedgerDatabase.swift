import AMCashConfiguration
import Foundation
import GRDB
import NIOConcurrencyHelpers

/// The simulator's books as SQLite tables: accounts, daily usage, redemptions (with their reversals)
/// and the stored answer per idempotency key. In memory by default; in a file with `--db`, where
/// every process of the user that opens the file (a console and a one-shot `amcash reverse` side by
/// side, or `amcash sim export-recon`) sees the others' changes: each request is one short
/// `BEGIN IMMEDIATE` transaction on rows, never a snapshot of the whole ledger. In a file, the
/// requests that arrive together share one transaction and one `fsync` (`CommitGroup`), and each is
/// answered only after the commit that holds it.
final class LedgerDatabase: Sendable {
    let queue: DatabaseQueue
    /// Whether the tables live in a file (confirmation numbers then come from the file's own sequence).
    let isFile: Bool
    /// The file's group commit (nil in memory, where a commit costs no `fsync`).
    private let commits: CommitGroup?

    /// Opens (creating or upgrading) the ledger at `path`, or a new one in memory when `path` is nil.
    init(path: String?) throws {
        var configuration = Configuration()
        configuration.label = "amcash.simulator.ledger"
        // Another process may hold the write lock for one short transaction: wait for it.
        configuration.busyMode = .timeout(10)
        if let path {
            PrivateFile.prepare(path)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            let synchronous = try queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
            guard synchronous == 2 else {
                throw LedgerFailure(reason: "the simulator ledger at \(path) is not crash-safe (synchronous \(synchronous ?? -1))")
            }
        } else {
            queue = try DatabaseQueue(configuration: configuration)
        }
        isFile = path != nil
        commits = path == nil ? nil : CommitGroup(queue)
        try Self.migrator.migrate(queue)
    }

    /// One request's work, in a write transaction that takes the lock at once, so two processes never
    /// both read a balance and then both spend it. In a file the transaction may hold other requests'
    /// work too (each in its own savepoint: a request that fails undoes only its own writes); the
    /// answer is returned only once that transaction is committed (`synchronous = FULL`: on disk).
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let commits else { return try await queue.writeWithoutTransaction { db in try Self.immediately(db, work) } }
        return try await withCheckedThrowingContinuation { continuation in
            commits.submit(
                CommitGroup.Job(
                    run: { db in
                        do {
                            var result: T?
                            try db.inSavepoint {
                                result = try work(db)
                                return .commit
                            }
                            let value = result!
                            return { committed in
                                switch committed {
                                case .success: continuation.resume(returning: value)
                                case .failure(let error): continuation.resume(throwing: error)
                                }
                            }
                        } catch {
                            return { _ in continuation.resume(throwing: error) }
                        }
                    },
                    fail: { error in continuation.resume(throwing: error) }))
        }
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await queue.read(work)
    }

    /// The same, for a caller outside Swift concurrency (`amcash sim export-recon`).
    func writeNow<T>(_ work: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in try Self.immediately(db, work) }
    }

    /// `work` in a `BEGIN IMMEDIATE` transaction, committed when it returns.
    private static func immediately<T>(_ db: Database, _ work: (Database) throws -> T) throws -> T {
        var result: T?
        try db.inTransaction(.immediate) {
            result = try work(db)
            return .commit
        }
        return result!
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // The first simulator kept one JSON snapshot; its migration stays so an old file opens.
        migrator.registerMigration("v1: ledger state") { db in
            try db.execute(
                sql: "CREATE TABLE IF NOT EXISTS ledger_state (id INTEGER PRIMARY KEY CHECK (id = 1), state BLOB NOT NULL, savedAt DATETIME NOT NULL)"
            )
        }
        migrator.registerMigration("v2: ledger tables") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        number TEXT PRIMARY KEY NOT NULL,
                        cash INTEGER NOT NULL CHECK (cash >= 0),
                        dream INTEGER NOT NULL,
                        behaviour TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE daily_usage (
                        number TEXT NOT NULL,
                        day TEXT NOT NULL,
                        units INTEGER NOT NULL,
                        PRIMARY KEY (number, day)
                    ) WITHOUT ROWID;
                    CREATE TABLE redemptions (
                        confirmation TEXT PRIMARY KEY NOT NULL,
                        number TEXT NOT NULL,
                        units INTEGER NOT NULL,
                        miles INTEGER NOT NULL,
                        cents INTEGER NOT NULL,
                        atMs INTEGER NOT NULL,
                        day TEXT NOT NULL,
                        sponsorCode TEXT NOT NULL,
                        storeId TEXT NOT NULL,
                        deviceId TEXT NOT NULL,
                        traceId TEXT NOT NULL,
                        reversalConfirmation TEXT,
                        reversedAtMs INTEGER,
                        reversalSponsorCode TEXT,
                        reversalStoreId TEXT,
                        reversalDeviceId TEXT,
                        reversalTraceId TEXT,
                        refundedByHost INTEGER NOT NULL DEFAULT 0,
                        refundDueAtMs INTEGER
                    );
                    CREATE INDEX redemptions_by_sponsor_time ON redemptions (sponsorCode, atMs);
                    CREATE INDEX reversals_by_sponsor_time ON redemptions (reversalSponsorCode, reversedAtMs) WHERE reversedAtMs IS NOT NULL;
                    CREATE INDEX redemptions_awaiting_refund ON redemptions (refundDueAtMs) WHERE refundDueAtMs IS NOT NULL;
                    CREATE TABLE replies (
                        key TEXT PRIMARY KEY NOT NULL,
                        operation TEXT NOT NULL,
                        bodyHash BLOB NOT NULL,
                        status INTEGER NOT NULL,
                        response BLOB NOT NULL,
                        confirmation TEXT,
                        expiresAtMs INTEGER NOT NULL
                    );
                    CREATE INDEX replies_by_expiry ON replies (expiresAtMs);
                    CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO counters (name, value) VALUES ('confirmation', 0);
                    """)
            try importSnapshot(db)
        }
        // A training room's `GET /training/collectors/N` counts one collector's standing redemptions by this
        // index, not by reading the ledger.
        migrator.registerMigration("v3: redemptions by collector") { db in
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS redemptions_by_number ON redemptions (number) WHERE reversalConfirmation IS NULL")
        }
        // Issuance: earnings and returns (signed miles), split between AM Cash and Dream, pending until postAtMs.
        migrator.registerMigration("v4: issuances") { db in
            try db.execute(
                sql: """
                    CREATE TABLE issuances (
                        confirmation TEXT PRIMARY KEY NOT NULL,
                        operation TEXT NOT NULL,
                        checkoutTransactionId TEXT,
                        originalCheckoutTransactionId TEXT,
                        number TEXT,
                        preTaxCents INTEGER NOT NULL,
                        miles INTEGER NOT NULL,
                        cashMiles INTEGER NOT NULL,
                        dreamMiles INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        postAtMs INTEGER,
                        atMs INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX issuances_by_transaction ON issuances (checkoutTransactionId);
                    CREATE INDEX issuances_by_original ON issuances (originalCheckoutTransactionId);
                    CREATE INDEX issuances_pending ON issuances (postAtMs) WHERE status = 'PENDING';
                    """)
        }
        return migrator
    }

    /// Moves a first-generation JSON snapshot into the tables, then drops it. Its stored answers keep
    /// 24 hours from the upgrade, the host's documented key retention.
    private static func importSnapshot(_ db: Database) throws {
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS ledger_state") }
        guard let data = try Data.fetchOne(db, sql: "SELECT state FROM ledger_state WHERE id = 1") else { return }
        let snapshot = try JSONDecoder().decode(LegacyLedgerSnapshot.self, from: data)
        for account in snapshot.accounts.values {
            try db.execute(
                sql: "INSERT INTO accounts (number, cash, dream, behaviour) VALUES (?, ?, ?, ?)",
                arguments: [account.number, account.cash, account.dream, account.behaviour.rawValue])
        }
        for (key, units) in snapshot.usage {
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            try db.execute(sql: "INSERT OR REPLACE INTO daily_usage (number, day, units) VALUES (?, ?, ?)", arguments: [parts[0], parts[1], units])
        }
        for record in snapshot.redemptions.values {
            try db.execute(
                sql: """
                    INSERT INTO redemptions (confirmation, number, units, miles, cents, atMs, day, sponsorCode, storeId, deviceId, traceId,
                        reversalConfirmation, reversedAtMs, reversalSponsorCode, reversalStoreId, reversalDeviceId, reversalTraceId)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.confirmation, record.number, record.units, record.miles, record.cents, milliseconds(record.at),
                    record.day, record.terminal.sponsorCode, record.terminal.storeId, record.terminal.deviceId, record.traceId,
                    record.reversal?.confirmation, record.reversal.map { milliseconds($0.at) },
                    record.reversal?.terminal.sponsorCode, record.reversal?.terminal.storeId,
                    record.reversal?.terminal.deviceId, record.reversal?.traceId,
                ])
        }
        let expires = milliseconds(Date()) + 86_400_000
        for (key, reply) in snapshot.replies {
            try db.execute(
                sql: "INSERT INTO replies (key, operation, bodyHash, status, response, expiresAtMs) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    "key:" + key, reply.operation, IdempotencyIdentity.hash(reply.requestBody), reply.status,
                    reply.responseBody, expires,
                ])
        }
        try db.execute(sql: "UPDATE counters SET value = ? WHERE name = 'confirmation'", arguments: [snapshot.sequence])
    }
}

/// Group commit for a ledger in a file: requests waiting for the write lock are run together, one
/// `BEGIN IMMEDIATE` transaction and one `fsync` for all of them, instead of one each. A request is
/// answered only after the commit that holds its writes: durability is that of one transaction per
/// request, at a fraction of the disk's cost when many terminals redeem at once.
final class CommitGroup: Sendable {
    /// One request: `run` does its work inside the shared transaction and returns what to do once the
    /// transaction's fate is known; `fail` answers it when its work never ran.
    struct Job: Sendable {
        let run: @Sendable (Database) -> @Sendable (Result<Void, any Error>) -> Void
        let fail: @Sendable (any Error) -> Void
    }

    /// The most requests one transaction holds, so a burst does not make the first of them wait long.
    static let maximumBatch = 256

    private let queue: DatabaseQueue
    private let pending = NIOLockedValueBox<(jobs: [Job], draining: Bool)>(([], false))
    private let committer = DispatchQueue(label: "amcash.simulator.ledger.commits")

    init(_ queue: DatabaseQueue) { self.queue = queue }

    func submit(_ job: Job) {
        let start = pending.withLockedValue { state -> Bool in
            state.jobs.append(job)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if start { committer.async { self.drain() } }
    }

    /// Commits batches until no request waits.
    private func drain() {
        while true {
            let batch = pending.withLockedValue { state -> [Job] in
                let batch = Array(state.jobs.prefix(Self.maximumBatch))
                state.jobs.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [Job]) {
        var answers: [@Sendable (Result<Void, any Error>) -> Void] = []
        answers.reserveCapacity(batch.count)
        do {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for job in batch {
                        // A failure that ended the whole transaction: the rest are not run, and fail with the batch.
                        guard db.isInsideTransaction else { break }
                        answers.append(job.run(db))
                    }
                    return .commit
                }
            }
        } catch {
            for answer in answers { answer(.failure(error)) }
            for job in batch.dropFirst(answers.count) { job.fail(error) }
            return
        }
        for answer in answers { answer(.success(())) }
        for job in batch.dropFirst(answers.count) { job.fail(LedgerFailure(reason: "the ledger's transaction ended before this request ran")) }
    }
}

/// Instants in the ledger: whole milliseconds since 1970, so they sort and compare as integers.
func milliseconds(_ instant: Date) -> Int64 { Int64((instant.timeIntervalSince1970 * 1000).rounded(.down)) }

func instant(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
