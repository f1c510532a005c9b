import AMCashContract
import AMCashDomain

/// The three AM Cash answers that carry a response code and a message, so the host's rules set them one
/// way whichever books (SQLite or PostgreSQL) the simulator keeps. The rules shared by both ledgers depend
/// on this protocol and on `HostAnswer`, never on one ledger's helpers.
protocol HostResponseBody {
    var responseCode: String { get set }
    var message: String? { get set }
}

extension HostResponseBody {
    /// Sets the code and the host's wording (or `message`) and pairs the answer with the code's HTTP status.
    mutating func finished(_ code: ResponseCode, message: String?) -> (Int, Self) {
        responseCode = code.rawValue
        self.message = message ?? HostWording.message(for: code)
        return (code.meaning.httpStatus ?? 500, self)
    }
}

extension Components.Schemas.InquireResponse: HostResponseBody {}
extension Components.Schemas.RedeemResponse: HostResponseBody {}
extension Components.Schemas.ReverseResponse: HostResponseBody {}

/// What the host's answers show of a request, the same from either ledger.
enum HostAnswer {
    /// A collector number as the host echoes it: one bullet per hidden digit, then the last four. The
    /// request's text as it came (it may not be a valid number), so not `CollectorNumber.masked`.
    static func masked(_ number: String) -> String {
        String(repeating: "•", count: max(0, number.count - 4)) + number.suffix(4)
    }
}
