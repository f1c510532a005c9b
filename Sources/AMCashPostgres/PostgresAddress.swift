import Foundation
import NIOSSL
public import PostgresNIO

/// Where a PostgreSQL database is, as chains write it:
/// `postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require|verify-full&sslrootcert=FILE]`.
///
/// The password is not part of a terminal's configuration: it comes from `AMCASH_BACKOFFICE_PASSWORD`
/// (or `PGPASSWORD`), or from a 0600 credentials file. A URL typed on a command line may carry one;
/// it is never printed (`description` leaves it out).
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Equatable {
        /// Plain TCP; for loopback and test clusters.
        case disable
        /// TLS when the server offers it, with the certificate verified (the default).
        case prefer
        /// TLS or no connection, the certificate verified against the system's (and `sslrootcert`'s) authorities.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Extra certificate authorities to trust (`sslrootcert`).
    public var rootCertificateFile: String?

    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String,
        tls: TLSMode = .prefer, rootCertificateFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificateFile = rootCertificateFile
    }

    /// Parses a `postgresql://` (or `postgres://`) URL. `allowPassword` is false for a terminal's
    /// configuration file, where a password must not be written.
    public init(parsing text: String, allowPassword: Bool = true) throws(PostgresAddressError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgresql" || scheme == "postgres"
        else {
            throw .malformed("\(Self.redacted(text)) is not a postgresql:// URL")
        }
        guard let host = components.host, !host.isEmpty else { throw .malformed("\(Self.redacted(text)) names no host") }
        guard let user = components.user, !user.isEmpty else {
            throw .malformed("\(Self.redacted(text)) names no user (postgresql://USER@HOST/DATABASE)")
        }
        if components.password != nil && !allowPassword {
            throw .malformed(
                "a back-office URL in the configuration must not carry a password; set AMCASH_BACKOFFICE_PASSWORD or backOfficeCredentialsFile")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty, !database.contains("/") else {
            throw .malformed("\(Self.redacted(text)) names no database (postgresql://USER@HOST/DATABASE)")
        }
        var tls = TLSMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value ?? "" {
                case "disable": tls = .disable
                case "allow", "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw .malformed("sslmode must be disable, prefer, require, verify-ca or verify-full, got \"\(item.value ?? "")\"")
                }
            case "sslrootcert": rootCertificate = item.value
            case "application_name", "connect_timeout": break
            default: throw .malformed("unknown URL parameter \"\(item.name)\"; the parameters are sslmode and sslrootcert")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, user: user, password: components.password?.removingPercentEncoding,
            database: database, tls: tls, rootCertificateFile: rootCertificate)
    }

    /// The URL without its password: safe for logs, reports and error messages.
    public var description: String {
        var text = "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        var parameters: [String] = []
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let rootCertificateFile { parameters.append("sslrootcert=\(rootCertificateFile)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// A URL as text with any password replaced, for messages about a URL that did not parse.
    static func redacted(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at else { return text }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// Takes the password from the environment or `credentialsFile` when the URL has none.
    public func withPassword(environment: [String: String], credentialsFile: String?) throws(PostgresAddressError) -> PostgresAddress {
        guard password == nil else { return self }
        return withPassword(from: try BackOfficeCredentials.load(environment: environment, file: credentialsFile), environment: environment)
    }

    /// The same, from credentials already read.
    public func withPassword(from credentials: BackOfficeCredentials, environment: [String: String]) -> PostgresAddress {
        guard password == nil else { return self }
        var copy = self
        copy.password = credentials.password ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        return copy
    }

    /// The client configuration postgres-nio needs.
    public func clientConfiguration() throws(PostgresAddressError) -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS
        switch (tls, try tlsConfiguration()) {
        case (.require, let configuration?): tlsSetting = .require(configuration)
        case (_, let configuration?): tlsSetting = .prefer(configuration)
        case (_, nil): tlsSetting = .disable
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: tlsSetting)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 8
        return configuration
    }

    /// The same, for one connection (a probe that fails fast with the server's own reason).
    public func connectionConfiguration() throws(PostgresAddressError) -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        do {
            switch (tls, try tlsConfiguration()) {
            case (.require, let configuration?): tlsSetting = .require(try NIOSSLContext(configuration: configuration))
            case (_, let configuration?): tlsSetting = .prefer(try NIOSSLContext(configuration: configuration))
            case (_, nil): tlsSetting = .disable
            }
        } catch let error as PostgresAddressError {
            throw error
        } catch {
            throw .malformed("TLS for \(self) cannot be set up: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: tlsSetting)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// nil for `sslmode=disable`; otherwise verification on, with `sslrootcert`'s authorities if given.
    private func tlsConfiguration() throws(PostgresAddressError) -> TLSConfiguration? {
        guard tls != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificateFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificateFile))
            } catch {
                throw .malformed("sslrootcert \(rootCertificateFile) cannot be read as PEM certificates")
            }
        }
        return configuration
    }
}

/// Why a PostgreSQL address or its credentials could not be used.
public enum PostgresAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case credentials(String)

    public var description: String {
        switch self {
        case .malformed(let reason), .credentials(let reason): reason
        }
    }
}
