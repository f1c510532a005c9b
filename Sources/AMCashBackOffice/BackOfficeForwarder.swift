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

    /// Forwards every row waiting, batch by batch; returns how many were sent.
    @discardableResult
    public func forwardPending(_ client: PostgresClient, now: @Sendable () -> Date = Date.init) async throws -> Int {
        var total = 0
        while true {
            let rows = try journal.changesToForward(limit: settings.batchSize)
            guard let last = rows.last else { break }
            try await upsert(rows, client: client, at: now())
            try journal.acknowledgeForwarded(upTo: last.changeSeq, at: now())
            total += rows.count
            if rows.count < settings.batchSize { break }
        }
        let forwardedNow = total
        state.withLockedValue {
            $0.lastSuccessAt = now()
            $0.lastFailure = nil
            $0.forwardedRows += forwardedNow
        }
        return total
    }

    /// Tells the chain this till is alive (and how much it still holds back) when it has nothing to send.
    func heartbeat(_ client: PostgresClient, now: Date) async throws {
        let pending = try journal.forwardingStatus().pendingRows
        for id in try journal.terminalIds() {
            let (sponsor, store, device) = Self.split(id)
            try await client.query(
                """
                INSERT INTO terminals (sponsor, store, device, first_seen_at, last_seen_at, last_change_seq, pending_rows)
                VALUES (\(sponsor), \(store), \(device), \(now), \(now), 0, \(pending))
                ON CONFLICT (sponsor, store, device) DO UPDATE SET last_seen_at = excluded.last_seen_at, pending_rows = excluded.pending_rows
                """, logger: quietLogger)
        }
    }

    /// One batch, one transaction: the rows, then each till's line in `terminals`.
    private func upsert(_ rows: [ForwardedRow], client: PostgresClient, at now: Date) async throws {
        var sponsor: [String] = []
        var store: [String] = []
        var device: [String] = []
        var trace: [String] = []
        var kind: [String] = []
        var rowState: [String] = []
        var masked: [String] = []
        var hash: [String] = []
        var number: [String] = []
        var confirmation: [String] = []
        var original: [String] = []
        var requested: [Int64] = []
        var units: [Int64] = []
        var miles: [Int64] = []
        var cents: [Int64] = []
        var code: [String] = []
        var latency: [Int64] = []
        var created: [Int64] = []
        var answered: [Int64] = []
        var shown: [Int64] = []
        var redemptionDay: [String] = []
        var reconciliationDay: [String] = []
        var isVoid: [Bool] = []
        var isException: [Bool] = []
        var byRecovery: [Bool] = []
        var failure: [String] = []
        var seq: [Int64] = []
        var lastSeq: [String: Int64] = [:]
        func ms(_ date: Date?) -> Int64 { date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) } ?? -1 }
        for row in rows {
            let (s, st, d) = Self.split(row.cardTerminalId)
            sponsor.append(s)
            store.append(st)
            device.append(d)
            trace.append(row.traceId)
            kind.append(row.kind.rawValue)
            rowState.append(row.state.rawValue)
            masked.append(row.maskedCard)
            hash.append(row.collectorNumber.flatMap { settings.cardHash?.hash($0) } ?? "")
            number.append(settings.cardPolicy == .full ? row.collectorNumber ?? "" : "")
            confirmation.append(row.confirmationNumber ?? "")
            original.append(row.originalConfirmationNumber ?? "")
            requested.append(Int64(row.requested?.cents ?? -1))
            units.append(Int64(row.units?.count ?? -1))
            miles.append(Int64(row.miles?.value ?? -1))
            cents.append(Int64(row.money?.cents ?? -1))
            code.append(row.responseCode ?? "")
            latency.append(Int64(row.hostLatencyMs ?? -1))
            created.append(ms(row.createdAt))
            answered.append(ms(row.answeredAt))
            shown.append(ms(row.shownAt))
            redemptionDay.append(row.redemptionDay.description)
            reconciliationDay.append(row.reconciliationDay.description)
            isVoid.append(row.isVoid)
            isException.append(row.isException)
            byRecovery.append(row.resolvedByRecovery)
            failure.append(row.lastFailure ?? "")
            seq.append(row.changeSeq)
            lastSeq[row.cardTerminalId] = max(lastSeq[row.cardTerminalId] ?? 0, row.changeSeq)
        }
        // A short batch took everything that was waiting: count what is left only after a full one.
        let pendingAfter = rows.count < settings.batchSize ? 0 : max(0, (try journal.forwardingStatus().pendingRows) - rows.count)
        try await client.withTransaction(logger: quietLogger) { connection in
            try await connection.query(
                """
                INSERT INTO terminal_rows (sponsor, store, device, trace_id, kind, state, card_masked, card_hash, card_number,
                    confirmation_number, original_confirmation_number, requested_cents, units, miles, cents, response_code, host_latency_ms,
                    created_at, answered_at, shown_at, redemption_day, reconciliation_day, is_void, is_exception, resolved_by_recovery, last_failure,
                    change_seq, forwarded_at)
                SELECT sponsor, store, device, trace_id, kind, state, card_masked, NULLIF(card_hash, ''), NULLIF(card_number, ''),
                    NULLIF(confirmation, ''), NULLIF(original, ''), NULLIF(requested, -1), NULLIF(units, -1)::integer,
                    NULLIF(miles, -1)::integer, NULLIF(cents, -1), NULLIF(code, ''), NULLIF(latency, -1)::integer,
                    timestamptz 'epoch' + created * interval '1 millisecond',
                    CASE WHEN answered < 0 THEN NULL ELSE timestamptz 'epoch' + answered * interval '1 millisecond' END,
                    CASE WHEN shown < 0 THEN NULL ELSE timestamptz 'epoch' + shown * interval '1 millisecond' END,
                    redemption_day::date, reconciliation_day::date, is_void, is_exception, by_recovery, NULLIF(failure, ''), seq, \(now)
                FROM unnest(\(sponsor)::text[], \(store)::text[], \(device)::text[], \(trace)::text[], \(kind)::text[], \(rowState)::text[],
                    \(masked)::text[], \(hash)::text[], \(number)::text[], \(confirmation)::text[], \(original)::text[], \(requested)::bigint[],
                    \(units)::bigint[], \(miles)::bigint[], \(cents)::bigint[], \(code)::text[], \(latency)::bigint[], \(created)::bigint[], \(answered)::bigint[],
                    \(shown)::bigint[], \(redemptionDay)::text[], \(reconciliationDay)::text[], \(isVoid)::boolean[], \(isException)::boolean[],
                    \(byRecovery)::boolean[], \(failure)::text[], \(seq)::bigint[])
                    AS t(sponsor, store, device, trace_id, kind, state, card_masked, card_hash, card_number, confirmation, original,
                         requested, units, miles, cents, code, latency, created, answered, shown, redemption_day, reconciliation_day, is_void,
                         is_exception, by_recovery, failure, seq)
                ON CONFLICT (sponsor, store, device, trace_id) DO UPDATE SET
                    kind = excluded.kind, state = excluded.state, card_masked = excluded.card_masked,
                    card_hash = COALESCE(excluded.card_hash, terminal_rows.card_hash),
                    card_number = COALESCE(excluded.card_number, terminal_rows.card_number),
                    confirmation_number = excluded.confirmation_number, original_confirmation_number = excluded.original_confirmation_number,
                    requested_cents = excluded.requested_cents, units = excluded.units, miles = excluded.miles, cents = excluded.cents,
                    response_code = excluded.response_code, host_latency_ms = excluded.host_latency_ms, created_at = excluded.created_at, answered_at = excluded.answered_at,
                    shown_at = excluded.shown_at, redemption_day = excluded.redemption_day, reconciliation_day = excluded.reconciliation_day,
                    is_void = excluded.is_void, is_exception = excluded.is_exception, resolved_by_recovery = excluded.resolved_by_recovery,
                    last_failure = excluded.last_failure, change_seq = excluded.change_seq, forwarded_at = excluded.forwarded_at
                WHERE terminal_rows.change_seq < excluded.change_seq
                """, logger: quietLogger)
            for (id, seq) in lastSeq {
                let (s, st, d) = Self.split(id)
                try await connection.query(
                    """
                    INSERT INTO terminals (sponsor, store, device, first_seen_at, last_seen_at, last_change_seq, pending_rows)
                    VALUES (\(s), \(st), \(d), \(now), \(now), \(seq), \(pendingAfter))
                    ON CONFLICT (sponsor, store, device) DO UPDATE SET last_seen_at = excluded.last_seen_at,
                        last_change_seq = GREATEST(terminals.last_change_seq, excluded.last_change_seq), pending_rows = excluded.pending_rows
                    """, logger: quietLogger)
            }
        }
    }

    /// A card terminal id is the sponsor (4), the store (4) and the device (2 or 3).
    static func split(_ cardTerminalId: String) -> (String, String, String) {
        let characters = Array(cardTerminalId)
        guard characters.count >= 10 else { return (cardTerminalId, "", "") }
        return (String(characters[0..<4]), String(characters[4..<8]), String(characters[8...]))
    }
}
