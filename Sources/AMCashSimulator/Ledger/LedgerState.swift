import AMCashDomain
import Foundation

/// Everything the simulated host remembers: accounts, today's usage, redemptions and their
/// reversals, and the stored answer for every idempotency key. Plain values, so the ledger can
/// keep them in memory or in SQLite.
struct LedgerState: Sendable, Codable {
    var accounts: [String: Account] = [:]
    /// Units redeemed per collector per redemption day, keyed "number|YYYY-MM-DD".
    var usage: [String: Int] = [:]
    var redemptions: [String: RedemptionRecord] = [:]
    var replies: [String: StoredReply] = [:]
    /// The last confirmation sequence number handed out.
    var sequence: Int = 0

    static func usageKey(number: String, day: ProgramDay) -> String { "\(number)|\(day)" }
}

struct Account: Sendable, Codable, Hashable {
    let number: String
    var cash: Int
    var dream: Int
    let behaviour: TestCollector.Behaviour
}

/// One terminal as a request named it.
struct TerminalRef: Sendable, Codable, Hashable {
    let sponsorCode: String
    let storeId: String
    let deviceId: String
}

struct RedemptionRecord: Sendable, Codable, Hashable {
    let confirmation: String
    let number: String
    let units: Int
    let miles: Int
    let cents: Int
    let at: Date
    let day: String
    let terminal: TerminalRef
    let traceId: String
    var reversal: ReversalRecord?
}

struct ReversalRecord: Sendable, Codable, Hashable {
    let confirmation: String
    let at: Date
    let terminal: TerminalRef
    let traceId: String
}

/// The answer given to one idempotency key, with the exact request body it answered.
struct StoredReply: Sendable, Codable, Hashable {
    let operation: String
    let requestBody: Data
    let status: Int
    let responseBody: Data
}
