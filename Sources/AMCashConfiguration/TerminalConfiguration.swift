public import AMCashDomain
public import AMCashWire
import Foundation

/// Everything a terminal needs to know about itself and the host it talks to. With no host
/// configured (`host == nil`) the terminal runs in CERT mode against the built-in simulator.
public struct TerminalConfiguration: Sendable {
    public var identity: TerminalIdentity
    /// The default language for the cashier and the collector (`locale`).
    public var language: Language
    /// The AIR MILES host; nil means the embedded CERT simulator.
    public var host: HostSettings?
    public var timeouts: HostTimeouts
    /// The journal database (`journalPath`); nil means the default place.
    public var journalPath: String?
    /// A TOML file holding `clientId` and `clientSecret`, readable by its owner only.
    public var credentialsFile: String?
    /// Whether the console shows balances on screen (`showBalances`); some partners print them only.
    public var showBalances: Bool
    /// Which collector-number lengths cards may have (`cardNumberLength`, 11 by default).
    public var cardNumberFormat: CollectorNumberFormat
    /// The file this came from, for messages; nil for the built-in defaults.
    public var source: String?
    /// Where receipts go (`receiptPath`): a file, or a printer device such as /dev/usb/lp0.
    public var receiptPath: String?
    /// The receipt printer (`receiptPrinter`, `receiptFormat`, `receiptColumns`, `receiptCodePage`, `receiptBarcode`, `receiptBaud`).
    public var receipt = ReceiptConfiguration()
    /// Reconciled journal rows older than this many days are pruned at start (`journalRetentionDays`); nil keeps them.
    public var journalRetentionDays: Int?
    /// How long the host keeps an idempotency key (`idempotencyRetentionHours`): replays of an unknown
    /// REDEEM stop then (or when the reversal window closes, if earlier) and the row is an exception.
    public var idempotencyRetentionHours = 24
    /// The host's refund of orphaned redemptions (`orphanRefundMinutes`, documented as 20): an unknown
    /// REDEEM is replayed only within it (a later replay could only debit anew); the daily file settles it.
    public var orphanRefundMinutes = 20
    /// Whether the console asks for the sale's pre-tax total (`askPreTaxAmount`).
    public var askPreTaxAmount = false
    /// Whether a scan needs the scanner's symbology prefix (`requireScannerPrefix`).
    public var requireScannerPrefix = false
    /// The console's colour theme (`theme`): a name in the theme folders, or a path to a .toml file.
    public var theme: String?
    /// The console's key bindings (`keymap`): a name in the keymap folders, or a path to a .toml file.
    public var keymap: String?
    /// Draw with ASCII only (`ascii`); nil decides from TERM and the locale.
    public var ascii: Bool?
    /// Kiosk mode (`kiosk`): no quit key; leaving needs the supervisor PIN.
    public var kiosk = false
    /// The supervisor PIN's hash (`supervisorPinHash`), needed by kiosk mode.
    public var supervisorPin: SupervisorPinHash?
    /// In kiosk mode, a collector's data leaves the screen after this many idle seconds (`kioskIdleSeconds`).
    public var kioskIdleSeconds = 60
    /// The chain's back-office database (`backOfficeURL`, postgresql://USER@HOST/DB, no password): the
    /// journal's rows are forwarded there in the background. Nil: no forwarding.
    public var backOfficeURL: String?
    /// A TOML file with the database `password` and the `cardHashKey`, mode 0600 (`backOfficeCredentialsFile`).
    public var backOfficeCredentialsFile: String?
    /// What the chain database may hold of a card (`backOfficeCardPolicy`): "masked" (default) or "full".
    public var backOfficeCardPolicy = "masked"
    /// Where the store register's API listens (`registerListen`); nil: no register, the console as before.
    public var registerListen: RegisterListenAddress?
    /// The register's bearer token, in a file of its owner's alone (`registerTokenFile`, mode 0600).
    public var registerTokenFile: String?
    /// How long an approval of a register's sale waits for the register's acknowledgement before it is
    /// voided (`registerAckSeconds`, default 120).
    public var registerAckSeconds = 120

    public init(
        identity: TerminalIdentity = .training, language: Language = .english, host: HostSettings? = nil,
        timeouts: HostTimeouts = .standard, journalPath: String? = nil, credentialsFile: String? = nil,
        showBalances: Bool = true, cardNumberFormat: CollectorNumberFormat = .standard, source: String? = nil
    ) {
        self.identity = identity
        self.language = language
        self.host = host
        self.timeouts = timeouts
        self.journalPath = journalPath
        self.credentialsFile = credentialsFile
        self.showBalances = showBalances
        self.cardNumberFormat = cardNumberFormat
        self.source = source
    }

    /// The built-in defaults: the training terminal, CERT mode, the embedded simulator.
    public static let builtIn = TerminalConfiguration()

    /// CERT or PROD: the embedded simulator is always CERT.
    public var environment: HostEnvironment { host?.environment ?? .cert }
}

/// The AIR MILES host: where the API lives, where tokens come from, and for which audience.
public struct HostSettings: Sendable, Hashable {
    public var environment: HostEnvironment
    public var baseURL: HostEndpoint
    /// The OAuth token URL (`tokenURL`); by default `{baseURL}/oauth/token`.
    public var tokenURL: HostEndpoint
    /// The OAuth audience (`audience`); documented as https://partners.loyalty.com.
    public var audience: String
    /// Extra certificate authorities to trust (`caFile`, PEM), beside the system's.
    public var caFile: String?

    public static let documentedAudience = "https://partners.loyalty.com"

    public init(
        environment: HostEnvironment? = nil, baseURL: HostEndpoint, tokenURL: HostEndpoint? = nil,
        audience: String = HostSettings.documentedAudience
    ) {
        self.baseURL = baseURL
        self.tokenURL = tokenURL ?? (try! HostEndpoint(baseURL.url(for: "/oauth/token")))
        self.audience = audience
        self.environment = environment ?? (baseURL.url.host?.lowercased() == "airmilesapis.ca" ? .prod : .cert)
    }
}

/// How long to wait for the host. The host answers within 7 s; the read timeout is 8 s.
public struct HostTimeouts: Sendable, Hashable {
    public var connect: Duration
    public var read: Duration

    public static let standard = HostTimeouts(connect: .seconds(3), read: .seconds(8))

    public init(connect: Duration, read: Duration) {
        self.connect = connect
        self.read = read
    }
}
