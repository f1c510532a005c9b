import AMCashDomain
import AMCashWire
import Foundation
import TOMLKit

/// Finds and reads the terminal configuration: `--config`, then `$AMCASH_CONFIG`, then
/// `terminal.toml` in the user's configuration directory; with none of them, the built-in
/// defaults (CERT mode against the embedded simulator). Every bad value is reported with its
/// file, line and column, and unknown keys are errors, so a typo never passes silently.
public enum TerminalConfigurationLoader {
    /// Every key the file may hold, with what it means (docs/configuration.md's table is written from this).
    public static let keys: [(key: String, meaning: String)] =
        [
            ("sponsorCode", "partner code from AIR MILES, 4 letters or digits"),
            ("storeId", "the store, 4 digits"),
            ("deviceId", "this terminal, 3 digits"),
            ("vendorId", "settlement partner id, up to 35 digits"),
            ("acquirerId", "sending party id, up to 11 digits"),
            ("locale", "en-CA or fr-CA"),
            ("environment", "CERT or PROD (default: PROD for airmilesapis.ca, CERT otherwise)"),
            ("hostBaseURL", "the AIR MILES API base URL; absent = the embedded CERT simulator"),
            ("tokenURL", "the OAuth token URL (default: {hostBaseURL}/oauth/token)"),
            ("audience", "the OAuth audience (default: https://partners.loyalty.com)"),
            (
                "caFile",
                "a PEM file of extra certificate authorities to trust for the host (a training room's simulator, a corporate CA); the system's stay trusted and verification is never off"
            ),
            ("connectTimeoutMs", "connect timeout in milliseconds (default 3000)"),
            ("readTimeoutMs", "read timeout in milliseconds (default 8000)"),
            ("journalPath", "the journal database file"),
            ("credentialsFile", "a TOML file with clientId and clientSecret, mode 0600"),
            ("showBalances", "true or false: show balances on screen (default true)"),
            ("cardNumberLength", "collector-number length, 11 (default) to 19, or [min, max]"),
            ("receiptPath", "the older name of receiptPrinter (a file or a printer device); still read"),
            ("journalRetentionDays", "prune reconciled journal rows older than this many days (unreconciled rows are never pruned)"),
            (
                "idempotencyRetentionHours",
                "how long the host keeps an Idempotency-Key (ask AIR MILES; default 24): replays of an unknown REDEEM stop then, or at the 03:00 window close if earlier"
            ),
            (
                "orphanRefundMinutes",
                "the host's own refund of an orphaned redemption, in minutes (documented: 20; ask AIR MILES): an unknown REDEEM is replayed only within it, then settled by the daily file"
            ),
            (
                "requireScannerPrefix",
                "true or false: a scan counts only with the scanner's AIM symbology prefix (]C0 …), so timing alone cannot make a keyed number redeemable (default false)"
            ),
            (
                "askPreTaxAmount",
                "true or false: the console asks for the sale's pre-tax total (default false: the post-tax total is sent as originalPreTaxAmount)"
            ),
            ("theme", "the console's colour theme: a name (default, high-contrast, mono, training, or your own) or a path to a .toml file"),
            ("keymap", "the console's key bindings: a name (default, numpad, vi, or your own) or a path to a .toml file"),
            ("ascii", "true or false: draw with ASCII only (default: automatic, on for TERM=linux or a non-UTF-8 locale)"),
            ("kiosk", "true or false: kiosk mode, no quit key, leaving needs the supervisor PIN (default false)"),
            ("supervisorPinHash", "the supervisor PIN, hashed: the line `amcash hash-pin` prints"),
            ("kioskIdleSeconds", "kiosk mode: clear a collector's data from the screen after this many idle seconds (default 60)"),
            (
                "backOfficeURL",
                "the chain's back-office PostgreSQL database, postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=require&sslrootcert=FILE] with no password: the journal is forwarded there in the background"
            ),
            (
                "backOfficeCredentialsFile",
                "a TOML file with the back-office password and cardHashKey, mode 0600 (or AMCASH_BACKOFFICE_PASSWORD and AMCASH_BACKOFFICE_CARD_KEY)"
            ),
            ("backOfficeCardPolicy", "what the chain database may hold of a collector number: masked (default: the mask and a keyed hash) or full"),
            ("registerListen", "the store register's API: 127.0.0.1:PORT or unix:/path/to/socket (loopback only; absent = no register)"),
            ("registerTokenFile", "the register API's bearer token (its first line, 16 characters or more), mode 0600"),
            (
                "registerAckSeconds",
                "how long an approval of a register's sale waits for the register's acknowledgement before it is voided (default 120, 10 to 600)"
            ),
        ] + receiptKeys

    /// Which file to read, or nil for the built-in defaults.
    public static func locate(explicitPath: String?, environment: [String: String]) -> String? {
        if let explicitPath { return explicitPath }
        if let fromEnvironment = environment["AMCASH_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        let userFile = userConfigurationDirectory(environment: environment) + "/terminal.toml"
        return FileManager.default.fileExists(atPath: userFile) ? userFile : nil
    }

    /// `$XDG_CONFIG_HOME/amcash`, or `~/.config/amcash`.
    public static func userConfigurationDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/amcash" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.config/amcash"
    }

    /// Reads the configuration from `path`, or returns the built-in defaults when `path` is nil.
    public static func load(path: String?) throws(ConfigurationError) -> TerminalConfiguration {
        guard let path else { return .builtIn }
        return try parse(try ConfigurationFileText.read(path, what: "configuration file"), path: path)
    }

    /// Parses configuration text; `path` is used in messages.
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> TerminalConfiguration {
        let document = try TOMLDocument(path: path, text: text)
        let known = Set(keys.map(\.key))
        for key in document.root.keys.sorted() where !known.contains(key) {
            throw document.error(at: key, "unknown key \"\(key)\"; the keys are \(keys.map(\.key).joined(separator: ", "))")
        }
        let reader = TOMLReader(document)
        let builtIn = TerminalIdentity.training
        let sponsor = try reader.string("sponsorCode") ?? builtIn.sponsorCode
        let store = try reader.string("storeId") ?? builtIn.storeId
        let device = try reader.string("deviceId") ?? builtIn.deviceId
        let vendor = try reader.string("vendorId") ?? builtIn.vendorId
        let acquirer = try reader.string("acquirerId") ?? builtIn.acquirerId
        let identity: TerminalIdentity
        do {
            identity = try TerminalIdentity(sponsorCode: sponsor, storeId: store, deviceId: device, vendorId: vendor, acquirerId: acquirer)
        } catch {
            throw document.error(at: error.field, error.description)
        }

        var configuration = TerminalConfiguration(identity: identity, source: path)
        if let locale = try reader.string("locale") {
            guard let language = Language(rawValue: locale) else {
                throw document.error(at: "locale", "locale must be en-CA or fr-CA, got \"\(locale)\"")
            }
            configuration.language = language
        }
        try readHost(reader, into: &configuration)
        let connect = try reader.milliseconds("connectTimeoutMs") ?? HostTimeouts.standard.connect
        let read = try reader.milliseconds("readTimeoutMs") ?? HostTimeouts.standard.read
        configuration.timeouts = HostTimeouts(connect: connect, read: read)
        configuration.journalPath = try reader.string("journalPath")
        configuration.credentialsFile = try reader.string("credentialsFile")
        try readBackOffice(reader, into: &configuration)
        configuration.showBalances = try reader.bool("showBalances") ?? true
        configuration.receipt = try receiptConfiguration(document)
        if case .file(let path)? = configuration.receipt.destination { configuration.receiptPath = path }
        if case .device(let path)? = configuration.receipt.destination { configuration.receiptPath = path }
        try readRetention(reader, into: &configuration)
        configuration.askPreTaxAmount = try reader.bool("askPreTaxAmount") ?? false
        configuration.requireScannerPrefix = try reader.bool("requireScannerPrefix") ?? false
        configuration.theme = try reader.name("theme")
        configuration.keymap = try reader.name("keymap")
        configuration.ascii = try reader.bool("ascii")
        try readKiosk(reader, into: &configuration)
        try readRegister(reader, into: &configuration)
        if let lengths = try reader.lengths("cardNumberLength") {
            do { configuration.cardNumberFormat = try CollectorNumberFormat(lengths: lengths) } catch {
                throw document.error(at: "cardNumberLength", "cardNumberLength must be between 1 and 19")
            }
        }
        return configuration
    }

    /// The AIR MILES host: none (the built-in CERT simulator), or an address with its token endpoint, audience and CA.
    private static func readHost(_ reader: TOMLReader, into configuration: inout TerminalConfiguration) throws(ConfigurationError) {
        let document = reader.document
        var environment: HostEnvironment?
        if let text = try reader.string("environment") {
            guard let value = HostEnvironment(rawValue: text.uppercased()) else {
                throw document.error(at: "environment", "environment must be CERT or PROD, got \"\(text)\"")
            }
            environment = value
        }
        let baseURL = try reader.endpoint("hostBaseURL")
        let tokenURL = try reader.endpoint("tokenURL")
        let audience = try reader.string("audience")
        if let baseURL {
            configuration.host = HostSettings(
                environment: environment, baseURL: baseURL, tokenURL: tokenURL,
                audience: audience ?? HostSettings.documentedAudience)
            if let caFile = try reader.string("caFile") {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw document.error(at: "caFile", "caFile \"\(caFile)\" cannot be read")
                }
                configuration.host?.caFile = caFile
            }
        } else {
            for key in ["tokenURL", "audience", "environment", "caFile"] where document.root.contains(key: key) {
                throw document.error(
                    at: key, "\(key) is set but hostBaseURL is not; set hostBaseURL, or remove \(key) to use the built-in CERT simulator")
            }
        }
    }

    /// The chain's back office: a PostgreSQL address without a password, its credentials file and card policy.
    private static func readBackOffice(_ reader: TOMLReader, into configuration: inout TerminalConfiguration) throws(ConfigurationError) {
        let document = reader.document
        if let url = try reader.string("backOfficeURL") {
            guard let components = URLComponents(string: url), ["postgresql", "postgres"].contains(components.scheme?.lowercased() ?? ""),
                components.host?.isEmpty == false, components.user?.isEmpty == false
            else {
                throw document.error(at: "backOfficeURL", "backOfficeURL must be postgresql://USER@HOST[:PORT]/DATABASE")
            }
            guard components.password == nil else {
                throw document.error(
                    at: "backOfficeURL", "backOfficeURL must not carry a password; set AMCASH_BACKOFFICE_PASSWORD or backOfficeCredentialsFile")
            }
            configuration.backOfficeURL = url
        }
        configuration.backOfficeCredentialsFile = try reader.string("backOfficeCredentialsFile")
        if let policy = try reader.string("backOfficeCardPolicy") {
            guard policy == "masked" || policy == "full" else {
                throw document.error(at: "backOfficeCardPolicy", "backOfficeCardPolicy must be \"masked\" or \"full\", got \"\(policy)\"")
            }
            configuration.backOfficeCardPolicy = policy
        }
        for key in ["backOfficeCredentialsFile", "backOfficeCardPolicy"] where document.root.contains(key: key) && configuration.backOfficeURL == nil
        {
            throw document.error(at: key, "\(key) is set but backOfficeURL is not")
        }
    }

    /// How long the journal keeps rows, the host keeps keys, and replays may run (the orphan window).
    private static func readRetention(_ reader: TOMLReader, into configuration: inout TerminalConfiguration) throws(ConfigurationError) {
        let document = reader.document
        if let days = document.root["journalRetentionDays"] {
            guard let value = days.int, value >= 1 else {
                throw document.error(at: "journalRetentionDays", "journalRetentionDays must be a whole number of days, 1 or more")
            }
            configuration.journalRetentionDays = value
        }
        if let hours = try reader.int("idempotencyRetentionHours", in: 1...720, unit: "hours") {
            configuration.idempotencyRetentionHours = hours
        }
        if let minutes = try reader.int("orphanRefundMinutes", in: 1...1440, unit: "minutes") {
            configuration.orphanRefundMinutes = minutes
        }
    }

    /// Kiosk mode and the supervisor PIN that leaves it.
    private static func readKiosk(_ reader: TOMLReader, into configuration: inout TerminalConfiguration) throws(ConfigurationError) {
        let document = reader.document
        configuration.kiosk = try reader.bool("kiosk") ?? false
        if let text = try reader.string("supervisorPinHash") {
            do { configuration.supervisorPin = try SupervisorPinHash(parsing: text) } catch {
                throw document.error(at: "supervisorPinHash", error.message)
            }
        }
        if configuration.kiosk && configuration.supervisorPin == nil {
            throw document.error(at: "kiosk", "kiosk mode needs supervisorPinHash, or no one could leave it; make one with `amcash hash-pin`")
        }
        if let seconds = try reader.int("kioskIdleSeconds", in: 5...3600, unit: "seconds") {
            configuration.kioskIdleSeconds = seconds
        }
    }

    /// The store register's local API: its address, token file and acknowledgement deadline.
    private static func readRegister(_ reader: TOMLReader, into configuration: inout TerminalConfiguration) throws(ConfigurationError) {
        let document = reader.document
        if let listen = try reader.string("registerListen") {
            do { configuration.registerListen = try RegisterListenAddress(parsing: listen) } catch {
                throw document.error(at: "registerListen", error.description)
            }
            guard let tokenFile = try reader.string("registerTokenFile") else {
                throw document.error(at: "registerListen", "registerListen needs registerTokenFile (a file with the register's token, mode 0600)")
            }
            // Checked here, so `amcash lint` and the console's start both point at the line.
            var status = stat()
            guard stat(tokenFile, &status) == 0 else {
                throw document.error(at: "registerTokenFile", "registerTokenFile \"\(tokenFile)\" cannot be read")
            }
            guard status.st_mode & 0o077 == 0 else {
                throw document.error(
                    at: "registerTokenFile",
                    "registerTokenFile \"\(tokenFile)\" has mode \(String(status.st_mode & 0o777, radix: 8)): other users may read it; chmod 600 \(tokenFile)"
                )
            }
            configuration.registerTokenFile = tokenFile
        }
        for key in ["registerTokenFile", "registerAckSeconds"] where document.root.contains(key: key) && configuration.registerListen == nil {
            throw document.error(at: key, "\(key) is set but registerListen is not")
        }
        if let seconds = try reader.int("registerAckSeconds", in: 10...600, unit: "seconds") {
            configuration.registerAckSeconds = seconds
        }
    }
}

/// What only the terminal configuration reads: file names, timeouts, host addresses, card lengths.
extension TOMLReader {
    /// A theme or keymap: a name, or a path to a .toml file.
    func name(_ key: String) throws(ConfigurationError) -> String? {
        guard let text = try string(key) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw error(key, "\(key) must name a file, got an empty string") }
        return text
    }

    func milliseconds(_ key: String) throws(ConfigurationError) -> Duration? {
        try int(key, in: 1...600_000, unit: "milliseconds").map { .milliseconds($0) }
    }

    func endpoint(_ key: String) throws(ConfigurationError) -> HostEndpoint? {
        guard let text = try string(key) else { return nil }
        do { return try HostEndpoint(text) } catch { throw self.error(key, "\(key): \(error.description)") }
    }

    func lengths(_ key: String) throws(ConfigurationError) -> ClosedRange<Int>? {
        guard let value = table[key] else { return nil }
        if let single = value.int, single >= 1 { return single...single }
        if let pair = value.array, pair.count == 2, let low = pair[0].int, let high = pair[1].int, 1 <= low, low <= high {
            return low...high
        }
        throw error(key, "\(key) must be a number of digits (11) or a range [11, 19]")
    }
}
