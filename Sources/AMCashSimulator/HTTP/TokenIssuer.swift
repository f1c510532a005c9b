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

    /// A new token, or nil when the credentials are wrong.
    func issue(clientId: String, clientSecret: String) -> (token: String, expiresIn: Int)? {
        guard clientId == credentials.clientId, clientSecret == credentials.clientSecret else { return nil }
        issued += 1
        let token = "sim-" + UUID().uuidString.lowercased()
        tokens[token] = ContinuousClock.now + lifetime
        return (token, max(1, Int(lifetime.components.seconds)))
    }

    func isValid(_ token: String) -> Bool {
        guard let expiry = tokens[token] else { return false }
        if ContinuousClock.now < expiry { return true }
        tokens[token] = nil
        return false
    }

    /// Makes every token already issued expire at once (to try a client's renewal).
    func expireAll() { tokens.removeAll() }
}
