import AMCashDomain
public import AMCashWire
public import Foundation
import GRDB

/// The state of one journaled ISSUE or RETURN. Unlike a redemption, an earning is stored and forwarded:
/// `queued` rows are sent again (same key, same body) until the host answers.
public enum EarningState: String, Sendable, Hashable, CaseIterable {
    /// Journaled, not answered yet (not sent, lost answer, 5xx, a parallel transaction): to be sent again.
    case queued
    /// The host recorded the miles (200).
    case issued
    /// The host accepted it and the miles post later (202): the same call is sent again now and then
    /// (`IssuanceDecisions.pendingIsLearnedByReplay`) until the host answers it issued or refused.
    case accepted
    /// The host refused it (400): not retried.
    case refused
    /// Never answered while the host surely held its key (`JournaledTransactions.mayAskAgain`): not sent
    /// again — a resend the host no longer recognises could earn twice. The collector may not have earned:
    /// a person asks AIR MILES (the back office lists it with the earnings never answered).
    case exception

    /// What the receipt may say: miles only once issued; otherwise pending (or nothing, refused).
    public var isPending: Bool { self == .queued || self == .accepted }
}

/// One ISSUE or RETURN as the journal holds it: the exact body and key it is (re)sent with, and its answer.
public struct EarningEntry: Sendable, Hashable {
    public let id: Int64
    /// `ISSUE` or `RETURN`.
    public let kind: String
    public let traceId: String
    public let checkoutTransactionId: String
    public let originalCheckoutTransactionId: String?
    public let idempotencyKey: UUID
    public let body: Data
    public let maskedCard: String
    public let createdAt: Date
    public var state: EarningState
    public var attempts: Int
    public var httpStatus: Int?
    public var responseCode: String?
    public var confirmationNumber: String?
    /// The miles the host answered (for a RETURN, the miles taken back); nil until answered.
    public var miles: Int?
    public var lastFailure: String?
    public var answeredAt: Date?
    public var nextAttemptAt: Date?
    /// The salted hash of the collector number (as redemption rows carry it): one call per collector at a time.
    public var cardKey: String?
    /// Who is sending it right now (a lane or a recovery pass, in this or another process), and until when.
    public var leaseHolder: String?
    public var leaseUntil: Date?
    /// The trace id of the REDEEM whose end this ISSUE waits for (a sale whose redemption was not confirmed):
    /// not sent while it is set (review s9 #5).
    public var heldBehind: String?
    /// Journaled with its REDEEM's intent, and the cashier has not yet seen how the sale ended (the result frame
    /// drawn, or the register reading it: `Journal.markSaleSeen`): a held row recovery finds so when the REDEEM
    /// ended without an approval shown is not sent — the till stopped mid-sale, and the sale is rung again.
    public var saleUnseen: Bool
    /// When its hold behind a REDEEM ended (nil: never held, or released before journal v15): it may have been
    /// sent from then on, so the host's key retention counts from here, else from `createdAt` (`mayAskAgain`).
    public var releasedAt: Date?

    /// The call it is sent as, every time.
    public var call: IssuanceCall {
        IssuanceCall(
            operation: kind == "RETURN" ? .returnSale : .issue, traceId: traceId, idempotencyKey: idempotencyKey, body: body,
            maskedCard: maskedCard)
    }

    init(row: Row) {
        id = row["id"]
        kind = row["kind"]
        traceId = row["traceId"]
        checkoutTransactionId = row["checkoutTransactionId"]
        originalCheckoutTransactionId = row["originalCheckoutTransactionId"]
        idempotencyKey = UUID(uuidString: row["idempotencyKey"]) ?? UUID()
        body = row["body"]
        maskedCard = row["maskedCard"]
        createdAt = row["createdAt"]
        state = EarningState(rawValue: row["state"]) ?? .queued
        attempts = row["attempts"]
        httpStatus = row["httpStatus"]
        responseCode = row["responseCode"]
        confirmationNumber = row["confirmationNumber"]
        miles = row["miles"]
        lastFailure = row["lastFailure"]
        answeredAt = row["answeredAt"]
        nextAttemptAt = row["nextAttemptAt"]
        cardKey = row.hasColumn("cardKey") ? row["cardKey"] : nil
        leaseHolder = row.hasColumn("leaseHolder") ? row["leaseHolder"] : nil
        leaseUntil = row.hasColumn("leaseUntil") ? row["leaseUntil"] : nil
        heldBehind = row.hasColumn("heldBehind") ? row["heldBehind"] : nil
        saleUnseen = row.hasColumn("saleUnseen") ? row["saleUnseen"] : false
        releasedAt = row.hasColumn("releasedAt") ? row["releasedAt"] : nil
    }
}

extension Journal {
    /// A new earning belongs to the lane that sends it for this long; the background pass leaves it alone until then.
    public static let earningLaneSeconds: TimeInterval = 30

    static func createEarnings(_ db: Database) throws {
        try db.create(table: "earnings") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("kind", .text).notNull()
            table.column("traceId", .text).notNull().unique()
            table.column("checkoutTransactionId", .text).notNull().indexed()
            table.column("originalCheckoutTransactionId", .text)
            table.column("idempotencyKey", .text).notNull().unique()
            table.column("body", .blob).notNull()
            table.column("maskedCard", .text).notNull()
            table.column("createdAt", .datetime).notNull()
            table.column("state", .text).notNull().indexed()
            table.column("attempts", .integer).notNull()
            table.column("httpStatus", .integer)
            table.column("responseCode", .text)
            table.column("confirmationNumber", .text)
            table.column("miles", .integer)
            table.column("lastFailure", .text)
            table.column("answeredAt", .datetime)
            table.column("nextAttemptAt", .datetime)
        }
    }

    /// Version 12 (review s9 #4): an earning carries its collector's card key and a lease, so one ISSUE or
    /// RETURN is sent by one lane or pass at a time across processes, never while a REDEEM or REVERSE of its
    /// collector is with the host, and no REDEEM or REVERSE is sent while it is.
    static func leaseEarnings(_ db: Database) throws {
        try db.alter(table: "earnings") { table in
            table.add(column: "cardKey", .text)
            table.add(column: "leaseHolder", .text)
            table.add(column: "leaseUntil", .datetime)
        }
        try db.create(index: "earnings_cardKey", on: "earnings", columns: ["cardKey"])
        for row in try Row.fetchAll(db, sql: "SELECT id, body FROM earnings WHERE state IN ('queued', 'accepted')") {
            let body: Data = row["body"]
            let id: Int64 = row["id"]
            try db.execute(sql: "UPDATE earnings SET cardKey = ? WHERE id = ?", arguments: [try Journal.cardKey(db, body: body), id])
        }
    }

    /// The earning row `id`, read inside the caller's transaction; `notFound` when there is none.
    static func earning(_ db: Database, id: Int64) throws -> EarningEntry {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM earnings WHERE id = ?", arguments: [id]) else {
            throw JournalError.notFound("earning \(id)")
        }
        return EarningEntry(row: row)
    }

    /// An ISSUE or RETURN of this collector under a live lease (being sent by a lane or a pass).
    static func liveEarning(_ db: Database, cardKey: String?, at now: Date) throws -> EarningEntry? {
        guard let cardKey else { return nil }
        return try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM earnings WHERE cardKey = ? AND leaseHolder IS NOT NULL AND leaseUntil > ?"),
            arguments: [cardKey, now.journalText]
        )
        .map(EarningEntry.init(row:))
        .first { LeaseHolder.binds(holder: $0.leaseHolder, until: $0.leaseUntil, at: now) }
    }

    /// Takes a queued or pending earning for `holder` to send it now, for `seconds`: nil, and nothing
    /// changed, when it is settled, when another live holder has it (a lane or a pass, in this process or
    /// another), when another earning of its collector is being sent, or when a REDEEM or REVERSE of its
    /// collector is with the host — one transaction per collector at a time (review s9 #4).
    public func takeEarning(_ id: Int64, for holder: LeaseHolder, at now: Date, for seconds: TimeInterval) throws(JournalError)
        -> EarningEntry?
    {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM earnings WHERE id = ?", arguments: [id]) else { return nil }
            let entry = EarningEntry(row: row)
            guard entry.state == .queued || entry.state == .accepted else { return nil }
            if entry.leaseHolder != holder.description, LeaseHolder.binds(holder: entry.leaseHolder, until: entry.leaseUntil, at: now) {
                return nil
            }
            if let other = try Journal.liveEarning(db, cardKey: entry.cardKey, at: now), other.id != id { return nil }
            if try Journal.redemptionInFlight(db, cardKey: entry.cardKey, at: now) != nil { return nil }
            try db.execute(
                sql: "UPDATE earnings SET leaseHolder = ?, leaseUntil = ? WHERE id = ?",
                arguments: [holder.description, now.addingTimeInterval(seconds), id])
            return EarningEntry(row: try Row.fetchOne(db, sql: "SELECT * FROM earnings WHERE id = ?", arguments: [id])!)
        }
    }

    /// Ends the hold of an ISSUE whose REDEEM is now final (review s9 #5), with the body it will be sent with
    /// for the rest of its life (never sent before, so its key has carried no other body). Only an unsent row.
    /// `releasedAt` is committed here, before any send: the key-retention clock never starts after the host
    /// could have seen the key, even if the till stops between the send and its record.
    public func releaseHeldEarning(_ id: Int64, body: Data, at now: Date) throws(JournalError) -> EarningEntry {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE earnings SET body = ?, heldBehind = NULL, saleUnseen = 0, releasedAt = ?
                        WHERE id = ? AND heldBehind IS NOT NULL AND state = 'queued' AND attempts = 0
                    """,
                arguments: [body, now, id])
            return try Journal.earning(db, id: id)
        }
    }

    /// The cashier (or the register) was shown how the sale of this held ISSUE ended: recovery sends it once its
    /// REDEEM ends, whatever the end. A row a pass already took for an interrupted sale's (refused, never sent,
    /// still held, its number kept: `maskFinalEarnings`) is queued again: the sale was not interrupted after all
    /// — its result was under an overlay, or the register read it after a restart — and nobody rings it again.
    public func markEarningSaleSeen(_ id: Int64, at now: Date) throws(JournalError) -> EarningEntry {
        try write { db in
            try db.execute(sql: "UPDATE earnings SET saleUnseen = 0 WHERE id = ? AND saleUnseen = 1", arguments: [id])
            try db.execute(
                sql: """
                    UPDATE earnings SET state = 'queued', answeredAt = NULL, nextAttemptAt = ?,
                        lastFailure = 'queued again: its sale was seen to end after a pass had taken it for an interrupted one'
                        WHERE id = ? AND \(Journal.interruptedSQL) AND CAST(body AS TEXT) GLOB '*"collectorNumber":"[0-9]*'
                    """, arguments: [now, id])
            return try Journal.earning(db, id: id)
        }
    }

    /// `markEarningSaleSeen` for the ISSUE journaled with REDEEM `traceId`; nil when there is none.
    @discardableResult
    /// Writes only when there is something to change (each register read of a decline asks).
    public func markSaleSeen(behind traceId: String, at now: Date) throws(JournalError) -> EarningEntry? {
        guard let held = try earning(behind: traceId) else { return nil }
        guard held.saleUnseen || (held.state == .refused && held.attempts == 0 && held.heldBehind != nil) else { return held }
        return try markEarningSaleSeen(held.id, at: now)
    }

    /// A held ISSUE a pass refused, unsent, because nobody saw its sale end (`JournaledTransactions.interrupted`):
    /// the only refusal of a row still held behind its REDEEM and never sent.
    static let interruptedSQL = "state = 'refused' AND attempts = 0 AND heldBehind IS NOT NULL"

    /// Masks the collector number in the bodies of earnings that will never be sent again (review s9 #7),
    /// as `purgeCardNumbers` does for redemptions: refused, exception, a RETURN issued, at once; an ISSUE
    /// issued a day after it was made — until its Issuance day ends the console may return it, and the
    /// RETURN is built from its body; a held ISSUE refused because nobody saw its sale end, a day too, for a
    /// console that shows that end late queues it again (`markEarningSaleSeen`). Queued and accepted (202)
    /// rows keep it: they are sent again with their exact body. On a till that forwards, only once the back office has the row's last change (it hashes
    /// the number there), at most `fullNumberAwaitsTheBackOffice`. Only `id` when given. Returns how many
    /// bodies were masked.
    static func maskFinalEarnings(_ db: Database, at now: Date, only id: Int64? = nil, changedAfter: Int64 = -1) throws -> Int {
        let dayAgo = now.addingTimeInterval(-86_400)
        // One row by its key, or a batch by the changeSeq index; a whole scan only for a full purge.
        let which = id == nil ? "changeSeq > ?" : "id = ?"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, body FROM earnings WHERE \(which) AND CAST(body AS TEXT) GLOB '*"collectorNumber":"[0-9]*'
                AND ((state IN ('refused', 'exception') AND NOT (\(interruptedSQL) AND createdAt >= ?))
                    OR (kind = 'RETURN' AND state = 'issued') OR (kind = 'ISSUE' AND state = 'issued' AND createdAt < ?))
                AND \(backOfficeHasItSQL(mark: "forwardedEarningSeq"))
                """, arguments: [id ?? changedAfter, dayAgo, dayAgo, now.addingTimeInterval(-fullNumberAwaitsTheBackOffice)])
        var masked = 0
        for row in rows {
            let id: Int64 = row["id"]
            let body: Data = row["body"]
            guard var object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let digits = object["collectorNumber"] as? String, digits.allSatisfy(\.isNumber)
            else { continue }
            object["collectorNumber"] = String(repeating: "*", count: max(0, digits.count - 4)) + digits.suffix(4)
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { continue }
            try db.execute(sql: "UPDATE earnings SET body = ? WHERE id = ?", arguments: [data, id])
            masked += 1
        }
        return masked
    }

    /// Gives a taken earning back (its lane or pass is done with it).
    public func releaseEarning(_ id: Int64) throws(JournalError) {
        try write { db in
            try db.execute(sql: "UPDATE earnings SET leaseHolder = NULL, leaseUntil = NULL WHERE id = ?", arguments: [id])
        }
    }

    /// Records an ISSUE or RETURN about to be sent; committed (synchronous = FULL) before anything goes out.
    /// With a `holder`, it is leased to that lane for `leaseSeconds` from the start (no pass of any process
    /// sends it meanwhile, and no REDEEM of its collector is sent).
    public func recordEarningIntent(
        _ call: IssuanceCall, checkoutTransactionId: String, originalCheckoutTransactionId: String?, at now: Date,
        holder: LeaseHolder? = nil, leaseSeconds: TimeInterval = LeaseTimes.standard.inLane, heldBehind: String? = nil,
        returning items: [IssuanceItem] = []
    ) throws(JournalError) -> EarningEntry {
        try write { db in
            // A RETURN: refused in this transaction if an earlier one gave back the sale, or one of these items.
            if call.operation == .returnSale, let original = originalCheckoutTransactionId {
                try Journal.refuseReturnedAgain(db, items: items, of: original)
            }
            return try Journal.insertEarningIntent(
                db, call, checkoutTransactionId: checkoutTransactionId, originalCheckoutTransactionId: originalCheckoutTransactionId, at: now,
                holder: holder, leaseSeconds: leaseSeconds, heldBehind: heldBehind)
        }
    }

    /// An ISSUE's or RETURN's intent inside the caller's transaction (alone, or with the REDEEM it waits for).
    static func insertEarningIntent(
        _ db: Database, _ call: IssuanceCall, checkoutTransactionId: String, originalCheckoutTransactionId: String?, at now: Date,
        holder: LeaseHolder?, leaseSeconds: TimeInterval, heldBehind: String?, saleUnseen: Bool = false
    ) throws -> EarningEntry {
        guard let key = call.idempotencyKey, call.operation == .issue || call.operation == .returnSale else {
            throw JournalError.illegalTransition("only ISSUE and RETURN, with a key, are journaled")
        }
        do {
            try db.execute(
                sql: """
                    INSERT INTO earnings (kind, traceId, checkoutTransactionId, originalCheckoutTransactionId, idempotencyKey, body, maskedCard,
                        createdAt, state, attempts, nextAttemptAt, cardKey, leaseHolder, leaseUntil, heldBehind, redemptionTraceId,
                        saleUnseen)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    call.operation.label, call.traceId, checkoutTransactionId, originalCheckoutTransactionId, key.uuidString.lowercased(),
                    call.body, call.maskedCard ?? "", now, now.addingTimeInterval(Journal.earningLaneSeconds),
                    try Journal.cardKey(db, body: call.body), holder?.description, holder.map { _ in now.addingTimeInterval(leaseSeconds) },
                    heldBehind, heldBehind, saleUnseen,
                ])
            return EarningEntry(row: try Row.fetchOne(db, sql: "SELECT * FROM earnings WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    /// The ISSUE journaled held behind the REDEEM `traceId` (with its intent, or after its answer was lost), if any:
    /// still held or already released.
    public func earning(behind traceId: String) throws(JournalError) -> EarningEntry? {
        try run { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM earnings WHERE kind = 'ISSUE' AND redemptionTraceId = ? ORDER BY id DESC LIMIT 1", arguments: [traceId]
            ).map(EarningEntry.init(row:))
        }
    }

    /// Records one attempt's end: an answer (issued, accepted, refused), or still queued with the reason
    /// and when to try again. An answered row never goes back to queued; an accepted one (202) asked again
    /// becomes issued or refused when the host says so, and otherwise stays accepted with what it knew.
    public func recordEarningAttempt(
        _ id: Int64, state: EarningState, httpStatus: Int?, responseCode: String?, confirmationNumber: String?, miles: Int?,
        failure: String?, nextAttemptAt: Date?, at now: Date
    ) throws(JournalError) -> EarningEntry {
        try write { db in
            let current = try Journal.earning(db, id: id)
            switch (current.state, state) {
            case (.queued, _), (.accepted, .issued), (.accepted, .refused):
                try db.execute(
                    sql: """
                        UPDATE earnings SET state = ?, attempts = attempts + 1, httpStatus = ?, responseCode = ?, confirmationNumber = ?, miles = ?,
                            lastFailure = ?, answeredAt = ?, nextAttemptAt = ? WHERE id = ?
                        """,
                    arguments: [
                        state.rawValue, httpStatus, responseCode, confirmationNumber ?? current.confirmationNumber, miles,
                        failure.map { HostText.sanitised($0, limit: 300) }, state == .queued ? nil : now,
                        state == .queued || state == .accepted ? nextAttemptAt : nil, id,
                    ])
            case (.accepted, .accepted), (.accepted, .queued):
                // Still pending (or no answer this time): the 202's confirmation and miles stay; ask again later.
                try db.execute(
                    sql: "UPDATE earnings SET attempts = attempts + 1, lastFailure = ?, nextAttemptAt = ? WHERE id = ?",
                    arguments: [failure.map { HostText.sanitised($0, limit: 300) }, nextAttemptAt, id])
            default:
                return current
            }
            return EarningEntry(row: try Row.fetchOne(db, sql: "SELECT * FROM earnings WHERE id = ?", arguments: [id])!)
        }
    }

    /// Ends a queued earning that may no longer be sent (review s9 #1): it becomes an exception with
    /// `reason`, is never sent again, and is no longer pending. A row already answered is left as it is.
    public func recordEarningException(_ id: Int64, reason: String, at now: Date) throws(JournalError) -> EarningEntry {
        try write { db in
            try db.execute(
                sql:
                    "UPDATE earnings SET state = 'exception', lastFailure = ?, nextAttemptAt = NULL WHERE id = ? AND state IN ('queued', 'accepted')",
                arguments: [HostText.sanitised(reason, limit: 300), id])
            return try Journal.earning(db, id: id)
        }
    }

    /// Keeps a queued earning waiting without sending it (a RETURN behind its sale's unanswered ISSUE):
    /// says why, and when to look again. Nothing else changes.
    public func recordEarningHeld(_ id: Int64, reason: String, nextAttemptAt: Date) throws(JournalError) -> EarningEntry {
        try write { db in
            try db.execute(
                sql: "UPDATE earnings SET lastFailure = ?, nextAttemptAt = ? WHERE id = ? AND state = 'queued'",
                arguments: [HostText.sanitised(reason, limit: 300), nextAttemptAt, id])
            return try Journal.earning(db, id: id)
        }
    }

    /// Refuses a queued earning the till will not send (a RETURN whose sale's ISSUE was refused): never sent,
    /// so no HTTP status and no attempt; `reason` says why.
    public func recordEarningRefusedUnsent(_ id: Int64, reason: String, at now: Date) throws(JournalError) -> EarningEntry {
        try write { db in
            try db.execute(
                sql: "UPDATE earnings SET state = 'refused', lastFailure = ?, answeredAt = ?, nextAttemptAt = NULL WHERE id = ? AND state = 'queued'",
                arguments: [HostText.sanitised(reason, limit: 300), now, id])
            return try Journal.earning(db, id: id)
        }
    }

    /// The earnings the host accepted (202) whose miles have not been confirmed: all of them, or only
    /// those due to be asked again at `now`.
    public func acceptedEarnings(dueAt now: Date? = nil) throws(JournalError) -> [EarningEntry] {
        try run { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM earnings WHERE state = 'accepted' AND (? IS NULL OR nextAttemptAt IS NULL OR nextAttemptAt <= ?) ORDER BY id",
                arguments: [now, now]
            ).map(EarningEntry.init(row:))
        }
    }

    /// The earnings still to be sent: all of them, or only those due at `now`.
    public func queuedEarnings(dueAt now: Date? = nil) throws(JournalError) -> [EarningEntry] {
        try run { db in
            if let now {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM earnings WHERE state = 'queued' AND (nextAttemptAt IS NULL OR nextAttemptAt <= ?) ORDER BY id",
                    arguments: [now]
                ).map(EarningEntry.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM earnings WHERE state = 'queued' ORDER BY id").map(EarningEntry.init(row:))
        }
    }

    /// Every ISSUE and RETURN, oldest first.
    public func earnings() throws(JournalError) -> [EarningEntry] {
        try run { db in try Row.fetchAll(db, sql: "SELECT * FROM earnings ORDER BY id").map(EarningEntry.init(row:)) }
    }

    /// The ISSUE of a sale, by its `checkoutTransactionId` (to return it).
    public func earning(checkoutTransactionId: String) throws(JournalError) -> EarningEntry? {
        try run { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM earnings WHERE checkoutTransactionId = ? ORDER BY id LIMIT 1", arguments: [checkoutTransactionId]
            )
            .map(EarningEntry.init(row:))
        }
    }
}
