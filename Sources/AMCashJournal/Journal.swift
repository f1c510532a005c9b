public import AMCashAPI
public import AMCashDomain
public import Foundation
import GRDB

/// The terminal's durable journal, in SQLite. Every REDEEM and REVERSE is written as an intent —
/// trace id, idempotency key, the exact body — and committed **before** the first byte is sent;
/// every outcome is committed before it is shown. WAL with `synchronous = FULL`, checked at open:
/// the journal refuses to start without it.
public final class Journal: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    /// Backoff before each re-send of a queued reversal (the last repeats).
    public static let reversalBackoff: [Duration] = [.seconds(5), .seconds(15), .seconds(45), .seconds(120), .seconds(300), .seconds(600)]
    /// Failed sends after which a reversal becomes an exception for the supervisor.
    public static let reversalAttemptLimit = 6

    /// Opens (or creates) the journal at `path`, migrates it, and proves it is durable and writable.
    public init(path: String) throws(JournalError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .cannotOpen(path: path, reason: "cannot create the folder \(directory)")
            }
        }
        var configuration = Configuration()
        configuration.label = "amcash.journal"
        configuration.journalMode = .wal
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            // GRDB sets synchronous = NORMAL when it opens a WAL database: durability is set after the
            // open, on the queue's one connection, and checked below.
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw Journal.classify(error, path: path, opening: true)
        }
        let synchronous = (try? queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }) ?? -1
        guard synchronous == 2 else { throw .notDurable(path: path, synchronous: synchronous) }
        do {
            try Journal.migrator.migrate(queue)
            // A write at open proves the file is writable before anything is sent.
            try queue.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('openedAt', ?)", arguments: [Int(Date().timeIntervalSince1970)])
            }
        } catch {
            throw Journal.classify(error, path: path, opening: false)
        }
    }

    /// `PRAGMA synchronous` on the writer: 2 means FULL.
    public func synchronousMode() throws(JournalError) -> Int {
        try run { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    // MARK: - Trace ids

    /// The next trace id: 12 digits, one more than the last this terminal used, across restarts.
    public func nextTraceId() throws(JournalError) -> TraceId {
        try write { db in
            let last = try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'lastTraceId'") ?? 0
            let next = last >= TraceId.largest ? 1 : last + 1
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('lastTraceId', ?)", arguments: [next])
            return try TraceId(next)
        }
    }

    // MARK: - REDEEM

    /// Records a REDEEM about to be sent; committed when this returns.
    public func recordRedemptionIntent(_ call: PreparedCall, requested: Money, at now: Date) throws(JournalError) -> JournalEntry {
        precondition(call.operation == .redeem && call.idempotencyKey != nil)
        let state = try Journal.transition(.draft, .send)
        return try insert(kind: .redeem, call: call, requested: requested, state: state, original: nil, nextAttemptAt: nil, now: now)
    }

    /// Records the outcome of sending a REDEEM (at the till or by recovery); committed when this returns.
    @discardableResult
    public func recordRedemptionOutcome(_ id: Int64, _ result: HostResult<RedemptionReply>, at now: Date,
                                        byRecovery: Bool = false) throws(JournalError) -> JournalEntry {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            entry.attempts += 1
            switch result {
            case .answered(let reply) where reply.answer.outcome == .approved:
                guard let approval = reply.approval else { throw JournalError.illegalTransition("an approval without its details") }
                entry.state = try Journal.transition(entry.state, .hostApproved)
                entry.confirmationNumber = approval.confirmationNumber
                entry.units = approval.unitsRedeemed
                entry.money = approval.discount
                entry.miles = approval.miles
                entry.responseCode = reply.answer.code.rawValue
                entry.answeredAt = now
                entry.resolvedByRecovery = byRecovery
            case .answered(let reply) where reply.answer.outcome == .unknown:
                // A code nobody knows: the host may have redeemed. Resolve by re-sending.
                if entry.state == .sending { entry.state = try Journal.transition(entry.state, .responseLost) }
                entry.responseCode = reply.answer.code.rawValue
                entry.lastFailure = "unknown response code \(reply.answer.code)"
            case .answered(let reply):
                entry.state = try Journal.transition(entry.state, .hostDeclined)
                entry.responseCode = reply.answer.code.rawValue
                entry.answeredAt = now
                entry.resolvedByRecovery = byRecovery
            case .notSent(let failure):
                // Nothing reached the host this time. A first send that never left is declined; an
                // earlier send may still have reached the host, so an unknown entry stays unknown.
                if entry.state == .sending {
                    entry.state = try Journal.transition(entry.state, .hostDeclined)
                    entry.answeredAt = now
                }
                entry.lastFailure = failure.description
            case .unknown(let failure):
                if entry.state == .sending { entry.state = try Journal.transition(entry.state, .responseLost) }
                entry.lastFailure = failure.description
            }
            try Journal.update(db, entry)
            return entry
        }
    }

    /// REDEEMs whose outcome is not known yet (sent, or lost on the way back).
    public func pendingRedemptions() throws(JournalError) -> [JournalEntry] {
        try run { db in try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND state IN ('sending', 'unknown') ORDER BY id") }
    }

    /// Approved redemptions that can still be reversed at `now`, newest first.
    public func reversibleRedemptions(at now: Date) throws(JournalError) -> [JournalEntry] {
        try run { db in try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND state = 'approved' ORDER BY id DESC") }
            .filter { ReversalWindow.isReversible(redeemedAt: $0.createdAt, at: now) }
    }

    // MARK: - REVERSE (store and forward)

    /// Queues a REVERSE durably; the redemption it reverses (if this terminal made it) becomes `reversing`.
    public func queueReversal(_ call: PreparedCall, of confirmationNumber: String, at now: Date) throws(JournalError) -> JournalEntry {
        precondition(call.operation == .reverse && call.idempotencyKey != nil)
        return try write { db in
            if var redemption = try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND confirmationNumber = ?", [confirmationNumber]).first {
                redemption.state = try Journal.transition(redemption.state, .reverse)
                try Journal.update(db, redemption)
            }
            return try Journal.insert(db, kind: .reverse, call: call, requested: nil, state: .reversing, original: confirmationNumber,
                                      nextAttemptAt: now, now: now)
        }
    }

    /// Records one attempt at a queued reversal. Acknowledged: reversed. Refused by the host, failed
    /// six times, or past its window: an exception for the supervisor. Otherwise tried again later.
    @discardableResult
    public func recordReversalOutcome(_ id: Int64, _ result: HostResult<ReversalReply>, at now: Date) throws(JournalError) -> JournalEntry {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            entry.attempts += 1
            var redemption = try entry.originalConfirmationNumber.flatMap {
                try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND confirmationNumber = ?", [$0]).first
            }
            switch result {
            case .answered(let reply) where reply.answer.outcome == .approved:
                entry.state = try Journal.transition(entry.state, .reversalApproved)
                entry.confirmationNumber = reply.reversalConfirmationNumber
                entry.responseCode = reply.answer.code.rawValue
                entry.units = reply.unitsReversed
                entry.answeredAt = now
                entry.nextAttemptAt = nil
                if var original = redemption, original.state == .reversing {
                    original.state = try Journal.transition(original.state, .reversalApproved)
                    redemption = original
                    try Journal.update(db, original)
                }
            case .answered(let reply) where reply.answer.outcome == .declined:
                entry.responseCode = reply.answer.code.rawValue
                entry.lastFailure = "refused by the host: \(reply.answer.code) \(reply.answer.hostMessage ?? reply.answer.meaning.message.english)"
                entry.isException = true
                entry.nextAttemptAt = nil
            default:
                let reason: String = switch result {
                case .answered(let reply): "host answered \(reply.answer.code)"
                case .notSent(let failure), .unknown(let failure): failure.description
                }
                entry.lastFailure = reason
                let redeemedAt = redemption?.createdAt ?? entry.createdAt
                if entry.attempts >= Journal.reversalAttemptLimit || !ReversalWindow.isReversible(redeemedAt: redeemedAt, at: now) {
                    entry.isException = true
                    entry.nextAttemptAt = nil
                } else {
                    let delay = Journal.reversalBackoff[min(entry.attempts - 1, Journal.reversalBackoff.count - 1)]
                    entry.nextAttemptAt = now.addingTimeInterval(TimeInterval(delay.components.seconds))
                }
            }
            try Journal.update(db, entry)
            return entry
        }
    }

    /// Queued reversals due for another try at `now`.
    public func dueReversals(at now: Date) throws(JournalError) -> [JournalEntry] {
        try run { db in
            try Journal.fetchAll(db, "WHERE kind = 'REVERSE' AND state = 'reversing' AND isException = 0 AND nextAttemptAt <= ? ORDER BY id", [now])
        }
    }

    // MARK: - Reading

    /// Entries of one reconciliation day (00:00 Toronto), or every entry; optionally only pending ones and exceptions.
    public func entries(day: ProgramDay? = nil, pendingOnly: Bool = false) throws(JournalError) -> [JournalEntry] {
        let all = try run { db in
            if let day { return try Journal.fetchAll(db, "WHERE reconciliationDay = ? ORDER BY id", [day.description]) }
            return try Journal.fetchAll(db, "ORDER BY id")
        }
        return pendingOnly ? all.filter { $0.isPending || $0.isException } : all
    }

    /// How many entries are pending or exceptions, every day together: `entries(pendingOnly: true).count`,
    /// counted by SQLite instead of reading every row.
    public func openCount() throws(JournalError) -> Int {
        try run { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM entries
                WHERE (kind = 'REDEEM' AND state IN ('sending', 'unknown'))
                   OR (kind = 'REVERSE' AND state = 'reversing' AND isException = 0)
                   OR isException = 1
                """) ?? 0
        }
    }

    public func entry(id: Int64) throws(JournalError) -> JournalEntry {
        try run { db in try Journal.fetch(db, id: id) }
    }

    // MARK: - Reconciliation and retention

    /// An unknown REDEEM the daily file shows as redeemed: approved, with the host's numbers.
    func resolve(_ id: Int64, confirmation: String?, units: Units?, money: Money?, miles: Miles?, at now: Date) throws(JournalError) {
        try write { db in
            try db.execute(sql: """
                UPDATE entries SET state = 'approved', confirmationNumber = ?, units = ?, cents = ?, miles = ?, answeredAt = ?,
                                   resolvedByRecovery = 1, lastFailure = 'resolved from the AIR MILES daily file'
                WHERE id = ? AND state IN ('sending', 'unknown')
                """, arguments: [confirmation, units?.count, money?.cents, miles?.value, now, id])
        }
    }

    /// Marks entries as matched against the AIR MILES daily file.
    public func markReconciled(_ ids: [Int64]) throws(JournalError) {
        try write { db in
            for id in ids { try db.execute(sql: "UPDATE entries SET isReconciled = 1 WHERE id = ?", arguments: [id]) }
        }
    }

    /// Deletes reconciled entries made more than `days` days before `now`. Unreconciled rows are never deleted.
    @discardableResult
    public func pruneReconciled(olderThan days: Int, at now: Date) throws(JournalError) -> Int {
        let cutoff = now.addingTimeInterval(-TimeInterval(days) * 86_400)
        return try write { db in
            try db.execute(sql: "DELETE FROM entries WHERE isReconciled = 1 AND createdAt < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    // MARK: - Plumbing

    private func insert(kind: JournalEntry.Kind, call: PreparedCall, requested: Money?, state: TransactionState, original: String?,
                        nextAttemptAt: Date?, now: Date) throws(JournalError) -> JournalEntry {
        try write { db in
            try Journal.insert(db, kind: kind, call: call, requested: requested, state: state, original: original,
                               nextAttemptAt: nextAttemptAt, now: now)
        }
    }

    private static func insert(_ db: Database, kind: JournalEntry.Kind, call: PreparedCall, requested: Money?, state: TransactionState,
                               original: String?, nextAttemptAt: Date?, now: Date) throws -> JournalEntry {
        let redemptionDay = ProgramDay.redemptionDay(at: now)
        let reconciliationDay = ProgramDay.reconciliationDay(at: now)
        try db.execute(sql: """
            INSERT INTO entries (kind, traceId, idempotencyKey, body, maskedCard, createdAt, redemptionDay, reconciliationDay,
                                 requestedCents, state, attempts, originalConfirmationNumber, nextAttemptAt, isException, isReconciled,
                                 resolvedByRecovery)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, 0, 0)
            """, arguments: [kind.rawValue, call.traceId, call.idempotencyKey!.uuidString.lowercased(), call.body,
                             call.maskedCard ?? "", now, redemptionDay.description, reconciliationDay.description,
                             requested?.cents, state.rawValue, original, nextAttemptAt])
        return try fetch(db, id: db.lastInsertedRowID)
    }

    private static func update(_ db: Database, _ entry: JournalEntry) throws {
        try db.execute(sql: """
            UPDATE entries SET state = ?, responseCode = ?, confirmationNumber = ?, units = ?, cents = ?, miles = ?, answeredAt = ?,
                               attempts = ?, lastFailure = ?, nextAttemptAt = ?, isException = ?, resolvedByRecovery = ?
            WHERE id = ?
            """, arguments: [entry.state.rawValue, entry.responseCode, entry.confirmationNumber, entry.units?.count, entry.money?.cents,
                             entry.miles?.value, entry.answeredAt, entry.attempts, entry.lastFailure, entry.nextAttemptAt,
                             entry.isException, entry.resolvedByRecovery, entry.id])
    }

    private static func fetch(_ db: Database, id: Int64) throws -> JournalEntry {
        guard let entry = try fetchAll(db, "WHERE id = ?", [id]).first else { throw JournalError.notFound("entry \(id)") }
        return entry
    }

    private static func fetchAll(_ db: Database, _ clause: String, _ arguments: StatementArguments = []) throws -> [JournalEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM entries " + clause, arguments: arguments).map(entry(from:))
    }

    private static func entry(from row: Row) throws -> JournalEntry {
        func day(_ text: String) throws -> ProgramDay { ProgramDay(try CalendarDay(parsing: text)) }
        guard let kind = JournalEntry.Kind(rawValue: row["kind"]), let state = TransactionState(rawValue: row["state"]),
              let key = UUID(uuidString: row["idempotencyKey"]) else {
            throw JournalError.storage("an entry the journal cannot read (id \(row["id"] as Int64? ?? -1))")
        }
        return JournalEntry(
            id: row["id"], kind: kind, traceId: row["traceId"], idempotencyKey: key, body: row["body"], maskedCard: row["maskedCard"],
            createdAt: row["createdAt"], redemptionDay: try day(row["redemptionDay"]), reconciliationDay: try day(row["reconciliationDay"]),
            requested: (row["requestedCents"] as Int?).map(Money.init(cents:)), state: state, responseCode: row["responseCode"],
            confirmationNumber: row["confirmationNumber"], units: (row["units"] as Int?).map { Units($0) },
            money: (row["cents"] as Int?).map(Money.init(cents:)), miles: (row["miles"] as Int?).map { Miles($0) },
            answeredAt: row["answeredAt"], attempts: row["attempts"], lastFailure: row["lastFailure"],
            originalConfirmationNumber: row["originalConfirmationNumber"], nextAttemptAt: row["nextAttemptAt"],
            isException: row["isException"], isReconciled: row["isReconciled"], resolvedByRecovery: row["resolvedByRecovery"])
    }

    private static func transition(_ state: TransactionState, _ event: TransactionEvent) throws(JournalError) -> TransactionState {
        do { return try state.applying(event) } catch { throw .illegalTransition(error.description) }
    }

    private func run<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try queue.read(body) } catch { throw Journal.classify(error, path: path, opening: false) }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try queue.write(body) } catch { throw Journal.classify(error, path: path, opening: false) }
    }

    static func classify(_ error: any Error, path: String, opening: Bool) -> JournalError {
        if let error = error as? JournalError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL: return .diskFull(path: path)
            case .SQLITE_READONLY, .SQLITE_PERM: return .readOnly(path: path)
            case .SQLITE_CANTOPEN, .SQLITE_NOTADB: return .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
            default: return opening ? .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)") : .storage(error.message ?? "\(error.resultCode)")
            }
        }
        return opening ? .cannotOpen(path: path, reason: String(describing: error)) : .storage(String(describing: error))
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: entries and meta") { db in
            try db.create(table: "meta") { table in
                table.column("key", .text).primaryKey()
                table.column("value", .integer).notNull()
            }
            try db.create(table: "entries") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("kind", .text).notNull()
                table.column("traceId", .text).notNull().unique()
                table.column("idempotencyKey", .text).notNull().unique()
                table.column("body", .blob).notNull()
                table.column("maskedCard", .text).notNull()
                table.column("createdAt", .datetime).notNull()
                table.column("redemptionDay", .text).notNull()
                table.column("reconciliationDay", .text).notNull().indexed()
                table.column("requestedCents", .integer)
                table.column("state", .text).notNull().indexed()
                table.column("responseCode", .text)
                table.column("confirmationNumber", .text).indexed()
                table.column("units", .integer)
                table.column("cents", .integer)
                table.column("miles", .integer)
                table.column("answeredAt", .datetime)
                table.column("attempts", .integer).notNull()
                table.column("lastFailure", .text)
                table.column("originalConfirmationNumber", .text)
                table.column("nextAttemptAt", .datetime)
                table.column("isException", .boolean).notNull()
                table.column("isReconciled", .boolean).notNull()
                table.column("resolvedByRecovery", .boolean).notNull()
            }
        }
        return migrator
    }

    /// For tests: caps the file at its present size, so writes soon find the disk "full".
    func freezeSize() throws {
        try queue.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
    }
}
