public import AMCashAPI
public import AMCashDomain

/// What does not change while the console runs: who the terminal is and how it behaves.
public struct ConsoleSettings: Sendable {
    /// "CERT" or "PROD".
    public var environment: HostEnvironment
    /// Talking to the built-in simulator (training).
    public var builtInSimulator: Bool
    public var identity: TerminalIdentity
    public var showBalances: Bool
    public var cardFormat: CollectorNumberFormat
    public var language: Language
    /// Shown in help in CERT mode: number, situation, what a trainee sees.
    public var testCollectors: [(number: String, situation: String, summary: String)]
    /// Keys closer together than this (ms) are a scanner's burst.
    public var scannerGap: Int64
    /// The fewest characters a scan has.
    public var scannerMinimumLength: Int
    /// Seconds between ECHOs when idle.
    public var echoInterval: Int
    /// Which key does what; the legend and the help screen are drawn from it.
    public var keymap: Keymap
    /// Kiosk mode: the quit key asks for the supervisor PIN, and idle screens forget the collector.
    public var kiosk: Bool
    /// Kiosk mode: seconds without a key before a collector's data leaves the screen.
    public var kioskIdleSeconds: Int
    /// Ask for the sale's pre-tax total (`askPreTaxAmount`); otherwise the post-tax total is sent for it.
    public var askPreTaxAmount: Bool
    /// A scan counts only with the scanner's symbology prefix (`requireScannerPrefix`): timing alone
    /// cannot make a keyed number (or a keyboard macro) redeemable.
    public var requireScannerPrefix: Bool
    /// Kiosk mode: the supervisor lockout left from an earlier run (seconds) and how many there were.
    public var pinLockoutRemaining = 0
    public var pinLockouts = 0

    public init(environment: HostEnvironment = .cert, builtInSimulator: Bool = true, identity: TerminalIdentity = .training,
                showBalances: Bool = true, cardFormat: CollectorNumberFormat = .standard, language: Language = .english,
                testCollectors: [(number: String, situation: String, summary: String)] = [], scannerGap: Int64 = 35,
                scannerMinimumLength: Int = 8, echoInterval: Int = 60, keymap: Keymap = .standard, kiosk: Bool = false,
                kioskIdleSeconds: Int = 60, askPreTaxAmount: Bool = false, requireScannerPrefix: Bool = false) {
        self.environment = environment
        self.builtInSimulator = builtInSimulator
        self.identity = identity
        self.showBalances = showBalances
        self.cardFormat = cardFormat
        self.language = language
        self.testCollectors = testCollectors
        self.scannerGap = scannerGap
        self.scannerMinimumLength = scannerMinimumLength
        self.echoInterval = echoInterval
        self.keymap = keymap
        self.kiosk = kiosk
        self.kioskIdleSeconds = kioskIdleSeconds
        self.askPreTaxAmount = askPreTaxAmount
        self.requireScannerPrefix = requireScannerPrefix
    }

    /// Whether a fast burst ending in Enter is a scan: with `requireScannerPrefix`, only one that starts
    /// with the AIM symbology identifier (`]C0`, `]E0`, …).
    public func isScan(_ burst: String) -> Bool { !requireScannerPrefix || burst.hasPrefix("]") }

    /// The ready screen's fields, in Tab order.
    public var readyFields: [ReadyField] { askPreTaxAmount ? [.basket, .preTax, .card] : [.basket, .card] }

    public var isTraining: Bool { environment == .cert }
}

/// The screens of the console.
public enum Screen: Hashable, Sendable {
    case ready, lookingUp, offer, confirm, redeeming, result
    case reverseList, reverseConfirm, reversing, reverseResult
    case history, help
    /// Kiosk mode: the supervisor types the PIN to leave.
    case supervisor

    /// The keymap context whose keys this screen reads (then `global`'s); nil while waiting on the host.
    public var keyContext: KeyContext? {
        switch self {
        case .ready: .card
        case .lookingUp: .lookup
        case .offer: .offer
        case .confirm, .reverseConfirm: .confirm
        case .result, .reverseResult: .result
        case .reverseList: .reverse
        case .history, .help: .dialog
        case .supervisor: .supervisor
        case .redeeming, .reversing: nil
        }
    }
}

/// The field the cursor is in on the ready screen.
public enum ReadyField: Hashable, Sendable { case basket, preTax, card }

/// How the last REDEEM ended, as the result screen shows it.
public enum RedemptionOutcome: Hashable, Sendable {
    case approved(RedemptionApproval, Balances)
    case declined(ResponseCodeMeaning, hostMessage: String?)
    case notSent(LocalizedText)
    case unknown(traceId: String)
}

/// How the last REVERSE ended.
public enum ReversalOutcome: Hashable, Sendable {
    case reversed(confirmation: String?, original: String)
    case queued(original: String)
    case exception(original: String, reason: String)
}

/// A redemption that can still be reversed, as the reverse screen lists it.
public struct ReversibleItem: Hashable, Sendable {
    public let journalId: Int64
    public let confirmationNumber: String
    public let card: CardRead
    public let maskedCard: String
    public let money: Money
    public let time: String

    public init(journalId: Int64, confirmationNumber: String, card: CardRead, maskedCard: String, money: Money, time: String) {
        self.journalId = journalId
        self.confirmationNumber = confirmationNumber
        self.card = card
        self.maskedCard = maskedCard
        self.money = money
        self.time = time
    }
}

/// One line of the history screen.
public struct HistoryLine: Hashable, Sendable {
    public let time: String
    public let kind: String
    public let maskedCard: String
    public let state: String
    public let money: Money?
    public let confirmationNumber: String?

    public init(time: String, kind: String, maskedCard: String, state: String, money: Money?, confirmationNumber: String?) {
        self.time = time
        self.kind = kind
        self.maskedCard = maskedCard
        self.state = state
        self.money = money
        self.confirmationNumber = confirmationNumber
    }
}

/// Whether the host answered the last ECHO.
public enum Connection: Hashable, Sendable { case unknown, up, down }

/// All the console's state, in one value. Only `update` changes it; `view` draws it.
public struct Model: Sendable {
    public let settings: ConsoleSettings
    public var screen: Screen = .ready
    public var language: Language

    // Ready
    public var focus: ReadyField = .basket
    public var basketText = ""
    /// The pre-tax total as typed (only when the configuration asks for it).
    public var preTaxText = ""
    public var cardText = ""
    public var notice: LocalizedText?

    // The sale
    public var basket: Money?
    public var preTax: Money?
    public var card: CardRead?
    public var inquiry: InquiryReply?
    public var choice: RedemptionChoice?
    public var redemption: RedemptionOutcome?
    /// The trace of an APPROVED result not yet drawn: once drawn, the journal marks it shown.
    public var approvalToMark: String?
    public var receipt: [String] = []
    /// The result screen shows the receipt text instead of the summary (key R).
    public var showingReceipt = false

    // Reversal
    public var reversible: [ReversibleItem] = []
    public var selected = 0
    /// Characters of a confirmation number typed on the reverse screen; the list shows the matches.
    public var reverseQuery = ""
    public var reversal: ReversalOutcome?

    /// The reversible redemptions the typed confirmation number matches (all of them with nothing typed).
    public var reverseMatches: [ReversibleItem] {
        guard !reverseQuery.isEmpty else { return reversible }
        return reversible.filter { $0.confirmationNumber.uppercased().contains(reverseQuery.uppercased()) }
    }

    // History and help
    public var history: [HistoryLine] = []
    /// The screens under the open overlays (help, history, the supervisor PIN), the last on top.
    public var returnScreens: [Screen] = []

    // Kiosk
    /// The digits of the supervisor PIN typed so far (never shown, never logged).
    public var pinText = ""
    /// The PIN is being checked (off the key loop: hashing takes a moment).
    public var checkingPin = false
    public var pinFailures = 0
    /// Seconds before another PIN may be tried, after too many wrong ones.
    public var pinLockSeconds = 0
    /// Lockouts so far: each one lasts twice as long as the one before (30 s, 1 min, 2 min … at most 1 h).
    public var pinLockouts = 0
    /// Seconds since the last key.
    public var idleSeconds = 0

    // Status line
    public var connection: Connection = .unknown
    public var pending = 0
    public var resolving = false
    public var clock = ""
    public var secondsSinceEcho = 0

    public var columns = 80
    public var rows = 24
    public var quit = false

    // Scanner detection: the fast run of keys that may be a scan.
    var burst = ""
    var burstField: ReadyField?
    /// How many of the burst's characters went into that field (a field may refuse some).
    var burstAppended = 0
    var lastKeyAt: Int64?

    public init(settings: ConsoleSettings) {
        self.settings = settings
        language = settings.language
        // A lockout survives a restart: pulling the plug does not buy more guesses.
        pinLockSeconds = settings.pinLockoutRemaining
        pinLockouts = settings.pinLockouts
    }

    /// The compact layout below 80×24.
    public var isCompact: Bool { columns < 80 || rows < 24 }
}
