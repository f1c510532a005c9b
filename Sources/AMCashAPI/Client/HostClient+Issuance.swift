public import AMCashWire
import Foundation
import Logging

/// The Issuance calls on the same hosts, with the same token (Decision: `IssuanceDecisions.sameTokenAsAMCash`):
/// the exact bytes and key of the call, one exchange, classified as answered, not sent or unknown.
/// Resends and the store-and-forward queue are the journal's business (`JournaledTransactions.earn`).
extension HostClient: IssuanceHost {
    public func issuance(_ call: IssuanceCall) async -> IssuanceExchange {
        await withToken(notSent: { .notSent($0) }) { token in
            let sent = await post(
                path: call.operation.path, body: call.body,
                idempotencyKey: call.operation.sendsIdempotencyKey ? call.idempotencyKey : nil, token: token)
            var metadata: Logger.Metadata = ["operation": "\(call.operation.label)", "traceId": "\(call.traceId)"]
            if let card = call.maskedCard { metadata["card"] = "\(card)" }
            switch sent {
            case .failure(let failure):
                metadata["failure"] = "\(failure)"
                logger.warning("issuance call failed", metadata: metadata)
                return .done(failure.mayHaveReachedHost ? .unknown(failure) : .notSent(failure))
            case .success(let (status, body, _)):
                metadata["status"] = "\(status)"
                // A bare 401 (no responseCode) is the token: fetch another and try once more.
                if status == 401, (try? IssuanceReplyBody(json: IssuanceJSON.parse(body)))?.responseCode == nil {
                    return .tokenRefused
                }
                logger.info("issuance answered", metadata: metadata)
                return .done(.answered(status: status, body: body))
            }
        }
    }
}
