import Crypto
import Foundation

/// What makes two REDEEM or REVERSE requests "the same" to the host. With an `Idempotency-Key`, the
/// key (and the body must then match byte for byte, or the answer is 409). Without one, as the
/// documentation allows, the byte-identical body itself, timestamp included: a last resort, since a
/// terminal that rebuilds its body with a new `dateTime` makes a new transaction.
struct IdempotencyIdentity: Sendable, Hashable {
    /// The row key of the stored answer.
    let storageKey: String
    let operation: String
    /// SHA-256 of the exact request body.
    let bodyHash: Data

    init(operation: String, key: String?, rawBody: Data) {
        self.operation = operation
        bodyHash = Self.hash(rawBody)
        if let key, !key.isEmpty {
            storageKey = "key:" + key
        } else {
            storageKey = "body:" + operation + ":" + bodyHash.map { String(format: "%02x", $0) }.joined()
        }
    }

    static func hash(_ body: Data) -> Data { Data(SHA256.hash(data: body)) }
}
