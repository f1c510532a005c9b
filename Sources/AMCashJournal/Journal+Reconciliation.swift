public import AMCashDomain
public import Foundation
import GRDB

/// What a reconciliation writes back to one journal row: reconciled; for an unknown REDEEM the file
/// shows as redeemed, the host's numbers; for a debit nobody was shown whose window is open, its void;
/// for a reversal in exception the file shows applied, its confirmation. Small, so a million fit in a
/// few megabytes.
public struct ReconciledRow: Sendable, Hashable {
    public struct HostNumbers: Sendable, Hashable {
        public let confirmation: String
        public let units: Units
        public let money: Money
        public let miles: Miles
    }

    public let id: Int64
    /// Matched: marked reconciled (an unshown debit nothing gives back stays open, and is reported again).
    public let reconciles: Bool
    /// What only a few rows carry (empty for a row that is only reconciled): an empty array holds no
    /// storage, so a million matched rows take 24 bytes each.
    private let rare: [Rare]

    private struct Rare: Sendable, Hashable {
        let resolution: HostNumbers?
        let queuesVoid: Bool
        let reversalConfirmation: String?
        let settlesNotDebited: Bool
    }

    public var resolution: HostNumbers? { rare.first?.resolution }
    /// An unshown debit: its REVERSE is queued, for the till's recovery to send.
    public var queuesVoid: Bool { rare.first?.queuesVoid ?? false }
    /// A reversal the file shows the host applied, under this confirmation number.
    public var reversalConfirmation: String? { rare.first?.reversalConfirmation }
    /// A REDEEM of unknown outcome the file proves never debited: settled as declined.
    public var settlesNotDebited: Bool { rare.first?.settlesNotDebited ?? false }

    /// The write-back a finding asks of the journal `journalIndex`, if any.
    public init?(_ finding: ReconciliationFinding, journalIndex: Int) {
        let unshown = finding.classification == .unshownDebit && finding.recordNumber != nil
        guard let key = finding.reconciles ?? (unshown ? finding.terminalKey : nil), key.journal == journalIndex else { return nil }
        id = key.id
        reconciles = finding.reconciles != nil
        let reversalConfirmation = finding.type == .reverse && finding.recordNumber != nil ? finding.confirmationNumber : nil
        let resolution: HostNumbers?
        if finding.resolvesUnknown, let confirmation = finding.confirmationNumber, let units = finding.units, let money = finding.money,
            let miles = finding.miles
        {
            resolution = HostNumbers(confirmation: confirmation, units: units, money: money, miles: miles)
        } else {
            resolution = nil
        }
        rare =
            resolution == nil && !finding.queuesVoid && reversalConfirmation == nil && !finding.settlesNotDebited
            ? []
            : [
                Rare(
                    resolution: resolution, queuesVoid: finding.queuesVoid, reversalConfirmation: reversalConfirmation,
                    settlesNotDebited: finding.settlesNotDebited)
            ]
    }
}

extension Journal {
    /// The rows a file is matched against: those made in its period (H2; default `day`, 00:00 to 00:00),
    /// earlier days' rows not yet reconciled (they roll forward), and the first minutes after the period
    /// (records just across its end). Declined rows are left out: the host has nothing for them. Read
    /// with one indexed query, column by column, so a day of a million rows loads in seconds and
    /// without the request bodies.
    public func terminalRecords(
        for day: ProgramDay, period: Range<Date>? = nil, journalIndex: Int, timingWindow: TimeInterval = 15 * 60
    ) throws(JournalError) -> [TerminalRecord] {
        let period = period ?? day.reconciliationStart..<day.reconciliationEnd
        let firstDay = ProgramDay.reconciliationDay(at: period.lowerBound)
        let windowEnd = period.upperBound.addingTimeInterval(timingWindow)
        let lastDay = ProgramDay.reconciliationDay(at: windowEnd)
        return try run { db in
            var records: [TerminalRecord] = []
            // Confirmation numbers of REDEEM rows held as unknown (their record carries none): few.
            var unknownRedeemConfirmations: [Int: String] = [:]
            var reversalsNeedingOriginals: [Int] = []
            var originalsByRecord: [Int: String] = [:]
            var parsedDays: [String: ProgramDay] = [:]
            func programDay(_ text: String) throws -> ProgramDay {
                if let known = parsedDays[text] { return known }
                let parsed = ProgramDay(try CalendarDay(parsing: text))
                parsedDays[text] = parsed
                return parsed
            }
            // `+createdAt`: the column without its DATETIME (numeric) affinity, so each comparison with a bound
            // date (text) is text against text, as it always ended (a date's text is no number), without SQLite
            // first trying to read the bound text as a number on every row (`sqlite3AtoF`). The plan is unchanged
            // (a scan in id order: no index on createdAt).
            let selection =
                "(reconciliationDay BETWEEN ?1 AND ?2 AND +createdAt >= ?3 AND +createdAt < ?4) OR (reconciliationDay < ?1 AND NOT \(Journal.isReconciledSQL))"
            // Most rows are of the period's first day and far from its end: their day and time are not even
            // read (NULL), only those of the rows that roll forward, sit in the timing window, or are a
            // debit nobody saw (its reversal window depends on when it was made).
            let nearCutOff = max(period.lowerBound, period.upperBound.addingTimeInterval(-timingWindow))
            let columns =
                "id, kind, state, confirmationNumber, traceId, maskedCard, units, miles, cents, "
                + "CASE WHEN reconciliationDay = ?1 THEN NULL ELSE reconciliationDay END, "
                + "CASE WHEN +createdAt >= ?5 OR +createdAt < ?3 OR state IN ('sending', 'unknown', 'approved', 'voiding', 'exception') "
                + "THEN createdAt ELSE NULL END, originalConfirmationNumber, cardTerminalId"
            // The array is sized once (the period's rows, counted on the day index), not grown by copying a million rows.
            let expected = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM entries WHERE reconciliationDay BETWEEN ? AND ?",
                arguments: [firstDay.description, lastDay.description])
            records.reserveCapacity(expected ?? 0)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(columns) FROM entries WHERE \(selection) ORDER BY id",
                arguments: [firstDay.description, lastDay.description, period.lowerBound, windowEnd, nearCutOff])
            while let row = try rows.next() {
                let kindText: String = row[1]
                let stateText: String = row[2]
                guard let kind = JournalEntry.Kind(rawValue: kindText), let state = TransactionState(rawValue: stateText) else {
                    throw JournalError.storage("an entry the journal cannot read (id \(row[0] as Int64))")
                }
                let confirmation: String? = row[3]
                guard let isUnknown = kind.reconciliationIsUnknown(state: state, hasConfirmation: confirmation != nil) else { continue }
                let units = (row[6] as Int?).map { Units($0) }
                let miles = (row[7] as Int?).map { Miles($0) }
                let money = (row[8] as Int?).map(Money.init(cents:))
                if kind == .redeem, isUnknown, let confirmation { unknownRedeemConfirmations[records.count] = confirmation }
                if kind == .reverse { reversalsNeedingOriginals.append(records.count) }
                records.append(
                    TerminalRecord(
                        key: TerminalRecord.Key(journal: journalIndex, id: row[0]), type: kind == .redeem ? .redeem : .reverse,
                        isUnknown: isUnknown, confirmationNumber: isUnknown ? nil : confirmation, traceId: row[4],
                        cardTerminalId: row[12] ?? "", maskedCard: row[5], units: units, miles: kind == .redeem ? miles : nil,
                        money: kind == .redeem ? money : nil, day: try (row[9] as String?).map(programDay) ?? firstDay,
                        createdAt: row[10] ?? period.lowerBound, unshown: kind.reconciliationUnshown(state: state)))
                if kind == .reverse, let original: String = row[11] { originalsByRecord[records.count - 1] = original }
            }
            // A reversal carries the miles and dollars of the redemption it reverses (found among the rows
            // read, or looked up: an original of an earlier, reconciled day).
            let lookup = try db.cachedStatement(sql: "SELECT units, miles, cents FROM entries WHERE kind = 'REDEEM' AND confirmationNumber = ?")
            // The amounts of the redemptions those reversals name, found among the rows read (the last row wins,
            // as it always has): only when there are reversals, so a day of a million REDEEMs hashes none of them.
            var redeemAmounts: [String: (Units?, Miles?, Money?)] = [:]
            if !originalsByRecord.isEmpty {
                let wanted = Set(originalsByRecord.values)
                for (index, record) in records.enumerated() where record.type == .redeem {
                    guard let confirmation = record.confirmationNumber ?? unknownRedeemConfirmations[index], wanted.contains(confirmation)
                    else { continue }
                    redeemAmounts[confirmation] = (record.units, record.miles, record.money)
                }
            }
            for index in reversalsNeedingOriginals {
                guard let original = originalsByRecord[index] else { continue }
                var amounts = redeemAmounts[original]
                if amounts == nil, let row = try Row.fetchOne(lookup, arguments: [original]) {
                    amounts = ((row[0] as Int?).map { Units($0) }, (row[1] as Int?).map { Miles($0) }, (row[2] as Int?).map(Money.init(cents:)))
                }
                let record = records[index]
                records[index] = TerminalRecord(
                    key: record.key, type: record.type, isUnknown: record.isUnknown, confirmationNumber: record.confirmationNumber,
                    traceId: record.traceId, cardTerminalId: record.cardTerminalId, maskedCard: record.maskedCard,
                    units: record.units ?? amounts?.0, miles: amounts?.1, money: amounts?.2, day: record.day, createdAt: record.createdAt,
                    unshown: record.unshown)
            }
            return records
        }
    }

    /// Writes what a reconciliation found, in one transaction: a reversal in exception the file shows
    /// applied is confirmed (and its redemption given back); a debit nobody was shown takes the host's
    /// numbers and, while its window is open, is voided (its REVERSE queued for the till's recovery to
    /// send); matched rows are marked reconciled.
    public func apply(_ rows: [ReconciledRow], at now: Date) throws(JournalError) {
        guard !rows.isEmpty else { return }
        try write { db in
            // Reversals first: a redemption the file shows given back is not voided a second time.
            for row in rows {
                if let confirmation = row.reversalConfirmation { try Journal.confirmReversal(db, row.id, confirmation: confirmation, at: now) }
            }
            for row in rows where row.resolution != nil || row.queuesVoid {
                try Journal.settleUnshownDebit(db, row, at: now)
            }
            for row in rows where row.settlesNotDebited { try Journal.settleNotDebited(db, row.id, at: now) }
            // Matched rows are mostly consecutive ids: one run of them, one narrow row (`reconciledRuns`).
            let ids = rows.filter(\.reconciles).map(\.id).sorted()
            guard var start = ids.first else { return }
            var end = start
            for id in ids.dropFirst() {
                if id == end + 1 {
                    end = id
                    continue
                }
                if id == end { continue }
                try Journal.addReconciledRun(db, start...end)
                (start, end) = (id, id)
            }
            try Journal.addReconciledRun(db, start...end)
        }
    }

    /// Whether an `entries` row is reconciled, in SQL: its flag (rows marked before the runs, or one by
    /// one), or its id inside a run of `reconciledRuns` (disjoint runs: the last one starting at or before it).
    static let isReconciledSQL =
        "(entries.isReconciled = 1 OR COALESCE((SELECT lastId FROM reconciledRuns WHERE firstId <= entries.id ORDER BY firstId DESC LIMIT 1), 0) >= entries.id)"

    /// Adds `ids` to the reconciled runs, merged with any run it overlaps or touches, so runs stay
    /// disjoint (a file reconciled twice marks its rows twice).
    static func addReconciledRun(_ db: Database, _ ids: ClosedRange<Int64>) throws {
        var first = ids.lowerBound
        var last = ids.upperBound
        if let before = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT firstId, lastId FROM reconciledRuns WHERE firstId < ? ORDER BY firstId DESC LIMIT 1"),
            arguments: [first]), (before[1] as Int64) >= first - 1
        {
            first = before[0]
            last = max(last, before[1])
        }
        let within = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT firstId, lastId FROM reconciledRuns WHERE firstId BETWEEN ? AND ?"), arguments: [first, last + 1])
        for run in within { last = max(last, run[1]) }
        try db.cachedStatement(sql: "DELETE FROM reconciledRuns WHERE firstId BETWEEN ? AND ?").execute(arguments: [first, last + 1])
        try db.cachedStatement(sql: "INSERT INTO reconciledRuns (firstId, lastId) VALUES (?, ?)").execute(arguments: [first, last])
    }

    /// A debit the file shows for a REDEEM nobody was shown. Unknown: the host's numbers, then voided
    /// (`resolveUnshown`). In exception without a number: the file's numbers, so a supervisor can
    /// reverse it. Approved, or in exception while the reversal window is open: its REVERSE is queued,
    /// as recovery queues a void, and the till's recovery sends it. A row a live lease binds (a till
    /// about to show it) is left to that till.
    static func settleUnshownDebit(_ db: Database, _ row: ReconciledRow, at now: Date) throws {
        var entry = try Journal.fetch(db, id: row.id)
        guard entry.kind == .redeem, !LeaseHolder.binds(holder: entry.leaseHolder, until: entry.leaseUntil, at: now) else { return }
        if entry.state.needsResolution {
            guard let numbers = row.resolution else { return }
            try Journal.resolveUnshown(
                db, row.id, confirmation: numbers.confirmation, units: numbers.units, money: numbers.money, miles: numbers.miles, at: now)
            return
        }
        if entry.confirmationNumber == nil, let numbers = row.resolution {
            entry.confirmationNumber = numbers.confirmation
            entry.units = numbers.units
            entry.money = numbers.money
            entry.miles = numbers.miles
        }
        if row.queuesVoid, let confirmation = entry.confirmationNumber, entry.state == .approved || entry.state == .exception {
            if entry.state == .exception {
                // The file proves the debit and its window is open: back to approved, as recovery would have
                // left it, and voided. A void of it that gave up is superseded (the file does not show it applied).
                entry.state = .approved
                entry.isException = false
                entry.nextAttemptAt = nil
                try db.execute(
                    sql: """
                        UPDATE entries SET state = 'declined', isException = 0, nextAttemptAt = NULL,
                            lastFailure = COALESCE(lastFailure || '; ', '') || 'not applied by the host (the daily file shows its redemption standing); superseded by a new void'
                        WHERE kind = 'REVERSE' AND originalConfirmationNumber = ? AND state = 'exception'
                        """, arguments: [confirmation])
            }
            try Journal.queueVoid(db, of: &entry, at: now)
            entry.lastFailure = (entry.lastFailure ?? "") + " (the AIR MILES daily file shows the debit: voided by reconciliation)"
        }
        try Journal.update(db, entry)
    }

    /// A REDEEM of unknown outcome (or in exception without a confirmation number: its replays ended)
    /// that the daily file proves the host never debited: declined, nothing redeemed, nothing owed.
    /// A row a live lease binds is left to its till (it is looked at again with the next file).
    ///
    /// A day with many such rows settles each by reading only the columns the decision needs and writing
    /// only the columns it changes (`Journal.fetch` + `Journal.update` read and rewrite the whole row:
    /// 12% of a run with 10,000 of them). The row ends the same; the forwarding trigger fires as before
    /// (its `WHEN` looks at the values, and `state` always changes here).
    static func settleNotDebited(_ db: Database, _ id: Int64, at now: Date) throws {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT kind, state, confirmationNumber, leaseHolder, leaseUntil, lastFailure, idempotencyKey, redemptionDay,
                            reconciliationDay FROM entries WHERE id = ?
                        """), arguments: [id])
        else { throw JournalError.notFound("entry \(id)") }
        // What `Journal.fetch` refuses to read, refused the same way.
        guard let kind = JournalEntry.Kind(rawValue: row[0]), let state = TransactionState(rawValue: row[1]),
            UUID(uuidString: row[6]) != nil
        else { throw JournalError.storage("an entry the journal cannot read (id \(id))") }
        _ = try CalendarDay(parsing: row[7])
        _ = try CalendarDay(parsing: row[8])
        let confirmation: String? = row[2]
        let unknown = state.needsResolution || (state == .exception && confirmation == nil)
        guard kind == .redeem, unknown, !LeaseHolder.binds(holder: row[3], until: row[4], at: now) else { return }
        let lastFailure = ((row[5] as String?).map { $0 + "; " } ?? "") + "the AIR MILES daily file shows no debit: nothing was redeemed"
        try db.cachedStatement(
            sql: """
                UPDATE entries SET state = ?, isException = 0, awaitingFile = 0, nextAttemptAt = NULL, answeredAt = ?,
                                   resolvedByRecovery = 1, lastFailure = ?
                WHERE id = ?
                """
        ).execute(arguments: [TransactionState.declined.rawValue, now, HostText.sanitised(lastFailure, limit: 500), id])
    }

    /// A reversal in exception that the file shows the host applied: reversed, with the file's
    /// confirmation number, and its redemption voided (or reversed): the exception is cleared.
    static func confirmReversal(_ db: Database, _ id: Int64, confirmation: String, at now: Date) throws {
        var entry = try Journal.fetch(db, id: id)
        guard entry.kind == .reverse, entry.state == .exception else { return }
        entry.state = .reversed
        entry.isException = false
        entry.confirmationNumber = confirmation
        entry.nextAttemptAt = nil
        entry.answeredAt = now
        entry.lastFailure = (entry.lastFailure.map { $0 + "; " } ?? "") + "the AIR MILES daily file shows the host applied it"
        try Journal.update(db, entry)
        guard let original = entry.originalConfirmationNumber,
            let redemptionId = try Int64.fetchOne(
                db, sql: "SELECT id FROM entries WHERE kind = 'REDEEM' AND confirmationNumber = ? ORDER BY id LIMIT 1", arguments: [original])
        else { return }
        var redemption = try Journal.fetch(db, id: redemptionId)
        guard [.exception, .voiding, .reversing].contains(redemption.state) else { return }
        redemption.state = entry.isVoid ? .voided : .reversed
        redemption.isException = false
        redemption.nextAttemptAt = nil
        redemption.lastFailure = (redemption.lastFailure.map { $0 + "; " } ?? "") + "the AIR MILES daily file shows its reversal applied"
        try Journal.update(db, redemption)
    }

    /// The same, from the findings themselves (those of other journals are skipped).
    public func apply(_ findings: [ReconciliationFinding], journalIndex: Int, at now: Date) throws(JournalError) {
        try apply(findings.compactMap { ReconciledRow($0, journalIndex: journalIndex) }, at: now)
    }

    /// The card terminal id (sponsor + store + device) the row's request carried.
    static func cardTerminalId(of entry: JournalEntry) -> String { cardTerminalId(ofBody: entry.body) }
}
