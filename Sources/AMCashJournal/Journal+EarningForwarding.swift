public import AMCashDomain
public import AMCashWire
public import Foundation
import GRDB

/// One ISSUE or RETURN as the chain's back office receives it: what a supervisor needs to see an
/// earning that is stuck (pending too long, refused, never answered), and the collector number only
/// while the journal still has it.
public struct ForwardedEarning: Sendable, Hashable {
    public let changeSeq: Int64
    /// Sponsor + store + device: the `checkoutTransactionId` without the trace id it ends with.
    public let cardTerminalId: String
    public let traceId: String
    /// `ISSUE` or `RETURN`.
    public let kind: String
    public let state: EarningState
    public let maskedCard: String
    /// The full number from the journaled body.
    public let collectorNumber: String?
    public let checkoutTransactionId: String
    public let originalCheckoutTransactionId: String?
    /// The pre-tax amount the miles are earned on (after the AM Cash discount), from the journaled body.
    public let earnedOn: Money?
    public let attempts: Int
    public let httpStatus: Int?
    public let responseCode: String?
    public let confirmationNumber: String?
    /// The miles the host answered (with a 202, the miles it announced; they post later).
    public let miles: Int?
    public let createdAt: Date
    public let answeredAt: Date?
    /// The Issuance transaction day (00:00–23:59 Eastern).
    public let transactionDay: ProgramDay
    public let lastFailure: String?
}

extension Journal {
    /// Version 11: each ISSUE and RETURN carries the sequence number of its last change, from the same
    /// counter as `entries` (kept by triggers), and `meta` remembers the last one the back office
    /// acknowledged (`forwardedEarningSeq`), so earnings are forwarded beside redemptions without
    /// changing how those are. Existing earnings are numbered in id order.
    static func forwardEarnings(_ db: Database) throws {
        try db.alter(table: "earnings") { table in table.add(column: "changeSeq", .integer).notNull().defaults(to: 0) }
        try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('changeSeq', 0)")
        try db.execute(
            sql: """
                UPDATE earnings SET changeSeq = (SELECT value FROM meta WHERE key = 'changeSeq')
                    + (SELECT COUNT(*) FROM earnings e WHERE e.id <= earnings.id)
                """)
        try db.execute(
            sql: "UPDATE meta SET value = value + (SELECT COUNT(*) FROM earnings) WHERE key = 'changeSeq'")
        try db.create(index: "earnings_changeSeq", on: "earnings", columns: ["changeSeq"])
        let bump = """
            UPDATE meta SET value = value + 1 WHERE key = 'changeSeq';
            UPDATE earnings SET changeSeq = (SELECT value FROM meta WHERE key = 'changeSeq') WHERE id = NEW.id;
            """
        try db.execute(sql: "CREATE TRIGGER earnings_forward_insert AFTER INSERT ON earnings BEGIN \(bump) END")
        let watched = ["state", "attempts", "httpStatus", "responseCode", "confirmationNumber", "miles", "lastFailure", "answeredAt"]
        try db.execute(
            sql: """
                CREATE TRIGGER earnings_forward_update AFTER UPDATE OF \(watched.joined(separator: ", ")) ON earnings
                WHEN \(watched.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR "))
                BEGIN \(bump) END
                """)
    }

    /// ISSUE and RETURN rows changed after the back office's last acknowledgement, oldest change first.
    public func earningChangesToForward(limit: Int) throws(JournalError) -> [ForwardedEarning] {
        try run { db in
            let after = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'forwardedEarningSeq'") ?? 0
            return try Row.fetchAll(
                db, sql: "SELECT * FROM earnings WHERE changeSeq > ? ORDER BY changeSeq LIMIT ?", arguments: [after, limit]
            ).map { row in
                let entry = EarningEntry(row: row)
                let body = try? IssuanceRequestBody(json: IssuanceJSON.parse(entry.body))
                let suffix = entry.checkoutTransactionId.hasSuffix(entry.traceId) ? entry.traceId.count : 0
                return ForwardedEarning(
                    changeSeq: row["changeSeq"], cardTerminalId: String(entry.checkoutTransactionId.dropLast(suffix)), traceId: entry.traceId,
                    // An exception travels as one (chain schema version 7): the back office lists it as an earning
                    // in exception, not as one still being sent.
                    kind: entry.kind, state: entry.state, maskedCard: entry.maskedCard,
                    collectorNumber: body?.collectorNumber.flatMap { $0.allSatisfy(\.isNumber) ? $0 : nil },
                    checkoutTransactionId: entry.checkoutTransactionId, originalCheckoutTransactionId: entry.originalCheckoutTransactionId,
                    earnedOn: body?.basketPreTaxAmount, attempts: entry.attempts, httpStatus: entry.httpStatus, responseCode: entry.responseCode,
                    confirmationNumber: entry.confirmationNumber, miles: entry.miles, createdAt: entry.createdAt, answeredAt: entry.answeredAt,
                    transactionDay: ProgramDay.reconciliationDay(at: entry.createdAt),
                    lastFailure: entry.lastFailure.map { HostText.sanitised($0, limit: 500) })
            }
        }
    }

    /// The back office has every earning change up to `changeSeq`.
    public func acknowledgeEarningsForwarded(upTo changeSeq: Int64, at now: Date = Date()) throws(JournalError) {
        try write { db in
            let before = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'forwardedEarningSeq'") ?? 0
            try db.execute(
                sql:
                    "INSERT INTO meta (key, value) VALUES ('forwardedEarningSeq', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                arguments: [changeSeq])
            // The back office has these earnings now (their card hash made): a final one needs its full number
            // no longer (the batch's rows only).
            _ = try Journal.maskFinalEarnings(db, at: now, changedAfter: before)
        }
    }

    /// How many earning changes the back office has not acknowledged yet.
    public func earningChangesPending() throws(JournalError) -> Int {
        try run { db in
            let after = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'forwardedEarningSeq'") ?? 0
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM earnings WHERE changeSeq > ?", arguments: [after]) ?? 0
        }
    }
}
