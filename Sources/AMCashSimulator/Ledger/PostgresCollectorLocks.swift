import AMCashPostgres
import Logging
import PostgresNIO

/// The host's "one transaction at a time per collector" across the simulators of a training centre
/// that share one PostgreSQL ledger: each simulator knows its own calls in progress
/// (`CollectorActivity`), and this tells it about the others'.
///
/// A call in progress holds a session-level advisory lock on its collector, in a key space of its
/// own (the two-key form; the ledger's transaction locks use the one-key form): shared for an AM Cash
/// call (they may overlap), exclusive for an Issuance call (it overlaps nothing). One connection per
/// simulator holds them all: PostgreSQL never makes a session conflict with itself, and within one
/// simulator `CollectorActivity` has already decided. A simulator that dies or loses its connection
/// lets go of its locks with the session, so no collector stays busy after a crash.
///
/// If PostgreSQL cannot be asked, the call goes ahead (the ledger, on the same server, says what is
/// wrong): a lock is a training aid here, never a reason to refuse a sale the ledger would take.
actor PostgresCollectorLocks {
    /// "AMCA": the first key of every collector lock, so no other advisory lock can meet them.
    static let keySpace: Int32 = 0x414D_4341

    private let address: PostgresAddress
    private let logger: Logger
    private var connection: PostgresConnection?
    /// Locks taken on the current connection and not yet released, by collector and mode; a release
    /// for a lock taken on a connection since lost has nothing to let go of.
    private var held: [Key: Int] = [:]
    private var closed = false

    /// PostgreSQL could not be reached (or the locks were closed).
    struct Unreachable: Error {}

    private struct Key: Hashable {
        let number: String
        let exclusive: Bool
    }

    init(address: PostgresAddress, logger: Logger = quietLogger) {
        self.address = address
        self.logger = logger
    }

    /// Takes the collector's lock without waiting; false when another simulator holds it in a mode
    /// that conflicts (then nothing is held).
    func take(_ number: String, exclusive: Bool) async -> Bool {
        guard let connection = await open() else { return true }
        let query: PostgresQuery =
            exclusive
            ? "SELECT pg_try_advisory_lock(\(Self.keySpace), hashtext(\(number)))"
            : "SELECT pg_try_advisory_lock_shared(\(Self.keySpace), hashtext(\(number)))"
        do {
            var taken = false
            for try await granted in try await connection.query(query, logger: logger).decode(Bool.self) { taken = granted }
            if taken, self.connection === connection { held[Key(number: number, exclusive: exclusive), default: 0] += 1 }
            return taken
        } catch {
            lose(connection)
            return true
        }
    }

    /// Lets go of one lock `take` gave; nothing when it was taken on a connection since lost.
    func release(_ number: String, exclusive: Bool) async {
        let key = Key(number: number, exclusive: exclusive)
        guard let connection, let count = held[key], count > 0 else { return }
        held[key] = count == 1 ? nil : count - 1
        let query: PostgresQuery =
            exclusive
            ? "SELECT pg_advisory_unlock(\(Self.keySpace), hashtext(\(number)))"
            : "SELECT pg_advisory_unlock_shared(\(Self.keySpace), hashtext(\(number)))"
        do {
            _ = try await connection.query(query, logger: logger).collect()
        } catch {
            lose(connection)
        }
    }

    /// How many calls for the collector hold its lock, at every simulator of the ledger (`pg_locks`,
    /// which shows the whole server: this database only; the two-key form as `classid`, `objid` as
    /// unsigned, `objsubid` 2): for a trainer
    /// asking why a collector is busy, and for the tests, without taking the lock.
    func holders(of number: String) async throws -> Int {
        guard let connection = await open() else { throw Unreachable() }
        let query: PostgresQuery = """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = \(Int64(Self.keySpace))
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND objid::bigint = (hashtext(\(number))::bigint + 4294967296) % 4294967296
            """
        var count: Int64 = 0
        for try await rows in try await connection.query(query, logger: logger).decode(Int64.self) { count = rows }
        return Int(count)
    }

    /// Closes the connection: every lock it holds goes with it.
    func close() async {
        closed = true
        let connection = self.connection
        self.connection = nil
        held = [:]
        try? await connection?.close()
    }

    private func open() async -> PostgresConnection? {
        if let connection, !connection.isClosed { return connection }
        guard !closed else { return nil }
        held = [:]
        connection = nil
        do {
            let opened = try await PostgresConnection.connect(configuration: try address.connectionConfiguration(), id: 1, logger: logger)
            // Another call may have connected while this one waited: keep one connection.
            if let connection, !connection.isClosed {
                try? await opened.close()
                return connection
            }
            if closed {
                try? await opened.close()
                return nil
            }
            connection = opened
            return opened
        } catch {
            return nil
        }
    }

    private func lose(_ lost: PostgresConnection) {
        guard connection === lost else { return }
        connection = nil
        held = [:]
        Task { try? await lost.close() }
    }
}
