import AMCashDomain
import AMCashWire
import Foundation

/// Where the Issuance half of the simulated host keeps its books: SQLite (`SQLiteIssuanceLedger`, on the
/// tables of `LedgerDatabase`) or PostgreSQL (`PostgresIssuanceLedger`, shared by a training centre's
/// simulators). The decisions are the same (`IssuanceHostRules`); only the storage differs. ISSUE, RETURN,
/// POST and REVERSE are answered once per idempotency key (or keyless body) and replayed after;
/// CALCULATE moves nothing; RECORD moves nothing and is not idempotent.
protocol IssuanceBooks: Sendable {
    /// `profile`: how the collector earns (a test collector's, or a training room attempt's; `IssuanceDesk` decides).
    func handle(
        _ operation: IssuanceOperation, _ body: IssuanceRequestBody, key: String?, rawBody: Data, now: Date, profile: TestCollector?
    ) async throws
        -> IssuanceAnswer
    /// Every Issuance row, oldest first (after posting the pending earnings that are due).
    func rows(now: Date) async throws -> [SimulatedIssuance]
    /// A collector's two balances (after posting what is due).
    func balances(of number: String, now: Date) async throws -> (cash: Int, dream: Int)?
}

/// An Issuance answer, or the same key with another body.
enum IssuanceAnswer: Sendable {
    case reply(status: Int, body: IssuanceReplyBody)
    case conflict
}

/// What the books know of the sale a RETURN names, as the rules need it.
struct EarnedSale: Sendable {
    /// The collector who earned on it.
    let number: String?
    let miles: Int
    let cashMiles: Int
    /// Miles already given back by earlier returns of it (positive).
    let returnedMiles: Int
    /// Of those, the miles given back out of AM Cash (positive).
    let returnedCashMiles: Int
}

/// A row to write: an earning, a return, a partner post or reverse. The books give it its confirmation
/// number, insert it, and (unless it is pending) move `cashMiles` and `dreamMiles` into the account.
struct IssuanceEntry: Sendable {
    /// `issue`, `return`, `post`, `post/event`, `reverse` or `reverse/event`.
    let operation: String
    let body: IssuanceRequestBody
    let number: String
    let lines: [IssuanceLine]
    /// What the lines earned (never negative).
    let totalMiles: Int
    /// The account's change: negative when miles go back.
    let signedMiles: Int
    let cashMiles: Int
    let dreamMiles: Int
    /// A 202: the miles reach the account `earningPostDelay` later.
    let pending: Bool

    var status: String { pending ? IssuanceDecisions.statusPending : IssuanceDecisions.statusIssued }
    /// `IR` for miles going back, `IS` for miles earned.
    var confirmationPrefix: String { ["return", "reverse", "reverse/event"].contains(operation) ? "IR" : "IS" }

    /// The answer once the books have numbered and written the row.
    func reply(confirmation: String) -> (Int, IssuanceReplyBody) {
        (
            pending ? 202 : 200,
            IssuanceReplyBody(
                responseCode: pending ? IssuanceDecisions.pendingResponseCode : "0000",
                message: pending ? "Accepted: the miles are pending" : "Approved",
                checkoutTransactionId: body.checkoutTransactionId, confirmationNumber: confirmation, issuances: lines, totalMiles: totalMiles,
                status: status)
        )
    }
}

/// The Issuance host's decisions, apart from where its books are kept: each takes what the books say
/// (the account, the collector's profile, the sale a return names) and answers, or says what to write.
enum IssuanceHostRules {
    enum Decision: Sendable {
        case answered(Int, IssuanceReplyBody)
        case write(IssuanceEntry)
    }

    /// Only these answers are stored under their key: a refusal (400, 401) is not, so the corrected
    /// request may come with the same key.
    static func storesReply(status: Int) -> Bool { status == 200 || status == 202 }

    /// The earning a stored 202 answered, whose replay must say how it stands now; nil for any other
    /// stored answer, which is replayed as it was.
    static func pendingToLookUp(status: Int, _ stored: IssuanceReplyBody) -> String? {
        status == 202 ? stored.confirmationNumber : nil
    }

    /// A replay (the same key and body) of an earning answered 202 tells how it stands now
    /// (`IssuanceDecisions.pendingIsLearnedByReplay`): still 202 PENDING while its miles wait, 200 ISSUED
    /// with the same confirmation number and miles once they posted (`bookStatus`, what the books now
    /// hold for `pendingToLookUp`'s earning). The replay moves nothing.
    static func replayed(status: Int, _ stored: IssuanceReplyBody, bookStatus: String?) -> (status: Int, body: IssuanceReplyBody) {
        guard status == 202, bookStatus == IssuanceDecisions.statusIssued else { return (status, stored) }
        var posted = stored
        posted.responseCode = "0000"
        posted.message = "Approved"
        posted.status = IssuanceDecisions.statusIssued
        return (200, posted)
    }

    /// Whether the books must look up the sale a RETURN names before deciding.
    static func originalToLookUp(_ operation: IssuanceOperation, _ body: IssuanceRequestBody) -> String? {
        operation == .returnSale ? body.originalCheckoutTransactionId : nil
    }

    /// RECORD's answer (it moves nothing; the books keep a row).
    static func recorded(_ body: IssuanceRequestBody, confirmation: String) -> IssuanceReplyBody {
        IssuanceReplyBody(
            responseCode: "0000", message: "Approved", checkoutTransactionId: body.checkoutTransactionId, confirmationNumber: confirmation,
            totalMiles: 0, status: IssuanceDecisions.statusRecorded)
    }

    static func refusal(_ status: Int, _ code: String, _ message: String, _ body: IssuanceRequestBody) -> Decision {
        .answered(status, IssuanceReplyBody(responseCode: code, message: message, checkoutTransactionId: body.checkoutTransactionId))
    }

    /// CALCULATE, ISSUE, RETURN, POST and REVERSE (not RECORD): `original` is the sale `originalToLookUp`
    /// named, nil when there is none or the books hold no such sale.
    static func decide(
        _ operation: IssuanceOperation, _ body: IssuanceRequestBody, account: Account?, profile: TestCollector?, original: EarnedSale?,
        rules: IssuanceRules
    ) -> Decision {
        guard let number = body.collectorNumber else {
            return refusal(400, "0035", "missing or invalid field collectorNumber", body)
        }
        guard let account, account.behaviour != .invalidNumber else {
            return refusal(401, "0025", HostWording.message(for: .invalidCollectorNumber), body)
        }
        if account.behaviour == .inactive { return refusal(401, "0002", HostWording.message(for: .accountInactive), body) }
        if profile?.earning == .refused, operation != .calculate {
            return refusal(400, "0035", "this test collector's earnings are always refused (400)", body)
        }
        let lines: [IssuanceLine]
        var miles: Int
        var named: EarnedSale?
        switch operation {
        case .calculate, .issue:
            lines = rules.lines(for: body, locationCode: nil)
            miles = lines.reduce(0) { $0 + $1.milesAmount }
        case .returnSale:
            lines = rules.lines(for: body, locationCode: nil)
            miles = lines.reduce(0) { $0 + $1.milesAmount }
            if let id = body.originalCheckoutTransactionId {
                guard let original, original.number == number else {
                    return refusal(400, "0035", "originalCheckoutTransactionId \(id.prefix(40)) names no sale this collector earned on", body)
                }
                // A return gives back at most what the sale earned and earlier returns left.
                miles = min(miles, max(0, original.miles - original.returnedMiles))
                named = original
            }
        case .post, .postEvent, .reverse, .reverseEvent:
            guard !body.issuances.isEmpty else { return refusal(400, "0035", "missing or invalid field issuances", body) }
            guard body.issuances.allSatisfy({ $0.milesAmount >= 0 }) else {
                return refusal(400, "0035", "issuances[].milesAmount must not be negative", body)
            }
            lines = body.issuances
            miles = lines.reduce(0) { $0 + $1.milesAmount }
        case .record:
            return refusal(400, "0035", "RECORD is answered by the books alone", body)
        }
        if operation == .calculate {
            return .answered(
                200,
                IssuanceReplyBody(
                    responseCode: "0000", message: "Approved", checkoutTransactionId: body.checkoutTransactionId, issuances: lines,
                    totalMiles: miles))
        }
        let givesBack = operation == .returnSale || operation == .reverse || operation == .reverseEvent
        let signed = givesBack ? -miles : miles
        // A return splits as its sale did, on the running total of what its returns gave back (so that
        // returning a sale in parts gives back exactly its AM Cash and Dream miles); anything else as the
        // collector's profile says.
        var cash: Int
        if let named, named.miles > 0 {
            let cashBackOnceReturned = (named.returnedMiles + miles) * named.cashMiles / named.miles
            cash = -max(0, cashBackOnceReturned - named.returnedCashMiles)
        } else {
            cash = signed * min(100, max(0, profile?.earnedCashPercent ?? 100)) / 100
        }
        // Miles taken back come out of AM Cash as far as it goes (it never goes below zero), the rest out of Dream.
        if cash < 0 { cash = -min(-cash, max(0, account.cash)) }
        return .write(
            IssuanceEntry(
                operation: operation == .returnSale ? "return" : operation.rawValue, body: body, number: number, lines: lines,
                totalMiles: miles, signedMiles: signed, cashMiles: cash, dreamMiles: signed - cash,
                pending: profile?.earning == .pending && !givesBack))
    }
}

/// One Issuance row of the simulator's ledger, for tests and trainers. `miles` is signed: a RETURN or
/// REVERSE is negative.
public struct SimulatedIssuance: Sendable, Hashable {
    public let confirmationNumber: String
    /// `issue`, `return`, `post`, `post/event`, `reverse`, `reverse/event` or `record`.
    public let operation: String
    public let checkoutTransactionId: String?
    public let originalCheckoutTransactionId: String?
    public let collectorNumber: String?
    public let miles: Int
    public let cashMiles: Int
    public let dreamMiles: Int
    /// `ISSUED`, `PENDING` or `RECORDED`.
    public let status: String
}
