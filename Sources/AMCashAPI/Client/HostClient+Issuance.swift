public import AMCashWire
import Foundation
import Logging
import NIOHTTP1

/// The Issuance calls on the same hosts, with the same token (Decision: `IssuanceDecisions.sameTokenAsAMCash`):
/// the exact bytes and key of the call, one exchange, classified as answered, not sent or unknown.
/// Resends and the store-and-forward queue are the journal's business (`JournaledTransactions.earn`).
extension HostClient: IssuanceHost {
    public func issuance(_ call: IssuanceCall) async -> IssuanceExchange {
        var refusedToken: String?
        for _ in 0..<2 {
            let token: String
            do {
                token = try await tokens.token()
            } catch let failure as HostFailure {
                return .notSent(failure)
            } catch {
                return .notSent(.cannotConnect(String(describing: error)))
            }
            if token == refusedToken { return .notSent(.unauthorized) }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "Authorization", value: "Bearer \(token)")
            if let key = call.idempotencyKey, call.operation.sendsIdempotencyKey {
                headers.add(name: "Idempotency-Key", value: key.uuidString.lowercased())
            }
            headers.add(name: "X-Request-Id", value: UUID().uuidString.lowercased())
            let sent = await Self.perform(
                http: http, url: settings.baseURL.url(for: call.operation.path), headers: headers, body: call.body,
                deadline: timeouts.connect + timeouts.read)
            var metadata: Logger.Metadata = ["operation": "\(call.operation.label)", "traceId": "\(call.traceId)"]
            if let card = call.maskedCard { metadata["card"] = "\(card)" }
            switch sent {
            case .failure(let failure):
                metadata["failure"] = "\(failure)"
                logger.warning("issuance call failed", metadata: metadata)
                return failure.mayHaveReachedHost ? .unknown(failure) : .notSent(failure)
            case .success(let (status, body, _)):
                metadata["status"] = "\(status)"
                // A bare 401 (no responseCode) is the token: fetch another and try once more.
                if status == 401, (try? IssuanceReplyBody(json: IssuanceJSON.parse(body)))?.responseCode == nil {
                    await tokens.invalidate(token)
                    refusedToken = token
                    continue
                }
                logger.info("issuance answered", metadata: metadata)
                return .answered(status: status, body: body)
            }
        }
        return .notSent(.unauthorized)
    }
}
