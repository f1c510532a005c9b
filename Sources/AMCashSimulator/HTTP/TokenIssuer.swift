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
    /// The most tokens held at once; a new one past it evicts the oldest (a flood cannot grow the simulator).
    let capacity: Int
    /// Tokens in the order issued, which is the order they expire in (one lifetime for all): expiry
    /// pops from the front, O(1) per token, never a sweep of the table under the lock.
    private struct State {
        var expiries: [String: ContinuousClock.Instant] = [:]
        var order: [String] = []
        var head = 0
        var issued = 0

        /// Drops tokens from the front while they are over `capacity`, and up to 64 expired ones: each
        /// token is dropped once, and no request does more than a bounded share of the work.
        mutating func trim(now: ContinuousClock.Instant, capacity: Int) {
            var budget = 64
            while head < order.count {
                let oldest = order[head]
                guard let expiry = expiries[oldest] else {
                    head += 1  // already gone (expireAll)
                    continue
                }
                let over = expiries.count > capacity
                guard over || (expiry <= now && budget > 0) else { break }
                if !over { budget -= 1 }
                expiries[oldest] = nil
                head += 1
            }
            // The consumed front is given back once it is half the array: amortised O(1) per token.
            if head > 1024 && head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
    }
    private let state = NIOLockedValueBox(State())
    /// How many tokens were issued (tests check that concurrent calls share one).
    var issued: Int { state.withLockedValue { $0.issued } }

    init(credentials: ClientCredentials, lifetime: Duration, capacity: Int = 10_000) {
        self.credentials = credentials
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// A new token, or nil when the credentials are wrong. Compared in constant time; expired tokens
    /// (and the oldest, past `capacity`) leave as new ones are issued.
    func issue(clientId: String, clientSecret: String) -> (token: String, expiresIn: Int)? {
        guard accepts(clientId: clientId, clientSecret: clientSecret) else { return nil }
        let token = "sim-" + UUID().uuidString.lowercased()
        let now = ContinuousClock.now
        let expiry = now + lifetime
        state.withLockedValue { state in
            state.issued += 1
            state.expiries[token] = expiry
            state.order.append(token)
            state.trim(now: now, capacity: capacity)
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
            guard let expiry = state.expiries[token] else { return false }
            if now < expiry { return true }
            state.expiries[token] = nil
            return false
        }
    }

    /// How many tokens are held (live, or expired and not yet pruned).
    var held: Int { state.withLockedValue { $0.expiries.count } }

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
    func expireAll() {
        state.withLockedValue { state in
            state.expiries.removeAll()
            state.order.removeAll()
            state.head = 0
        }
    }
}
