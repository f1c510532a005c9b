import Foundation
import GRDB

/// Keeps the simulator's ledger in a SQLite file (`amcash sim --db FILE`), so redemptions,
/// reversals and the answers stored per idempotency key survive a restart. Each change is one
/// transaction, committed with `synchronous = FULL` before the answer is sent.
final class SQLiteLedgerStore: LedgerStore {
    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "amcash.simulator.ledger"
        queue = try DatabaseQueue(path: path, configuration: configuration)
        // GRDB sets its own pragmas on open; durability is set after.
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let synchronous = try queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        guard synchronous == 2 else { throw LedgerFailure(reason: "the simulator ledger at \(path) is not crash-safe (synchronous \(synchronous ?? -1))") }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: ledger state") { db in
            try db.create(table: "ledger_state") { table in
                table.column("id", .integer).primaryKey().check { $0 == 1 }
                table.column("state", .blob).notNull()
                table.column("savedAt", .datetime).notNull()
            }
        }
        try migrator.migrate(queue)
    }

    func load() throws -> LedgerState? {
        try queue.read { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT state FROM ledger_state WHERE id = 1") else { return nil }
            return try JSONDecoder().decode(LedgerState.self, from: data)
        }
    }

    func save(_ state: LedgerState) throws {
        let data = try JSONEncoder().encode(state)
        try queue.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO ledger_state (id, state, savedAt) VALUES (1, ?, ?)",
                           arguments: [data, Date()])
        }
    }
}
