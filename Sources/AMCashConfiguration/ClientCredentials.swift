public import Foundation

/// The OAuth client id and secret AIR MILES issues to the partner. The secret is never printed:
/// `description` and `dump` show only the client id.
public struct ClientCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let clientId: String
    /// Read it only to build the token request.
    public let clientSecret: String

    public init(clientId: String, clientSecret: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    public var description: String { "client \(clientId) (secret hidden)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["clientId": clientId]) }

    /// The credentials the built-in CERT simulator accepts; they open nothing real.
    public static let simulator = ClientCredentials(clientId: "amcash-training", clientSecret: "cert-simulator-only")

    /// Credentials from `AMCASH_CLIENT_ID` / `AMCASH_CLIENT_SECRET`, else from `file` (which must be
    /// readable by its owner only), else an error saying how to provide them.
    public static func load(environment: [String: String], file: String?) throws(CredentialsError) -> ClientCredentials {
        let id = environment["AMCASH_CLIENT_ID"] ?? ""
        let secret = environment["AMCASH_CLIENT_SECRET"] ?? ""
        if !id.isEmpty || !secret.isEmpty {
            guard !id.isEmpty, !secret.isEmpty else { throw .halfInEnvironment }
            return ClientCredentials(clientId: id, clientSecret: secret)
        }
        guard let file else { throw .missing }
        return try fromFile(file)
    }

    /// Reads `clientId` and `clientSecret` from a TOML file that only its owner may read.
    public static func fromFile(_ path: String) throws(CredentialsError) -> ClientCredentials {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .unreadable(path) }
        let mode = status.st_mode & 0o777
        if mode & 0o077 != 0 { throw .tooOpen(path: path, mode: mode) }
        if status.st_uid != geteuid() { throw .notOwner(path) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path)
        }
        let document: TOMLDocument
        do { document = try TOMLDocument(path: path, text: text) } catch { throw .malformed(error) }
        guard let id = document.root["clientId"]?.string, !id.isEmpty else {
            throw .malformed(document.error(at: "clientId", "clientId must be a non-empty quoted string"))
        }
        guard let secret = document.root["clientSecret"]?.string, !secret.isEmpty else {
            throw .malformed(document.error(at: "clientSecret", "clientSecret must be a non-empty quoted string"))
        }
        return ClientCredentials(clientId: id, clientSecret: secret)
    }
}

/// Why the client credentials could not be had, and how to fix it.
public enum CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing
    case halfInEnvironment
    case unreadable(String)
    case tooOpen(path: String, mode: mode_t)
    case notOwner(String)
    case malformed(ConfigurationError)

    public var description: String {
        switch self {
        case .missing:
            return "no client credentials: set AMCASH_CLIENT_ID and AMCASH_CLIENT_SECRET, or credentialsFile in the terminal configuration"
        case .halfInEnvironment:
            return "set both AMCASH_CLIENT_ID and AMCASH_CLIENT_SECRET, or neither"
        case .unreadable(let path):
            return "\(path): cannot read the credentials file"
        case .tooOpen(let path, let mode):
            return "\(path): the credentials file is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)"
        case .notOwner(let path):
            return "\(path): the credentials file belongs to another user; it must be owned by the user running amcash"
        case .malformed(let error):
            return error.description
        }
    }
}
