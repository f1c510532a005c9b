import AMCashAPI
import Foundation

/// The simulator's token service: hands out bearer tokens to the right client credentials and
/// says whether a token is still good.
actor TokenIssuer {
    private let credentials: ClientCredentials
    private let lifetime: Duration
    private var tokens: [String: ContinuousClock.Instant] = [:]
    /// How many tokens were issued (tests check that concurrent calls share one).
    private(set) var issued = 0

    init(credentials: ClientCredentials, lifetime: Duration) {
        self.credentials = credentials
        self.lifetime = lifetime
    }

    /// A new token, or nil when the credentials are wrong. Compared in constant time; expired tokens
    /// are pruned as new ones are issued, so the table stays the size of the live ones.
    func issue(clientId: String, clientSecret: String) -> (token: String, expiresIn: Int)? {
        guard accepts(clientId: clientId, clientSecret: clientSecret) else { return nil }
        issued += 1
        if issued % 64 == 0 { pruneExpired() }
        let token = "sim-" + UUID().uuidString.lowercased()
        tokens[token] = ContinuousClock.now + lifetime
        return (token, max(1, Int(lifetime.components.seconds)))
    }

    /// Whether these are the client credentials the simulator serves (both compared in full).
    func accepts(clientId: String, clientSecret: String) -> Bool {
        let idMatches = Self.constantTimeEquals(clientId, credentials.clientId)
        let secretMatches = Self.constantTimeEquals(clientSecret, credentials.clientSecret)
        return idMatches && secretMatches
    }

    func isValid(_ token: String) -> Bool {
        guard let expiry = tokens[token] else { return false }
        if ContinuousClock.now < expiry { return true }
        tokens[token] = nil
        return false
    }

    /// How many tokens are held (live, or expired and not yet pruned).
    var held: Int { tokens.count }

    func pruneExpired() {
        let now = ContinuousClock.now
        tokens = tokens.filter { $0.value > now }
    }

    /// Whether two strings are equal, taking the same time wherever they differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }

    /// Makes every token already issued expire at once (to try a client's renewal).
    func expireAll() { tokens.removeAll() }
}
