public import Foundation

/// What the terminal's journal says about one REDEEM or REVERSE, as the reconciler needs it.
public struct TerminalRecord: Sendable, Hashable {
    /// Which journal (when several terminals are reconciled together) and which row in it.
    public struct Key: Sendable, Hashable, Comparable {
        public let journal: Int
        public let id: Int64
        public init(journal: Int, id: Int64) {
            self.journal = journal
            self.id = id
        }
        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.journal, lhs.id) < (rhs.journal, rhs.id) }
    }

    public let key: Key
    public let type: ReconciliationTransactionType
    /// Confirmed by the host (has a confirmation number), or unknown (sent, never answered).
    public let isUnknown: Bool
    public let confirmationNumber: String?
    public let traceId: String
    public let cardTerminalId: String
    /// The card as reports show it (`•••••••1234`).
    public var maskedCard: String {
        lastFour.map { String(repeating: "•", count: hiddenDigits) + $0 } ?? otherMask
    }
    /// A standard mask is kept as its last four digits (a short string, stored inline): a million rows
    /// must not hold a million copies of the bullets.
    private let lastFour: String?
    private let hiddenDigits: Int
    private let otherMask: String
    public let units: Units?
    public let miles: Miles?
    public let money: Money?
    /// The reconciliation day the terminal recorded it in.
    public let day: ProgramDay
    /// When the terminal made it. Only its distance from the cut-off matters (`timing`): a journal may
    /// give the day's start for rows outside the timing window.
    public let createdAt: Date

    public init(
        key: Key, type: ReconciliationTransactionType, isUnknown: Bool, confirmationNumber: String?, traceId: String,
        cardTerminalId: String, maskedCard: String, units: Units?, miles: Miles?, money: Money?, day: ProgramDay, createdAt: Date
    ) {
        self.key = key
        self.type = type
        self.isUnknown = isUnknown
        self.confirmationNumber = confirmationNumber
        self.traceId = traceId
        self.cardTerminalId = cardTerminalId
        let bullets = maskedCard.unicodeScalars.prefix { $0 == "•" }.count
        let rest = maskedCard.unicodeScalars.dropFirst(bullets)
        if rest.count == 4, rest.allSatisfy({ $0.isASCII && ("0"..."9").contains($0) }) {
            lastFour = String(rest)
            hiddenDigits = bullets
            otherMask = ""
        } else {
            lastFour = nil
            hiddenDigits = 0
            otherMask = maskedCard
        }
        self.units = units
        self.miles = miles
        self.money = money
        self.day = day
        self.createdAt = createdAt
    }
}

/// The classes every record and every journal row falls into.
public enum ReconciliationClass: String, Sendable, CaseIterable, Codable {
    case matched
    case missingAtHost = "missing-at-host"
    case missingAtTerminal = "missing-at-terminal"
    case amountMismatch = "amount-mismatch"
    case typeMismatch = "type-mismatch"
    case duplicate
    case timing
    case unresolved
    /// A record of a terminal the reconciliation was not given (another store's till, in a store's
    /// own reconciliation): counted, not a break.
    case otherTerminal = "other-terminal"
    /// A record of a terminal that has never forwarded a row to the chain database: one class, not
    /// thousands of "missing at terminal".
    case terminalNotForwarding = "terminal-not-forwarding"

    public var isBreak: Bool { self != .matched && self != .otherTerminal }

    public var label: String {
        switch self {
        case .matched: "matched"
        case .missingAtHost: "missing at host"
        case .missingAtTerminal: "missing at terminal"
        case .amountMismatch: "amount mismatch"
        case .typeMismatch: "type mismatch"
        case .duplicate: "duplicate"
        case .timing: "timing (across the cut-off)"
        case .unresolved: "unresolved (unknown outcome)"
        case .otherTerminal: "other terminals (not reconciled here)"
        case .terminalNotForwarding: "terminal not forwarding"
        }
    }
}

/// One classified record of the file or row of a journal.
public struct ReconciliationFinding: Sendable, Hashable {
    public let classification: ReconciliationClass
    /// The file record (1-based), when the finding is about one.
    public let recordNumber: Int?
    /// The journal row, when the finding is about one.
    public let terminalKey: TerminalRecord.Key?
    public let type: ReconciliationTransactionType
    public let confirmationNumber: String?
    public let traceId: String
    /// The terminal (sponsor + store + device) of the record or row.
    public let cardTerminalId: String
    public let maskedCard: String
    public let units: Units?
    public let miles: Miles?
    public let money: Money?
    public let note: String
    /// The journal row to mark as reconciled (matched, or matched across the cut-off).
    public let reconciles: TerminalRecord.Key?
    /// An unknown journal row the file shows as redeemed: it becomes approved with this confirmation.
    public let resolvesUnknown: Bool
    /// Still open: the row is looked for again in the next day's file.
    public let rollsForward: Bool
}

/// Totals per class: how many, how many miles, how many dollars.
public struct ReconciliationSummary: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var count = 0
        public var miles = 0
        public var cents = 0

        public init(count: Int = 0, miles: Int = 0, cents: Int = 0) {
            self.count = count
            self.miles = miles
            self.cents = cents
        }
    }

    /// One line per class, in `ReconciliationClass.allCases` order (an array: a million adds hash nothing).
    private var byClass = [Line](repeating: Line(), count: ReconciliationClass.allCases.count)

    public var lines: [ReconciliationClass: Line] {
        Dictionary(
            uniqueKeysWithValues: ReconciliationClass.allCases.enumerated().compactMap { index, name in
                byClass[index].count > 0 ? (name, byClass[index]) : nil
            })
    }

    /// The first record (or journal row) whose miles or dollars made a class's total overflow, if one
    /// did: the totals are then unusable and the file must be refused (`amcash reconcile` exits 2 naming it).
    public private(set) var overflow: String?

    mutating func add(_ finding: ReconciliationFinding) {
        let index = finding.classification.index
        // Totals of a file (or database) we do not control: an overflow is a broken input, never a trap.
        let miles = byClass[index].miles.addingReportingOverflow(finding.miles?.value ?? 0)
        let cents = byClass[index].cents.addingReportingOverflow(finding.money?.cents ?? 0)
        guard !miles.overflow, !cents.overflow else {
            if overflow == nil {
                let which = finding.recordNumber.map { "record \($0)" } ?? "the journal row of trace \(finding.traceId) (\(finding.cardTerminalId))"
                overflow =
                    "\(which) makes the \(finding.classification.label) total of \(miles.overflow ? "miles" : "dollars") too large to be a real day's"
            }
            return
        }
        byClass[index].count += 1
        byClass[index].miles = miles.partialValue
        byClass[index].cents = cents.partialValue
    }

    public subscript(_ classification: ReconciliationClass) -> Line { byClass[classification.index] }

    public var breaks: Int {
        ReconciliationClass.allCases.enumerated().reduce(0) { $0 + ($1.element.isBreak ? byClass[$1.offset].count : 0) }
    }
}

extension ReconciliationClass {
    /// The position in `allCases`.
    var index: Int {
        switch self {
        case .matched: 0
        case .missingAtHost: 1
        case .missingAtTerminal: 2
        case .amountMismatch: 3
        case .typeMismatch: 4
        case .duplicate: 5
        case .timing: 6
        case .unresolved: 7
        case .otherTerminal: 8
        case .terminalNotForwarding: 9
        }
    }
}

/// Matches the AIR MILES daily file against the terminals' journals, one file record at a time, so a
/// file of any size reconciles in memory that grows with the journals, not with the file.
///
/// Records are matched by confirmation number; a REDEEM the journal holds as unknown is found by
/// trace id and card terminal id, and becomes approved. A host record matching a journal row of the
/// next or previous day, or a journal row made in the last minutes before the cut-off and absent
/// from the file, is `timing`. A second debit for one intent, or a record repeated, is `duplicate`.
public struct Reconciler: Sendable {
    /// Which terminals' records this reconciliation answers for.
    public enum Scope: Sendable, Hashable {
        /// Every record of the file is expected in the rows given.
        case everyTerminal
        /// Only these card terminal ids (sponsor + store + device): another terminal's record is
        /// `otherTerminal` (a store's journals) or `terminalNotForwarding` (the chain database).
        case terminals(Set<String>, outside: ReconciliationClass)
    }

    public let day: ProgramDay
    public let scope: Scope
    /// How close to the 00:00 cut-off a journal row must be to count as "just across" it.
    public let timingWindow: TimeInterval
    public private(set) var summary = ReconciliationSummary()

    /// The journals' rows, in key order; the tables below hold positions in it, not copies.
    private var all: [TerminalRecord]
    private var byConfirmation: [String: Int] = [:]
    private var unknownByTrace: [TraceKey: Int] = [:]
    private var confirmedByTrace: [TraceKey: Int] = [:]
    /// Whether each row of `all` was matched by a record of the file.
    private var seen: [Bool]
    /// Confirmation numbers of this file that matched an unknown journal row by its trace (a row
    /// matched by confirmation is found again through `byConfirmation` and `seen`).
    private var matchedConfirmations: Set<String> = []

    /// A row's terminal and trace: two short strings, hashed without building a third.
    private struct TraceKey: Hashable {
        let cardTerminalId: String
        let traceId: String
    }

    /// - Parameter terminalRecords: the journals' rows of `day`, rows of earlier days not yet reconciled,
    ///   and rows of the next day's first minutes (for records just across the cut-off).
    public init(day: ProgramDay, terminalRecords: [TerminalRecord], scope: Scope = .everyTerminal, timingWindow: TimeInterval = 15 * 60) {
        self.day = day
        self.scope = scope
        self.timingWindow = timingWindow
        let ordered = zip(terminalRecords, terminalRecords.dropFirst()).allSatisfy { $0.key < $1.key }
        all = ordered ? terminalRecords : terminalRecords.sorted { $0.key < $1.key }
        seen = [Bool](repeating: false, count: all.count)
        byConfirmation.reserveCapacity(all.count)
        confirmedByTrace.reserveCapacity(all.count)
        for (index, record) in all.enumerated() {
            if let confirmation = record.confirmationNumber { byConfirmation[confirmation] = index }
            let traceKey = TraceKey(cardTerminalId: record.cardTerminalId, traceId: record.traceId)
            if record.isUnknown { unknownByTrace[traceKey] = index } else if record.type == .redeem { confirmedByTrace[traceKey] = index }
        }
    }

    /// Classifies one detail record of the file.
    public mutating func consume(_ detail: ReconciliationDetail, recordNumber: Int) -> ReconciliationFinding {
        let finding = classify(detail, recordNumber: recordNumber)
        summary.add(finding)
        return finding
    }

    private mutating func classify(_ detail: ReconciliationDetail, recordNumber: Int) -> ReconciliationFinding {
        func finding(
            _ classification: ReconciliationClass, _ note: String, terminal: TerminalRecord? = nil, reconciles: Bool = false,
            resolves: Bool = false
        ) -> ReconciliationFinding {
            // The card is masked for the report; a matched record is not reported, so its mask is not made.
            let masked =
                classification.isBreak || resolves
                ? String(repeating: "•", count: max(0, detail.collectorNumber.count - 4)) + detail.collectorNumber.suffix(4) : ""
            return ReconciliationFinding(
                classification: classification, recordNumber: recordNumber, terminalKey: terminal?.key, type: detail.type,
                confirmationNumber: detail.confirmationNumber, traceId: detail.traceId,
                cardTerminalId: detail.cardTerminalId, maskedCard: masked,
                units: detail.units, miles: detail.miles, money: detail.money, note: note,
                reconciles: reconciles ? terminal?.key : nil, resolvesUnknown: resolves, rollsForward: false)
        }
        if let index = byConfirmation[detail.confirmationNumber] {
            let terminal = all[index]
            guard !seen[index] else {
                return finding(.duplicate, "confirmation \(detail.confirmationNumber) appears more than once in the file", terminal: terminal)
            }
            seen[index] = true
            if terminal.type != detail.type {
                return finding(.typeMismatch, "the file says \(detail.type.rawValue), the journal \(terminal.type.rawValue)", terminal: terminal)
            }
            if let units = terminal.units, units != detail.units {
                return finding(.amountMismatch, "the file says \(detail.units.count) units, the journal \(units.count)", terminal: terminal)
            }
            if let miles = terminal.miles, miles != detail.miles {
                return finding(.amountMismatch, "the file says \(detail.miles.value) miles, the journal \(miles.value)", terminal: terminal)
            }
            if let money = terminal.money, money != detail.money {
                return finding(
                    .amountMismatch, "the file says $\(detail.money.decimalString), the journal $\(money.decimalString)", terminal: terminal)
            }
            if terminal.day != day {
                return finding(.timing, "the journal has it on \(terminal.day), the host on \(day)", terminal: terminal, reconciles: true)
            }
            return finding(.matched, "", terminal: terminal, reconciles: true)
        }
        if matchedConfirmations.contains(detail.confirmationNumber) {
            return finding(.duplicate, "confirmation \(detail.confirmationNumber) appears more than once in the file")
        }
        let traceKey = TraceKey(cardTerminalId: detail.cardTerminalId, traceId: detail.traceId)
        if let index = unknownByTrace[traceKey], all[index].type == detail.type, !seen[index] {
            let unknown = all[index]
            seen[index] = true
            matchedConfirmations.insert(detail.confirmationNumber)
            let resolves = detail.type == .redeem
            return finding(
                .matched, resolves ? "the journal's unknown outcome is resolved: approved" : "the host has the queued reversal",
                terminal: unknown, reconciles: true, resolves: resolves)
        }
        if detail.type == .redeem, let index = confirmedByTrace[traceKey] {
            let confirmed = all[index]
            return finding(
                .duplicate, "a second debit for trace \(detail.traceId), already confirmed as \(confirmed.confirmationNumber ?? "?")",
                terminal: confirmed)
        }
        if case .terminals(let known, let outside) = scope, !known.contains(detail.cardTerminalId) {
            return finding(
                outside,
                outside == .otherTerminal
                    ? "terminal \(detail.cardTerminalId) is not among the journals reconciled here"
                    : "terminal \(detail.cardTerminalId) has never forwarded a row to the chain database")
        }
        return finding(.missingAtTerminal, "no journal row has confirmation \(detail.confirmationNumber)")
    }

    /// Classifies the journal rows the file did not mention; call after the last record.
    public mutating func finish() -> [ReconciliationFinding] {
        var findings: [ReconciliationFinding] = []
        let end = day.reconciliationEnd
        for (index, record) in all.enumerated() where !seen[index] && record.day <= day {
            let classification: ReconciliationClass
            let note: String
            if record.isUnknown {
                classification = .unresolved
                note = "the journal never learned the outcome and the file does not show it"
            } else if record.day == day && end.timeIntervalSince(record.createdAt) <= timingWindow {
                classification = .timing
                note = "made just before the cut-off; expected in the next day's file"
            } else {
                classification = .missingAtHost
                note = record.day < day ? "carried forward from \(record.day); still not in the host's file" : "not in the host's file"
            }
            let finding = ReconciliationFinding(
                classification: classification, recordNumber: nil, terminalKey: record.key, type: record.type,
                confirmationNumber: record.confirmationNumber, traceId: record.traceId, cardTerminalId: record.cardTerminalId,
                maskedCard: record.maskedCard, units: record.units,
                miles: record.miles, money: record.money, note: note, reconciles: nil, resolvesUnknown: false, rollsForward: true)
            summary.add(finding)
            findings.append(finding)
        }
        return findings
    }
}
