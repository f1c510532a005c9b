public import AMCashDomain
public import AMCashJournal
public import Foundation
public import Logging
public import PostgresNIO

/// The chain-wide side of `amcash reconcile FILE --database …`: the forwarded rows the sponsor's
/// file is matched against, and the results written back, so the next night's run rolls unmatched
/// rows forward and a supervisor can list the breaks.
public enum ChainReconciliation {
    /// What the chain database knows for a day.
    public struct Rows: Sendable {
        /// Keyed by `row_id` (journal index 0): the same shape as a journal's rows.
        public let records: [TerminalRecord]
        /// Every till that has ever forwarded: a record of any other terminal is "terminal not forwarding".
        public let forwardingTerminals: Set<String>
        /// Open rows no file can match (a declined reversal, a reversal in exception): closed by `write`.
        public let unmatchable: [Int64]
    }

    /// Every till's rows made in the file's period (H2; default `day`, 00:00 to 00:00), the rows of
    /// earlier days still open, and the first minutes after the period, each with the state-to-role
    /// rule the journal itself uses. A reversal carries its original's amounts. Read column by column
    /// (no tuple decoding: a million rows of a generic tuple spent a fifth of the time looking up its
    /// metadata).
    public static func rows(
        _ client: PostgresClient, day: ProgramDay, period: Range<Date>? = nil, timingWindow: TimeInterval = 15 * 60,
        logger: Logger
    ) async throws -> Rows {
        let window = ReadWindow(period: period ?? day.reconciliationStart..<day.reconciliationEnd, timingWindow: timingWindow)
        var records: [TerminalRecord] = []
        records.reserveCapacity(try await rowCount(client, on: window.firstDay, logger: logger) + 1024)
        var unmatchable: [Int64] = []
        var reader = RowReader(firstDay: window.firstDay, periodStart: window.period.lowerBound)
        for try await row in try await client.query(window.query, logger: logger) {
            switch try reader.read(row) {
            case .record(let record): records.append(record)
            case .unmatchable(let id): unmatchable.append(id)
            }
        }
        return Rows(
            records: records, forwardingTerminals: try await forwardingTerminals(client, logger: logger), unmatchable: unmatchable)
    }

    /// The times a night's read spans: the period, the timing window after it, and the days they touch.
    private struct ReadWindow {
        let period: Range<Date>
        /// The reconciliation day the period starts in: a row of another day says which.
        let firstDay: ProgramDay
        /// The end of the first minutes after the period (a row made then may be in this file).
        let windowEnd: Date
        /// The last reconciliation day the window touches.
        let lastDay: String
        /// From here on a row carries its creation time (it may belong to the next file).
        let nearCutOff: Date

        init(period: Range<Date>, timingWindow: TimeInterval) {
            self.period = period
            firstDay = ProgramDay.reconciliationDay(at: period.lowerBound)
            windowEnd = period.upperBound.addingTimeInterval(timingWindow)
            lastDay = ProgramDay.reconciliationDay(at: windowEnd).description
            nearCutOff = max(period.lowerBound, period.upperBound.addingTimeInterval(-timingWindow))
        }

        /// The period's rows and the window's (declined ones left out), then the earlier days' open rows,
        /// in `row_id` order, with the columns `RowReader` reads.
        var query: PostgresQuery {
            let columns = """
                r.row_id, r.kind, r.state, r.confirmation_number, r.trace_id, r.sponsor || r.store || r.device, r.card_masked,
                CASE WHEN r.kind = 'REDEEM' THEN r.units ELSE COALESCE(r.units, o.units) END,
                CASE WHEN r.kind = 'REDEEM' THEN r.miles ELSE o.miles END,
                CASE WHEN r.kind = 'REDEEM' THEN r.cents ELSE o.cents END,
                CASE WHEN r.reconciliation_day = $1::date THEN NULL ELSE r.reconciliation_day::text END,
                CASE WHEN r.created_at >= $2 OR r.created_at < $5 OR r.state IN ('sending', 'unknown', 'approved', 'voiding', 'exception')
                    THEN (extract(epoch FROM r.created_at) * 1000)::bigint ELSE NULL END
                """
            let original = """
                LEFT JOIN LATERAL (
                    SELECT units, miles, cents FROM terminal_rows o
                    WHERE r.kind = 'REVERSE' AND o.kind = 'REDEEM' AND o.confirmation_number = r.original_confirmation_number LIMIT 1
                ) o ON true
                """
            var bindings = PostgresBindings()
            bindings.append(firstDay.description)
            bindings.append(nearCutOff)
            bindings.append(lastDay)
            bindings.append(windowEnd)
            bindings.append(period.lowerBound)
            return PostgresQuery(
                unsafeSQL: """
                    SELECT \(columns) FROM terminal_rows r \(original)
                        WHERE r.reconciliation_day BETWEEN $1::date AND $3::date AND r.created_at >= $5 AND r.created_at < $4
                            AND r.state <> 'declined'
                    UNION ALL
                    SELECT \(columns) FROM open_rows p JOIN terminal_rows r ON r.row_id = p.row_id \(original)
                        WHERE p.reconciliation_day < $1::date
                    ORDER BY 1
                    """, binds: bindings)
        }
    }

    /// How many rows the day holds: room for the records is made once.
    private static func rowCount(_ client: PostgresClient, on day: ProgramDay, logger: Logger) async throws -> Int {
        var expected = 0
        for try await count in try await client.query(
            "SELECT count(*) FROM terminal_rows WHERE reconciliation_day = \(day.description)::date",
            logger: logger
        ).decode(Int64.self) {
            expected = Int(count)
        }
        return expected
    }

    /// Every till that has ever forwarded.
    private static func forwardingTerminals(_ client: PostgresClient, logger: Logger) async throws -> Set<String> {
        var terminals: Set<String> = []
        for try await id in try await client.query("SELECT sponsor || store || device FROM terminals", logger: logger).decode(String.self) {
            terminals.insert(id)
        }
        return terminals
    }

    /// One row of `ReadWindow.query` as a record, or as a row no file can match; remembers the days it
    /// has parsed (most rows share a few).
    private struct RowReader {
        enum Read {
            case record(TerminalRecord)
            case unmatchable(Int64)
        }

        let firstDay: ProgramDay
        /// The creation time of a row that carries none (it is well inside the period).
        let periodStart: Date
        private var parsedDays: [String: ProgramDay] = [:]

        init(firstDay: ProgramDay, periodStart: Date) {
            self.firstDay = firstDay
            self.periodStart = periodStart
        }

        mutating func read(_ row: PostgresRow) throws -> Read {
            var cells = row.makeIterator()
            func next<T: PostgresDecodable>(_ type: T.Type) throws -> T { try cells.next()!.decode(T.self) }
            let id = try next(Int64.self)
            let kindText = try next(String.self)
            let stateText = try next(String.self)
            let confirmation = try next(String?.self)
            let trace = try next(String.self)
            let terminal = try next(String.self)
            let masked = try next(String.self)
            let units = try next(Int?.self)
            let miles = try next(Int?.self)
            let cents = try next(Int?.self)
            let otherDay = try next(String?.self)
            let createdMs = try next(Int64?.self)
            guard let kind = JournalEntry.Kind(rawValue: kindText), let state = TransactionState(rawValue: stateText),
                let isUnknown = kind.reconciliationIsUnknown(state: state, hasConfirmation: confirmation != nil)
            else {
                return .unmatchable(id)
            }
            return .record(
                TerminalRecord(
                    key: TerminalRecord.Key(journal: 0, id: id), type: kind == .redeem ? .redeem : .reverse, isUnknown: isUnknown,
                    confirmationNumber: isUnknown ? nil : confirmation, traceId: trace, cardTerminalId: terminal, maskedCard: masked,
                    units: units.map { Units($0) }, miles: miles.map { Miles($0) }, money: cents.map(Money.init(cents:)),
                    day: try day(otherDay),
                    createdAt: createdMs.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? periodStart,
                    unshown: kind.reconciliationUnshown(state: state)))
        }

        /// The row's reconciliation day: the first day, or the other day the query named.
        private mutating func day(_ otherDay: String?) throws -> ProgramDay {
            guard let otherDay else { return firstDay }
            if let known = parsedDays[otherDay] { return known }
            let parsed = ProgramDay(try CalendarDay(parsing: otherDay))
            parsedDays[otherDay] = parsed
            return parsed
        }
    }

    /// Writes one night's results in one transaction: matched rows (and `unmatchable` ones) leave
    /// `open_rows`, unknown REDEEMs the file shows take the host's numbers, and the day's breaks
    /// replace any earlier run's for the same day and sponsor.
    public static func write(
        _ client: PostgresClient, day: ProgramDay, sponsor: String, file: String, records: Int,
        reconciled: [ReconciledRow], unmatchable: [Int64] = [], breaks: [ReconciliationFinding],
        summary: ReconciliationSummary, logger: Logger
    ) async throws {
        let dayText = day.description
        let summaryText = ReconciliationClass.allCases.compactMap { name -> String? in
            let line = summary[name]
            return line.count > 0 ? "\(name.rawValue)=\(line.count)" : nil
        }.joined(separator: " ")
        try await client.withTransaction(logger: logger) { connection in
            let ids = reconciled.filter(\.reconciles).map(\.id) + unmatchable
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(ids.count, start + 100_000)])
                try await connection.query("DELETE FROM open_rows WHERE row_id = ANY(\(chunk)::bigint[])", logger: logger)
                start += chunk.count
            }
            let resolved = reconciled.compactMap { row in row.resolution.map { (row.id, $0) } }
            if !resolved.isEmpty {
                let rowIds = resolved.map(\.0)
                let confirmations = resolved.map(\.1.confirmation)
                let units = resolved.map { Int64($0.1.units.count) }
                let miles = resolved.map { Int64($0.1.miles.value) }
                let cents = resolved.map { Int64($0.1.money.cents) }
                try await connection.query(
                    """
                    UPDATE terminal_rows t SET host_confirmation_number = u.confirmation, host_units = u.units, host_miles = u.miles,
                        host_cents = u.cents
                    FROM unnest(\(rowIds)::bigint[], \(confirmations)::text[], \(units)::bigint[], \(miles)::bigint[], \(cents)::bigint[])
                        AS u(id, confirmation, units, miles, cents)
                    WHERE t.row_id = u.id
                    """, logger: logger)
            }
            try await connection.query("DELETE FROM reconciliation_runs WHERE day = \(dayText)::date AND sponsor = \(sponsor)", logger: logger)
            var runId: Int64 = 0
            let breakCount = summary.breaks
            for try await id in try await connection.query(
                """
                INSERT INTO reconciliation_runs (day, sponsor, file, records, breaks, summary)
                VALUES (\(dayText)::date, \(sponsor), \(file), \(records), \(breakCount), \(summaryText)) RETURNING run_id
                """, logger: logger
            ).decode(Int64.self) {
                runId = id
            }
            start = 0
            while start < breaks.count {
                let chunk = breaks[start..<min(breaks.count, start + 10_000)]
                let terminals = chunk.map { BackOfficeForwarder.split($0.cardTerminalId) }
                let sponsors = terminals.map(\.0)
                let stores = terminals.map(\.1)
                let devices = terminals.map(\.2)
                let classes = chunk.map(\.classification.rawValue)
                let recordNumbers = chunk.map { Int64($0.recordNumber ?? -1) }
                let rowIds = chunk.map { $0.terminalKey?.id ?? -1 }
                let kinds = chunk.map(\.type.rawValue)
                let traces = chunk.map(\.traceId)
                let confirmations = chunk.map { $0.confirmationNumber ?? "" }
                let cards = chunk.map(\.maskedCard)
                let units = chunk.map { Int64($0.units?.count ?? -1) }
                let miles = chunk.map { Int64($0.miles?.value ?? -1) }
                let cents = chunk.map { Int64($0.money?.cents ?? -1) }
                let notes = chunk.map(\.note)
                let rolls = chunk.map(\.rollsForward)
                try await connection.query(
                    """
                    INSERT INTO reconciliation_breaks (run_id, day, sponsor, store, device, class, record_number, row_id, kind, trace_id,
                        confirmation_number, card_masked, units, miles, cents, note, rolls_forward)
                    SELECT \(runId), \(dayText)::date, s, st, d, c, NULLIF(rn, -1)::integer, NULLIF(rid, -1), k, tr, NULLIF(cn, ''), cm,
                        NULLIF(u, -1)::integer, NULLIF(m, -1)::integer, NULLIF(ce, -1), n, rf
                    FROM unnest(\(sponsors)::text[], \(stores)::text[], \(devices)::text[], \(classes)::text[], \(recordNumbers)::bigint[],
                        \(rowIds)::bigint[], \(kinds)::text[], \(traces)::text[], \(confirmations)::text[], \(cards)::text[], \(units)::bigint[],
                        \(miles)::bigint[], \(cents)::bigint[], \(notes)::text[], \(rolls)::boolean[])
                        AS b(s, st, d, c, rn, rid, k, tr, cn, cm, u, m, ce, n, rf)
                    """, logger: logger)
                start += chunk.count
            }
        }
    }
}
