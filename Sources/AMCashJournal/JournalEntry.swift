public import AMCashDomain
import AMCashRequests
public import AMCashWire
public import Foundation

/// One REDEEM or REVERSE as the terminal recorded it: the exact request it sends (and re-sends),
/// where it stands, and what the host said.
public struct JournalEntry: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case redeem = "REDEEM"
        case reverse = "REVERSE"
    }

    public let id: Int64
    public let kind: Kind
    public let traceId: String
    public let idempotencyKey: UUID
    /// The exact request body, re-sent byte for byte until the host answers.
    public let body: Data
    public let maskedCard: String
    public let createdAt: Date
    /// The redemption day (03:00 Toronto) the entry was made in.
    public let redemptionDay: ProgramDay
    /// The reconciliation day (00:00 Toronto) the entry was made in.
    public let reconciliationDay: ProgramDay
    /// What was asked: the discount for a REDEEM.
    public let requested: Money?
    public var state: TransactionState
    public var responseCode: String?
    public var confirmationNumber: String?
    public var units: Units?
    public var money: Money?
    public var miles: Miles?
    public var answeredAt: Date?
    /// How many times the request went out.
    public var attempts: Int
    public var lastFailure: String?
    /// For a REVERSE: the confirmation number of the redemption it reverses.
    public let originalConfirmationNumber: String?
    /// For a REVERSE: when to try again.
    public var nextAttemptAt: Date?
    /// Needs a supervisor: a reversal whose window closed unconfirmed, a void the host refused, a queued
    /// reversal the host refused after the cashier was told it was queued.
    public var isException: Bool
    /// Matched against the AIR MILES daily file; only reconciled rows may ever be pruned.
    public var isReconciled: Bool
    /// Resolved by recovery after a restart rather than at the till (never shown, so voided).
    public var resolvedByRecovery: Bool
    /// When the cashier saw APPROVED (REDEEM).
    public var shownAt: Date?
    /// A REVERSE the terminal sent on its own to give back an approval nobody saw.
    public let isVoid: Bool
    /// A salted hash of the collector number: one host call per collector at a time.
    public let cardKey: String?
    /// Who is sending this row now, and until when (a live till operation or a recovery pass).
    public var leaseHolder: String?
    public var leaseUntil: Date?
    /// A REVERSE attempt may have reached the host without a conclusive answer: a later refusal proves nothing.
    public var sentInDoubt: Bool
    /// An unknown REDEEM no longer replayed: the host's orphan-refund window has passed, so a debit the host
    /// may hold for it has been given back by the host itself, and a replay would only make a new one. The
    /// daily file settles it.
    public var awaitingFile: Bool = false
    /// The store register's id for the sale this REDEEM belongs to (`POST /v1/sales`); nil for a sale typed at the till.
    public var saleId: String? = nil
    /// How long the latest host call for this row took at the till, in whole milliseconds, measured on the
    /// monotonic clock from sending the request to having its result (the policy's retries included); nil
    /// when no call went out. Forwarded, so the chain sees every till's host latency.
    public var hostLatencyMs: Int? = nil

    /// The call to (re-)send: same bytes, same key, same trace id.
    public var call: PreparedCall {
        PreparedCall(
            operation: kind == .redeem ? .redeem : .reverse, traceId: traceId, idempotencyKey: idempotencyKey,
            body: body, maskedCard: maskedCard)
    }

    /// Whether the terminal still has work to do on its own: resolve, void, or send a reversal.
    public var isPending: Bool {
        switch kind {
        case .redeem: (state.needsResolution && !awaitingFile) || state.owesAVoid
        case .reverse: state == .reversing
        }
    }

    /// The collector number the journaled request carried (REDEEM and REVERSE bodies carry it).
    public var collectorDigits: String? {
        (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["collectorNumber"] as? String
    }

    /// The entry mode the journaled request carried.
    public var entryModeText: String? {
        (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["cardEntryMode"] as? String
    }
}
