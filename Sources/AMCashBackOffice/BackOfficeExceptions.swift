import AMCashDomain
import Crypto
public import Foundation
public import Logging
public import PostgresNIO

/// The supervisor's list across the chain: what a person must look at, and why.
public struct BackOfficeException: Sendable, Hashable, Encodable {
    public enum Category: String, Sendable, Encodable, CaseIterable {
        /// A void (an approval nobody saw, given back) that failed or whose window closed.
        case voidInException = "void-in-exception"
        /// A cashier's reversal that failed or whose window closed.
        case reversalInException = "reversal-in-exception"
        /// A REDEEM whose outcome the till never learned, past the host's key retention: no replay can settle it now.
        case unknownPastRetention = "unknown-past-retention"
        /// A break of the nightly reconciliation.
        case reconciliationBreak = "reconciliation-break"
        /// A till that has not been heard from lately.
        case forwardingStale = "forwarding-stale"
        /// An ISSUE or RETURN the host accepted (202) whose miles have not posted for too long.
        case earningPending = "earning-pending"
        /// An ISSUE or RETURN the host refused: the collector did not earn (or give back) these miles.
        case earningRefused = "earning-refused"
        /// An ISSUE or RETURN the till has sent for too long without an answer (the host away, 5xx, lost answers).
        case earningFailed = "earning-failed"
        /// An ISSUE or RETURN the till no longer sends: never answered while the host surely held its key (a
        /// resend could earn twice). The collector may not have earned (or given back) these miles: ask AIR MILES.
        case earningException = "earning-exception"

        public var label: String {
            switch self {
            case .voidInException: "void in exception"
            case .reversalInException: "reversal in exception"
            case .unknownPastRetention: "unknown outcome past retention"
            case .reconciliationBreak: "reconciliation break"
            case .forwardingStale: "till not forwarding"
            case .earningPending: "earning pending too long"
            case .earningRefused: "earning refused"
            case .earningFailed: "earning not answered"
            case .earningException: "earning in exception"
            }
        }
    }

    public let category: Category
    public let sponsor: String
    public let store: String
    public let device: String
    public let day: String?
    public let traceId: String?
    public let confirmationNumber: String?
    public let card: String?
    public let dollars: String?
    public let since: Date?
    public let note: String
    /// The store register's sale the row belongs to, if a register pushed it (not part of `key`).
    public var saleId: String?
}

extension BackOfficeException {
    /// Stable across page loads and runs: what a resolution on the web names. Its category and a hash of
    /// what identifies it; a till that goes stale again after it was resolved is a new exception (its
    /// last-seen time is part of the key).
    public var key: String {
        let since = category == .forwardingStale ? self.since.map { String(Int64($0.timeIntervalSince1970)) } : nil
        // A stale till's note counts the minutes, a stuck earning's its attempts: not part of what identifies it.
        let identifyingNote = [.forwardingStale, .earningPending, .earningFailed].contains(category) ? "" : note
        let parts = [sponsor, store, device, day ?? "", traceId ?? "", confirmationNumber ?? "", since ?? "", identifyingNote]
        let digest = SHA256.hash(data: Data(parts.joined(separator: "\u{1f}").utf8))
        return category.rawValue + "-" + digest.prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}

/// The supervisor's list, read from the chain database: rows in exception, unknown outcomes past
/// retention, the reconciliation's breaks and silent tills.
public enum BackOfficeExceptions {
    public struct Filter: Sendable {
        public var store: String?
        /// A reconciliation day (YYYY-MM-DD): rows and breaks of that day only.
        public var day: String?
        public var unknownRetention: TimeInterval = 24 * 3600
        public var staleAfter: TimeInterval = 15 * 60
        /// How long an earning may stay pending (202) or unanswered before a person looks at it.
        public var earningStuckAfter: TimeInterval = 3600

        public init(store: String? = nil, day: String? = nil) {
            self.store = store
            self.day = day
        }
    }

    /// The list without what a supervisor already resolved on the web (`exception_resolutions`):
    /// what `amcash backoffice exceptions` prints, so the terminal and the web agree on what is open.
    public static func unresolved(_ client: PostgresClient, filter: Filter, now: Date, logger: Logger) async throws -> [BackOfficeException] {
        let items = try await list(client, filter: filter, now: now, logger: logger)
        let resolved = try await resolvedKeys(client, among: items.map(\.key), logger: logger)
        return items.filter { !resolved.contains($0.key) }
    }

    /// Which of `keys` have a line in the audit trail of resolutions.
    public static func resolvedKeys(_ client: PostgresClient, among keys: [String], logger: Logger) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        var found: Set<String> = []
        for try await key in try await client.query(
            "SELECT DISTINCT exception_key FROM exception_resolutions WHERE exception_key = ANY(\(keys)::text[])", logger: logger
        ).decode(String.self) {
            found.insert(key)
        }
        return found
    }

    /// Everything on the list, resolved on the web or not (the web shows resolutions beside their items).
    public static func list(_ client: PostgresClient, filter: Filter, now: Date, logger: Logger) async throws -> [BackOfficeException] {
        var items = try await rowsInException(client, filter: filter, now: now, logger: logger)
        items += try await stuckEarnings(client, filter: filter, now: now, logger: logger)
        items += try await reconciliationBreaks(client, filter: filter, logger: logger)
        items += try await staleTills(client, filter: filter, now: now, logger: logger)
        return items
    }

    static func dollars(_ cents: Int64?) -> String? { cents.map { Money(cents: Int($0)).decimalString } }

    /// Voids and reversals in exception, and REDEEMs whose outcome is unknown past the host's key retention.
    static func rowsInException(_ client: PostgresClient, filter: Filter, now: Date, logger: Logger) async throws -> [BackOfficeException] {
        var items: [BackOfficeException] = []
        let store = filter.store ?? ""
        let day = filter.day ?? ""
        let retentionEdge = now.addingTimeInterval(-filter.unknownRetention)
        let rows = try await client.query(
            """
            SELECT sponsor, store, device, reconciliation_day::text, trace_id, kind, state, confirmation_number,
                original_confirmation_number, card_masked, COALESCE(cents, requested_cents), is_void, is_exception, created_at,
                COALESCE(last_failure, ''), sale_id
            FROM terminal_rows
            WHERE (is_exception OR state IN ('exception', 'sending', 'unknown'))
                AND (\(store) = '' OR store = \(store)) AND (\(day) = '' OR reconciliation_day = NULLIF(\(day), '')::date)
            ORDER BY store, device, created_at
            """, logger: logger)
        for try await (
            sponsor, rowStore, device, rowDay, trace, kind, state, confirmation, original, card, cents, isVoid, isException,
            created, failure, sale
        )
            in rows.decode(
                (
                    String, String, String, String, String, String, String, String?, String?, String, Int64?, Bool, Bool, Date,
                    String, String?
                ).self)
        {
            let category: BackOfficeException.Category
            let note: String
            if state == "sending" || state == "unknown" {
                guard kind == "REDEEM", created < retentionEdge else { continue }
                category = .unknownPastRetention
                note = "the outcome was never learned and the host no longer replays it; check the next daily file"
            } else if isException || state == "exception" {
                category = kind == "REVERSE" && !isVoid ? .reversalInException : .voidInException
                let target = original.map { " of \($0)" } ?? ""
                note =
                    (category == .voidInException ? "the void" : "the reversal") + target + " did not go through"
                    + (failure.isEmpty ? "" : ": \(failure)")
            } else {
                continue
            }
            var item = BackOfficeException(
                category: category, sponsor: sponsor, store: rowStore, device: device, day: rowDay,
                traceId: trace, confirmationNumber: confirmation ?? original, card: card,
                dollars: dollars(cents), since: created, note: note)
            item.saleId = sale
            items.append(item)
        }
        return items
    }

    /// Earnings a person must look at: refused or in exception (no longer sent), pending at the host (202) or
    /// never answered for longer than `filter.earningStuckAfter`. The day is the Issuance transaction day.
    static func stuckEarnings(_ client: PostgresClient, filter: Filter, now: Date, logger: Logger) async throws -> [BackOfficeException] {
        var items: [BackOfficeException] = []
        let store = filter.store ?? ""
        let day = filter.day ?? ""
        let stuckEdge = now.addingTimeInterval(-filter.earningStuckAfter)
        let rows = try await client.query(
            """
            SELECT sponsor, store, device, transaction_day::text, trace_id, kind, state, checkout_transaction_id, confirmation_number,
                card_masked, miles, attempts, created_at, COALESCE(last_failure, ''), COALESCE(response_code, '')
            FROM terminal_earnings
            WHERE (state IN ('refused', 'exception') OR (state IN ('accepted', 'queued') AND created_at < \(stuckEdge)))
                AND (\(store) = '' OR store = \(store)) AND (\(day) = '' OR transaction_day = NULLIF(\(day), '')::date)
            ORDER BY store, device, created_at
            """, logger: logger)
        for try await (sponsor, rowStore, device, rowDay, trace, kind, state, checkout, confirmation, card, miles, attempts, created, failure, code)
            in rows.decode(
                (String, String, String, String, String, String, String, String, String?, String, Int?, Int, Date, String, String).self)
        {
            let what = kind == "RETURN" ? "the return \(checkout)" : "the earning \(checkout)"
            let category: BackOfficeException.Category
            let note: String
            switch state {
            case "refused":
                category = .earningRefused
                note =
                    "\(what) was refused" + (code.isEmpty ? "" : " (\(code))") + (failure.isEmpty ? "" : ": \(failure)")
                    + "; the collector's miles did not change"
            case "exception":
                category = .earningException
                // The till's own reason says it all ("may not have earned: ask AIR MILES (never answered …)").
                note =
                    "\(what) is no longer sent, after \(attempts) attempt(s): "
                    + (failure.isEmpty ? "the collector may not have earned these miles: ask AIR MILES" : failure)
            case "accepted":
                category = .earningPending
                note =
                    "\(what) was accepted (202)" + (miles.map { " for \($0) miles" } ?? "")
                    + " and has not posted since; asked \(attempts) time(s)"
            default:
                category = .earningFailed
                note = "\(what) was sent \(attempts) time(s) without an answer" + (failure.isEmpty ? "" : ": \(failure)")
            }
            items.append(
                BackOfficeException(
                    category: category, sponsor: sponsor, store: rowStore, device: device, day: rowDay, traceId: trace,
                    confirmationNumber: confirmation, card: card, dollars: nil, since: created, note: note))
        }
        return items
    }

    /// The reconciliation's breaks: of the day asked for, or of each sponsor's latest run.
    static func reconciliationBreaks(_ client: PostgresClient, filter: Filter, logger: Logger) async throws -> [BackOfficeException] {
        var items: [BackOfficeException] = []
        let store = filter.store ?? ""
        let day = filter.day ?? ""
        let breaks = try await client.query(
            """
            SELECT b.sponsor, b.store, b.device, b.day::text, b.trace_id, b.confirmation_number, b.card_masked, b.cents, b.class, b.note
            FROM reconciliation_breaks b JOIN reconciliation_runs r ON r.run_id = b.run_id
            WHERE (\(store) = '' OR b.store = \(store))
                AND CASE WHEN \(day) = '' THEN r.run_id IN (SELECT max(run_id) FROM reconciliation_runs GROUP BY sponsor)
                         ELSE b.day = NULLIF(\(day), '')::date END
            ORDER BY b.store, b.device, b.class, b.record_number NULLS LAST
            """, logger: logger)
        for try await (sponsor, breakStore, device, breakDay, trace, confirmation, card, cents, className, note)
            in breaks.decode((String, String, String, String, String, String?, String, Int64?, String, String).self)
        {
            items.append(
                BackOfficeException(
                    category: .reconciliationBreak, sponsor: sponsor, store: breakStore, device: device,
                    day: breakDay, traceId: trace, confirmationNumber: confirmation, card: card,
                    dollars: dollars(cents), since: nil, note: "\(className): \(note)"))
        }
        return items
    }

    /// Tills not heard from for longer than `filter.staleAfter`.
    static func staleTills(_ client: PostgresClient, filter: Filter, now: Date, logger: Logger) async throws -> [BackOfficeException] {
        var items: [BackOfficeException] = []
        let store = filter.store ?? ""
        let staleEdge = now.addingTimeInterval(-filter.staleAfter)
        let terminals = try await client.query(
            """
            SELECT sponsor, store, device, last_seen_at, pending_rows FROM terminals
            WHERE last_seen_at < \(staleEdge) AND (\(store) = '' OR store = \(store))
            ORDER BY store, device
            """, logger: logger)
        for try await (sponsor, terminalStore, device, lastSeen, pending) in terminals.decode((String, String, String, Date, Int).self) {
            let minutes = Int(now.timeIntervalSince(lastSeen) / 60)
            items.append(
                BackOfficeException(
                    category: .forwardingStale, sponsor: sponsor, store: terminalStore, device: device, day: nil,
                    traceId: nil, confirmationNumber: nil, card: nil, dollars: nil, since: lastSeen,
                    note: "last heard from \(minutes) min ago, \(pending) row(s) waiting then"))
        }
        return items
    }
}
