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
/// If PostgreSQL cannot be asked within `limit`, the call goes ahead and the simulator logs it once
/// (the ledger, on the same server, says what is wrong): a lock is a training aid here, never a reason
/// to refuse a sale the ledger would take, nor to hold every call while a connection hangs.
actor PostgresCollectorLocks {
    /// "AMCA": the first key of every collector lock, so no other advisory lock can meet them.
    static let keySpace: Int32 = 0x414D_4341

    /// What `take` gave: a lock held on one connection (`generation`), or no lock because PostgreSQL
    /// could not be asked (the call goes ahead; there is nothing to release).
    enum Grant: Sendable, Equatable {
        case held(generation: Int)
        case unchecked
        case refused
    }

    private let address: PostgresAddress
    private let logger: Logger
    private let warnings: Logger
    private let limit: Duration
    private var connection: PostgresConnection?
    /// Which connection this is: a lock taken on an earlier one went with it, and its release must not
    /// let go of a lock a later call took on this one.
    private var generation = 0
    /// Locks taken on the current connection and not yet released, by collector and mode.
    private var held: [Key: Int] = [:]
    private var closed = false
    /// The connection being opened, which every call arriving meanwhile waits for.
    private var connecting: Task<PostgresConnection?, Never>?
    /// Whether the last attempt to ask PostgreSQL failed (logged once, and once more when it answers again).
    private var unreachable = false

    /// PostgreSQL could not be reached (or the locks were closed).
    struct Unreachable: Error {}

    private struct Key: Hashable {
        let number: String
        let exclusive: Bool
    }

    init(
        address: PostgresAddress, limit: Duration = .seconds(2), logger: Logger = quietLogger,
        warnings: Logger = Logger(label: "amcash.simulator")
    ) {
        self.address = address
        self.limit = limit
        self.logger = logger
        self.warnings = warnings
    }

    /// Takes the collector's lock without waiting for other holders: `.refused` when another simulator
    /// holds it in a mode that conflicts (then nothing is held).
    func take(_ number: String, exclusive: Bool) async -> Grant {
        guard let connection = await open() else { return .unchecked }
        let query: PostgresQuery =
            exclusive
            ? "SELECT pg_try_advisory_lock(\(Self.keySpace), hashtext(\(number)))"
            : "SELECT pg_try_advisory_lock_shared(\(Self.keySpace), hashtext(\(number)))"
        let logger = self.logger
        let answer = await Self.within(limit) {
            var taken = false
            for try await granted in try await connection.query(query, logger: logger).decode(Bool.self) { taken = granted }
            return taken
        }
        switch answer {
        case .success(let taken):
            answered()
            guard taken else { return .refused }
            // Still the connection it was taken on (a lost one took the lock with it).
            guard self.connection === connection else { return .unchecked }
            held[Key(number: number, exclusive: exclusive), default: 0] += 1
            return .held(generation: generation)
        case .failure(let error):
            // Dropping the connection also ends a lock the server may still grant after the limit.
            lose(connection, error)
            return .unchecked
        }
    }

    /// Lets go of one lock `take` gave on connection `generation`; nothing when that connection was lost
    /// since (the lock went with it, and a later call may hold the collector's lock on this one).
    func release(_ number: String, exclusive: Bool, generation: Int) async {
        let key = Key(number: number, exclusive: exclusive)
        guard let connection, generation == self.generation, let count = held[key], count > 0 else { return }
        held[key] = count == 1 ? nil : count - 1
        let query: PostgresQuery =
            exclusive
            ? "SELECT pg_advisory_unlock(\(Self.keySpace), hashtext(\(number)))"
            : "SELECT pg_advisory_unlock_shared(\(Self.keySpace), hashtext(\(number)))"
        let logger = self.logger
        if case .failure(let error) = await Self.within(limit, { try await connection.query(query, logger: logger).collect().count }) {
            // Closing the session lets go of the lock for certain.
            lose(connection, error)
        }
    }

    /// `work`'s result, or `TimedOut` after `limit` without waiting for `work` to notice (`withTimeLimit`): a
    /// query on a hung connection may never end, and a request (or the simulator's shutdown) must not wait for
    /// it. The caller then drops the connection, which ends the query and any lock it took.
    private static func within<T: Sendable>(
        _ limit: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error> {
        do { return .success(try await withTimeLimit(limit, work)) } catch { return .failure(error) }
    }

    /// How many locks on the collector are held, by every simulator of the ledger (`pg_locks`, which shows
    /// the whole server: this database only; the two-key form as `classid`, `objid` as unsigned, `objsubid`
    /// 2): one per session and mode, however many calls of one simulator share it. For a trainer asking why
    /// a collector is busy, and for the tests, without taking the lock.
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
        if let connection { _ = await Self.within(limit) { try await connection.close() } }
    }

    /// Opens the connection at the simulator's start, so its first calls do not wait for it.
    func warmUp() async {
        _ = await open()
    }

    /// The connection, opened once however many calls ask at the same moment (a burst of 25 calls must not
    /// open 25 connections and close 24: on a busy server that storm was slower than the calls' deadline).
    private func open() async -> PostgresConnection? {
        if let connection, !connection.isClosed { return connection }
        guard !closed else { return nil }
        if let connection { lose(connection, nil) }
        let attempt: Task<PostgresConnection?, Never>
        if let connecting {
            attempt = connecting
        } else {
            let address = self.address
            let limit = self.limit
            let logger = self.logger
            attempt = Task {
                do {
                    var configuration = try address.connectionConfiguration()
                    configuration.options.connectTimeout = .nanoseconds(limit.wholeNanoseconds)
                    return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                } catch {
                    self.warn(error)
                    return nil
                }
            }
            connecting = attempt
        }
        let opened = await attempt.value
        if connecting == attempt { connecting = nil }
        guard let opened, !opened.isClosed else { return nil }
        if connection === opened { return opened }
        if closed {
            try? await opened.close()
            return nil
        }
        connection = opened
        generation += 1
        held = [:]
        return opened
    }

    /// Drops a connection that failed or hung: its session, and every lock it held, end with it.
    private func lose(_ lost: PostgresConnection, _ error: (any Error)?) {
        if let error { warn(error) }
        guard connection === lost else { return }
        connection = nil
        held = [:]
        Task { try? await lost.close() }
    }

    private func warn(_ error: any Error) {
        guard !unreachable else { return }
        unreachable = true
        warnings.warning(
            "collector locks: PostgreSQL did not answer; calls go ahead without the other simulators' check until it does",
            metadata: ["error": "\(PostgresFailure.describe(error))"])
    }

    private func answered() {
        guard unreachable else { return }
        unreachable = false
        warnings.notice("collector locks: PostgreSQL answers again")
    }
}
