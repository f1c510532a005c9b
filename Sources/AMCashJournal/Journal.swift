public import AMCashDomain
import AMCashRequests
public import AMCashWire
import Crypto
public import Foundation
import GRDB

/// The terminal's durable journal, in SQLite. Every REDEEM and REVERSE is written as an intent —
/// trace id, idempotency key, the exact body — and committed **before** the first byte is sent;
/// every outcome is committed before it is shown. WAL with `synchronous = FULL`, checked at open:
/// the journal refuses to start without it.
public final class Journal: Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// Backoff before each re-send of a queued reversal (the last repeats, with ±20% jitter): a void or a
    /// queued reversal is tried until the host answers conclusively or its reversal window closes — an
    /// outage of hours never turns it into an exception while the collector can still be made whole.
    public static let reversalBackoff: [Duration] = [.seconds(5), .seconds(15), .seconds(45), .seconds(120), .seconds(300)]

    /// The pause before the next try of a reversal that has been sent `attempts` times: capped and jittered,
    /// so tills that lost the host together do not come back in step.
    /// Tries that never left the till (no attempt counted) still back off: the pause grows with the time
    /// the reversal has been queued (a third of it, within the same cap).
    static func reversalDelay(afterAttempts attempts: Int, queuedFor: TimeInterval = 0) -> TimeInterval {
        let cap = reversalBackoff.last!.components.seconds
        let byAttempts = reversalBackoff[min(max(attempts, 1) - 1, reversalBackoff.count - 1)].components.seconds
        let base = max(byAttempts, min(cap, Int64(max(queuedFor, 0) / 3)))
        let jitter = Int64.random(in: -(base / 5)...(base / 5))
        return TimeInterval(base + jitter)
    }

    /// Opens (or creates) the journal at `path`, migrates it, and proves it is durable and writable.
    public init(path: String) throws(JournalError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .cannotOpen(path: path, reason: "cannot create the folder \(directory)")
            }
        }
        // The journal holds full card numbers (for byte-identical re-sends): it is its user's alone. A new
        // file is created 0600 (SQLite gives the -wal and -shm files the same mode); an older, looser one
        // is tightened, or refused if it cannot be.
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            var status = stat()
            guard stat(file, &status) == 0 else { continue }
            if status.st_mode & 0o077 != 0 && chmod(file, 0o600) != 0 {
                throw .cannotOpen(path: path, reason: "\(file) can be read by other users and cannot be made private: chmod 600 \(file)")
            }
        }
        var configuration = Configuration()
        configuration.label = "amcash.journal"
        configuration.journalMode = .wal
        // Another process (a supervisor's `amcash echo`, the back office's forwarder) may hold the write lock
        // for a moment: wait for it rather than fail a sale's write at once.
        configuration.busyMode = .timeout(5)
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
        // A journal a newer amcash has migrated is refused, never migrated back or written over: installing an
        // older package (a downgrade) must not corrupt what the newer one recorded.
        if (try? queue.read { try Journal.migrator.hasBeenSuperseded($0) }) == true {
            throw .cannotOpen(
                path: path,
                reason:
                    "it was written by a newer version of amcash (a downgrade?): install that version or a newer one; the journal is left as it is")
        }
        do {
            try Journal.migrator.migrate(queue)
            // A write at open proves the file is writable before anything is sent.
            try queue.write { db in
                try Journal.createLeaseIndexes(db)
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
        try write { db in try Journal.nextTraceId(db) }
    }

    // MARK: - REDEEM at the till

    /// Records a REDEEM about to be sent, leased to `holder` for the in-lane budget; committed when
    /// this returns. Refused (nothing recorded, nothing to send) while another call for the same
    /// collector is under a live lease: one host call per collector at a time.
    /// A register's sale carries its `saleId`, kept with the row so the register's questions are answered
    /// from the journal; one REDEEM that is not declined per sale (a second is refused, nothing recorded).
    public func recordRedemptionIntent(
        _ call: PreparedCall, requested: Money, at now: Date,
        holder: LeaseHolder = LeaseHolder(), leases: LeaseTimes = .standard, saleId: String? = nil
    ) throws(JournalError) -> JournalEntry {
        try write { db in
            try Journal.insertIntent(db, call, requested: requested, at: now, holder: holder, leases: leases, saleId: saleId)
        }
    }

    /// The same, with the trace id taken in the intent's own transaction: `build` makes the call with
    /// the next trace id, and the trace id and the intent are committed together — one `fsync` where
    /// `nextTraceId()` then `recordRedemptionIntent(_:…)` take two. Nothing is sent before this returns,
    /// so the rule "durable before sent" is the same. A call `build` refuses (its error is thrown as it
    /// is) records nothing and uses up no trace id.
    ///
    /// `earning` (a console's sale that earns): the sale's ISSUE on the whole sale, journaled in the same
    /// commit, held behind this REDEEM (`heldBehind`) under the next trace id, and not leased: the till
    /// releases it once the REDEEM ends in the lane (`JournaledTransactions.earn(_:behind:)`), and recovery
    /// does if the till dies first (`settleHold`), so no crash between the REDEEM's answer and the ISSUE
    /// loses the earning.
    public func recordRedemptionIntent(
        requested: Money, at now: Date, holder: LeaseHolder = LeaseHolder(), leases: LeaseTimes = .standard, saleId: String? = nil,
        earning: ((TraceId) throws -> (call: IssuanceCall, checkoutTransactionId: String))? = nil,
        build: (TraceId) throws -> PreparedCall
    ) throws -> (call: PreparedCall, entry: JournalEntry) {
        var refusal: (any Error)?
        do {
            return try write { db in
                let traceId = try Journal.nextTraceId(db)
                let call: PreparedCall
                do { call = try build(traceId) } catch {
                    refusal = error
                    throw error
                }
                let entry = try Journal.insertIntent(db, call, requested: requested, at: now, holder: holder, leases: leases, saleId: saleId)
                if let earning {
                    let (issue, transactionId) = try earning(try Journal.nextTraceId(db))
                    _ = try Journal.insertEarningIntent(
                        db, issue, checkoutTransactionId: transactionId, originalCheckoutTransactionId: nil, at: now, holder: nil,
                        leaseSeconds: 0, heldBehind: call.traceId, saleUnseen: true)
                }
                return (call, entry)
            }
        } catch {
            if let refusal { throw refusal }
            throw error
        }
    }

    /// A REDEEM's intent, leased to `holder` for the in-lane budget, inside the caller's transaction.
    private static func insertIntent(
        _ db: Database, _ call: PreparedCall, requested: Money, at now: Date, holder: LeaseHolder, leases: LeaseTimes, saleId: String?
    ) throws -> JournalEntry {
        precondition(call.operation == .redeem && call.idempotencyKey != nil)
        let state = try Journal.transition(.draft, .send)
        let fields = BodyFields(call.body)
        let cardKey = try Journal.cardKey(db, digits: fields.collectorNumber)
        if let busy = try Journal.liveRow(db, cardKey: cardKey, at: now) {
            throw JournalError.collectorBusy(traceId: busy.traceId)
        }
        // An ISSUE or RETURN of this collector with the host (review s9 #4): one transaction at a time.
        if let busy = try Journal.liveEarning(db, cardKey: cardKey, at: now) { throw JournalError.collectorBusy(traceId: busy.traceId) }
        if let saleId, let earlier = try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND saleId = ? AND state != 'declined'", [saleId]).first {
            throw JournalError.illegalTransition("register sale \(saleId) already has redemption trace \(earlier.traceId) (\(earlier.state))")
        }
        // Leased to the lane in the same write: recovery never takes a REDEEM its till is sending.
        return try Journal.insert(
            db, kind: .redeem, call: call, requested: requested, state: state, original: nil, nextAttemptAt: nil, cardKey: cardKey,
            saleId: saleId, cardTerminalId: fields.cardTerminalId, leasedTo: holder, leaseUntil: now.addingTimeInterval(leases.inLane), now: now)
    }

    /// Records the outcome of the till's own send of a REDEEM; committed when this returns.
    /// Approved: kept under lease until the cashier is shown it (`markShown`), or voided by recovery
    /// if never shown. An approval that must not be shown (more than asked, a unit value not the
    /// program's) is voided in the same commit. A refusal, a scheduled outage (0092: the host did
    /// nothing) or "nothing was sent" ends it; anything else is unknown (a 409, a redirect, a lost answer).
    @discardableResult
    public func recordRedemptionOutcome(
        _ id: Int64, _ result: HostResult<RedemptionReply>, at now: Date,
        holder: LeaseHolder? = nil, leases: LeaseTimes = .standard, latencyMs: Int? = nil
    ) throws(JournalError) -> JournalEntry {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            guard entry.state == .sending else {
                if Journal.sameAnswer(entry, result) { return entry }  // the same answer twice is a no-op
                // Recovery took the row while the till waited (its lease ran out: a clock step, a stalled process)
                // and made it unknown. The till's answer is then learned as a replay's would be: an approval
                // nobody may be shown is voided, never dropped.
                if entry.state == .unknown, Journal.isApproval(result) {
                    entry.attempts += 1
                    if let latencyMs { entry.hostLatencyMs = latencyMs }
                    try Journal.learnApproval(db, &entry, result, at: now)
                    Journal.release(&entry)
                    try Journal.update(db, entry)
                    return entry
                }
                throw JournalError.illegalTransition("trace \(entry.traceId) is \(entry.state), not waiting for the till's answer")
            }
            entry.attempts += 1
            if let latencyMs { entry.hostLatencyMs = latencyMs }
            switch result {
            case .answered(let reply) where reply.answer.outcome == .approved:
                try Journal.approve(&entry, reply, at: now, byRecovery: false)
                entry.leaseHolder = holder?.description ?? entry.leaseHolder
                entry.leaseUntil = now.addingTimeInterval(leases.toShow)
            case .unknown(.unshowableApproval(let confirmation, let units, let reason)):
                // The host approved what must not be shown: keep its number and void it in this commit.
                try Journal.approveUnshowable(&entry, confirmation: confirmation, units: units, at: now, byRecovery: false)
                try Journal.queueVoid(db, of: &entry, at: now)
                entry.lastFailure = "not shown (\(reason)): voided"
                Journal.release(&entry)
            case .answered(let reply) where Journal.isConclusiveRefusal(reply.answer):
                entry.state = try Journal.transition(entry.state, .hostDeclined)
                entry.responseCode = reply.answer.code.rawValue
                entry.answeredAt = now
                Journal.release(&entry)
            case .notSent(let failure):
                // Every attempt failed before its request was written (the client says unknown otherwise).
                entry.state = try Journal.transition(entry.state, .hostDeclined)
                entry.lastFailure = "not sent: " + failure.description
                entry.answeredAt = now
                Journal.release(&entry)
            case .answered(let reply):
                entry.state = try Journal.transition(entry.state, .responseLost)
                entry.responseCode = reply.answer.code.rawValue
                entry.lastFailure = "no conclusive answer: \(reply.answer.code)"
                Journal.release(&entry)
            case .unknown(let failure):
                // A 409, a redirect, a garbled body: the first attempt may have debited. Replays find out.
                entry.state = try Journal.transition(entry.state, .responseLost)
                entry.lastFailure = failure.description
                Journal.release(&entry)
            }
            try Journal.update(db, entry)
            return entry
        }
    }

    /// The cashier saw APPROVED (the result screen was drawn, the one-shot command's output written):
    /// the discount was given, and the debit stands.
    @discardableResult
    public func markShown(_ id: Int64, at now: Date) throws(JournalError) -> JournalEntry {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            if entry.state == .shown { return entry }
            entry.state = try Journal.transition(entry.state, .shown)
            entry.shownAt = now
            Journal.release(&entry)
            try Journal.update(db, entry)
            return entry
        }
    }

    // MARK: - REDEEM by recovery

    /// REDEEMs whose outcome is not known yet (sent, or lost on the way back).
    public func pendingRedemptions() throws(JournalError) -> [JournalEntry] {
        try run { db in try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND state IN ('sending', 'unknown') AND awaitingFile = 0 ORDER BY id") }
    }

    /// Approvals that were never shown to a cashier (the till died, or a replay learned them).
    public func unshownApprovals() throws(JournalError) -> [JournalEntry] {
        try run { db in try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND state = 'approved' ORDER BY id") }
    }

    /// Takes `id` for `holder` if no live lease binds it or another row of its collector, and it is still in
    /// one of `states` (a list read a moment ago may be stale: a row the till has since declined or shown
    /// must never be sent again); nil otherwise.
    public func claim(
        _ id: Int64, for holder: LeaseHolder, at now: Date, leases: LeaseTimes = .standard,
        expecting states: Set<TransactionState>? = nil
    ) throws(JournalError) -> JournalEntry? {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            if let states, !states.contains(entry.state) || entry.awaitingFile { return nil }
            if LeaseHolder.binds(holder: entry.leaseHolder, until: entry.leaseUntil, at: now) { return nil }
            if let key = entry.cardKey, let other = try Journal.liveRow(db, cardKey: key, at: now), other.id != id { return nil }
            if try Journal.liveEarning(db, cardKey: entry.cardKey, at: now) != nil { return nil }
            entry.leaseHolder = holder.description
            entry.leaseUntil = now.addingTimeInterval(leases.recovery)
            try Journal.update(db, entry)
            return entry
        }
    }

    /// Gives a claimed row back without changing it.
    public func release(_ id: Int64) throws(JournalError) {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            Journal.release(&entry)
            try Journal.update(db, entry)
        }
    }

    /// Records the answer to a replay of a pending REDEEM. Only an approval is conclusive, and since
    /// nobody saw it, it is voided at once: its REVERSE is queued in the same commit. Anything else
    /// leaves the row unknown; past `replayUntil` it becomes an exception.
    @discardableResult
    public func recordReplayOutcome(
        _ id: Int64, _ result: HostResult<RedemptionReply>, at now: Date,
        replayUntil: Date, latencyMs: Int? = nil
    ) throws(JournalError) -> JournalEntry {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            guard entry.state.needsResolution else {
                if Journal.sameAnswer(entry, result) { return entry }
                throw JournalError.illegalTransition("trace \(entry.traceId) is \(entry.state), not waiting for a replay")
            }
            entry.attempts += 1
            if let latencyMs { entry.hostLatencyMs = latencyMs }
            if case .answered(let reply) = result, reply.answer.outcome == .approved {
                try Journal.approve(&entry, reply, at: now, byRecovery: true)
                try Journal.queueVoid(db, of: &entry, at: now)
            } else if case .unknown(.unshowableApproval(let confirmation, let units, let reason)) = result {
                try Journal.approveUnshowable(&entry, confirmation: confirmation, units: units, at: now, byRecovery: true)
                try Journal.queueVoid(db, of: &entry, at: now)
                entry.lastFailure = "approved on a replay (\(reason)): voided"
            } else {
                if entry.state == .sending { entry.state = try Journal.transition(entry.state, .responseLost) }
                switch result {
                case .answered(let reply):
                    entry.responseCode = reply.answer.code.rawValue
                    entry.lastFailure = "a replay was answered \(reply.answer.code), which proves nothing about the lost original"
                case .notSent(let failure), .unknown(let failure):
                    entry.lastFailure = failure.description
                }
                if now >= replayUntil {
                    try Journal.giveUp(&entry, reason: "replays ended (the reversal window or the host's key retention closed) with no answer")
                }
            }
            Journal.release(&entry)
            try Journal.update(db, entry)
            return entry
        }
    }

    /// Ends replays of a pending REDEEM without sending: the window or the key retention closed.
    public func giveUpReplays(_ id: Int64, at now: Date) throws(JournalError) {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            guard entry.state.needsResolution else { return }
            if entry.state == .sending { entry.state = try Journal.transition(entry.state, .responseLost) }
            try Journal.giveUp(&entry, reason: "replays ended (the reversal window or the host's key retention closed) with no answer")
            Journal.release(&entry)
            try Journal.update(db, entry)
        }
    }

    /// Stops replaying an unknown REDEEM once the host's orphan-refund window has passed: the host has
    /// given back any debit it held for it, and a replay now could only make a new one. The row stays
    /// unknown (open, never shown) until the daily file settles it.
    public func endReplays(_ id: Int64, orphanWindowMinutes: Int, at now: Date) throws(JournalError) {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            guard entry.state.needsResolution, !entry.awaitingFile else { return }
            if entry.state == .sending { entry.state = try Journal.transition(entry.state, .responseLost) }
            entry.awaitingFile = true
            entry.lastFailure =
                "not replayed after the host's orphan-refund window (\(orphanWindowMinutes) min): any debit was refunded by the host;"
                + " the daily file settles it" + (entry.lastFailure.map { " (last: \($0))" } ?? "")
            Journal.release(&entry)
            try Journal.update(db, entry)
        }
    }

    /// Voids an approval nobody was shown: its REVERSE is queued in the same commit.
    @discardableResult
    public func voidUnshown(_ id: Int64, at now: Date) throws(JournalError) -> JournalEntry {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            guard entry.state == .approved else {
                // Shown (or voided) since it was listed: nothing to void; give back the recovery's claim.
                Journal.release(&entry)
                try Journal.update(db, entry)
                return entry
            }
            try Journal.queueVoid(db, of: &entry, at: now)
            Journal.release(&entry)
            try Journal.update(db, entry)
            return entry
        }
    }

    /// Sets a row the journal cannot move aside for the supervisor, so recovery never stalls on it. Only a
    /// row recovery works on (unresolved, owing a void, a reversal under way) is set aside: a shown, declined,
    /// voided or reversed row already says what happened, and stays as it is.
    public func quarantine(_ id: Int64, reason: String) throws(JournalError) {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE entries SET state = 'exception', isException = 1, nextAttemptAt = NULL, leaseHolder = NULL, leaseUntil = NULL,
                                       lastFailure = ?
                    WHERE id = ? AND state IN ('sending', 'unknown', 'approved', 'voiding', 'reversing')
                    """, arguments: [String(("set aside: " + reason).prefix(500)), id])
        }
    }

    /// Shown redemptions that can still be reversed at `now`, newest first.
    public func reversibleRedemptions(at now: Date) throws(JournalError) -> [JournalEntry] {
        try run { db in try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND state = 'shown' ORDER BY id DESC") }
            .filter { ReversalWindow.isReversible(redeemedAt: $0.createdAt, at: now) }
    }

    /// The REDEEM this terminal journaled under `confirmationNumber`, if any.
    public func redemption(confirmationNumber: String) throws(JournalError) -> JournalEntry? {
        try run { db in try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND confirmationNumber = ?", [confirmationNumber]).first }
    }

    // MARK: - REVERSE (store and forward)

    /// Queues the cashier's REVERSE durably, leased to `holder` while it is sent; the redemption it
    /// reverses (if this terminal made it) becomes `reversing`. Refused before anything is queued
    /// when the redemption is this terminal's and the card is not its card, or it is not shown.
    public func queueReversal(
        _ call: PreparedCall, of confirmationNumber: String, at now: Date,
        holder: LeaseHolder = LeaseHolder(), leases: LeaseTimes = .standard
    ) throws(JournalError) -> JournalEntry {
        precondition(call.operation == .reverse && call.idempotencyKey != nil)
        return try write { db in
            let cardKey = try Journal.cardKey(db, body: call.body)
            if var redemption = try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND confirmationNumber = ?", [confirmationNumber]).first {
                guard redemption.cardKey == nil || redemption.cardKey == cardKey else {
                    throw JournalError.reversalRefused("the card does not match redemption \(confirmationNumber) (\(redemption.maskedCard))")
                }
                guard redemption.state == .shown else {
                    throw JournalError.reversalRefused("redemption \(confirmationNumber) is \(redemption.state), not a shown redemption")
                }
                if LeaseHolder.binds(holder: redemption.leaseHolder, until: redemption.leaseUntil, at: now) {
                    throw JournalError.collectorBusy(traceId: redemption.traceId)
                }
                redemption.state = try Journal.transition(redemption.state, .reverse)
                try Journal.update(db, redemption)
            }
            if let busy = try Journal.liveRow(db, cardKey: cardKey, at: now) { throw JournalError.collectorBusy(traceId: busy.traceId) }
            if let busy = try Journal.liveEarning(db, cardKey: cardKey, at: now) { throw JournalError.collectorBusy(traceId: busy.traceId) }
            return try Journal.insert(
                db, kind: .reverse, call: call, requested: nil, state: .reversing, original: confirmationNumber, nextAttemptAt: now,
                cardKey: cardKey, leasedTo: holder, leaseUntil: now.addingTimeInterval(leases.inLane), now: now)
        }
    }

    /// Records one attempt at a queued REVERSE (the cashier's or a void). Acknowledged: reversed (a
    /// `0000` without a number is reversed and noted). A conclusive refusal (the first answer to reach
    /// the host): a void becomes an exception; a cashier's reversal refused while the cashier waits
    /// (`inLane`) is declined and its redemption is shown again; refused later, after the cashier was
    /// told it was queued, it is an exception, so the supervisor hears of it. Anything else is tried
    /// again with capped, jittered backoff until the reversal window closes — a try that provably never
    /// left the till does not count — and only then becomes an exception that says what to do.
    @discardableResult
    public func recordReversalOutcome(
        _ id: Int64, _ result: HostResult<ReversalReply>, at now: Date, inLane: Bool = false, latencyMs: Int? = nil
    ) throws(JournalError) -> JournalEntry {
        try write { db in
            var entry = try Journal.fetch(db, id: id)
            guard entry.state == .reversing else {
                if case .answered(let reply) = result, reply.answer.outcome == .approved, entry.state == .reversed { return entry }
                throw JournalError.illegalTransition("reversal trace \(entry.traceId) is \(entry.state), not waiting for an answer")
            }
            if case .notSent = result {} else { entry.attempts += 1 }
            if let latencyMs { entry.hostLatencyMs = latencyMs }
            var redemption = try entry.originalConfirmationNumber.flatMap {
                try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND confirmationNumber = ?", [$0]).first
            }
            let conclusiveRefusal: Bool
            // A scheduled outage (0092) is not a refusal of a reversal: the host did nothing, so it is tried again later.
            if case .answered(let reply) = result, reply.answer.outcome == .declined {
                conclusiveRefusal = !entry.sentInDoubt
            } else {
                conclusiveRefusal = false
            }
            switch result {
            case .answered(let reply) where reply.answer.outcome == .approved:
                entry.state = try Journal.reversalTransition(entry.state, .reversalApproved)
                entry.confirmationNumber = reply.reversalConfirmationNumber
                entry.lastFailure = reply.reversalConfirmationNumber == nil ? "approved (0000) without a reversal confirmation number" : nil
                entry.responseCode = reply.answer.code.rawValue
                entry.units = reply.unitsReversed
                entry.answeredAt = now
                entry.nextAttemptAt = nil
                if var original = redemption, original.state == .reversing || original.state == .voiding {
                    original.state = try Journal.transition(original.state, .reversalApproved)
                    redemption = original
                    try Journal.update(db, original)
                }
            case .answered(let reply) where conclusiveRefusal:
                let refusal = "refused by the host: \(reply.answer.code) \(reply.answer.hostMessage ?? reply.answer.meaning.message.english)"
                entry.responseCode = reply.answer.code.rawValue
                entry.answeredAt = now
                entry.nextAttemptAt = nil
                let original = entry.originalConfirmationNumber ?? "?"
                if entry.isVoid {
                    entry.state = try Journal.reversalTransition(entry.state, .giveUp)
                    entry.isException = true
                    entry.lastFailure =
                        "the void of \(original) was \(refusal). The collector was debited for a discount nobody gave:"
                        + " call AIR MILES support to reverse \(original), or credit the collector"
                    if var original = redemption, original.state == .voiding {
                        try Journal.giveUp(&original, reason: "its void was " + refusal)
                        try Journal.update(db, original)
                    }
                } else if inLane {
                    entry.state = try Journal.reversalTransition(entry.state, .reversalRefused)
                    entry.lastFailure = refusal
                    try Journal.showAgainAfterRefusedReversal(redemption, db, why: "a reversal was " + refusal)
                } else {
                    // The cashier was told "queued": the collector expects the miles back. A person must act.
                    entry.state = try Journal.reversalTransition(entry.state, .giveUp)
                    entry.isException = true
                    entry.lastFailure =
                        "the queued reversal of \(original) was \(refusal). The redemption stands, but the collector was told"
                        + " it would be reversed: a supervisor must reverse it again with the card, or call AIR MILES support"
                    try Journal.showAgainAfterRefusedReversal(redemption, db, why: "a queued reversal was " + refusal)
                }
            default:
                let reason: String =
                    switch result {
                    case .answered(let reply): "host answered \(reply.answer.code)"
                    case .notSent(let failure), .unknown(let failure): failure.description
                    }
                switch result {
                case .notSent: break
                case .answered(let reply) where reply.answer.code == ResponseCode.scheduledOutage: break
                default: entry.sentInDoubt = true
                }
                entry.lastFailure = reason
                let redeemedAt = redemption?.createdAt ?? entry.createdAt
                if !ReversalWindow.isReversible(redeemedAt: redeemedAt, at: now) {
                    let original = entry.originalConfirmationNumber ?? "?"
                    entry.state = try Journal.reversalTransition(entry.state, .giveUp)
                    entry.isException = true
                    entry.nextAttemptAt = nil
                    entry.lastFailure =
                        "the reversal window closed before AIR MILES confirmed the \(entry.isVoid ? "void" : "reversal") of \(original)"
                        + " (last: \(reason)): call AIR MILES support to reverse it, or credit the collector"
                    if var original = redemption, original.state == .reversing || original.state == .voiding {
                        try Journal.giveUp(&original, reason: "its reversal could not be completed before the window closed: \(reason)")
                        try Journal.update(db, original)
                    }
                } else {
                    entry.nextAttemptAt = now.addingTimeInterval(
                        Journal.reversalDelay(afterAttempts: max(entry.attempts, 1), queuedFor: now.timeIntervalSince(entry.createdAt)))
                }
            }
            Journal.release(&entry)
            try Journal.update(db, entry)
            return entry
        }
    }

    /// Queued reversals due for another try at `now`.
    public func dueReversals(at now: Date) throws(JournalError) -> [JournalEntry] {
        try run { db in
            try Journal.fetchAll(db, "WHERE kind = 'REVERSE' AND state = 'reversing' AND nextAttemptAt <= ? ORDER BY id", [now])
        }
    }

    // MARK: - Reading

    /// Entries of one reconciliation day (00:00 Toronto), or every entry; optionally only pending ones and exceptions.
    public func entries(day: ProgramDay? = nil, pendingOnly: Bool = false) throws(JournalError) -> [JournalEntry] {
        let all = try run { db in
            if let day { return try Journal.fetchAll(db, "WHERE reconciliationDay = ? ORDER BY id", [day.description]) }
            return try Journal.fetchAll(db, "ORDER BY id")
        }
        return pendingOnly ? all.filter { $0.isPending || $0.isException || ($0.awaitingFile && $0.state.needsResolution) } : all
    }

    /// How many entries are pending or exceptions, every day together: `entries(pendingOnly: true).count`,
    /// counted by SQLite instead of reading every row.
    public func openCount() throws(JournalError) -> Int {
        try run { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM entries
                    WHERE (kind = 'REDEEM' AND state IN ('sending', 'unknown', 'approved', 'voiding'))
                       OR (kind = 'REVERSE' AND state = 'reversing')
                       OR isException = 1
                    """) ?? 0
        }
    }

    public func entry(id: Int64) throws(JournalError) -> JournalEntry {
        try run { db in try Journal.fetch(db, id: id) }
    }

    /// The REDEEM of a register's sale (`saleId`): the latest one, since a declined one may be followed by
    /// another card for the same sale. Nil when the sale never reached a REDEEM.
    public func redemption(saleId: String) throws(JournalError) -> JournalEntry? {
        try run { db in try Journal.fetchAll(db, "WHERE kind = 'REDEEM' AND saleId = ? ORDER BY id DESC", [saleId]).first }
    }

    /// The entry with this trace id (unique in a journal), if any.
    public func entry(traceId: String) throws(JournalError) -> JournalEntry? {
        try run { db in try Journal.fetchAll(db, "WHERE traceId = ?", [traceId]).first }
    }

    // MARK: - Reconciliation and retention

    /// An unknown REDEEM the daily file shows as redeemed: the host holds a debit nobody was shown,
    /// so it is recorded with the host's numbers and voided (past its window: an exception).
    func resolveUnshown(_ id: Int64, confirmation: String?, units: Units?, money: Money?, miles: Miles?, at now: Date) throws(JournalError) {
        try write { db in try Journal.resolveUnshown(db, id, confirmation: confirmation, units: units, money: money, miles: miles, at: now) }
    }

    static func resolveUnshown(
        _ db: Database, _ id: Int64, confirmation: String?, units: Units?, money: Money?, miles: Miles?,
        at now: Date
    ) throws {
        var entry = try Journal.fetch(db, id: id)
        guard entry.state.needsResolution else { return }
        entry.state = try Journal.transition(entry.state, .hostApproved)
        entry.confirmationNumber = confirmation
        entry.units = units
        entry.money = money
        entry.miles = miles
        entry.answeredAt = now
        entry.resolvedByRecovery = true
        entry.awaitingFile = false
        if confirmation == nil {
            entry.state = try Journal.transition(entry.state, .void)
            try Journal.giveUp(&entry, reason: "the daily file shows it redeemed without a confirmation number")
        } else {
            try Journal.queueVoid(db, of: &entry, at: now)
            entry.lastFailure = (entry.lastFailure ?? "") + " (learned from the AIR MILES daily file)"
        }
        Journal.release(&entry)
        try Journal.update(db, entry)
    }

    /// Marks entries as matched against the AIR MILES daily file.
    public func markReconciled(_ ids: [Int64]) throws(JournalError) {
        try write { db in
            let statement = try db.cachedStatement(sql: "UPDATE entries SET isReconciled = 1 WHERE id = ?")
            for id in ids { try statement.execute(arguments: [id]) }
        }
    }

    /// Replaces the full collector number in the journaled bodies of rows that can never be sent again
    /// with its masked form: the number is kept only while a row may still be re-sent (a pending
    /// REDEEM or REVERSE) or voided or reversed (a shown or approved REDEEM until its window closes) —
    /// and, on a till that forwards to the chain's back office, until the back office has the row's
    /// last change (it makes the card hash, with the chain's key, from the number), at most
    /// `fullNumberAwaitsTheBackOffice`. Earnings the same way (`maskFinalEarnings`).
    ///
    /// Run at the end of each lane (the row just answered), in the commit of each forwarding
    /// acknowledgement, and by every recovery pass and one-shot command even when nothing is pending,
    /// so a quiet till keeps no number longer than the rule says.
    @discardableResult
    public func purgeCardNumbers(at now: Date) throws(JournalError) -> Int {
        try write { db in try Journal.maskFinalEntries(db, at: now) + Journal.maskFinalEarnings(db, at: now) }
    }

    /// `purgeCardNumbers` for one REDEEM or REVERSE row (a lane that just ended), and the REDEEM it reverses.
    @discardableResult
    public func purgeCardNumber(ofEntry id: Int64, at now: Date) throws(JournalError) -> Int {
        try write { db in
            let original = try String.fetchOne(db, sql: "SELECT originalConfirmationNumber FROM entries WHERE id = ?", arguments: [id])
            let reversed = try original.flatMap {
                try Int64.fetchOne(db, sql: "SELECT id FROM entries WHERE kind = 'REDEEM' AND confirmationNumber = ?", arguments: [$0])
            }
            return try Journal.maskFinalEntries(db, at: now, only: id) + (reversed.map { try Journal.maskFinalEntries(db, at: now, only: $0) } ?? 0)
        }
    }

    /// `purgeCardNumbers` for one ISSUE or RETURN (a lane or a pass that let it go).
    @discardableResult
    public func purgeCardNumber(ofEarning id: Int64, at now: Date) throws(JournalError) -> Int {
        try write { db in try Journal.maskFinalEarnings(db, at: now, only: id) }
    }

    /// The longest a final row keeps its full number for a back office that has not taken it (the chain's
    /// database away for days): past it the row is masked and forwarded later without its card hash.
    public static let fullNumberAwaitsTheBackOffice: TimeInterval = 7 * 86_400

    /// The SQL condition "the back office has this row's last change, or this journal is not forwarded,
    /// or the row waited long enough" (`mark`: the meta key of its table's acknowledgement; one argument,
    /// the oldest `createdAt` still waiting). A journal is forwarded once a forwarder or a till configured
    /// with a back office noted it (`noteForwarding`), or a batch was acknowledged.
    static func backOfficeHasItSQL(mark: String) -> String {
        "(changeSeq <= COALESCE((SELECT value FROM meta WHERE key = '\(mark)'), 9223372036854775807) OR createdAt < ?)"
    }

    /// Masks the REDEEM and REVERSE rows (or only `id`, or only those changed after `changedAfter`: a batch just
    /// acknowledged, found by the index) no send needs any more; returns how many.
    static func maskFinalEntries(_ db: Database, at now: Date, only id: Int64? = nil, changedAfter: Int64 = -1) throws -> Int {
        // One row by its key, or a batch by the changeSeq index; a whole scan only for a full purge.
        let which = id == nil ? "changeSeq > ?" : "id = ?"
        let rows = try Journal.fetchAll(
            db,
            """
            WHERE \(which) AND CAST(body AS TEXT) GLOB '*"collectorNumber":"[0-9]*' AND (state IN ('declined', 'voided', 'reversed', 'exception', 'shown', 'approved', 'voiding') OR (state = 'unknown' AND awaitingFile = 1))
            AND \(backOfficeHasItSQL(mark: "forwardedSeq"))
            """, [id ?? changedAfter, now.addingTimeInterval(-fullNumberAwaitsTheBackOffice)]
        )
        var purged = 0
        for entry in rows {
            let canStillSend: Bool =
                switch (entry.kind, entry.state) {
                case (.redeem, .shown), (.redeem, .approved), (.redeem, .voiding):
                    ReversalWindow.isReversible(redeemedAt: entry.createdAt, at: now)
                case (.redeem, .unknown) where entry.awaitingFile: ReversalWindow.isReversible(redeemedAt: entry.createdAt, at: now)
                case (.redeem, .declined), (.redeem, .voided), (.redeem, .reversed), (.redeem, .exception): false
                case (.reverse, .reversed), (.reverse, .declined), (.reverse, .exception): false
                default: true
                }
            guard !canStillSend, var object = try? JSONSerialization.jsonObject(with: entry.body) as? [String: Any],
                let digits = object["collectorNumber"] as? String, digits.allSatisfy(\.isNumber)
            else { continue }
            object["collectorNumber"] = String(repeating: "*", count: max(0, digits.count - 4)) + digits.suffix(4)
            guard let masked = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { continue }
            try db.execute(sql: "UPDATE entries SET body = ? WHERE id = ?", arguments: [masked, entry.id])
            purged += 1
        }
        return purged
    }

    /// Deletes reconciled entries made more than `days` days before `now`. Unreconciled rows, exceptions and
    /// rows still open (a debit nobody saw, a void under way) are never deleted: a supervisor may still need them.
    @discardableResult
    public func pruneReconciled(olderThan days: Int, at now: Date) throws(JournalError) -> Int {
        let cutoff = now.addingTimeInterval(-TimeInterval(days) * 86_400)
        return try write { db in
            // A row the back office has not received yet is kept until it has (once forwarding is in use).
            try db.execute(
                sql: """
                    DELETE FROM entries WHERE \(Journal.isReconciledSQL) AND isException = 0 AND createdAt < ?
                    AND state NOT IN ('sending', 'unknown', 'approved', 'voiding', 'reversing')
                    AND changeSeq <= COALESCE((SELECT value FROM meta WHERE key = 'forwardedSeq'), 9223372036854775807)
                    """, arguments: [cutoff])
            let entries = db.changesCount
            // Earnings answered for good (issued, refused) too, on the same terms; an exception is kept for a person.
            try db.execute(
                sql: """
                    DELETE FROM earnings WHERE state IN ('issued', 'refused') AND createdAt < ?
                    AND changeSeq <= COALESCE((SELECT value FROM meta WHERE key = 'forwardedEarningSeq'), 9223372036854775807)
                    """, arguments: [cutoff])
            return entries + db.changesCount
        }
    }

    // MARK: - Plumbing

    private static func insert(
        _ db: Database, kind: JournalEntry.Kind, call: PreparedCall, requested: Money?, state: TransactionState,
        original: String?, nextAttemptAt: Date?, cardKey: String?, isVoid: Bool = false, saleId: String? = nil,
        cardTerminalId terminalId: String? = nil, leasedTo holder: LeaseHolder? = nil, leaseUntil: Date? = nil, now: Date
    ) throws -> JournalEntry {
        let redemptionDay = ProgramDay.redemptionDay(at: now)
        let reconciliationDay = ProgramDay.reconciliationDay(at: now)
        // Cached: compiled once per connection, not once per sale.
        try db.cachedStatement(
            sql: """
                INSERT INTO entries (kind, traceId, idempotencyKey, body, maskedCard, createdAt, redemptionDay, reconciliationDay,
                                     requestedCents, state, attempts, originalConfirmationNumber, nextAttemptAt, isException, isReconciled,
                                     resolvedByRecovery, cardKey, isVoid, sentInDoubt, cardTerminalId, saleId, leaseHolder, leaseUntil)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, 0, 0, ?, ?, 0, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                kind.rawValue, call.traceId, call.idempotencyKey!.uuidString.lowercased(), call.body,
                call.maskedCard ?? "", now.journalText, redemptionDay.description, reconciliationDay.description,
                requested?.cents, state.rawValue, original, nextAttemptAt?.journalText, cardKey, isVoid,
                terminalId ?? cardTerminalId(ofBody: call.body), saleId, holder?.description, holder == nil ? nil : leaseUntil?.journalText,
            ])
        return try fetch(db, id: db.lastInsertedRowID)
    }

    static func update(_ db: Database, _ entry: JournalEntry) throws {
        try db.cachedStatement(
            sql: """
                UPDATE entries SET state = ?, responseCode = ?, confirmationNumber = ?, units = ?, cents = ?, miles = ?, answeredAt = ?,
                                   attempts = ?, lastFailure = ?, nextAttemptAt = ?, isException = ?, resolvedByRecovery = ?,
                                   shownAt = ?, leaseHolder = ?, leaseUntil = ?, sentInDoubt = ?, awaitingFile = ?, hostLatencyMs = ?
                WHERE id = ?
                """
        ).execute(
            arguments: [
                entry.state.rawValue, entry.responseCode, entry.confirmationNumber, entry.units?.count, entry.money?.cents,
                entry.miles?.value, entry.answeredAt?.journalText, entry.attempts, entry.lastFailure.map { HostText.sanitised($0, limit: 500) },
                entry.nextAttemptAt?.journalText,
                entry.isException, entry.resolvedByRecovery, entry.shownAt?.journalText, entry.leaseHolder, entry.leaseUntil?.journalText,
                entry.sentInDoubt, entry.awaitingFile, entry.hostLatencyMs, entry.id,
            ])
    }

    // MARK: - Rules shared by the writes

    /// An approval's numbers onto the row (from the till's send or a replay).
    private static func approve(_ entry: inout JournalEntry, _ reply: RedemptionReply, at now: Date, byRecovery: Bool) throws {
        guard let approval = reply.approval else { throw JournalError.illegalTransition("an approval without its details") }
        entry.state = try transition(entry.state, .hostApproved)
        entry.confirmationNumber = approval.confirmationNumber
        entry.units = approval.unitsRedeemed
        entry.money = approval.discount
        entry.miles = approval.miles
        entry.responseCode = reply.answer.code.rawValue
        entry.answeredAt = now
        entry.resolvedByRecovery = byRecovery
    }

    /// An approval that must not be shown, onto the row: its confirmation number and units (to void it and
    /// to match the daily file); no discount, since none may be given.
    private static func approveUnshowable(
        _ entry: inout JournalEntry, confirmation: String, units: Units?, at now: Date, byRecovery: Bool
    ) throws {
        entry.state = try transition(entry.state, .hostApproved)
        entry.confirmationNumber = confirmation
        entry.units = units
        entry.money = nil
        entry.miles = nil
        entry.responseCode = ResponseCode.approved.rawValue
        entry.answeredAt = now
        entry.resolvedByRecovery = byRecovery
    }

    /// An approval (or an approval that must not be shown) learned for a row nobody will show it on:
    /// recorded and voided in the caller's transaction. Anything else leaves the row as it is.
    private static func learnApproval(_ db: Database, _ entry: inout JournalEntry, _ result: HostResult<RedemptionReply>, at now: Date) throws {
        switch result {
        case .answered(let reply) where reply.answer.outcome == .approved:
            try approve(&entry, reply, at: now, byRecovery: true)
            try queueVoid(db, of: &entry, at: now)
            entry.awaitingFile = false
        case .unknown(.unshowableApproval(let confirmation, let units, let reason)):
            try approveUnshowable(&entry, confirmation: confirmation, units: units, at: now, byRecovery: true)
            try queueVoid(db, of: &entry, at: now)
            entry.lastFailure = "approved, but not shown (\(reason)): voided"
            entry.awaitingFile = false
        default:
            break
        }
    }

    /// Whether `result` says the host approved (showable or not).
    private static func isApproval(_ result: HostResult<RedemptionReply>) -> Bool {
        switch result {
        case .answered(let reply): reply.answer.outcome == .approved
        case .unknown(.unshowableApproval): true
        default: false
        }
    }

    /// A refusal that ends a call: a decline, or a scheduled outage (0092), where the host says it did nothing.
    static func isConclusiveRefusal(_ answer: HostAnswer) -> Bool {
        answer.outcome == .declined || answer.code == ResponseCode.scheduledOutage
    }

    /// Queues the REVERSE that gives back an approval nobody saw, in the caller's transaction, and
    /// moves the REDEEM to `voiding`. Past the reversal window it cannot be sent: an exception.
    static func queueVoid(_ db: Database, of entry: inout JournalEntry, at now: Date) throws {
        guard let confirmation = entry.confirmationNumber else { throw JournalError.illegalTransition("a void needs a confirmation number") }
        entry.state = try transition(entry.state, .void)
        guard ReversalWindow.isReversible(redeemedAt: entry.createdAt, at: now) else {
            try giveUp(
                &entry,
                reason: "approved but never shown, and the reversal window closed before it could be voided: call AIR MILES support"
                    + " to reverse \(confirmation), or credit the collector")
            return
        }
        let trace = try nextTraceId(db)
        guard let call = RequestBuilder.void(ofRedeemBody: entry.body, confirmationNumber: confirmation, traceId: trace, at: now) else {
            try giveUp(&entry, reason: "approved but never shown, and its journaled request cannot be read to void it")
            return
        }
        _ = try insert(
            db, kind: .reverse, call: call, requested: nil, state: .reversing, original: confirmation, nextAttemptAt: now,
            cardKey: entry.cardKey, isVoid: true, now: now)
        entry.lastFailure = "approved but never shown: voided"
    }

    /// A cashier's reversal the host refused leaves its redemption standing: back from `reversing` to what it
    /// was, with why, so the cashier (or the supervisor) sees it again.
    private static func showAgainAfterRefusedReversal(_ redemption: JournalEntry?, _ db: Database, why: String) throws {
        guard var original = redemption, original.state == .reversing else { return }
        original.state = try transition(original.state, .reversalRefused)
        original.lastFailure = why
        try update(db, original)
    }

    /// A supervisor must look: replays or retries are spent, or the window closed.
    private static func giveUp(_ entry: inout JournalEntry, reason: String) throws {
        entry.state = try transition(entry.state, .giveUp)
        entry.isException = true
        entry.nextAttemptAt = nil
        entry.lastFailure = reason
    }

    private static func release(_ entry: inout JournalEntry) {
        entry.leaseHolder = nil
        entry.leaseUntil = nil
    }

    /// Whether `result` is the answer the row already holds (recorded twice: a no-op).
    private static func sameAnswer(_ entry: JournalEntry, _ result: HostResult<RedemptionReply>) -> Bool {
        guard case .answered(let reply) = result, let approval = reply.approval else { return false }
        return entry.confirmationNumber == approval.confirmationNumber && entry.state != .sending && entry.state != .unknown
    }

    /// A row of `cardKey` that a live lease binds (a call for that collector is under way), if any.
    private static func liveRow(_ db: Database, cardKey: String?, at now: Date) throws -> JournalEntry? {
        guard let cardKey else { return nil }
        return try fetchAll(db, "WHERE cardKey = ? AND leaseHolder IS NOT NULL AND leaseUntil > ?", [cardKey, now.journalText])
            .first { LeaseHolder.binds(holder: $0.leaseHolder, until: $0.leaseUntil, at: now) }
    }

    /// A REDEEM or REVERSE of this collector with the host right now (a live lease on a row being sent,
    /// resent or voided): an earning of the collector waits for it (review s9 #4). An approval waiting to be
    /// shown is not with the host.
    static func redemptionInFlight(_ db: Database, cardKey: String?, at now: Date) throws -> JournalEntry? {
        guard let cardKey else { return nil }
        return try fetchAll(
            db, "WHERE cardKey = ? AND leaseHolder IS NOT NULL AND leaseUntil > ? AND state IN ('sending', 'unknown', 'voiding', 'reversing')",
            [cardKey, now.journalText]
        )
        .first { LeaseHolder.binds(holder: $0.leaseHolder, until: $0.leaseUntil, at: now) }
    }

    /// A salted hash of the collector number in a request body: tells two calls for one collector
    /// apart without another copy of the number.
    static func cardKey(_ db: Database, body: Data) throws -> String? { try cardKey(db, digits: BodyFields(body).collectorNumber) }

    /// The salted hash of these collector digits (nil without digits).
    static func cardKey(_ db: Database, digits: String?) throws -> String? {
        guard let digits else { return nil }
        var salt = try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'cardSalt'"))
        if salt == nil {
            salt = Int.random(in: 1...Int.max)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('cardSalt', ?)", arguments: [salt])
        }
        let digest = SHA256.hash(data: Data("\(salt!):\(digits)".utf8))
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: digest.prefix(16).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0xF)]] }, as: UTF8.self)
    }

    private static func nextTraceId(_ db: Database) throws -> TraceId {
        let last = try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'lastTraceId'")) ?? 0
        let next = last >= TraceId.largest ? 1 : last + 1
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('lastTraceId', ?)").execute(arguments: [next])
        return try TraceId(next)
    }

    static func fetch(_ db: Database, id: Int64) throws -> JournalEntry {
        guard let entry = try fetchAll(db, "WHERE id = ?", [id]).first else { throw JournalError.notFound("entry \(id)") }
        return entry
    }

    private static func fetchAll(_ db: Database, _ clause: String, _ arguments: StatementArguments = []) throws -> [JournalEntry] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(EntryColumn.list) FROM entries " + clause), arguments: arguments)
            .map(entry(from:))
    }

    /// The columns an entry is read from, in the order the SELECT names them, so a row is read by position:
    /// GRDB finds a column by name by comparing it with each column's in turn, which for thirty names a
    /// row was the larger part of reading an entry.
    private enum EntryColumn: Int, CaseIterable {
        case id, kind, traceId, idempotencyKey, body, maskedCard, createdAt, redemptionDay, reconciliationDay, requestedCents, state
        case responseCode, confirmationNumber, units, cents, miles, answeredAt, attempts, lastFailure, originalConfirmationNumber
        case nextAttemptAt, isException, reconciledNow, resolvedByRecovery, shownAt, isVoid, cardKey, leaseHolder, leaseUntil
        case sentInDoubt, awaitingFile, saleId, hostLatencyMs

        /// The SELECT list: each column by its name, the reconciled flag computed from the reconciled runs.
        static let list = allCases.map { $0 == .reconciledNow ? "\(isReconciledSQL) AS reconciledNow" : "\($0)" }.joined(separator: ", ")
    }

    private static func entry(from row: Row) throws -> JournalEntry {
        typealias C = EntryColumn
        func day(_ name: EntryColumn) throws -> ProgramDay { ProgramDay(try CalendarDay(parsing: row[name.rawValue])) }
        // The journal's own text read without a Calendar; anything else (a number, another text) as GRDB reads it.
        func date(_ name: EntryColumn) -> Date? {
            if let text = row[name.rawValue] as String?, let date = Date(journalText: text) { return date }
            return row[name.rawValue]
        }
        guard let kind = JournalEntry.Kind(rawValue: row[C.kind.rawValue]), let state = TransactionState(rawValue: row[C.state.rawValue]),
            let key = UUID(uuidString: row[C.idempotencyKey.rawValue])
        else {
            throw JournalError.storage("an entry the journal cannot read (id \(row[C.id.rawValue] as Int64? ?? -1))")
        }
        return JournalEntry(
            id: row[C.id.rawValue], kind: kind, traceId: row[C.traceId.rawValue], idempotencyKey: key, body: row[C.body.rawValue],
            maskedCard: row[C.maskedCard.rawValue],
            createdAt: try date(.createdAt)
                ?? { throw JournalError.storage("an entry without its time (id \(row[C.id.rawValue] as Int64? ?? -1))") }(),
            redemptionDay: try day(.redemptionDay), reconciliationDay: try day(.reconciliationDay),
            requested: (row[C.requestedCents.rawValue] as Int?).map(Money.init(cents:)), state: state, responseCode: row[C.responseCode.rawValue],
            confirmationNumber: row[C.confirmationNumber.rawValue], units: (row[C.units.rawValue] as Int?).map { Units($0) },
            money: (row[C.cents.rawValue] as Int?).map(Money.init(cents:)), miles: (row[C.miles.rawValue] as Int?).map { Miles($0) },
            answeredAt: date(.answeredAt), attempts: row[C.attempts.rawValue], lastFailure: row[C.lastFailure.rawValue],
            originalConfirmationNumber: row[C.originalConfirmationNumber.rawValue], nextAttemptAt: date(.nextAttemptAt),
            isException: row[C.isException.rawValue], isReconciled: row[C.reconciledNow.rawValue],
            resolvedByRecovery: row[C.resolvedByRecovery.rawValue],
            shownAt: date(.shownAt), isVoid: row[C.isVoid.rawValue], cardKey: row[C.cardKey.rawValue],
            leaseHolder: row[C.leaseHolder.rawValue],
            leaseUntil: date(.leaseUntil), sentInDoubt: row[C.sentInDoubt.rawValue], awaitingFile: row[C.awaitingFile.rawValue],
            saleId: row[C.saleId.rawValue],
            hostLatencyMs: row[C.hostLatencyMs.rawValue])
    }

    private static func transition(_ state: TransactionState, _ event: TransactionEvent) throws(JournalError) -> TransactionState {
        do { return try state.applying(event) } catch { throw .illegalTransition(error.description) }
    }

    private static func reversalTransition(_ state: TransactionState, _ event: TransactionEvent) throws(JournalError) -> TransactionState {
        do { return try state.reversalRowApplying(event) } catch { throw .illegalTransition("a reversal: " + error.description) }
    }

    func run<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try queue.read(body) } catch { throw Journal.classify(error, path: path, opening: false) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do { return try queue.write(body) } catch { throw Journal.classify(error, path: path, opening: false) }
    }

    static func classify(_ error: any Error, path: String, opening: Bool) -> JournalError {
        if let error = error as? JournalError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL: return .diskFull(path: path)
            case .SQLITE_READONLY, .SQLITE_PERM: return .readOnly(path: path)
            case .SQLITE_CANTOPEN, .SQLITE_NOTADB: return .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
            default:
                return opening
                    ? .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)") : .storage(error.message ?? "\(error.resultCode)")
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
        migrator.registerMigration("v2: shown, voids and leases") { db in
            try db.alter(table: "entries") { table in
                table.add(column: "shownAt", .datetime)
                table.add(column: "isVoid", .boolean).notNull().defaults(to: false)
                table.add(column: "cardKey", .text)
                table.add(column: "leaseHolder", .text)
                table.add(column: "leaseUntil", .datetime)
                table.add(column: "sentInDoubt", .boolean).notNull().defaults(to: false)
            }
            try db.create(index: "entries_cardKey", on: "entries", columns: ["cardKey"])
            // Under the first version every approval at the till was shown; one learned by recovery was not,
            // and is voided by the next recovery pass (or, past its window, listed as an exception).
            try db.execute(sql: "UPDATE entries SET state = 'shown' WHERE kind = 'REDEEM' AND state = 'approved' AND resolvedByRecovery = 0")
            try db.execute(sql: "UPDATE entries SET state = 'exception' WHERE kind = 'REVERSE' AND state = 'reversing' AND isException = 1")
            try db.execute(sql: "UPDATE entries SET state = 'exception' WHERE kind = 'REDEEM' AND state = 'reversing' AND isException = 1")
        }
        migrator.registerMigration("v3: card terminal id") { db in
            // The reconciliation matches on it; kept in a column so a day's million rows need no JSON parse.
            try db.alter(table: "entries") { table in table.add(column: "cardTerminalId", .text) }
            // In batches, so a large journal's bodies are never all in memory at once.
            let statement = try db.makeStatement(sql: "UPDATE entries SET cardTerminalId = ? WHERE id = ?")
            var after: Int64 = 0
            while true {
                let rows = try Row.fetchAll(db, sql: "SELECT id, body FROM entries WHERE id > ? ORDER BY id LIMIT 10000", arguments: [after])
                guard let last = rows.last else { break }
                for row in rows { try statement.execute(arguments: [cardTerminalId(ofBody: row["body"]), row["id"] as Int64]) }
                after = last["id"]
            }
        }
        migrator.registerMigration("v4: forwarding to the back office") { db in
            try Journal.createForwarding(db)
        }
        migrator.registerMigration("v5: unknown redemptions settled by the daily file") { db in
            try db.alter(table: "entries") { table in table.add(column: "awaitingFile", .boolean).notNull().defaults(to: false) }
        }
        migrator.registerMigration("v6: receipts not printed") { db in
            try Journal.createUnprintedReceipts(db)
        }
        migrator.registerMigration("v7: register sale id") { db in
            // The store's register's own id for the sale a REDEEM belongs to (nil for a sale typed at the till).
            try db.alter(table: "entries") { table in table.add(column: "saleId", .text) }
            try db.create(index: "entries_saleId", on: "entries", columns: ["saleId"])
        }
        migrator.registerMigration("v8: host call latency") { db in
            try Journal.forwardHostLatency(db)
        }
        migrator.registerMigration("v9: earnings (ISSUE and RETURN, stored and forwarded)") { db in
            try Journal.createEarnings(db)
        }
        migrator.registerMigration("v10: reconciled runs") { db in
            // A night's matched rows as runs of consecutive ids (one row for a clean day), not a flag in
            // each wide row: marking a million rows rewrote every page of `entries` through the WAL.
            try db.execute(sql: "CREATE TABLE reconciledRuns (firstId INTEGER PRIMARY KEY, lastId INTEGER NOT NULL)")
        }
        migrator.registerMigration("v11: earnings forwarded to the back office") { db in
            try Journal.forwardEarnings(db)
        }
        migrator.registerMigration("v12: earnings leased per collector") { db in
            try Journal.leaseEarnings(db)
        }
        migrator.registerMigration("v13: earnings held behind an unconfirmed redemption") { db in
            try db.alter(table: "earnings") { table in table.add(column: "heldBehind", .text) }
        }
        migrator.registerMigration("v14: an ISSUE keeps the REDEEM it waited for") { db in
            // `heldBehind` is cleared when the hold ends; this stays, so the lane and recovery find the
            // sale's one ISSUE after either released it, and never journal a second one (miles twice).
            try db.alter(table: "earnings") { table in table.add(column: "redemptionTraceId", .text) }
            try db.execute(sql: "UPDATE earnings SET redemptionTraceId = heldBehind WHERE heldBehind IS NOT NULL")
            try db.create(index: "earnings_redemptionTraceId", on: "earnings", columns: ["redemptionTraceId"])
            // An ISSUE journaled with its REDEEM's intent, before the cashier saw how the sale ended: if the till
            // stops first, a sale the cashier never saw end does not earn here (it is rung again, and earns there).
            try db.alter(table: "earnings") { table in table.add(column: "saleUnseen", .boolean).notNull().defaults(to: false) }
        }
        migrator.registerMigration("v15: when a held earning was released") { db in
            // The host's key retention runs from when it first could have seen the key: the intent for a row never
            // held, the release for one held behind its REDEEM (committed before its first send). Rows released
            // before this keep counting from their intent, as they did (earlier, never later).
            try db.alter(table: "earnings") { table in table.add(column: "releasedAt", .datetime) }
        }
        return migrator
    }

    /// "Is a call of this collector with the host?" is asked before every REDEEM, REVERSE and earning: by card
    /// and lease end it reads only the live rows, not every row the collector ever had. Created at open, not
    /// as a migration: an index changes no row, and an older amcash (a downgrade) still opens the journal, where
    /// a migration it does not know would make it refuse the file.
    static func createLeaseIndexes(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX IF NOT EXISTS entries_cardKey_leaseUntil ON entries (cardKey, leaseUntil)")
        try db.execute(sql: "CREATE INDEX IF NOT EXISTS earnings_cardKey_leaseUntil ON earnings (cardKey, leaseUntil)")
    }

    /// The card terminal id (sponsor + store + device) a journaled request body carries.
    static func cardTerminalId(ofBody body: Data) -> String { BodyFields(body).cardTerminalId }

    /// The few fields of a journaled request body the journal keeps beside it (the card's key, the card
    /// terminal id), read in one parse: a REDEEM's intent parsed its body twice, 15% of the intent's time.
    /// A field missing or not a string is nil.
    struct BodyFields {
        var collectorNumber: String?
        var cardTerminalId: String

        init(_ body: Data) {
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            collectorNumber = object?["collectorNumber"] as? String
            if let sponsor = object?["sponsorCode"] as? String, let store = object?["storeId"] as? String,
                let device = object?["deviceId"] as? String
            {
                cardTerminalId = sponsor + store + device
            } else {
                cardTerminalId = ""
            }
        }
    }

    /// For tests: caps the file at its present size, so writes soon find the disk "full".
    func freezeSize() throws {
        try queue.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 1
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
    }
}
