public import AMCashDomain
public import AMCashWire
public import ReceiptPrinting

/// One test card as the help screen lists it in CERT mode: its number, the situation it shows and
/// what a trainee sees, in both languages.
public struct TestCollectorLine: Sendable, Hashable {
    public let number: String
    public let situation: String
    public let summary: LocalizedText

    public init(number: String, situation: String, summary: LocalizedText) {
        self.number = number
        self.situation = situation
        self.summary = summary
    }
}

/// What does not change while the console runs: who the terminal is and how it behaves.
public struct ConsoleSettings: Sendable, Equatable {
    /// "CERT" or "PROD".
    public var environment: HostEnvironment
    /// Talking to the built-in simulator (training).
    public var builtInSimulator: Bool
    public var identity: TerminalIdentity
    public var showBalances: Bool
    public var cardFormat: CollectorNumberFormat
    public var language: Language
    /// Shown in help in CERT mode: number, situation, what a trainee sees.
    public var testCollectors: [TestCollectorLine]
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

    public init(
        environment: HostEnvironment = .cert, builtInSimulator: Bool = true, identity: TerminalIdentity = .training,
        showBalances: Bool = true, cardFormat: CollectorNumberFormat = .standard, language: Language = .english,
        testCollectors: [TestCollectorLine] = [], scannerGap: Int64 = 35,
        scannerMinimumLength: Int = 8, echoInterval: Int = 60, keymap: Keymap = .standard, kiosk: Bool = false,
        kioskIdleSeconds: Int = 60, askPreTaxAmount: Bool = false, requireScannerPrefix: Bool = false
    ) {
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

/// Whether the host answered the last ECHO.
public enum Connection: Hashable, Sendable { case unknown, up, down }

/// The status line's facts: the host, the journal's open rows, recovery, the clock.
public struct StatusLine: Hashable, Sendable {
    public var connection: Connection = .unknown
    /// Journal rows whose outcome is still open.
    public var pending = 0
    /// Recovery is resolving open rows right now.
    public var resolving = false
    /// The wall clock as the status line shows it (HH:mm); it arrives as a message.
    public var clock = ""
    public var secondsSinceEcho = 0
    /// What the receipt printer last said was wrong (nil: nothing known to be wrong); never blocks a sale.
    public var printer: PrinterProblem?
    /// Receipts that did not print, kept in the journal until `R` reprints them.
    public var unprintedReceipts = 0
}

/// Kiosk mode's guard on leaving: wrong PINs, lockouts (which survive a restart), idle time.
public struct KioskGuard: Hashable, Sendable {
    public var pinFailures = 0
    /// Seconds before another PIN may be tried, after too many wrong ones.
    public var pinLockSeconds = 0
    /// Lockouts so far: each one lasts twice as long as the one before (30 s, 1 min, 2 min … at most 1 h).
    public var pinLockouts = 0
    /// Seconds since the last key.
    public var idleSeconds = 0
}

/// The fast run of keys that may be a scanner's: which field it fell into and how much of it went there.
public struct ScannerBurst: Hashable, Sendable {
    var text = ""
    var field: ReadyField?
    /// How many of the burst's characters went into that field (a field may refuse some).
    var appended = 0
    var lastKeyAt: Int64?

    mutating func restart(in field: ReadyField?) {
        text = ""
        self.field = field
        appended = 0
    }
}

/// All the console's state, in one value. Only `update` changes it; `view` draws it. What a screen
/// needs lives in its `Screen` case, so no screen can be shown without its data; a new sale is a new
/// `ReadyForm`, not a list of fields reset by hand.
public struct Model: Sendable, Equatable {
    public let settings: ConsoleSettings
    /// The screen of the sale or the reversal.
    public var screen: Screen = .ready(ReadyForm())
    /// Help, history and the supervisor PIN over `screen`, the last on top.
    public var overlays: [Overlay] = []
    public var language: Language
    public var status = StatusLine()
    public var kiosk = KioskGuard()
    public var columns = 80
    public var rows = 24
    public var quit = false
    /// `amcash train`: the exercise under way (nil at a till).
    public var training: TrainingState?
    /// The sale on screen came from the store's register (nil: typed at the till).
    public var register: RegisterSaleOrigin?
    /// A register's sale that arrived while the cashier was busy: it starts with the next new sale.
    public var registerWaiting: RegisterSaleOrigin?
    /// What the register last did that the cashier must know (cancelled, applied, voided).
    public var registerNotice: LocalizedText?
    /// Register sales approved and not yet acknowledged, by saleId: what each earns once the register
    /// applies its discount (a voided one never earns here). Kept past a new sale: the ack may come later.
    public var registerEarnings: [String: EarningRequest] = [:]
    var scanner = ScannerBurst()

    public init(settings: ConsoleSettings) {
        self.settings = settings
        language = settings.language
        // A lockout survives a restart: pulling the plug does not buy more guesses.
        kiosk.pinLockSeconds = settings.pinLockoutRemaining
        kiosk.pinLockouts = settings.pinLockouts
    }

    /// The compact layout below 80×24.
    public var isCompact: Bool { columns < 80 || rows < 24 }

    /// Which screen the cashier sees: the top overlay, else the sale's screen.
    public var kind: ScreenKind { overlays.last?.kind ?? screen.kind }

    /// The keymap context the visible screen reads keys from (then `global`'s); nil while waiting on the host.
    public var keyContext: KeyContext? {
        if let training, training.coversTheTill { return training.keyContext }
        return overlays.last?.keyContext ?? screen.keyContext
    }

    /// Ends whatever is on screen and starts a new sale, in the terminal's language.
    /// A register's sale that was waiting starts now, with its basket filled in.
    mutating func startNewSale() {
        screen = .ready(ReadyForm())
        overlays = []
        language = settings.language
        scanner.restart(in: .basket)
        registerNotice = nil
        register = registerWaiting
        registerWaiting = nil
        if let register {
            screen = .ready(RegisterSaleScreen.form(register))
            language = register.language ?? settings.language
            scanner.restart(in: .card)
        }
    }
}
