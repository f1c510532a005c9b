import AMCashConfiguration
import AMCashWire
import Foundation

/// A bearer token and how long the token service said it lives.
public struct AccessToken: Sendable, Hashable {
    public let value: String
    public let lifetime: Duration
}

/// Holds the current bearer token. One fetch at a time, however many calls ask at once (100 calls at
/// a cold start make one token request); a token is replaced once 80% of its lifetime has passed,
/// or at once when the host refuses it.
actor TokenCache {
    typealias Fetch = @Sendable () async throws -> AccessToken

    private let fetch: Fetch
    private let clock = ContinuousClock()
    private var current: (token: AccessToken, renewAt: ContinuousClock.Instant)?
    private var inFlight: Task<AccessToken, any Error>?

    init(fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    /// A token that is good for now, fetching one if needed.
    func token() async throws -> String {
        if let current, clock.now < current.renewAt { return current.token.value }
        if let inFlight { return try await inFlight.value.value }
        let task = Task { try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        current = (fresh, clock.now + fresh.lifetime * 4 / 5)
        return fresh.value
    }

    /// Forgets `token` after the host refused it, so the next call fetches a new one.
    func invalidate(_ token: String) {
        if current?.token.value == token { current = nil }
    }
}
