import AMCashContract
import AMCashDomain
import Foundation

/// Where the simulated host keeps its books: SQLite (`SimulatorLedger`: in memory, or a file shared by
/// the processes of one machine) or PostgreSQL (`PostgresLedger`: several simulators behind a load
/// balancer sharing one daily limit). The rules are the same (`HostRules`); only the storage differs.
protocol LedgerBooks: Sendable {
    func inquire(_ request: Components.Schemas.InquireRequest, now: Date) async throws -> (Int, Components.Schemas.InquireResponse)
    func redeem(
        _ request: Components.Schemas.RedeemRequest, key: String?, rawBody: Data,
        now: Date
    ) async throws -> LedgerReply<Components.Schemas.RedeemResponse>
    func reverse(
        _ request: Components.Schemas.ReverseRequest, key: String?, rawBody: Data,
        now: Date
    ) async throws -> LedgerReply<Components.Schemas.ReverseResponse>
    func answerWasLost(_ identity: IdempotencyIdentity, now: Date) async throws
    func cashBalance(of number: String, now: Date) async throws -> Int?
    func usedUnits(_ number: String, now: Date) async throws -> Int
    func reconciliationFile(day: ProgramDay, sponsorCode: String, now: Date) async throws -> ReconciliationFile
    func redemptions() async throws -> [LedgerRedemption]
    /// How many of one collector's redemptions are not reversed (by an index: never the whole ledger).
    func standingRedemptions(of number: String) async throws -> Int
    func storedReplies() async throws -> Int
    func prefill(redemptions count: Int, collectors: [String], now: Date) async throws
    /// Opens (or resets) an account as `collector` says, with its units redeemed today: a training room's
    /// exercise gives each attempt an account of its own.
    func openAccount(_ collector: TestCollector, now: Date) async throws
    /// The Issuance books, in the same database as AM Cash's (one collector's account serves both).
    func issuanceBooks() -> any IssuanceBooks
    /// What the other simulators of a shared ledger have in progress (PostgreSQL); nil for SQLite,
    /// which one simulator holds alone.
    var collectorLocks: PostgresCollectorLocks? { get }
    /// Lets go of connections (PostgreSQL); nothing for SQLite.
    func close() async
}

/// An answer to store and replay, or a conflict (the same key with another body).
enum LedgerReply<Body: Sendable>: Sendable {
    case answer(status: Int, body: Body)
    case conflict
}
