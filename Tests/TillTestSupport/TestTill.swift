public import AMCashAPI
import AMCashConfiguration
public import AMCashDomain
public import AMCashJournal
public import AMCashSimulator
public import AMCashWire
import Foundation

/// A till as the end-to-end tests of the journal and the back office need one: a real SQLite journal, a real
/// client of a running simulator, and the requests of its terminal. It exists so that those suites redeem and
/// reverse as the console does (intent, outcome, shown) without each writing it again.
public struct TestTill: Sendable {
    public let identity: TerminalIdentity
    public let journal: Journal
    public let client: HostClient
    public let builder: RequestBuilder

    /// Till `device` of store `store` (sponsor LOY1), with a fresh journal, talking to `simulator`.
    public init(store: String, device: String, simulator: SimulatorServer) throws {
        identity = try TerminalIdentity(sponsorCode: "LOY1", storeId: store, deviceId: device, vendorId: "1", acquirerId: "1")
        journal = try Journal(path: FileManager.default.temporaryDirectory.appendingPathComponent("amcash-till-\(UUID()).sqlite").path)
        client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
        builder = RequestBuilder(identity: identity)
    }

    /// A scanned card redeems `dollars` of a $100 basket; an approval is marked shown (the debit stands).
    public func redeem(_ card: String, dollars: Int, policy: ResendPolicy = .once) async throws -> JournalEntry {
        let call = try builder.redeem(
            RedemptionRequest(
                card: CardRead(number: try CollectorNumber(digits: card), entryMode: .scan), basket: Money(dollars: 100),
                amount: Money(dollars: dollars)), traceId: try journal.nextTraceId(), at: Date())
        let intent = try journal.recordRedemptionIntent(call, requested: Money(dollars: dollars), at: Date())
        let outcome = try journal.recordRedemptionOutcome(intent.id, await client.redeem(call, policy: policy), at: Date())
        // The cashier saw it: the debit stands.
        return outcome.state == .approved ? try journal.markShown(outcome.id, at: Date()) : outcome
    }

    /// The redemption `confirmation` reversed with its card, sent once.
    public func reverse(_ card: String, confirmation: String) async throws -> JournalEntry {
        let call = try builder.reverse(
            ReversalRequest(
                card: CardRead(number: try CollectorNumber(digits: card), entryMode: .scan),
                redemptionConfirmationNumber: confirmation),
            traceId: try journal.nextTraceId(), at: Date())
        let queued = try journal.queueReversal(call, of: confirmation, at: Date())
        return try journal.recordReversalOutcome(queued.id, await client.reverse(call, policy: .once), at: Date())
    }
}
