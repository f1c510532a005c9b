import AMCashContract
import AMCashDomain
import AMCashPostgres
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The simulated host's books in PostgreSQL, for a training centre whose several simulators share
/// one daily limit behind a load balancer (`amcash sim --database postgresql://…`).
///
/// Each REDEEM or REVERSE is one transaction. Requests for one idempotency identity are serialized
/// by a transaction-scoped advisory lock on it; requests for one collector by a row lock on the
/// account (`SELECT … FOR UPDATE`), taken before the day's usage is read, so two simulators never
/// both spend the last unit; and `cash >= 0` is a constraint, the last guard. Refunds of orphaned
/// answers and pruning run in their own short transactions.
final class PostgresLedger: LedgerBooks {
    static let schema = SchemaMigrator(
        component: "simulator-ledger",
        steps: [
            .init(
                version: 1, name: "accounts, usage, redemptions, replies",
                statements: [
                    """
                    CREATE TABLE sim_accounts (
                        number text PRIMARY KEY, cash bigint NOT NULL CHECK (cash >= 0), dream bigint NOT NULL, behaviour text NOT NULL)
                    """,
                    "CREATE TABLE sim_daily_usage (number text NOT NULL, day text NOT NULL, units integer NOT NULL, PRIMARY KEY (number, day))",
                    """
                    CREATE TABLE sim_redemptions (
                        confirmation text PRIMARY KEY, number text NOT NULL, units integer NOT NULL, miles integer NOT NULL, cents bigint NOT NULL,
                        at_ms bigint NOT NULL, day text NOT NULL, sponsor_code text NOT NULL, store_id text NOT NULL, device_id text NOT NULL,
                        trace_id text NOT NULL, reversal_confirmation text, reversed_at_ms bigint, reversal_sponsor_code text,
                        reversal_store_id text, reversal_device_id text, reversal_trace_id text,
                        refunded_by_host boolean NOT NULL DEFAULT false, refund_due_at_ms bigint)
                    """,
                    "CREATE INDEX sim_redemptions_by_sponsor_time ON sim_redemptions (sponsor_code, at_ms)",
                    "CREATE INDEX sim_reversals_by_sponsor_time ON sim_redemptions (reversal_sponsor_code, reversed_at_ms) WHERE reversed_at_ms IS NOT NULL",
                    "CREATE INDEX sim_redemptions_awaiting_refund ON sim_redemptions (refund_due_at_ms) WHERE refund_due_at_ms IS NOT NULL",
                    """
                    CREATE TABLE sim_replies (
                        key text PRIMARY KEY, operation text NOT NULL, body_hash bytea NOT NULL, status integer NOT NULL, response bytea NOT NULL,
                        confirmation text, expires_at_ms bigint NOT NULL)
                    """,
                    "CREATE INDEX sim_replies_by_expiry ON sim_replies (expires_at_ms)",
                    "CREATE SEQUENCE sim_confirmation_seq",
                ]),
            // `GET /training/collectors/N` counts one collector's standing redemptions by this index.
            .init(
                version: 2, name: "redemptions by collector",
                statements: [
                    "CREATE INDEX IF NOT EXISTS sim_redemptions_by_number ON sim_redemptions (number) WHERE reversal_confirmation IS NULL"
                ]),
            // Issuance: earnings and returns (signed miles), split between AM Cash and Dream, pending until post_at_ms.
            .init(
                version: 3, name: "issuances",
                statements: [
                    """
                    CREATE TABLE sim_issuances (
                        confirmation text PRIMARY KEY, operation text NOT NULL, checkout_transaction_id text,
                        original_checkout_transaction_id text, number text, pre_tax_cents bigint NOT NULL, miles integer NOT NULL,
                        cash_miles integer NOT NULL, dream_miles integer NOT NULL, status text NOT NULL, post_at_ms bigint, at_ms bigint NOT NULL)
                    """,
                    "CREATE INDEX sim_issuances_by_transaction ON sim_issuances (checkout_transaction_id)",
                    "CREATE INDEX sim_issuances_by_original ON sim_issuances (original_checkout_transaction_id)",
                    "CREATE INDEX sim_issuances_pending ON sim_issuances (post_at_ms) WHERE status = 'PENDING'",
                ]),
        ])

    private let client: PostgresClient
    private let running: Task<Void, Never>
    private let options: SimulatorOptions
    private let logger = quietLogger
    private let issuance: PostgresIssuanceLedger
    let collectorLocks: PostgresCollectorLocks?
    /// When refunds were last looked for and expired answers pruned (simulator clock, ms).
    private let lastRefundCheck = NIOLockedValueBox<Int64>(0)
    private let lastPrune = NIOLockedValueBox<Int64>(0)

    private init(client: PostgresClient, running: Task<Void, Never>, options: SimulatorOptions, address: PostgresAddress) {
        self.client = client
        self.running = running
        self.options = options
        collectorLocks = PostgresCollectorLocks(address: address)
        issuance = PostgresIssuanceLedger(client: client, options: options)
    }

    /// Connects, creates or upgrades the tables, and adds the collectors the ledger does not hold yet
    /// (accounts already there keep their balances: the other simulators are using them).
    static func open(_ address: PostgresAddress, options: SimulatorOptions, now: Date) async throws -> PostgresLedger {
        try await PostgresSession.probe(address)
        var configuration = try address.clientConfiguration()
        configuration.options.maximumConnections = 32
        let client = PostgresClient(configuration: configuration, backgroundLogger: quietLogger)
        let running = Task { await client.run() }
        let ledger = PostgresLedger(client: client, running: running, options: options, address: address)
        do {
            try await schema.migrate(client, logger: quietLogger)
            let today = ProgramDay.redemptionDay(at: now).description
            for collector in options.collectors {
                try await client.query(
                    """
                    INSERT INTO sim_accounts (number, cash, dream, behaviour)
                    VALUES (\(collector.number), \(collector.cashMiles), \(collector.dreamMiles), \(collector.behaviour.rawValue))
                    ON CONFLICT (number) DO UPDATE SET behaviour = excluded.behaviour
                    """, logger: quietLogger)
                if collector.redeemedTodayUnits > 0 {
                    try await client.query(
                        """
                        INSERT INTO sim_daily_usage (number, day, units) VALUES (\(collector.number), \(today), \(collector.redeemedTodayUnits))
                        ON CONFLICT (number, day) DO NOTHING
                        """, logger: quietLogger)
                }
            }
        } catch {
            await ledger.close()
            throw error
        }
        await ledger.collectorLocks?.warmUp()
        return ledger
    }

    func openAccount(_ collector: TestCollector, now: Date) async throws {
        let today = ProgramDay.redemptionDay(at: now).description
        try await client.withTransaction(logger: quietLogger) { connection in
            try await connection.query(
                """
                INSERT INTO sim_accounts (number, cash, dream, behaviour)
                VALUES (\(collector.number), \(collector.cashMiles), \(collector.dreamMiles), \(collector.behaviour.rawValue))
                ON CONFLICT (number) DO UPDATE SET cash = excluded.cash, dream = excluded.dream, behaviour = excluded.behaviour
                """, logger: quietLogger)
            try await connection.query("DELETE FROM sim_daily_usage WHERE number = \(collector.number)", logger: quietLogger)
            if collector.redeemedTodayUnits > 0 {
                try await connection.query(
                    "INSERT INTO sim_daily_usage (number, day, units) VALUES (\(collector.number), \(today), \(collector.redeemedTodayUnits))",
                    logger: quietLogger)
            }
        }
    }

    func issuanceBooks() -> any IssuanceBooks { issuance }

    func close() async {
        await collectorLocks?.close()
        running.cancel()
        await running.value
    }

    // MARK: - Requests

    func inquire(_ request: Components.Schemas.InquireRequest, now: Date) async throws -> (Int, Components.Schemas.InquireResponse) {
        try await housekeeping(now: now)
        let account = try await Self.account(request.collectorNumber, client, lock: false, logger: logger)
        var used = 0
        if let account { used = try await Self.usedUnits(account.number, day: ProgramDay.redemptionDay(at: now).description, client, logger: logger) }
        return HostRules.inquiry(request, account: account, usedToday: used, dailyLimit: options.dailyLimitUnits, now: now)
    }

    func redeem(
        _ request: Components.Schemas.RedeemRequest, key: String?, rawBody: Data,
        now: Date
    ) async throws -> LedgerReply<Components.Schemas.RedeemResponse> {
        try await once(IdempotencyIdentity(operation: "redeem", key: key, rawBody: rawBody), now: now) { [options] connection, logger in
            let account = try await Self.account(request.collectorNumber, connection, lock: true, logger: logger)
            let day = ProgramDay.redemptionDay(at: now).description
            var used = 0
            if let account { used = try await Self.usedUnits(account.number, day: day, connection, logger: logger) }
            switch HostRules.redemption(request, account: account, usedToday: used, dailyLimit: options.dailyLimitUnits, now: now) {
            case .answered(let status, let body):
                return (status, body, nil)
            case .grant(let grant):
                let (number, units, miles, cents) = (grant.account.number, grant.units, grant.miles, grant.cents)
                try await connection.query("UPDATE sim_accounts SET cash = cash - \(miles) WHERE number = \(number)", logger: logger)
                try await Self.addUsage(units, number: number, day: day, connection, logger: logger)
                let confirmation = "RD" + zeroPad(try await Self.nextSequence(connection, logger: logger), 10)
                try await connection.query(
                    """
                    INSERT INTO sim_redemptions (confirmation, number, units, miles, cents, at_ms, day, sponsor_code, store_id, device_id, trace_id)
                    VALUES (\(confirmation), \(number), \(units), \(miles), \(cents), \(milliseconds(now)), \(day),
                            \(request.sponsorCode), \(request.storeId), \(request.deviceId), \(request.traceId))
                    """, logger: logger)
                return grant.approved(confirmation: confirmation)
            }
        }
    }

    func reverse(
        _ request: Components.Schemas.ReverseRequest, key: String?, rawBody: Data,
        now: Date
    ) async throws -> LedgerReply<Components.Schemas.ReverseResponse> {
        try await once(IdempotencyIdentity(operation: "reverse", key: key, rawBody: rawBody), now: now) { connection, logger in
            let account = try await Self.account(request.collectorNumber, connection, lock: true, logger: logger)
            let confirmation: String
            switch HostRules.reversalStart(request, account: account, now: now) {
            case .answered(let status, let body): return (status, body, nil)
            case .lookUp(let number): confirmation = number
            }
            var facts: RedemptionFacts?
            for try await (number, units, miles, atMs, day, reversal, refunded) in try await connection.query(
                """
                SELECT number, units, miles, at_ms, day, reversal_confirmation, refunded_by_host FROM sim_redemptions
                WHERE confirmation = \(confirmation) FOR UPDATE
                """, logger: logger
            ).decode((String, Int, Int, Int64, String, String?, Bool).self) {
                facts = RedemptionFacts(
                    number: number, units: units, miles: miles, atMs: atMs, day: day, reversalConfirmation: reversal,
                    refundedByHost: refunded)
            }
            switch HostRules.reversal(request, account: account!, confirmation: confirmation, facts: facts, now: now) {
            case .answered(let status, let body):
                return (status, body, nil)
            case .reverse(let facts, var account, let response, let balancesShown):
                account.cash += facts.miles
                try await connection.query("UPDATE sim_accounts SET cash = cash + \(facts.miles) WHERE number = \(account.number)", logger: logger)
                try await Self.addUsage(-facts.units, number: account.number, day: facts.day, connection, logger: logger)
                let reversal = "RV" + zeroPad(try await Self.nextSequence(connection, logger: logger), 10)
                try await connection.query(
                    """
                    UPDATE sim_redemptions SET reversal_confirmation = \(reversal), reversed_at_ms = \(milliseconds(now)),
                        reversal_sponsor_code = \(request.sponsorCode), reversal_store_id = \(request.storeId),
                        reversal_device_id = \(request.deviceId), reversal_trace_id = \(request.traceId), refund_due_at_ms = NULL
                    WHERE confirmation = \(confirmation)
                    """, logger: logger)
                let (status, body) = HostRules.approvedReversal(
                    response, units: facts.units, reversal: reversal, account: account,
                    balancesShown: balancesShown)
                return (status, body, nil)
            }
        }
    }

    /// As `SimulatorLedger.once`: answered once per identity, replayed until the key's retention ends,
    /// a conflict for the same key with another body, a 0035 never stored. Serialization failures
    /// and deadlocks are retried (the transaction changed nothing).
    private func once<Body: Codable & Sendable & HostResponseBody>(
        _ identity: IdempotencyIdentity, now: Date,
        apply: @escaping @Sendable (PostgresConnection, Logger) async throws -> (Int, Body, String?)
    ) async throws -> LedgerReply<Body> {
        try await housekeeping(now: now)
        let retentionMs = Int64(options.keyRetention.components.seconds) * 1000
        let nowMs = milliseconds(now)
        return try await Self.retrying(client, logger: logger) { connection in
            switch try await Self.storedReply(identity, nowMs: nowMs, connection, logger: self.logger) {
            case .conflict:
                return .conflict
            case .found(let status, let response, let confirmation):
                // The answer reached the terminal this time (unless it is dropped again): nothing to refund.
                if let confirmation {
                    try await connection.query(
                        "UPDATE sim_redemptions SET refund_due_at_ms = NULL WHERE confirmation = \(confirmation)", logger: self.logger)
                }
                return .answer(status: status, body: try JSONDecoder().decode(Body.self, from: response))
            case .none:
                break
            }
            let (status, response, confirmation) = try await apply(connection, self.logger)
            if response.responseCode != ResponseCode.invalidField.rawValue {
                try await Self.store(
                    identity, status: status, response: try JSONEncoder().encode(response), confirmation: confirmation,
                    expiresAtMs: nowMs + retentionMs, connection, logger: self.logger)
            }
            return .answer(status: status, body: response)
        }
    }

    /// What `sim_replies` holds for an identity.
    enum StoredReply {
        case none
        case conflict
        case found(status: Int, response: Data, confirmation: String?)
    }

    /// Takes the identity's transaction-scoped advisory lock (two requests for one identity run one after
    /// the other), then reads its stored answer: none (or one past its retention, now forgotten), the same
    /// key with another body, or the answer to replay.
    static func storedReply(_ identity: IdempotencyIdentity, nowMs: Int64, _ connection: PostgresConnection, logger: Logger) async throws
        -> StoredReply
    {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(identity.storageKey), 0))", logger: logger)
        var stored: (String, ByteBuffer, Int, ByteBuffer, String?, Int64)?
        for try await row in try await connection.query(
            """
            SELECT operation, body_hash, status, response, confirmation, expires_at_ms FROM sim_replies WHERE key = \(identity.storageKey)
            """, logger: logger
        ).decode((String, ByteBuffer, Int, ByteBuffer, String?, Int64).self) {
            stored = row
        }
        guard let stored else { return .none }
        guard stored.5 > nowMs else {
            // Past its retention the key is forgotten: this is a new transaction.
            try await connection.query("DELETE FROM sim_replies WHERE key = \(identity.storageKey)", logger: logger)
            return .none
        }
        guard stored.0 == identity.operation, Data(buffer: stored.1) == identity.bodyHash else { return .conflict }
        return .found(status: stored.2, response: Data(buffer: stored.3), confirmation: stored.4)
    }

    /// Keeps an answer under its identity until `expiresAtMs`.
    static func store(
        _ identity: IdempotencyIdentity, status: Int, response: Data, confirmation: String?, expiresAtMs: Int64, _ connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO sim_replies (key, operation, body_hash, status, response, confirmation, expires_at_ms)
            VALUES (\(identity.storageKey), \(identity.operation), \(ByteBuffer(data: identity.bodyHash)), \(status),
                    \(ByteBuffer(data: response)), \(confirmation), \(expiresAtMs))
            """, logger: logger)
    }

    /// `work` in one transaction, run again (up to five times) after a serialization failure or a
    /// deadlock, which changed nothing.
    static func retrying<T: Sendable>(
        _ client: PostgresClient, logger: Logger, _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withTransaction(logger: logger) { connection in try await work(connection) }
            } catch {
                // postgres-nio wraps the closure's and the commit's errors.
                let underlying = (error as? PostgresTransactionError).flatMap { $0.closureError ?? $0.commitError } ?? error
                guard attempt < 5, PostgresFailure.isRetryable(underlying) else { throw underlying }
            }
        }
    }

    func answerWasLost(_ identity: IdempotencyIdentity, now: Date) async throws {
        let due = milliseconds(now) + Int64(options.orphanRefund.components.seconds) * 1000
        try await client.query(
            """
            UPDATE sim_redemptions SET refund_due_at_ms = \(due)
            WHERE reversal_confirmation IS NULL AND confirmation = (
                SELECT confirmation FROM sim_replies WHERE key = \(identity.storageKey) AND operation = \(identity.operation))
            """, logger: logger)
    }

    /// The host's own refunds that fell due (at most once a second per simulator), and expired
    /// answers pruned (once a minute), each in short transactions of their own.
    private func housekeeping(now: Date) async throws {
        let nowMs = milliseconds(now)
        let refunds = lastRefundCheck.withLockedValue { last in
            guard nowMs - last >= 1_000 || nowMs < last else { return false }
            last = nowMs
            return true
        }
        if refunds { try await Self.refundOrphans(client, nowMs: nowMs, logger: logger) }
        let prune = lastPrune.withLockedValue { last in
            guard nowMs - last >= 60_000 || nowMs < last else { return false }
            last = nowMs
            return true
        }
        if prune { try await client.query("DELETE FROM sim_replies WHERE expires_at_ms <= \(nowMs)", logger: logger) }
    }

    static func refundOrphans(_ client: PostgresClient, nowMs: Int64, logger: Logger) async throws {
        var due: [String] = []
        for try await confirmation in try await client.query(
            """
            SELECT confirmation FROM sim_redemptions WHERE refund_due_at_ms IS NOT NULL AND refund_due_at_ms <= \(nowMs)
            """, logger: logger
        ).decode(String.self) {
            due.append(confirmation)
        }
        for confirmation in due {
            try await client.withTransaction(logger: logger) { connection in
                // The account first, as REDEEM and REVERSE lock it, then the redemption (still due?).
                var row: (String, Int, Int, String)?
                for try await found in try await connection.query(
                    """
                    SELECT number, units, miles, day FROM sim_redemptions WHERE confirmation = \(confirmation)
                    """, logger: logger
                ).decode((String, Int, Int, String).self) {
                    row = found
                }
                guard let (number, units, miles, day) = row else { return }
                try await connection.query("SELECT 1 FROM sim_accounts WHERE number = \(number) FOR UPDATE", logger: logger)
                var stillDue = false
                for try await _ in try await connection.query(
                    """
                    SELECT 1 FROM sim_redemptions WHERE confirmation = \(confirmation) AND refund_due_at_ms IS NOT NULL
                        AND refund_due_at_ms <= \(nowMs) AND reversal_confirmation IS NULL FOR UPDATE
                    """, logger: logger
                ).decode(Int.self) {
                    stillDue = true
                }
                guard stillDue else { return }
                try await connection.query("UPDATE sim_accounts SET cash = cash + \(miles) WHERE number = \(number)", logger: logger)
                try await addUsage(-units, number: number, day: day, connection, logger: logger)
                let refund = "RF" + zeroPad(try await nextSequence(connection, logger: logger), 10)
                try await connection.query(
                    """
                    UPDATE sim_redemptions SET reversal_confirmation = \(refund), reversed_at_ms = refund_due_at_ms,
                        reversal_sponsor_code = sponsor_code, reversal_store_id = store_id, reversal_device_id = device_id,
                        reversal_trace_id = trace_id, refunded_by_host = true, refund_due_at_ms = NULL
                    WHERE confirmation = \(confirmation)
                    """, logger: logger)
            }
        }
    }

    // MARK: - Looking in

    func cashBalance(of number: String, now: Date) async throws -> Int? {
        try await housekeeping(now: now)
        return try await Self.account(number, client, lock: false, logger: logger)?.cash
    }

    func usedUnits(_ number: String, now: Date) async throws -> Int {
        try await Self.usedUnits(number, day: ProgramDay.redemptionDay(at: now).description, client, logger: logger)
    }

    func reconciliationFile(day: ProgramDay, sponsorCode: String, now: Date) async throws -> ReconciliationFile {
        try await Self.refundOrphans(client, nowMs: milliseconds(now), logger: logger)
        let start = milliseconds(day.reconciliationStart)
        let end = milliseconds(day.reconciliationEnd)
        var entries = ReconciliationExport.Entries()
        for try await (confirmation, number, units, miles, cents, at, sponsor, store, device, trace) in try await client.query(
            """
            SELECT confirmation, number, units, miles, cents, at_ms, sponsor_code, store_id, device_id, trace_id FROM sim_redemptions
            WHERE sponsor_code = \(sponsorCode) AND at_ms >= \(start) AND at_ms < \(end)
            """, logger: logger
        ).decode((String, String, Int, Int, Int, Int64, String, String, String, String).self) {
            entries.add(
                .redeem, atMs: at, sponsor: sponsor, store: store, device: device, trace: trace, number: number, units: units,
                miles: miles, cents: cents, confirmation: confirmation, original: nil)
        }
        for try await (confirmation, number, units, miles, cents, reversal, at, sponsor, store, device, trace) in try await client.query(
            """
            SELECT confirmation, number, units, miles, cents, reversal_confirmation, reversed_at_ms, reversal_sponsor_code, reversal_store_id,
                reversal_device_id, reversal_trace_id FROM sim_redemptions
            WHERE reversal_sponsor_code = \(sponsorCode) AND reversed_at_ms >= \(start) AND reversed_at_ms < \(end)
            """, logger: logger
        ).decode((String, String, Int, Int, Int, String, Int64, String, String, String, String).self) {
            entries.add(
                .reverse, atMs: at, sponsor: sponsor, store: store, device: device, trace: trace, number: number, units: units,
                miles: miles, cents: cents, confirmation: reversal, original: confirmation)
        }
        return entries.file(sponsorCode: sponsorCode, day: day, now: now)
    }

    func redemptions() async throws -> [LedgerRedemption] {
        var all: [LedgerRedemption] = []
        for try await (confirmation, number, units, reversal, refunded) in try await client.query(
            """
            SELECT confirmation, number, units, reversal_confirmation, refunded_by_host FROM sim_redemptions ORDER BY at_ms, confirmation
            """, logger: logger
        ).decode((String, String, Int, String?, Bool).self) {
            all.append(LedgerRedemption(confirmation: confirmation, number: number, units: units, reversal: reversal, refundedByHost: refunded))
        }
        return all
    }

    func standingRedemptions(of number: String) async throws -> Int {
        var count = 0
        for try await value in try await client.query(
            "SELECT count(*)::bigint FROM sim_redemptions WHERE number = \(number) AND reversal_confirmation IS NULL", logger: logger
        ).decode(Int64.self) {
            count = Int(value)
        }
        return count
    }

    func storedReplies() async throws -> Int {
        var count = 0
        for try await value in try await client.query("SELECT count(*)::bigint FROM sim_replies", logger: logger).decode(Int64.self) {
            count = Int(value)
        }
        return count
    }

    func prefill(redemptions count: Int, collectors: [String], now: Date) async throws {
        guard count > 0, !collectors.isEmpty else { return }
        let at = milliseconds(now.addingTimeInterval(-86_400))
        let day = ProgramDay.redemptionDay(at: now.addingTimeInterval(-86_400)).description
        let numbers = (0..<count).map { collectors[$0 % collectors.count] }
        let traces = (0..<count).map { zeroPad($0 + 1, 12) }
        try await client.query(
            """
            INSERT INTO sim_redemptions (confirmation, number, units, miles, cents, at_ms, day, sponsor_code, store_id, device_id, trace_id)
            SELECT 'RD' || lpad(nextval('sim_confirmation_seq')::text, 10, '0'), n, 1, 95, 1000, \(at), \(day), 'LOY1', '0001', '999', t
            FROM unnest(\(numbers)::text[], \(traces)::text[]) AS p(n, t)
            """, logger: logger)
    }

    // MARK: - Pieces

    static func account(_ number: String, _ connection: some PostgresQueryRunner, lock: Bool, logger: Logger) async throws -> Account? {
        let sql: PostgresQuery =
            lock
            ? "SELECT cash, dream, behaviour FROM sim_accounts WHERE number = \(number) FOR UPDATE"
            : "SELECT cash, dream, behaviour FROM sim_accounts WHERE number = \(number)"
        for try await (cash, dream, behaviour) in try await connection.run(sql, logger: logger).decode((Int, Int, String).self) {
            return Account(number: number, cash: cash, dream: dream, behaviour: TestCollector.Behaviour(rawValue: behaviour) ?? .normal)
        }
        return nil
    }

    private static func usedUnits(_ number: String, day: String, _ connection: some PostgresQueryRunner, logger: Logger) async throws -> Int {
        for try await units in try await connection.run(
            "SELECT units FROM sim_daily_usage WHERE number = \(number) AND day = \(day)",
            logger: logger
        ).decode(Int.self) {
            return units
        }
        return 0
    }

    private static func addUsage(_ units: Int, number: String, day: String, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO sim_daily_usage (number, day, units) VALUES (\(number), \(day), \(units))
            ON CONFLICT (number, day) DO UPDATE SET units = sim_daily_usage.units + excluded.units
            """, logger: logger)
    }

    static func nextSequence(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        for try await value in try await connection.query("SELECT nextval('sim_confirmation_seq')", logger: logger).decode(Int64.self) {
            return Int(value)
        }
        throw LedgerFailure(reason: "the confirmation sequence gave nothing")
    }
}

/// A client or a connection: both run a query.
protocol PostgresQueryRunner: Sendable {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence
}

extension PostgresClient: PostgresQueryRunner {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence { try await self.query(query, logger: logger) }
}

extension PostgresConnection: PostgresQueryRunner {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence { try await self.query(query, logger: logger) }
}
