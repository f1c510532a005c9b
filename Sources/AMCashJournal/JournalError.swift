/// Why the journal cannot be used. Each is raised before any request is sent, so nothing is ever
/// sent that the journal did not record first.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notDurable(path: String, synchronous: Int)
    case readOnly(path: String)
    case diskFull(path: String)
    case notFound(String)
    case illegalTransition(String)
    case storage(String)
    /// Another call for this collector is under way (at this till or another process on the journal).
    case collectorBusy(traceId: String)
    /// A reversal refused before anything was queued: wrong card, not a shown redemption.
    case reversalRefused(String)
    /// A RETURN refused before anything was journaled: an earlier RETURN of this till gave back the whole
    /// sale or one of the items it names (what, as the refusal says it).
    case returnedAlready(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the journal at \(path): \(reason)"
        case .notDurable(let path, let synchronous):
            "the journal at \(path) is not crash-safe (PRAGMA synchronous is \(synchronous), FULL (2) is required); amcash will not start"
        case .readOnly(let path):
            "the journal at \(path) is read-only; nothing can be redeemed until it is writable (check the file's and the folder's permissions)"
        case .diskFull(let path):
            "the disk holding the journal at \(path) is full; nothing can be redeemed until space is freed"
        case .notFound(let what):
            "the journal has no \(what)"
        case .illegalTransition(let what):
            "the journal refused a change: \(what)"
        case .storage(let reason):
            "the journal could not be written: \(reason)"
        case .collectorBusy(let traceId):
            "another transaction for this collector (trace \(traceId)) is with AIR MILES — try again in a moment"
        case .reversalRefused(let reason):
            "the reversal was refused before anything was sent: \(reason)"
        case .returnedAlready(let what):
            "not sent: \(what) was returned already"
        }
    }
}
