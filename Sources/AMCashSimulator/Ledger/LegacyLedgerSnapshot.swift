import AMCashDomain
import Foundation

/// The ledger as the first simulator kept it: one JSON snapshot in a `ledger_state` row, rewritten
/// on every commit. Read only by the migration that moves an old `--db` file into tables, so a
/// trainer's ledger survives the upgrade.
struct LegacyLedgerSnapshot: Sendable, Codable {
    var accounts: [String: LegacyAccount] = [:]
    /// Units redeemed per collector per redemption day, keyed "number|YYYY-MM-DD".
    var usage: [String: Int] = [:]
    var redemptions: [String: LegacyRedemption] = [:]
    var replies: [String: LegacyReply] = [:]
    /// The last confirmation sequence number handed out.
    var sequence: Int = 0

}

struct LegacyAccount: Sendable, Codable, Hashable {
    let number: String
    var cash: Int
    var dream: Int
    let behaviour: TestCollector.Behaviour
}

/// One terminal as a request named it.
struct LegacyTerminal: Sendable, Codable, Hashable {
    let sponsorCode: String
    let storeId: String
    let deviceId: String
}

struct LegacyRedemption: Sendable, Codable, Hashable {
    let confirmation: String
    let number: String
    let units: Int
    let miles: Int
    let cents: Int
    let at: Date
    let day: String
    let terminal: LegacyTerminal
    let traceId: String
    var reversal: LegacyReversal?
}

struct LegacyReversal: Sendable, Codable, Hashable {
    let confirmation: String
    let at: Date
    let terminal: LegacyTerminal
    let traceId: String
}

/// The answer given to one idempotency key, with the exact request body it answered.
struct LegacyReply: Sendable, Codable, Hashable {
    let operation: String
    let requestBody: Data
    let status: Int
    let responseBody: Data
}
