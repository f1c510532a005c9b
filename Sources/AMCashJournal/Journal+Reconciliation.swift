public import AMCashDomain
public import Foundation
import GRDB

/// What a reconciliation writes back to one journal row: reconciled, and for an unknown REDEEM the
/// file shows as redeemed, the host's numbers. Small, so a million of them fit in a few megabytes.
public struct ReconciledRow: Sendable, Hashable {
    public struct HostNumbers: Sendable, Hashable {
        public let confirmation: String
        public let units: Units
        public let money: Money
        public let miles: Miles
    }

    public let id: Int64
    public let resolution: HostNumbers?

    /// The write-back a finding asks of the journal `journalIndex`, if any.
    public init?(_ finding: ReconciliationFinding, journalIndex: Int) {
        guard let key = finding.reconciles, key.journal == journalIndex else { return nil }
        id = key.id
        if finding.resolvesUnknown, let confirmation = finding.confirmationNumber, let units = finding.units, let money = finding.money,
            let miles = finding.miles
        {
            resolution = HostNumbers(confirmation: confirmation, units: units, money: money, miles: miles)
        } else {
            resolution = nil
        }
    }
}

extension Journal {
    /// The rows a day's file is matched against: the day's REDEEMs and REVERSEs, earlier rows not yet
    /// reconciled (they roll forward), and the next day's first minutes (records just across the cut-off).
    /// Declined rows are left out: the host has nothing for them. Read with one indexed query, column
    /// by column, so a day of a million rows loads in seconds and without the request bodies.
    public func terminalRecords(for day: ProgramDay, journalIndex: Int, timingWindow: TimeInterval = 15 * 60) throws(JournalError) -> [TerminalRecord]
    {
        let nextDay = ProgramDay(day.date.next)
        let nextDayWindowEnd = day.reconciliationEnd.addingTimeInterval(timingWindow)
        return try run { db in
            var records: [TerminalRecord] = []
            var redeemAmounts: [String: (Units?, Miles?, Money?)] = [:]
            var reversalsNeedingOriginals: [Int] = []
            var originalsByRecord: [Int: String] = [:]
            var parsedDays: [String: ProgramDay] = [:]
            func programDay(_ text: String) throws -> ProgramDay {
                if let known = parsedDays[text] { return known }
                let parsed = ProgramDay(try CalendarDay(parsing: text))
                parsedDays[text] = parsed
                return parsed
            }
            let selection = "reconciliationDay = ?1 OR (reconciliationDay < ?1 AND isReconciled = 0) OR (reconciliationDay = ?2 AND createdAt < ?3)"
            // Most rows are of the day and far from the cut-off: their day and time are not even read
            // (NULL), only those of the rows that roll forward or sit in the timing window are.
            let nearCutOff = day.reconciliationEnd.addingTimeInterval(-timingWindow)
            let columns =
                "id, kind, state, confirmationNumber, traceId, maskedCard, units, miles, cents, "
                + "CASE WHEN reconciliationDay = ?1 THEN NULL ELSE reconciliationDay END, "
                + "CASE WHEN createdAt >= ?4 THEN createdAt ELSE NULL END, originalConfirmationNumber, cardTerminalId"
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(columns) FROM entries WHERE \(selection) ORDER BY id",
                arguments: [day.description, nextDay.description, nextDayWindowEnd, nearCutOff])
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
                if kind == .redeem, let confirmation { redeemAmounts[confirmation] = (units, miles, money) }
                if kind == .reverse { reversalsNeedingOriginals.append(records.count) }
                records.append(
                    TerminalRecord(
                        key: TerminalRecord.Key(journal: journalIndex, id: row[0]), type: kind == .redeem ? .redeem : .reverse,
                        isUnknown: isUnknown, confirmationNumber: isUnknown ? nil : confirmation, traceId: row[4],
                        cardTerminalId: row[12] ?? "", maskedCard: row[5], units: units, miles: kind == .redeem ? miles : nil,
                        money: kind == .redeem ? money : nil, day: try (row[9] as String?).map(programDay) ?? day,
                        createdAt: row[10] ?? day.reconciliationStart))
                if kind == .reverse, let original: String = row[11] { originalsByRecord[records.count - 1] = original }
            }
            // A reversal carries the miles and dollars of the redemption it reverses (found among the rows
            // read, or looked up: an original of an earlier, reconciled day).
            let lookup = try db.cachedStatement(sql: "SELECT units, miles, cents FROM entries WHERE kind = 'REDEEM' AND confirmationNumber = ?")
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
                    units: record.units ?? amounts?.0, miles: amounts?.1, money: amounts?.2, day: record.day, createdAt: record.createdAt)
            }
            return records
        }
    }

    /// Writes what a reconciliation found, in one transaction: matched rows are marked reconciled, and
    /// an unknown REDEEM the file shows as redeemed takes the host's confirmation, units and amounts and
    /// is voided — nobody was shown it, so the collector gets the miles back.
    public func apply(_ rows: [ReconciledRow], at now: Date) throws(JournalError) {
        guard !rows.isEmpty else { return }
        try write { db in
            for row in rows {
                if let numbers = row.resolution {
                    try Journal.resolveUnshown(
                        db, row.id, confirmation: numbers.confirmation, units: numbers.units, money: numbers.money,
                        miles: numbers.miles, at: now)
                }
            }
            // Matched rows are mostly consecutive ids: one statement per run of them, not one per row.
            let reconciled = try db.cachedStatement(sql: "UPDATE entries SET isReconciled = 1 WHERE id BETWEEN ? AND ?")
            let ids = rows.map(\.id).sorted()
            var start = ids[0]
            var end = ids[0]
            for id in ids.dropFirst() {
                if id == end + 1 {
                    end = id
                    continue
                }
                if id == end { continue }
                try reconciled.execute(arguments: [start, end])
                (start, end) = (id, id)
            }
            try reconciled.execute(arguments: [start, end])
        }
    }

    /// The same, from the findings themselves (those of other journals are skipped).
    public func apply(_ findings: [ReconciliationFinding], journalIndex: Int, at now: Date) throws(JournalError) {
        try apply(findings.compactMap { ReconciledRow($0, journalIndex: journalIndex) }, at: now)
    }

    /// The card terminal id (sponsor + store + device) the row's request carried.
    static func cardTerminalId(of entry: JournalEntry) -> String { cardTerminalId(ofBody: entry.body) }
}
