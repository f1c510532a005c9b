import Crypto
public import Foundation
public import Logging
public import PostgresNIO

/// A person who may use the web back office: a store's supervisor sees that store, the chain's IT
/// sees every store.
public struct BackOfficeUser: Sendable, Hashable {
    public enum Role: String, Sendable, CaseIterable {
        case store, chain
    }

    public let name: String
    public let role: Role
    /// The store a store supervisor belongs to (nil for the chain's IT).
    public let store: String?

    /// Whether this person may see `store`'s tills, rows and exceptions.
    public func maySee(store: String) -> Bool { role == .chain || self.store == store }
}

/// A signed-in person's session: who, and the token every form they post must carry.
public struct BackOfficeSession: Sendable, Hashable {
    public let user: BackOfficeUser
    public let csrfToken: String
    public let expiresAt: Date
}

/// What a sign-in attempt came to.
public enum SignInOutcome: Sendable, Hashable {
    /// The password was right: the session and its token (for the cookie; the database keeps only its hash).
    case signedIn(token: String, session: BackOfficeSession)
    /// No such person, or the wrong password (the two are not told apart).
    case refused
    /// Too many wrong passwords in a row: refused until `until`, whatever the password.
    case locked(until: Date)
}

/// An account cannot be made as asked; the message says why.
public struct AccountError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Accounts, sign-in with a lockout, and sessions, in the back-office database (schema version 2).
public enum BackOfficeAccounts {
    /// Wrong passwords in a row that lock an account.
    public static let maximumFailures = 5
    /// How long a locked account stays locked.
    public static let lockoutDuration: TimeInterval = 15 * 60

    /// Adds a person, or fails naming what is wrong (a bad name, store or password, a name taken).
    public static func add(
        _ client: PostgresClient, name: String, role: BackOfficeUser.Role, store: String?, password: String,
        rounds: Int = PasswordHash.standardRounds, logger: Logger
    ) async throws {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) })
        else { throw AccountError(description: "--name: 1 to 64 letters, digits, '.', '_', '-' or '@'") }
        switch (role, store) {
        case (.store, .some(let store)) where store.count == 4 && store.allSatisfy({ $0.isASCII && $0.isNumber }): break
        case (.store, _): throw AccountError(description: "--store: a store supervisor needs their store, 4 digits (--store 0001)")
        case (.chain, .some): throw AccountError(description: "--store: the chain's IT sees every store; give no --store with --role chain")
        case (.chain, .none): break
        }
        if let problem = PasswordHash.problem(with: password) { throw AccountError(description: "the password: \(problem)") }
        let hash = PasswordHash.make(password: password, rounds: rounds).description
        var inserted = false
        for try await _ in try await client.query(
            """
            INSERT INTO backoffice_users (name, role, store, password_hash) VALUES (\(name), \(role.rawValue), \(store), \(hash))
            ON CONFLICT (name) DO NOTHING RETURNING name
            """, logger: logger
        ).decode(String.self) {
            inserted = true
        }
        guard inserted else { throw AccountError(description: "--name: \(name) already has an account") }
    }

    /// Checks a password. A wrong one counts towards the lockout; a right one clears the count and
    /// opens a session of `lifetime` (renewed by each request).
    public static func signIn(
        _ client: PostgresClient, name: String, password: String, now: Date, lifetime: TimeInterval, logger: Logger
    ) async throws -> SignInOutcome {
        var found: (role: String, store: String?, hash: String, lockedUntil: Date?)?
        for try await (role, store, hash, lockedUntil) in try await client.query(
            "SELECT role, store, password_hash, locked_until FROM backoffice_users WHERE name = \(name)", logger: logger
        ).decode((String, String?, String, Date?).self) {
            found = (role, store, hash, lockedUntil)
        }
        guard let found, let role = BackOfficeUser.Role(rawValue: found.role), let stored = PasswordHash(parsing: found.hash) else {
            // The same work as a real check, so the time taken does not tell which names exist.
            _ = decoy.matches(password)
            return .refused
        }
        if let until = found.lockedUntil, until > now { return .locked(until: until) }
        guard stored.matches(password) else {
            let edge = now.addingTimeInterval(lockoutDuration)
            var lockedUntil: Date?
            for try await until in try await client.query(
                """
                UPDATE backoffice_users SET failed_logins = failed_logins + 1,
                    locked_until = CASE WHEN failed_logins + 1 >= \(maximumFailures) THEN \(edge) ELSE NULL END
                WHERE name = \(name) RETURNING locked_until
                """, logger: logger
            ).decode(Date?.self) {
                lockedUntil = until
            }
            return lockedUntil.map { SignInOutcome.locked(until: $0) } ?? .refused
        }
        try await client.query(
            "UPDATE backoffice_users SET failed_logins = 0, locked_until = NULL WHERE name = \(name)", logger: logger)
        let token = Random.token()
        let csrf = Random.token()
        let expires = now.addingTimeInterval(lifetime)
        try await client.query(
            """
            INSERT INTO backoffice_sessions (token_hash, user_name, csrf_token, created_at, expires_at)
            VALUES (\(tokenHash(token)), \(name), \(csrf), \(now), \(expires))
            """, logger: logger)
        let user = BackOfficeUser(name: name, role: role, store: found.store)
        return .signedIn(token: token, session: BackOfficeSession(user: user, csrfToken: csrf, expiresAt: expires))
    }

    /// The session a cookie's token opens, if it has not expired; each use renews it for `lifetime`.
    public static func session(
        _ client: PostgresClient, token: String, now: Date, lifetime: TimeInterval, logger: Logger
    ) async throws -> BackOfficeSession? {
        guard token.count == 64 else { return nil }
        let expires = now.addingTimeInterval(lifetime)
        var session: BackOfficeSession?
        for try await (name, role, store, csrf) in try await client.query(
            """
            UPDATE backoffice_sessions s SET expires_at = \(expires)
            FROM backoffice_users u
            WHERE s.token_hash = \(tokenHash(token)) AND s.expires_at > \(now) AND u.name = s.user_name
            RETURNING u.name, u.role, u.store, s.csrf_token
            """, logger: logger
        ).decode((String, String, String?, String).self) {
            guard let role = BackOfficeUser.Role(rawValue: role) else { continue }
            session = BackOfficeSession(user: BackOfficeUser(name: name, role: role, store: store), csrfToken: csrf, expiresAt: expires)
        }
        return session
    }

    /// Ends a session (signing out): its row is gone, so the cookie opens nothing any more.
    public static func signOut(_ client: PostgresClient, token: String, logger: Logger) async throws {
        try await client.query("DELETE FROM backoffice_sessions WHERE token_hash = \(tokenHash(token))", logger: logger)
    }

    /// The database keeps a hash of each token: a copy of the table opens no session.
    static func tokenHash(_ token: String) -> String { Hex.string(SHA256.hash(data: Data(token.utf8))) }

    private static let decoy = PasswordHash.make(password: "decoy-password-never-used")
}

/// Compares two strings in time that depends on their lengths only.
func constantTimeEquals(_ left: String, _ right: String) -> Bool {
    let a = Array(left.utf8)
    let b = Array(right.utf8)
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
