import AMCashConfiguration
import Foundation

/// The back office's secrets, kept like the AIR MILES ones: in the environment
/// (`AMCASH_BACKOFFICE_PASSWORD`, `AMCASH_BACKOFFICE_CARD_KEY`) or in a TOML file only its owner may read:
///
///     password = "…"        # the database user's password
///     cardHashKey = "…"     # the chain's key for the keyed hash of collector numbers
public struct BackOfficeCredentials: Sendable, Equatable, CustomStringConvertible {
    public var password: String?
    public var cardHashKey: String?

    public init(password: String? = nil, cardHashKey: String? = nil) {
        self.password = password
        self.cardHashKey = cardHashKey
    }

    /// Never prints a secret.
    public var description: String {
        "BackOfficeCredentials(password: \(password == nil ? "none" : "set"), cardHashKey: \(cardHashKey == nil ? "none" : "set"))"
    }

    /// The environment first, then the file (if any), key by key.
    public static func load(environment: [String: String], file: String?) throws(PostgresAddressError) -> BackOfficeCredentials {
        var credentials = try file.map { path throws(PostgresAddressError) in try fromFile(path) } ?? BackOfficeCredentials()
        if let password = environment["AMCASH_BACKOFFICE_PASSWORD"], !password.isEmpty { credentials.password = password }
        if let key = environment["AMCASH_BACKOFFICE_CARD_KEY"], !key.isEmpty { credentials.cardHashKey = key }
        return credentials
    }

    /// Reads `password` and `cardHashKey` from a TOML file that only its owner may read.
    public static func fromFile(_ path: String) throws(PostgresAddressError) -> BackOfficeCredentials {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .credentials("\(path): cannot read the back-office credentials file") }
        let mode = status.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw .credentials(
                "\(path): the back-office credentials file is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        if status.st_uid != geteuid() { throw .credentials("\(path): the back-office credentials file belongs to another user") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .credentials("\(path): cannot read the back-office credentials file")
        }
        let document: TOMLDocument
        do { document = try TOMLDocument(path: path, text: text) } catch { throw .credentials(error.description) }
        for key in document.root.keys where key != "password" && key != "cardHashKey" {
            throw .credentials(document.error(at: key, "unknown key \"\(key)\"; the keys are password and cardHashKey").description)
        }
        var credentials = BackOfficeCredentials()
        for key in ["password", "cardHashKey"] where document.root.contains(key: key) {
            guard let value = document.root[key]?.string, !value.isEmpty else {
                throw .credentials(document.error(at: key, "\(key) must be a non-empty quoted string").description)
            }
            if key == "password" { credentials.password = value } else { credentials.cardHashKey = value }
        }
        return credentials
    }
}
