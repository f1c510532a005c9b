import AMCashBackOffice
import AMCashDomain
public import Foundation
public import Logging
public import PostgresNIO

/// `/metrics` of `amcash backoffice serve`, in the Prometheus text format (version 0.0.4), written by
/// hand: a handful of gauges read from the database at each scrape, so no metrics registry (and no
/// extra package) is needed. Labels carry stores and tills, never a card.
public enum BackOfficeMetrics {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition for the whole chain at `now`.
    public static func exposition(_ client: PostgresClient, staleAfter: TimeInterval, now: Date, logger: Logger) async throws -> String {
        let started = ContinuousClock.now
        var text = PrometheusText()
        let today = ProgramDay.reconciliationDay(at: now).description
        let tills = try await BackOfficeDashboard.tills(client, day: today, store: nil, logger: logger)
        text.family("amcash_backoffice_rows_pending", "Journal rows each till still holds back, as it last reported.", "gauge")
        for till in tills { text.sample("amcash_backoffice_rows_pending", ["store": till.store, "device": till.device], Double(till.pendingRows)) }
        text.family(
            "amcash_backoffice_forwarding_lag_seconds", "Seconds since each till last forwarded rows or said it was alive.", "gauge")
        for till in tills {
            text.sample(
                "amcash_backoffice_forwarding_lag_seconds", ["store": till.store, "device": till.device],
                max(0, now.timeIntervalSince(till.lastSeen).rounded(.down)))
        }
        text.family(
            "amcash_backoffice_tills_not_seen", "Tills not heard from within the stale limit (\(Int(staleAfter / 60)) min).", "gauge")
        text.sample("amcash_backoffice_tills_not_seen", [:], Double(tills.filter { now.timeIntervalSince($0.lastSeen) > staleAfter }.count))
        text.family("amcash_backoffice_tills", "Tills that have ever forwarded.", "gauge")
        text.sample("amcash_backoffice_tills", [:], Double(tills.count))

        let exceptions = try await BackOfficeDashboard.exceptions(client, store: nil, staleAfter: staleAfter, now: now, logger: logger)
        text.family("amcash_backoffice_exceptions_open", "Exceptions on the supervisors' list not resolved yet, by category.", "gauge")
        for category in BackOfficeException.Category.allCases {
            let open = exceptions.filter { $0.exception.category == category && $0.resolution == nil }.count
            text.sample("amcash_backoffice_exceptions_open", ["category": category.rawValue], Double(open))
        }

        // Approvals no cashier was shown (owing a void), of the last three days: the index by day finds them.
        var unshown: [String: Int] = [:]
        var answers: [String: Int] = [:]
        for try await (store, count) in try await client.query(
            """
            SELECT store, count(*)::bigint FROM terminal_rows
            WHERE reconciliation_day >= \(today)::date - 2 AND kind = 'REDEEM' AND state IN ('approved', 'voiding')
            GROUP BY 1
            """, logger: logger
        ).decode((String, Int64).self) {
            unshown[store] = Int(count)
        }
        text.family("amcash_backoffice_unshown_debits", "Approved redemptions no cashier was shown, not voided yet, by store.", "gauge")
        for (store, count) in unshown.sorted(by: { $0.key < $1.key }) {
            text.sample("amcash_backoffice_unshown_debits", ["store": store], Double(count))
        }
        text.family("amcash_backoffice_unshown_debits_total", "Approved redemptions no cashier was shown, not voided yet.", "gauge")
        text.sample("amcash_backoffice_unshown_debits_total", [:], Double(unshown.values.reduce(0, +)))

        for answer in try await BackOfficeDashboard.answersByCode(client, day: today, store: nil, logger: logger) {
            answers[answer.code] = answer.count
        }
        text.family(
            "amcash_backoffice_host_answers_today",
            "Today's forwarded calls by the host's response code ('none': the till never learned the answer).", "gauge")
        for (code, count) in answers.sorted(by: { $0.key < $1.key }) {
            text.sample("amcash_backoffice_host_answers_today", ["code": code], Double(count))
        }

        // The tills' own host latency, forwarded with each row: today's calls as a histogram (cumulative buckets).
        let latency = try await hostLatencyHistogram(client, day: today, logger: logger)
        let name = "amcash_backoffice_host_latency_milliseconds"
        text.family(name, "The tills' own time for today's host calls (each row's latest call), in milliseconds.", "histogram")
        for (bound, count) in zip(latencyBucketsMs, latency.buckets) {
            text.sample(name + "_bucket", ["le": String(bound)], Double(count))
        }
        text.sample(name + "_bucket", ["le": "+Inf"], Double(latency.count))
        text.sample(name + "_sum", [:], Double(latency.sumMs))
        text.sample(name + "_count", [:], Double(latency.count))
        let elapsed = ContinuousClock.now - started
        text.family("amcash_backoffice_scrape_seconds", "How long reading these numbers from the database took.", "gauge")
        text.sample(
            "amcash_backoffice_scrape_seconds", [:],
            Double(elapsed.wholeNanoseconds) / 1e9)
        return text.output
    }
}

extension BackOfficeMetrics {
    /// The histogram's upper bounds, in milliseconds.
    public static let latencyBucketsMs = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000]

    /// Today's host latencies counted into `latencyBucketsMs` (cumulative), their sum and count, in one scan.
    static func hostLatencyHistogram(_ client: PostgresClient, day: String, logger: Logger) async throws
        -> (buckets: [Int64], sumMs: Int64, count: Int64)
    {
        let filters = latencyBucketsMs.map { "count(*) FILTER (WHERE host_latency_ms <= \($0))::bigint" }.joined(separator: ", ")
        var bindings = PostgresBindings()
        bindings.append(day)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(filters), COALESCE(sum(host_latency_ms), 0)::bigint, count(*)::bigint FROM terminal_rows
                WHERE reconciliation_day = $1::date AND host_latency_ms IS NOT NULL
                """, binds: bindings)
        var buckets: [Int64] = []
        var sum: Int64 = 0
        var count: Int64 = 0
        for try await row in try await client.query(query, logger: logger) {
            var cells = row.makeIterator()
            for _ in latencyBucketsMs { buckets.append(try cells.next()!.decode(Int64.self)) }
            sum = try cells.next()!.decode(Int64.self)
            count = try cells.next()!.decode(Int64.self)
        }
        if buckets.count != latencyBucketsMs.count { buckets = Array(repeating: 0, count: latencyBucketsMs.count) }
        return (buckets, sum, count)
    }
}

/// The Prometheus text format: `# HELP`, `# TYPE`, then `name{label="value"} number` lines, with
/// label values escaped as the format asks (backslash, double quote, newline).
public struct PrometheusText: Sendable {
    public private(set) var output = ""

    public init() {}

    public mutating func family(_ name: String, _ help: String, _ type: String) {
        output += "# HELP \(name) \(help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n"))\n"
        output += "# TYPE \(name) \(type)\n"
    }

    public mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        output += name
        if !labels.isEmpty {
            output += "{"
            output += labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",")
            output += "}"
        }
        output += " " + Self.format(value) + "\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
