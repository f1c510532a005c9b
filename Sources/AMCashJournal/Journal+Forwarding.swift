public import AMCashDomain
public import Foundation
import GRDB

/// One journal row as the chain's back office receives it: every column a supervisor or the
/// chain-wide reconciliation needs, and the collector number only when the journal still has it.
public struct ForwardedRow: Sendable, Hashable {
    public let changeSeq: Int64
    public let cardTerminalId: String
    public let traceId: String
    public let kind: JournalEntry.Kind
    public let state: TransactionState
    public let maskedCard: String
    /// The full number from the journaled body (nil once the journal has purged it).
    public let collectorNumber: String?
    public let confirmationNumber: String?
    public let originalConfirmationNumber: String?
    public let requested: Money?
    public let units: Units?
    public let miles: Miles?
    public let money: Money?
    public let responseCode: String?
    /// How long the row's latest host call took at the till, in whole milliseconds (nil: no call went out,
    /// or the journal predates version 8).
    public let hostLatencyMs: Int?
    /// The store register's sale this row belongs to (journal version 7), so the chain can name it.
    public let saleId: String?
    public let createdAt: Date
    public let answeredAt: Date?
    public let shownAt: Date?
    public let redemptionDay: ProgramDay
    public let reconciliationDay: ProgramDay
    public let isVoid: Bool
    public let isException: Bool
    public let resolvedByRecovery: Bool
    public let lastFailure: String?
}

/// How far forwarding is behind.
public struct ForwardingStatus: Sendable, Hashable {
    /// Rows changed since the last one the back office acknowledged.
    public let pendingRows: Int
    /// When the back office last acknowledged a batch (nil: never).
    public let lastForwardedAt: Date?
    /// The oldest change still waiting (nil: nothing waits).
    public let oldestPendingAt: Date?
}

extension Journal {
    /// Version 4: every REDEEM/REVERSE row carries the sequence number of its last change (kept by
    /// triggers, so no write path can forget it), and `meta` remembers the last sequence the back
    /// office acknowledged. Existing rows are numbered in id order, so an old journal forwards its history.
    static func createForwarding(_ db: Database) throws {
        try db.alter(table: "entries") { table in table.add(column: "changeSeq", .integer).notNull().defaults(to: 0) }
        try db.execute(sql: "UPDATE entries SET changeSeq = id")
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('changeSeq', (SELECT COALESCE(MAX(id), 0) FROM entries))")
        try db.create(index: "entries_changeSeq", on: "entries", columns: ["changeSeq"])
        try db.execute(sql: "CREATE TABLE terminals (cardTerminalId TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID")
        try db.execute(sql: "INSERT OR IGNORE INTO terminals (cardTerminalId) SELECT DISTINCT cardTerminalId FROM entries WHERE cardTerminalId <> ''")
        let bump = """
            UPDATE meta SET value = value + 1 WHERE key = 'changeSeq';
            UPDATE entries SET changeSeq = (SELECT value FROM meta WHERE key = 'changeSeq') WHERE id = NEW.id;
            """
        try db.execute(
            sql: """
                CREATE TRIGGER entries_forward_insert AFTER INSERT ON entries BEGIN
                \(bump)
                INSERT OR IGNORE INTO terminals (cardTerminalId) SELECT NEW.cardTerminalId WHERE NEW.cardTerminalId <> '';
                END
                """)
        try createForwardUpdateTrigger(db, watching: forwardedColumnsOfVersion4)
    }

    /// What the back office shows (version 4): a lease or an attempt count changing is not worth a row.
    static let forwardedColumnsOfVersion4 = [
        "state", "responseCode", "confirmationNumber", "units", "cents", "miles", "answeredAt", "isException",
        "resolvedByRecovery", "shownAt", "lastFailure",
    ]

    /// The trigger that numbers a row's change for forwarding when one of `watched` changes.
    static func createForwardUpdateTrigger(_ db: Database, watching watched: [String]) throws {
        let bump = """
            UPDATE meta SET value = value + 1 WHERE key = 'changeSeq';
            UPDATE entries SET changeSeq = (SELECT value FROM meta WHERE key = 'changeSeq') WHERE id = NEW.id;
            """
        try db.execute(
            sql: """
                CREATE TRIGGER entries_forward_update AFTER UPDATE OF \(watched.joined(separator: ", ")) ON entries
                WHEN \(watched.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR "))
                BEGIN \(bump) END
                """)
    }

    /// Version 8: the host call's time (`hostLatencyMs`) is forwarded too, so the chain sees every
    /// till's latencies without scraping tills.
    static func forwardHostLatency(_ db: Database) throws {
        try db.alter(table: "entries") { table in table.add(column: "hostLatencyMs", .integer) }
        try db.execute(sql: "DROP TRIGGER IF EXISTS entries_forward_update")
        try createForwardUpdateTrigger(db, watching: forwardedColumnsOfVersion4 + ["hostLatencyMs"])
    }

    /// Remembers that this journal belongs to `cardTerminalId` (sponsor + store + device), so a
    /// reconciliation knows the terminal's records are its own even on a day it journaled nothing.
    public func noteTerminal(_ cardTerminalId: String) throws(JournalError) {
        try write { db in try db.execute(sql: "INSERT OR IGNORE INTO terminals (cardTerminalId) VALUES (?)", arguments: [cardTerminalId]) }
    }

    /// The card terminal ids this journal has recorded rows for or been opened as.
    public func terminalIds() throws(JournalError) -> Set<String> {
        try run { db in Set(try String.fetchAll(db, sql: "SELECT cardTerminalId FROM terminals")) }
    }

    /// Rows changed after the back office's last acknowledgement, oldest change first.
    public func changesToForward(limit: Int) throws(JournalError) -> [ForwardedRow] {
        try run { db in
            let after = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'forwardedSeq'") ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT changeSeq, cardTerminalId, traceId, kind, state, maskedCard, body, confirmationNumber, originalConfirmationNumber,
                           requestedCents, units, miles, cents, responseCode, hostLatencyMs, saleId, createdAt, answeredAt, shownAt, redemptionDay, reconciliationDay,
                           isVoid, isException, resolvedByRecovery, lastFailure
                    FROM entries WHERE changeSeq > ? ORDER BY changeSeq LIMIT ?
                    """, arguments: [after, limit])
            return try rows.map { row in
                guard let kind = JournalEntry.Kind(rawValue: row["kind"]), let state = TransactionState(rawValue: row["state"]) else {
                    throw JournalError.storage("an entry the journal cannot read (trace \(row["traceId"] as String? ?? "?"))")
                }
                let body: Data = row["body"]
                let number = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["collectorNumber"] as? String
                return ForwardedRow(
                    changeSeq: row["changeSeq"], cardTerminalId: row["cardTerminalId"] ?? "", traceId: row["traceId"], kind: kind, state: state,
                    maskedCard: row["maskedCard"], collectorNumber: number.flatMap { $0.allSatisfy(\.isNumber) ? $0 : nil },
                    confirmationNumber: row["confirmationNumber"], originalConfirmationNumber: row["originalConfirmationNumber"],
                    requested: (row["requestedCents"] as Int?).map(Money.init(cents:)), units: (row["units"] as Int?).map { Units($0) },
                    miles: (row["miles"] as Int?).map { Miles($0) }, money: (row["cents"] as Int?).map(Money.init(cents:)),
                    responseCode: row["responseCode"], hostLatencyMs: row["hostLatencyMs"], saleId: row["saleId"], createdAt: row["createdAt"],
                    answeredAt: row["answeredAt"], shownAt: row["shownAt"],
                    redemptionDay: ProgramDay(try CalendarDay(parsing: row["redemptionDay"])),
                    reconciliationDay: ProgramDay(try CalendarDay(parsing: row["reconciliationDay"])),
                    isVoid: row["isVoid"], isException: row["isException"], resolvedByRecovery: row["resolvedByRecovery"],
                    lastFailure: (row["lastFailure"] as String?).map { HostText.sanitised($0, limit: 500) })
            }
        }
    }

    /// The back office has every change up to `changeSeq`.
    public func acknowledgeForwarded(upTo changeSeq: Int64, at now: Date) throws(JournalError) {
        try write { db in
            let before = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'forwardedSeq'") ?? 0
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('forwardedSeq', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
                arguments: [changeSeq])
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('forwardedAt', ?)", arguments: [Int64(now.timeIntervalSince1970)])
            // The back office has these rows now: a final one needs its full number no longer (the batch's rows only).
            _ = try Journal.maskFinalEntries(db, at: now, changedAfter: before)
        }
    }

    /// A forwarder starts on this journal: from now on a final row keeps its full number until the back
    /// office has it (the card hash is made there, with the chain's key), at most
    /// `fullNumberAwaitsTheBackOffice`, even before the first batch is acknowledged.
    public func noteForwarding() throws(JournalError) {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('forwardedSeq', 0)")
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('forwardedEarningSeq', 0)")
        }
    }

    /// How far the back office is behind this journal.
    public func forwardingStatus() throws(JournalError) -> ForwardingStatus {
        try run { db in
            let after = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'forwardedSeq'") ?? 0
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entries WHERE changeSeq > ?", arguments: [after]) ?? 0
            let at = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'forwardedAt'")
            let oldest = try Date.fetchOne(
                db, sql: "SELECT MIN(COALESCE(answeredAt, createdAt)) FROM entries WHERE changeSeq > ?", arguments: [after])
            return ForwardingStatus(
                pendingRows: pending, lastForwardedAt: at.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                oldestPendingAt: pending > 0 ? oldest : nil)
        }
    }
}

extension JournalEntry.Kind {
    /// How a row of this kind in `state` takes part in reconciliation: nil when the host has nothing
    /// for it (declined, never sent), else whether its outcome is still unknown. Shared by the
    /// journal's own reconciliation and the chain database's.
    public func reconciliationIsUnknown(state: TransactionState, hasConfirmation: Bool) -> Bool? {
        switch (self, state) {
        case (.redeem, .approved), (.redeem, .shown), (.redeem, .reversing), (.redeem, .reversed), (.redeem, .voiding),
            (.redeem, .voided), (.reverse, .reversed):
            false
        case (.redeem, .sending), (.redeem, .unknown): true
        case (.redeem, .exception): !hasConfirmation
        // A reversal in exception is matched like any reversal: the host may have applied it.
        case (.reverse, .reversing), (.reverse, .exception): true
        default: nil
        }
    }

    /// For a REDEEM in `state`: whether it is a debit nobody was shown, still owed back. Shared by the
    /// journal's own reconciliation and the chain database's.
    public func reconciliationUnshown(state: TransactionState) -> UnshownDebit? {
        guard self == .redeem else { return nil }
        switch state {
        case .approved: return .approved
        case .voiding: return .voidQueued
        case .exception: return .exception
        default: return nil
        }
    }
}

extension Journal {
    /// For tests: forgets the back office's acknowledgement, so every row is sent again.
    public func resetForwardingForTests() throws(JournalError) {
        try write { db in try db.execute(sql: "DELETE FROM meta WHERE key IN ('forwardedSeq', 'forwardedAt', 'forwardedEarningSeq')") }
    }
}
