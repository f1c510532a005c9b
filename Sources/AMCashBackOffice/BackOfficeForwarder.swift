import AMCashDomain
public import AMCashJournal
public import AMCashPostgres
public import Foundation
public import Logging
import NIOConcurrencyHelpers
public import PostgresNIO

/// What the chain may hold of a collector number.
public enum CardPolicy: String, Sendable, CaseIterable {
    /// The masked number and, with a card key, its keyed hash (the default).
    case masked
    /// Also the full number, where the chain's policy allows it.
    case full
}

/// How a till forwards its journal to the chain database.
public struct ForwardingSettings: Sendable {
    public var address: PostgresAddress
    public var cardPolicy: CardPolicy
    public var cardHash: CardHash?
    /// Rows per upsert.
    public var batchSize = 500
    /// How often the journal is looked at when nothing woke the forwarder.
    public var pollInterval: Duration = .seconds(2)
    /// How often an idle till tells the chain it is alive.
    public var heartbeat: Duration = .seconds(60)
    /// The longest wait between attempts while the database is away: how late, at worst, a till
    /// notices the database is back.
    public var maximumBackoff: Duration = .seconds(30)
    /// How long one pass may wait on the database.
    public var passTimeLimit: Duration = .seconds(20)

    public init(address: PostgresAddress, cardPolicy: CardPolicy = .masked, cardHash: CardHash? = nil) {
        self.address = address
        self.cardPolicy = cardPolicy
        self.cardHash = cardHash
    }
}

/// Store-and-forward of one journal to the chain database. The till never waits on it: the journal
/// is the record, and forwarding only reads it and moves its acknowledgement mark. Each batch is one
/// idempotent upsert keyed by (sponsor, store, device, trace id) — a batch sent twice changes
/// nothing — and the mark moves only after the database committed it.
public final class BackOfficeForwarder: Sendable {
    public struct Status: Sendable, Hashable {
        public var lastSuccessAt: Date?
        public var lastFailure: String?
        public var forwardedRows = 0
        /// The chain database's schema was found new enough for this till's rows.
        var schemaChecked = false
    }

    public let journal: Journal
    public let settings: ForwardingSettings
    private let logger: Logger
    private let state = NIOLockedValueBox(Status())

    public init(journal: Journal, settings: ForwardingSettings, logger: Logger = Logger(label: "amcash.backoffice")) {
        self.journal = journal
        self.settings = settings
        self.logger = logger
    }

    public var status: Status { state.withLockedValue { $0 } }

    /// Forwards until cancelled, with backoff while the database is away.
    public func run(now: @escaping @Sendable () -> Date = Date.init) async {
        // Before the database is reached: a final row keeps its number until the chain has its card hash.
        try? journal.noteForwarding()
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                try await PostgresSession.with(settings.address) { client in
                    var lastHeartbeat = ContinuousClock.now - settings.heartbeat
                    while !Task.isCancelled {
                        let sent = try await withTimeLimit(settings.passTimeLimit) { try await self.forwardPending(client, now: now) }
                        if sent == 0 && ContinuousClock.now - lastHeartbeat >= settings.heartbeat {
                            try await withTimeLimit(settings.passTimeLimit) { try await self.heartbeat(client, now: now()) }
                        }
                        if sent > 0 || ContinuousClock.now - lastHeartbeat >= settings.heartbeat { lastHeartbeat = .now }
                        try await Task.sleep(for: settings.pollInterval)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                let reason = PostgresFailure.describe(error)
                // A pass went through since the last failure: the database was back, start the backoff again.
                let wasWorking = state.withLockedValue { status in
                    defer { status.lastFailure = reason }
                    return status.lastFailure == nil && status.lastSuccessAt != nil
                }
                if wasWorking { backoff = .seconds(1) }
                // Half to all of the backoff, at random: a chain's tills that lost the database together
                // do not all knock again in the same second.
                let wait = backoff * Double.random(in: 0.5...1.0)
                logger.warning(
                    "back office \(settings.address) unavailable: \(reason); the journal keeps every row, retrying in \(wait.components.seconds) s")
                try? await Task.sleep(for: wait)
                backoff = min(backoff * 2, settings.maximumBackoff)
            }
        }
    }

    /// Forwards every row waiting (redemptions, then earnings), batch by batch; returns how many were sent.
    @discardableResult
    public func forwardPending(_ client: PostgresClient, now: @Sendable () -> Date = Date.init) async throws -> Int {
        try journal.noteForwarding()
        try await checkSchema(client)
        var total = try await forwardBatches(
            journal.changesToForward(limit:), sequence: \.changeSeq, send: { try await upsert($0, client: client, at: now()) },
            acknowledge: { try journal.acknowledgeForwarded(upTo: $0, at: now()) })
        total += try await forwardBatches(
            journal.earningChangesToForward(limit:), sequence: \.changeSeq, send: { try await upsert($0, client: client, at: now()) },
            acknowledge: { try journal.acknowledgeEarningsForwarded(upTo: $0, at: now()) })
        let forwardedNow = total
        state.withLockedValue {
            $0.lastSuccessAt = now()
            $0.lastFailure = nil
            $0.forwardedRows += forwardedNow
        }
        return total
    }

    /// A chain database older than this till's rows (a till upgraded before `amcash backoffice migrate` ran):
    /// nothing is sent — a batch would be refused row by row (an earning in exception has no place in a version
    /// 6 table) — and the failure says what to run. Checked until it passes once; the journal keeps every row.
    private func checkSchema(_ client: PostgresClient) async throws {
        guard !state.withLockedValue({ $0.schemaChecked }) else { return }
        let found = try await BackOfficeSchema.migrator.currentVersion(client, logger: quietLogger)
        guard let found, found >= Self.schemaForRows else { throw OutdatedChainSchema(found: found, required: Self.schemaForRows) }
        state.withLockedValue { $0.schemaChecked = true }
    }

    /// The chain schema version whose tables take every column and state this till forwards (7: an earning in
    /// exception). A later migration that the rows do not need does not stop tills that were not told of it.
    public static let schemaForRows = 7

    /// Sends one kind of change batch by batch, acknowledging each batch to the journal once the chain has it,
    /// until a short batch says nothing more waits; returns how many were sent.
    private func forwardBatches<Change>(
        _ changes: (Int) throws -> [Change], sequence: KeyPath<Change, Int64>, send: ([Change]) async throws -> Void,
        acknowledge: (Int64) throws -> Void
    ) async throws -> Int {
        var total = 0
        while true {
            let batch = try changes(settings.batchSize)
            guard let last = batch.last else { break }
            try await send(batch)
            try acknowledge(last[keyPath: sequence])
            total += batch.count
            if batch.count < settings.batchSize { break }
        }
        return total
    }

    /// Rows and earnings the journal still holds back from the chain.
    private func pendingChanges() throws -> Int {
        try journal.forwardingStatus().pendingRows + journal.earningChangesPending()
    }

    /// Tells the chain this till is alive (and how much it still holds back) when it has nothing to send.
    func heartbeat(_ client: PostgresClient, now: Date) async throws {
        let pending = try pendingChanges()
        let ids = try journal.terminalIds()
        let bound = statementTimeout
        try await client.withTransaction(logger: quietLogger) { connection in
            try await connection.query(bound, logger: quietLogger)
            for id in ids {
                let (sponsor, store, device) = Self.split(id)
                try await connection.query(
                    """
                    INSERT INTO terminals (sponsor, store, device, first_seen_at, last_seen_at, last_change_seq, pending_rows)
                    VALUES (\(sponsor), \(store), \(device), \(now), \(now), 0, \(pending))
                    ON CONFLICT (sponsor, store, device) DO UPDATE SET last_seen_at = excluded.last_seen_at, pending_rows = excluded.pending_rows
                    """, logger: quietLogger)
            }
        }
    }

    /// The server ends a statement of the pass a second after the pass gave it up (`SET LOCAL`, for this transaction
    /// only: a pooler in front passes it on, as it might not a startup parameter). A backend waiting on a lock does
    /// not notice that its client closed until it has the lock: without it, each pass a lock held left one more of the
    /// chain database's connections waiting (six after seven seconds of a held table).
    private var statementTimeout: PostgresQuery {
        PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(max(1, (settings.passTimeLimit + .seconds(1)).wholeMilliseconds))")
    }

    /// One batch of redemption rows, one transaction: the rows, then each till's line in `terminals`.
    private func upsert(_ rows: [ForwardedRow], client: PostgresClient, at now: Date) async throws {
        let columns = RowColumns(rows, settings: settings)
        try await upsert(columns.change, count: rows.count, client: client, at: now) { connection in
            try await Self.insertRows(columns, connection: connection, at: now)
        }
    }

    /// One batch of earnings (ISSUE, RETURN), one transaction: the rows, then each till's line in `terminals`.
    private func upsert(_ earnings: [ForwardedEarning], client: PostgresClient, at now: Date) async throws {
        let columns = EarningColumns(earnings, settings: settings)
        try await upsert(columns.change, count: earnings.count, client: client, at: now) { connection in
            try await Self.insertEarnings(columns, connection: connection, at: now)
        }
    }

    /// One transaction for a batch of `count` changes: `insert` writes them, then each till of the batch is noted.
    private func upsert(
        _ change: ChangeColumns, count: Int, client: PostgresClient, at now: Date,
        insert: @escaping @Sendable (PostgresConnection) async throws -> Void
    ) async throws {
        let pendingAfter = try pendingAfter(batchOf: count)
        let bound = statementTimeout
        try await client.withTransaction(logger: quietLogger) { connection in
            try await connection.query(bound, logger: quietLogger)
            try await insert(connection)
            try await Self.noteTerminals(change.lastSeq, pending: pendingAfter, connection: connection, at: now)
        }
    }

    /// What is left after a batch: a short batch took everything that was waiting, so count only after a full one.
    private func pendingAfter(batchOf count: Int) throws -> Int {
        count < settings.batchSize ? 0 : max(0, try pendingChanges() - count)
    }

    /// The rows of a batch in one statement (`unnest` of one array per column); a row the chain already
    /// holds at a later change is left as it is.
    private static func insertRows(_ c: RowColumns, connection: PostgresConnection, at now: Date) async throws {
        try await connection.query(
            """
            INSERT INTO terminal_rows (sponsor, store, device, trace_id, kind, state, card_masked, card_hash, card_number,
                confirmation_number, original_confirmation_number, requested_cents, units, miles, cents, response_code, host_latency_ms,
                sale_id, created_at, answered_at, shown_at, redemption_day, reconciliation_day, is_void, is_exception, resolved_by_recovery, last_failure,
                change_seq, forwarded_at)
            SELECT sponsor, store, device, trace_id, kind, state, card_masked, NULLIF(card_hash, ''), NULLIF(card_number, ''),
                NULLIF(confirmation, ''), NULLIF(original, ''), NULLIF(requested, -1), NULLIF(units, -1)::integer,
                NULLIF(miles, -1)::integer, NULLIF(cents, -1), NULLIF(code, ''), NULLIF(latency, -1)::integer, NULLIF(sale, ''),
                timestamptz 'epoch' + created * interval '1 millisecond',
                CASE WHEN answered < 0 THEN NULL ELSE timestamptz 'epoch' + answered * interval '1 millisecond' END,
                CASE WHEN shown < 0 THEN NULL ELSE timestamptz 'epoch' + shown * interval '1 millisecond' END,
                redemption_day::date, reconciliation_day::date, is_void, is_exception, by_recovery, NULLIF(failure, ''), seq, \(now)
            FROM unnest(\(c.change.sponsor)::text[], \(c.change.store)::text[], \(c.change.device)::text[], \(c.change.trace)::text[], \(c.change.kind)::text[], \(c.change.state)::text[],
                \(c.change.masked)::text[], \(c.change.hash)::text[], \(c.change.number)::text[], \(c.confirmation)::text[], \(c.original)::text[], \(c.requested)::bigint[],
                \(c.units)::bigint[], \(c.miles)::bigint[], \(c.cents)::bigint[], \(c.code)::text[], \(c.latency)::bigint[], \(c.saleId)::text[], \(c.created)::bigint[], \(c.answered)::bigint[],
                \(c.shown)::bigint[], \(c.redemptionDay)::text[], \(c.reconciliationDay)::text[], \(c.isVoid)::boolean[], \(c.isException)::boolean[],
                \(c.byRecovery)::boolean[], \(c.change.failure)::text[], \(c.change.seq)::bigint[])
                AS t(sponsor, store, device, trace_id, kind, state, card_masked, card_hash, card_number, confirmation, original,
                     requested, units, miles, cents, code, latency, sale, created, answered, shown, redemption_day, reconciliation_day, is_void,
                     is_exception, by_recovery, failure, seq)
            ON CONFLICT (sponsor, store, device, trace_id) DO UPDATE SET
                kind = excluded.kind, state = excluded.state, card_masked = excluded.card_masked,
                card_hash = COALESCE(excluded.card_hash, terminal_rows.card_hash),
                card_number = COALESCE(excluded.card_number, terminal_rows.card_number),
                confirmation_number = excluded.confirmation_number, original_confirmation_number = excluded.original_confirmation_number,
                requested_cents = excluded.requested_cents, units = excluded.units, miles = excluded.miles, cents = excluded.cents,
                response_code = excluded.response_code, host_latency_ms = excluded.host_latency_ms, sale_id = COALESCE(excluded.sale_id, terminal_rows.sale_id), created_at = excluded.created_at, answered_at = excluded.answered_at,
                shown_at = excluded.shown_at, redemption_day = excluded.redemption_day, reconciliation_day = excluded.reconciliation_day,
                is_void = excluded.is_void, is_exception = excluded.is_exception, resolved_by_recovery = excluded.resolved_by_recovery,
                last_failure = excluded.last_failure, change_seq = excluded.change_seq, forwarded_at = excluded.forwarded_at
            WHERE terminal_rows.change_seq < excluded.change_seq
            """, logger: quietLogger)
    }

    /// The earnings of a batch in one statement, as `insertRows` does for redemptions.
    private static func insertEarnings(_ c: EarningColumns, connection: PostgresConnection, at now: Date) async throws {
        try await connection.query(
            """
            INSERT INTO terminal_earnings (sponsor, store, device, trace_id, kind, state, card_masked, card_hash, card_number,
                checkout_transaction_id, original_checkout_transaction_id, earned_on_cents, attempts, http_status, response_code,
                confirmation_number, miles, created_at, answered_at, transaction_day, last_failure, change_seq, forwarded_at)
            SELECT sponsor, store, device, trace_id, kind, state, card_masked, NULLIF(card_hash, ''), NULLIF(card_number, ''),
                checkout, NULLIF(original, ''), NULLIF(earned_on, -1), attempts::integer, NULLIF(status, -1)::integer, NULLIF(code, ''),
                NULLIF(confirmation, ''), NULLIF(miles, -1)::integer, timestamptz 'epoch' + created * interval '1 millisecond',
                CASE WHEN answered < 0 THEN NULL ELSE timestamptz 'epoch' + answered * interval '1 millisecond' END,
                day::date, NULLIF(failure, ''), seq, \(now)
            FROM unnest(\(c.change.sponsor)::text[], \(c.change.store)::text[], \(c.change.device)::text[], \(c.change.trace)::text[], \(c.change.kind)::text[], \(c.change.state)::text[],
                \(c.change.masked)::text[], \(c.change.hash)::text[], \(c.change.number)::text[], \(c.checkout)::text[], \(c.original)::text[], \(c.earnedOn)::bigint[],
                \(c.attempts)::bigint[], \(c.status)::bigint[], \(c.code)::text[], \(c.confirmation)::text[], \(c.miles)::bigint[],
                \(c.created)::bigint[], \(c.answered)::bigint[], \(c.day)::text[], \(c.change.failure)::text[], \(c.change.seq)::bigint[])
                AS t(sponsor, store, device, trace_id, kind, state, card_masked, card_hash, card_number, checkout, original, earned_on,
                     attempts, status, code, confirmation, miles, created, answered, day, failure, seq)
            ON CONFLICT (sponsor, store, device, trace_id) DO UPDATE SET
                state = excluded.state, card_masked = excluded.card_masked,
                card_hash = COALESCE(excluded.card_hash, terminal_earnings.card_hash),
                card_number = COALESCE(excluded.card_number, terminal_earnings.card_number),
                attempts = excluded.attempts, http_status = excluded.http_status, response_code = excluded.response_code,
                confirmation_number = excluded.confirmation_number, miles = excluded.miles, answered_at = excluded.answered_at,
                last_failure = excluded.last_failure, change_seq = excluded.change_seq, forwarded_at = excluded.forwarded_at
            WHERE terminal_earnings.change_seq < excluded.change_seq
            """, logger: quietLogger)
    }

    /// Each till of a batch is seen now, at its latest change, with what it still holds back.
    private static func noteTerminals(
        _ lastSeq: [String: Int64], pending: Int, connection: PostgresConnection, at now: Date
    ) async throws {
        for (id, seq) in lastSeq {
            let (s, st, d) = Self.split(id)
            try await connection.query(
                """
                INSERT INTO terminals (sponsor, store, device, first_seen_at, last_seen_at, last_change_seq, pending_rows)
                VALUES (\(s), \(st), \(d), \(now), \(now), \(seq), \(pending))
                ON CONFLICT (sponsor, store, device) DO UPDATE SET last_seen_at = excluded.last_seen_at,
                    last_change_seq = GREATEST(terminals.last_change_seq, excluded.last_change_seq), pending_rows = excluded.pending_rows
                """, logger: quietLogger)
        }
    }

    /// A card terminal id is the sponsor (4), the store (4) and the device (2 or 3).
    static func split(_ cardTerminalId: String) -> (String, String, String) {
        let characters = Array(cardTerminalId)
        guard characters.count >= 10 else { return (cardTerminalId, "", "") }
        return (String(characters[0..<4]), String(characters[4..<8]), String(characters[8...]))
    }
}

/// The chain database's schema is older than the rows this till forwards.
public struct OutdatedChainSchema: Error, CustomStringConvertible {
    public let found: Int?
    public let required: Int
    public var description: String {
        "the chain database's schema is at version \(found.map(String.init) ?? "none") and this till forwards rows for version "
            + "\(required): run `amcash backoffice migrate --database URL` (nothing is sent until then; the journal keeps every row)"
    }
}
