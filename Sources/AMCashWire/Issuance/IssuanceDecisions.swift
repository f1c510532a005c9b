public import AMCashDomain
public import Foundation

/// Every decision amcash takes where the AIR MILES Issuance documentation is silent
/// (shared/docs/issuance-api.md), in one place, so a partner changes each in one edit once AIR MILES
/// confirms it. `Sources/AMCashContract/issuance-openapi.yaml` writes the same decisions as a contract.
public enum IssuanceDecisions {
    /// The till uses the AIR MILES-calculated group (CALCULATE, ISSUE, RETURN); the partner-calculated
    /// endpoints are served by the simulator only. To confirm with AIR MILES.
    public static let tillUsesAirMilesCalculated = true

    /// The same client credentials and bearer token as AM Cash; a separate audience setting only if AIR
    /// MILES gives one (none today). To confirm with AIR MILES.
    public static let sameTokenAsAMCash = true

    /// `checkoutTransactionId`: sponsor + store + device + the till's trace number, stable across retries.
    /// To confirm with AIR MILES.
    public static func checkoutTransactionId(_ identity: TerminalIdentity, traceId: TraceId) -> String {
        identity.sponsorCode + identity.storeId + identity.deviceId + traceId.wireString
    }

    /// `locationCode`: the store id, 4 characters, zero-padded. To confirm with AIR MILES.
    public static func locationCode(storeId: String) -> String {
        String(repeating: "0", count: max(0, 4 - storeId.count)) + storeId
    }

    /// A RETURN names its sale by the original's `checkoutTransactionId` in this field, and carries a new
    /// `checkoutTransactionId` of its own. To confirm with AIR MILES.
    public static let originalTransactionField = "originalCheckoutTransactionId"

    /// Miles are earned on what the collector paid after the AM Cash discount (a tender, like a coupon):
    /// the pre-tax amount sent is the sale's less the discount. A terminal setting may change it.
    /// To confirm with AIR MILES.
    public static let earnAfterAMCashDiscount = true

    /// The response body (none is documented): `responseCode` and `message` as in AM Cash, the request's
    /// `checkoutTransactionId`, `confirmationNumber`, `issuances` lines, `totalMiles`, and `status`.
    /// To confirm with AIR MILES.
    public static let statusIssued = "ISSUED"
    /// See `statusIssued`: a 202 answer's status. To confirm with AIR MILES.
    public static let statusPending = "PENDING"
    /// RECORD's answer (it moves no miles). To confirm with AIR MILES.
    public static let statusRecorded = "RECORDED"

    /// A 202 carries `responseCode` `0000` with status `PENDING`: the miles will post; resending changes
    /// nothing. To confirm with AIR MILES.
    public static let pendingResponseCode = "0000"

    /// How a till learns what became of an earning answered 202: it sends the same call again — the same
    /// `Idempotency-Key`, the same body — which moves nothing ("resending changes nothing") and is answered
    /// with how the earning stands now: 202 `PENDING` while the miles wait, 200 `ISSUED` with the
    /// confirmation number and the miles once they posted, 400 if AIR MILES refused them. No status call is
    /// documented. To confirm with AIR MILES.
    public static let pendingIsLearnedByReplay = true

    /// The first pauses between two questions about a pending earning (then the longest one, again and
    /// again), so a 202 that posts in seconds is learned in seconds and one that takes hours costs a call
    /// every few minutes. To confirm with AIR MILES.
    public static func pendingAskAgainAfter(attempts: Int) -> Duration {
        let seconds = [5, 15, 45, 135, 300]
        return .seconds(seconds[max(0, min(attempts, seconds.count - 1))])
    }

    /// A second transaction for a collector who already has one in progress (across AM Cash and Issuance)
    /// is answered HTTP 409 with this `responseCode`; nothing was done, so it may be sent again later.
    /// To confirm with AIR MILES.
    public static let parallelTransactionCode = "0094"
    /// See `parallelTransactionCode`. To confirm with AIR MILES.
    public static let parallelTransactionStatus = 409
    /// CALCULATE moves nothing, so it is not a transaction for the one-at-a-time rule: the offer screen may
    /// ask it while the INQUIRE is out. To confirm with AIR MILES.
    public static let calculateIsATransaction = false

    /// A 500 (or 408/503) is re-sent at least this many more times with the same key and body before the
    /// earning waits in the store-and-forward queue. To confirm with AIR MILES.
    public static let resendsAfterServerError = 2

    /// RECORD (sales without a card) is not sent by default. To confirm with AIR MILES.
    public static let recordSalesWithoutCard = false

    /// The Issuance transaction day runs 00:00–23:59 Eastern (AM Cash's turns at 03:00).
    public static let transactionDayZone = "America/Toronto"

    /// `coupon` is a list of the codes applied (a single string is accepted when reading). To confirm with AIR MILES.
    public static let couponIsList = true

    /// `checkoutDateTime`: UTC with milliseconds and `Z` (`2019-05-30T14:12:59.479Z`), as documented.
    public static func checkoutDateTime(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        let milliseconds = Int((instant.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):"
            + "\(pad(parts.second, 2)).\(pad((milliseconds + 1000) % 1000, 3))Z"
    }
}

/// The Issuance endpoints (all `POST`): the AIR MILES-calculated group and the partner-calculated one.
public enum IssuanceOperation: String, Sendable, Hashable, CaseIterable {
    case calculate
    case issue
    /// RETURN (`return` is a Swift keyword).
    case returnSale = "return"
    case record
    case post
    case postEvent = "post/event"
    case reverse
    case reverseEvent = "reverse/event"

    public var path: String { "/checkout/issuance/" + rawValue }
    /// RECORD is not idempotent and carries no key; every other call does.
    public var sendsIdempotencyKey: Bool { self != .record }
    /// The name the journal and the reports use.
    public var label: String { self == .returnSale ? "RETURN" : rawValue.uppercased().replacingOccurrences(of: "/", with: "_") }
}
