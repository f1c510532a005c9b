import AMCashAPI
import AMCashConfiguration
import AMCashWire
import Foundation
import NIOConcurrencyHelpers

/// The simulator's token service: hands out bearer tokens to the right client credentials and
/// says whether a token is still good. A lock, not an actor: every API request asks it, and a hop to
/// an actor's executor per request cost more than the check.
final class TokenIssuer: Sendable {
    private let credentials: ClientCredentials
    private let lifetime: Duration
    private struct State {
        var tokens: [String: ContinuousClock.Instant] = [:]
        var issued = 0
    }
    private let state = NIOLockedValueBox(State())
    /// How many tokens were issued (tests check that concurrent calls share one).
    var issued: Int { state.withLockedValue { $0.issued } }

    init(credentials: ClientCredentials, lifetime: Duration) {
        self.credentials = credentials
        self.lifetime = lifetime
    }

    /// A new token, or nil when the credentials are wrong. Compared in constant time; expired tokens
    /// are pruned as new ones are issued, so the table stays the size of the live ones.
    func issue(clientId: String, clientSecret: String) -> (token: String, expiresIn: Int)? {
        guard accepts(clientId: clientId, clientSecret: clientSecret) else { return nil }
        let token = "sim-" + UUID().uuidString.lowercased()
        let expiry = ContinuousClock.now + lifetime
        state.withLockedValue { state in
            state.issued += 1
            if state.issued % 64 == 0 {
                let now = ContinuousClock.now
                state.tokens = state.tokens.filter { $0.value > now }
            }
            state.tokens[token] = expiry
        }
        return (token, max(1, Int(lifetime.components.seconds)))
    }

    /// Whether these are the client credentials the simulator serves (both compared in full).
    func accepts(clientId: String, clientSecret: String) -> Bool {
        let idMatches = Self.constantTimeEquals(clientId, credentials.clientId)
        let secretMatches = Self.constantTimeEquals(clientSecret, credentials.clientSecret)
        return idMatches && secretMatches
    }

    func isValid(_ token: String) -> Bool {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            guard let expiry = state.tokens[token] else { return false }
            if now < expiry { return true }
            state.tokens[token] = nil
            return false
        }
    }

    /// How many tokens are held (live, or expired and not yet pruned).
    var held: Int { state.withLockedValue { $0.tokens.count } }

    /// Whether two strings are equal, taking the same time wherever they differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }

    /// Makes every token already issued expire at once (to try a client's renewal).
    func expireAll() { state.withLockedValue { $0.tokens.removeAll() } }
}
