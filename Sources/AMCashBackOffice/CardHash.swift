import Crypto
import Foundation

/// The chain's keyed hash of a collector number (HMAC-SHA-256, hex): enough to find one collector's
/// rows, or match the sponsor's file, without the chain database holding the number itself. Without
/// the key nobody can test a guessed number against it.
public struct CardHash: Sendable {
    private let key: SymmetricKey

    public init(key: String) {
        self.key = SymmetricKey(data: Data(key.utf8))
    }

    public func hash(_ collectorNumber: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(collectorNumber.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }
}
