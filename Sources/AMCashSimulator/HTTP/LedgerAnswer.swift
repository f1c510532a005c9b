import AMCashContract
import AMCashDomain
import Foundation

/// The fields every ledger reply carries, so a 401 can keep only them whatever the operation.
protocol HostReplyFields: Sendable {
    var responseCode: Components.Schemas.ResponseCode { get }
    var message: String? { get }
    var transDateTime: String? { get }
}

extension Components.Schemas.InquireResponse: HostReplyFields {}
extension Components.Schemas.RedeemResponse: HostReplyFields {}
extension Components.Schemas.ReverseResponse: HostReplyFields {}

/// An operation whose answer the ledger decides (inquire, redeem, reverse). It exists so that the mapping
/// from a decision (a status and a reply) to the HTTP output is written once, in `decided(_:_:)`, and the
/// operations cannot drift apart. The generated output's cases meet the requirements; each operation only
/// says how its reply is wrapped.
protocol LedgerDecidedOutput {
    associatedtype Reply: HostReplyFields
    associatedtype Answer
    static func ok(_ answer: Answer) -> Self
    static func accepted(_ answer: Answer) -> Self
    static func badRequest(_ answer: Answer) -> Self
    static func unauthorized(_ answer: Components.Responses.Unauthorized) -> Self
    static func forbidden(_ answer: Answer) -> Self
    static func requestTimeout(_ answer: Answer) -> Self
    static func serviceUnavailable(_ answer: Answer) -> Self
    static func internalServerError(_ answer: Answer) -> Self
    /// The reply as this operation's JSON body.
    static func answer(_ reply: Reply) -> Answer
}

extension LedgerDecidedOutput {
    /// The ledger's decision as the contract's answer: a 401 carries only the error fields (the contract's
    /// `HostError`), and a status the contract does not list is a 500 with the reply.
    static func decided(_ status: Int, _ reply: Reply) -> Self {
        switch status {
        case 200: .ok(answer(reply))
        case 202: .accepted(answer(reply))
        case 400: .badRequest(answer(reply))
        case 401:
            .unauthorized(
                .init(
                    body: .json(
                        .init(responseCode: reply.responseCode, message: reply.message, transDateTime: reply.transDateTime))))
        case 403: .forbidden(answer(reply))
        case 408: .requestTimeout(answer(reply))
        case 503: .serviceUnavailable(answer(reply))
        default: .internalServerError(answer(reply))
        }
    }
}

/// An operation the ledger replays by its Idempotency-Key: the same key with another request is a 409.
protocol IdempotentLedgerOutput: LedgerDecidedOutput {
    static func conflict(_ answer: Components.Responses.Conflict) -> Self
}

extension IdempotentLedgerOutput {
    /// A stored or new decision as `decided(_:_:)` maps it, or the 409 of a key used with another request
    /// (stamped with `clock`, read only then).
    static func decided(_ reply: LedgerReply<Reply>, clock: () -> Date) -> Self {
        switch reply {
        case .conflict:
            .conflict(
                .init(
                    body: .json(
                        .init(
                            message: "this Idempotency-Key was used with a different request",
                            transDateTime: TorontoTime.iso8601(clock())))))
        case .answer(let status, let response): decided(status, response)
        }
    }
}

extension Operations.Inquire.Output: LedgerDecidedOutput {
    static func answer(_ reply: Components.Schemas.InquireResponse) -> Components.Responses.Inquire { .init(body: .json(reply)) }
}

extension Operations.Redeem.Output: IdempotentLedgerOutput {
    static func answer(_ reply: Components.Schemas.RedeemResponse) -> Components.Responses.Redeem { .init(body: .json(reply)) }
}

extension Operations.Reverse.Output: IdempotentLedgerOutput {
    static func answer(_ reply: Components.Schemas.ReverseResponse) -> Components.Responses.Reverse { .init(body: .json(reply)) }
}
