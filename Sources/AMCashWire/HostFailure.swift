public import AMCashDomain

/// Why a call got no usable answer, and whether the request may have reached the host.
public enum HostFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection could be made (refused, unreachable, TLS failed): nothing was sent.
    case cannotConnect(String)
    /// Sent, and no answer within the read timeout.
    case timedOut
    /// The connection broke after the request went out.
    case connectionDropped(String)
    /// An answer came, but not one the contract allows (not JSON, an HTML page, wrong types,
    /// an approval without a confirmation number…).
    case garbledResponse(status: Int, reason: String)
    /// The host answered with a redirect; amcash never follows one. The request was sent: whatever
    /// stands behind the redirect may have acted on it, so for REDEEM and REVERSE it is unknown.
    case redirectRefused(status: Int, location: String?)
    /// The token service refused the client credentials.
    case credentialsRejected(String)
    /// The token service answered something no client can use (a token over `maximumTokenBytes`, or
    /// with characters a header cannot carry): nothing was sent, and a person must look at the service.
    case tokenUnusable(String)
    /// The host refused the bearer token even after a fresh one was fetched.
    case unauthorized
    /// The same idempotency key came with a different body (HTTP 409).
    case conflict(String?)
    /// HTTP 409 with `responseCode` 0094: another transaction for this collector was in progress at the
    /// host (across AM Cash and Issuance); nothing was done with this one. Resent as a 409 is.
    case collectorBusy(String?)
    /// The till did not try: it could not record the call first, or another call for the collector
    /// is under way. Nothing was sent.
    case notAttempted(String)
    /// The host approved a REDEEM that must not be shown — more than was asked, at a unit value that is
    /// not the program's, or after recovery had already voided it — so no discount is given, and the
    /// approval (its confirmation number kept) is voided: the collector keeps the miles.
    case unshowableApproval(confirmationNumber: String, units: Units?, reason: String)

    /// Whether the request may have reached the host (so a balance may have changed).
    public var mayHaveReachedHost: Bool {
        switch self {
        case .cannotConnect, .credentialsRejected, .tokenUnusable, .unauthorized, .notAttempted: false
        case .timedOut, .connectionDropped, .garbledResponse, .conflict, .collectorBusy, .redirectRefused, .unshowableApproval: true
        }
    }

    /// What went wrong, for logs, reports, the journal and the chain database. Every text that came
    /// from the network goes through the one sanitiser for host text (`HostText.sanitised`) here, so
    /// no path can print, log, store or forward it raw.
    public var description: String {
        func host(_ text: String) -> String { HostText.sanitised(text, limit: 300) }
        return switch self {
        case .cannotConnect(let reason): "cannot reach the AIR MILES host (\(host(reason))); nothing was sent"
        case .timedOut: "the AIR MILES host did not answer in time"
        case .connectionDropped(let reason): "the connection to the AIR MILES host broke after sending (\(host(reason)))"
        case .garbledResponse(let status, let reason): "the AIR MILES host's answer was unusable (HTTP \(status)): \(host(reason))"
        case .redirectRefused(let status, let location):
            "the host answered with a redirect (HTTP \(status)\(location.map { " to \(host($0))" } ?? "")); amcash does not follow redirects — check hostBaseURL"
        case .credentialsRejected(let reason): "the token service refused the client credentials (\(host(reason)))"
        case .tokenUnusable(let reason): "\(Self.tokenUnusablePrefix) (\(host(reason))); nothing was sent"
        case .unauthorized: "the AIR MILES host refused the access token twice"
        case .conflict(let message): "the host saw this request's key with a different body (HTTP 409)\(message.map { ": \(host($0))" } ?? "")"
        case .collectorBusy(let message):
            "another transaction for this collector was in progress at the host (HTTP 409, 0094)\(message.map { ": \(host($0))" } ?? "")"
        case .notAttempted(let reason): "nothing was sent: \(host(reason))"
        case .unshowableApproval(let confirmation, let units, let reason):
            "the host approved \(units.map { "\($0.count) units" } ?? "an approval") (confirmation \(host(confirmation))) that cannot be shown: \(host(reason)); it is voided"
        }
    }

    /// How `tokenUnusable`'s description begins (a command exits 2 on it: a person must look at the token service).
    public static let tokenUnusablePrefix = "the token service answered something unusable"

    /// What the cashier is told.
    public var message: LocalizedText {
        switch self {
        case .cannotConnect:
            LocalizedText(english: "Cannot reach AIR MILES. Nothing was redeemed.", french: "Impossible de joindre AIR MILES. Rien n’a été échangé.")
        case .timedOut, .connectionDropped, .garbledResponse, .conflict, .collectorBusy, .redirectRefused:
            LocalizedText(english: "No clear answer from AIR MILES yet.", french: "Pas encore de réponse claire d’AIR MILES.")
        case .notAttempted:
            LocalizedText(
                english: "Nothing was redeemed: this till could not start the transaction. Try again.",
                french: "Rien n’a été échangé : ce terminal n’a pas pu commencer la transaction. Réessayez.")
        case .unshowableApproval:
            LocalizedText(
                english: "Not approved: do not give the discount. The miles go back to the collector.",
                french: "Non approuvé : n’accordez pas le rabais. Les milles retournent au membre.")
        case .credentialsRejected, .tokenUnusable, .unauthorized:
            LocalizedText(
                english: "This terminal is not authorized by AIR MILES. Call the help desk.",
                french: "Ce terminal n’est pas autorisé par AIR MILES. Appelez le soutien technique.")
        }
    }
}
