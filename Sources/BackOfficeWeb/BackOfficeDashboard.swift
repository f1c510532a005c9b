public import AMCashBackOffice
public import Foundation
public import Logging
public import PostgresNIO

/// One till's day as the chain database knows it.
public struct TillDay: Sendable, Hashable {
    public let sponsor: String
    public let store: String
    public let device: String
    public let lastSeen: Date
    /// Rows the till held back when it last forwarded or said it was alive.
    public let pendingRows: Int
    public let redemptions: Int
    public let redeemedCents: Int64
    public let reversals: Int
    public let reversedCents: Int64
    public let voids: Int
    public let voidedCents: Int64
}

/// One exception of the supervisor's list, with its stable key and, once resolved, who resolved it.
public struct ExceptionItem: Sendable, Hashable {
    public let exception: BackOfficeException
    /// Stable across page loads: what a resolution names.
    public let key: String
    public let resolution: ExceptionResolution?
}

/// A line of the audit trail: who resolved what, when, and why.
public struct ExceptionResolution: Sendable, Hashable {
    public let key: String
    public let category: String
    public let store: String
    public let device: String
    public let summary: String
    public let resolvedBy: String
    public let resolvedAt: Date
    public let note: String
}

/// One nightly reconciliation, with its breaks by class (of one store, or all).
public struct ReconciliationResult: Sendable, Hashable {
    public let day: String
    public let sponsor: String
    public let file: String
    public let ranAt: Date
    public let records: Int
    public let breaksByClass: [String: Int]
}

/// What the database answered that the pages cannot read (a schema the code does not know).
public struct BackOfficeDataError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// One hour of the tills' host calls: how many carried a latency, and its median and 99th percentile.
public struct HostLatencyHour: Sendable, Hashable {
    /// 0–23, Toronto time.
    public let hour: Int
    public let calls: Int
    public let p50Ms: Int
    public let p99Ms: Int
}

/// How many of the day's calls got one answer code from the host (or `none`, `not-sent`).
public struct HostAnswerCount: Sendable, Hashable {
    public let code: String
    public let count: Int
}

/// What the pages and /metrics read from the back-office database. `store` nil means the whole
/// chain; every query filters by it in SQL, so a store's page never holds another store's rows.
public enum BackOfficeDashboard {

    /// The binds of a query scoped as the page is: `$1` the day, `$2` the store ('' for the whole chain).
    static func dayAndStore(_ day: String, _ store: String?) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(day)
        bindings.append(store ?? "")
        return bindings
    }

    public static func tills(_ client: PostgresClient, day: String, store: String?, logger: Logger) async throws -> [TillDay] {
        let bindings = dayAndStore(day, store)
        let query = PostgresQuery(
            unsafeSQL: """
                -- The day's totals as the trigger keeps them (till_hour_totals): a till's day is its hours, not its rows.
                WITH totals AS (
                    SELECT sponsor, store, device, sum(redemptions) AS redemptions, sum(redeemed_cents) AS redeemed,
                        sum(reversals) AS reversals, sum(reversed_cents) AS reversed, sum(voids) AS voids, sum(voided_cents) AS voided
                    FROM till_hour_totals
                    WHERE reconciliation_day = $1::date AND ($2 = '' OR store = $2)
                    GROUP BY sponsor, store, device
                )
                -- One JSON array of one array per till: a thousand tills are one cell to decode, not eleven thousand.
                SELECT COALESCE(json_agg(json_build_array(t.sponsor, t.store, t.device,
                        floor(extract(epoch FROM t.last_seen_at) * 1000)::bigint, t.pending_rows,
                        COALESCE(d.redemptions, 0), COALESCE(d.redeemed, 0), COALESCE(d.reversals, 0),
                        COALESCE(d.reversed, 0), COALESCE(d.voids, 0), COALESCE(d.voided, 0))
                    ORDER BY t.store, t.device, t.sponsor), '[]')::text
                FROM terminals t
                LEFT JOIN totals d ON d.sponsor = t.sponsor AND d.store = t.store AND d.device = t.device
                WHERE $2 = '' OR t.store = $2
                """, binds: bindings)
        var text = "[]"
        for try await cell in try await client.query(query, logger: logger).decode(String.self) { text = cell }
        guard let rows = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Any]] else {
            throw BackOfficeDataError(reason: "the tills' day is not a JSON array of arrays")
        }
        var tills: [TillDay] = []
        tills.reserveCapacity(rows.count)
        for row in rows {
            guard row.count == 11, let sponsor = row[0] as? String, let store = row[1] as? String, let device = row[2] as? String else {
                throw BackOfficeDataError(reason: "a till's day with \(row.count) fields")
            }
            // Integers as JSON numbers (NSNumber): counts and cents, never a float.
            let numbers = try row[3...].map { value -> Int64 in
                guard let number = value as? NSNumber else { throw BackOfficeDataError(reason: "a till's day with a field not a number") }
                return number.int64Value
            }
            tills.append(
                TillDay(
                    sponsor: sponsor, store: store, device: device,
                    lastSeen: Date(timeIntervalSince1970: TimeInterval(numbers[0]) / 1000), pendingRows: Int(numbers[1]),
                    redemptions: Int(numbers[2]), redeemedCents: numbers[3], reversals: Int(numbers[4]), reversedCents: numbers[5],
                    voids: Int(numbers[6]), voidedCents: numbers[7]))
        }
        return tills
    }

    /// Redemptions the host approved, by hour of the day (Toronto time, the program's clock): 24 counts.
    public static func redemptionsPerHour(_ client: PostgresClient, day: String, store: String?, logger: Logger) async throws -> [Int] {
        let scope = store ?? ""
        var hours = Array(repeating: 0, count: 24)
        for try await (hour, count) in try await client.query(
            """
            SELECT hour::integer, sum(redemptions)::bigint FROM till_hour_totals
            WHERE reconciliation_day = \(day)::date AND (\(scope) = '' OR store = \(scope))
            GROUP BY 1
            """, logger: logger
        ).decode((Int, Int64).self) where (0..<24).contains(hour) {
            hours[hour] = Int(count)
        }
        return hours
    }

    /// What a row's host answer is called on the charts and in /metrics: the host's response code, or
    /// `none` for a call whose answer the till never learned (still sending, unknown, or in exception
    /// without one), or `pending` for a row with no answer yet otherwise (a queued reversal, a call
    /// that never left the till).
    static let answerCodeSQL = """
        COALESCE(response_code, CASE WHEN state IN ('sending', 'unknown', 'exception') THEN 'none' ELSE 'pending' END)
        """

    /// The tills' own host latency by hour of the day (Toronto time, by when the row was made), from
    /// what forwarding brought: calls with a latency, their median and 99th percentile in whole ms
    /// (`percentile_disc`: a latency some call really had, never an interpolation).
    public static func hostLatencyPerHour(_ client: PostgresClient, day: String, store: String?, logger: Logger) async throws
        -> [HostLatencyHour]
    {
        let scope = store ?? ""
        var hours: [HostLatencyHour] = []
        for try await (hour, calls, p50, p99) in try await client.query(
            """
            SELECT extract(hour FROM created_at AT TIME ZONE 'America/Toronto')::integer, count(*)::bigint,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY host_latency_ms), percentile_disc(0.99) WITHIN GROUP (ORDER BY host_latency_ms)
            FROM terminal_rows
            WHERE reconciliation_day = \(day)::date AND host_latency_ms IS NOT NULL AND (\(scope) = '' OR store = \(scope))
            GROUP BY 1 ORDER BY 1
            """, logger: logger
        ).decode((Int, Int64, Int, Int).self) where (0..<24).contains(hour) {
            hours.append(HostLatencyHour(hour: hour, calls: Int(calls), p50Ms: p50, p99Ms: p99))
        }
        return hours
    }

    /// The day's rows by the host's answer (`answerCodeSQL`), most frequent first.
    public static func answersByCode(_ client: PostgresClient, day: String, store: String?, logger: Logger) async throws -> [HostAnswerCount] {
        let bindings = dayAndStore(day, store)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(answerCodeSQL), count(*)::bigint FROM terminal_rows
                WHERE reconciliation_day = $1::date AND ($2 = '' OR store = $2)
                GROUP BY 1 ORDER BY 2 DESC, 1
                """, binds: bindings)
        var answers: [HostAnswerCount] = []
        for try await (code, count) in try await client.query(query, logger: logger).decode((String, Int64).self) {
            answers.append(HostAnswerCount(code: code, count: Int(count)))
        }
        return answers
    }

    /// The exception list with each item's resolution, if it has one.
    public static func exceptions(
        _ client: PostgresClient, store: String?, staleAfter: TimeInterval, now: Date, logger: Logger
    ) async throws -> [ExceptionItem] {
        var filter = BackOfficeExceptions.Filter(store: store)
        filter.staleAfter = staleAfter
        let items = try await BackOfficeExceptions.list(client, filter: filter, now: now, logger: logger)
        let keys = items.map(key(of:))
        var resolved: [String: ExceptionResolution] = [:]
        if !keys.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(keys)
            for resolution in try await resolutions(client, where: "exception_key = ANY($1::text[])", binds: bindings, logger: logger) {
                resolved[resolution.key] = resolved[resolution.key] ?? resolution
            }
        }
        return zip(items, keys).map { ExceptionItem(exception: $0, key: $1, resolution: resolved[$1]) }
    }

    /// The newest lines of the audit trail, of one store or all.
    public static func recentResolutions(_ client: PostgresClient, store: String?, limit: Int = 50, logger: Logger) async throws
        -> [ExceptionResolution]
    {
        var bindings = PostgresBindings()
        bindings.append(store ?? "")
        return try await resolutions(client, where: "($1 = '' OR store = $1)", binds: bindings, limit: limit, logger: logger)
    }

    /// Records who resolved `key` (which must be on `store`'s list now), when and why. Nothing is
    /// deleted or changed: the resolution is a new line of `exception_resolutions`.
    /// Returns false when the exception is not on the list the person may see.
    public static func resolve(
        _ client: PostgresClient, key: String, by user: BackOfficeUser, note: String, staleAfter: TimeInterval, now: Date, logger: Logger
    ) async throws -> Bool {
        let visible = try await exceptions(client, store: user.role == .chain ? nil : user.store, staleAfter: staleAfter, now: now, logger: logger)
        guard let item = visible.first(where: { $0.key == key }), user.maySee(store: item.exception.store) else { return false }
        let e = item.exception
        let summary = [e.category.label, e.day, e.traceId, e.confirmationNumber, e.card].compactMap { $0 }.joined(separator: " ")
        let cleanNote = String(note.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        try await client.query(
            """
            INSERT INTO exception_resolutions (exception_key, category, sponsor, store, device, summary, resolved_by, resolved_at, note)
            VALUES (\(key), \(e.category.rawValue), \(e.sponsor), \(e.store), \(e.device), \(summary), \(user.name), \(now), \(cleanNote))
            """, logger: logger)
        return true
    }

    /// Each nightly run of the last `days` days, with its breaks by class (of `store`'s tills only, when given).
    public static func reconciliations(_ client: PostgresClient, store: String?, days: Int = 31, logger: Logger) async throws
        -> [ReconciliationResult]
    {
        let scope = store ?? ""
        var runs: [(id: Int64, ReconciliationResult)] = []
        var classes: [Int64: [String: Int]] = [:]
        for try await (id, className, count) in try await client.query(
            """
            SELECT b.run_id, b.class, count(*)::bigint FROM reconciliation_breaks b
            JOIN reconciliation_runs r ON r.run_id = b.run_id
            WHERE r.day >= current_date - \(days)::integer AND (\(scope) = '' OR b.store = \(scope))
            GROUP BY 1, 2
            """, logger: logger
        ).decode((Int64, String, Int64).self) {
            classes[id, default: [:]][className] = Int(count)
        }
        for try await (id, day, sponsor, file, ranAt, records) in try await client.query(
            """
            SELECT run_id, day::text, sponsor, file, ran_at, records FROM reconciliation_runs
            WHERE day >= current_date - \(days)::integer ORDER BY day DESC, sponsor
            """, logger: logger
        ).decode((Int64, String, String, String, Date, Int).self) {
            runs.append(
                (id, ReconciliationResult(day: day, sponsor: sponsor, file: file, ranAt: ranAt, records: records, breaksByClass: classes[id] ?? [:])))
        }
        return runs.map(\.1)
    }

    /// A stable key for an exception (`BackOfficeException.key`, shared with the terminal's list).
    public static func key(of e: BackOfficeException) -> String { e.key }

    private static func resolutions(
        _ client: PostgresClient, where condition: String, binds bindings: PostgresBindings, limit: Int = 10_000, logger: Logger
    ) async throws -> [ExceptionResolution] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT exception_key, category, store, device, summary, resolved_by, resolved_at, note FROM exception_resolutions
                WHERE \(condition) ORDER BY resolved_at DESC, resolution_id DESC LIMIT \(max(1, limit))
                """, binds: bindings)
        var found: [ExceptionResolution] = []
        for try await (key, category, store, device, summary, by, at, note) in try await client.query(query, logger: logger).decode(
            (String, String, String, String, String, String, Date, String).self)
        {
            found.append(
                ExceptionResolution(
                    key: key, category: category, store: store, device: device, summary: summary, resolvedBy: by, resolvedAt: at, note: note))
        }
        return found
    }
}
