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

    // A day's million rows are held at once: stored compactly (about 100 bytes a row, not 250), read
    // through the properties below.
    private let id: Int64
    private let journal: Int
    /// The reconciliation day, as days since 1970-01-01.
    private let dayNumber: Int
    public let type: ReconciliationTransactionType
    /// Confirmed by the host (has a confirmation number), or unknown (sent, never answered).
    public let isUnknown: Bool
    /// A REDEEM the journal holds as approved but never shown, voiding, or in exception: a debit nobody
    /// saw, owed back to the collector. Nil for every other row.
    public let unshown: UnshownDebit?
    /// How many bullets a standard mask has before `mask` (its last four digits); -1: `mask` is the
    /// whole, non-standard mask. A million rows must not hold a million copies of the bullets.
    private let hiddenDigits: Int8
    public let confirmationNumber: String?
    public let traceId: String
    public let cardTerminalId: String
    private let mask: String
    /// Units, miles and cents; `Int.min` when the journal has none.
    private let unitCount: Int
    private let mileCount: Int
    private let centCount: Int
    /// When the terminal made it. Only whether it is in the file's period and its distance from the
    /// period's end matter (`timing`): a journal may give the period's start for rows well inside it.
    /// Exact for a debit nobody was shown or an unknown REDEEM (its reversal window depends on it).
    public let createdAt: Date

    /// Which journal (when several terminals are reconciled together) and which row in it.
    public var key: Key { Key(journal: journal, id: id) }
    /// The card as reports show it (`•••••••1234`).
    public var maskedCard: String {
        hiddenDigits >= 0 ? String(repeating: "•", count: Int(hiddenDigits)) + mask : mask
    }
    public var units: Units? { unitCount == .min ? nil : Units(unitCount) }
    public var miles: Miles? { mileCount == .min ? nil : Miles(mileCount) }
    public var money: Money? { centCount == .min ? nil : Money(cents: centCount) }
    /// The reconciliation day the terminal recorded it in.
    public var day: ProgramDay { ProgramDay(CalendarDay(daysSinceEpoch: dayNumber)) }

    public init(
        key: Key, type: ReconciliationTransactionType, isUnknown: Bool, confirmationNumber: String?, traceId: String,
        cardTerminalId: String, maskedCard: String, units: Units?, miles: Miles?, money: Money?, day: ProgramDay, createdAt: Date,
        unshown: UnshownDebit? = nil
    ) {
        id = key.id
        journal = key.journal
        self.type = type
        self.isUnknown = isUnknown
        self.confirmationNumber = confirmationNumber
        self.traceId = traceId
        self.cardTerminalId = cardTerminalId
        // "•" is three bytes in UTF-8 (E2 80 A2): the bullets are counted on the bytes.
        let utf8 = maskedCard.utf8
        var bullets = 0
        var index = utf8.startIndex
        while let next = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex), utf8[index] == 0xE2,
            utf8[utf8.index(after: index)] == 0x80, utf8[utf8.index(index, offsetBy: 2)] == 0xA2
        {
            bullets += 1
            index = next
        }
        let rest = utf8[index...]
        if rest.count == 4, rest.allSatisfy({ (0x30...0x39).contains($0) }), bullets <= Int(Int8.max) {
            mask = String(decoding: rest, as: UTF8.self)
            hiddenDigits = Int8(bullets)
        } else {
            mask = maskedCard
            hiddenDigits = -1
        }
        unitCount = units?.count ?? .min
        mileCount = miles?.value ?? .min
        centCount = money?.cents ?? .min
        dayNumber = day.date.daysSinceEpoch
        self.createdAt = createdAt
        self.unshown = unshown
    }
}

/// Where a REDEEM nobody was shown stands in the journal: the host may hold its debit, and the money
/// rule (net debit = the discount shown) holds only once it is given back.
public enum UnshownDebit: String, Sendable, Hashable, Codable {
    /// Approved, never shown, its void not queued yet.
    case approved
    /// Its void is queued: the till's recovery sends it.
    case voidQueued = "void-queued"
    /// An exception: replays ended, its void gave up, or its window closed. Nothing retries it.
    case exception
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
    /// A debit the host holds for a REDEEM nobody was shown (approved, voiding or in exception in the
    /// journal): never "matched", whatever the numbers say.
    case unshownDebit = "unshown-debit"
    /// A record of a terminal the reconciliation was not given (another store's till, in a store's
    /// own reconciliation): counted, not a break.
    case otherTerminal = "other-terminal"
    /// A record of a terminal that has never forwarded a row to the chain database: one class, not
    /// thousands of "missing at terminal".
    case terminalNotForwarding = "terminal-not-forwarding"
    /// A REDEEM whose outcome the till never learned, made long enough before the period's end that any
    /// debit of it (or of a replay) would be in the file, and the file has none: the host never debited
    /// the collector. Settled by the file, as the money path's orphan rule promises (the till stopped
    /// replaying it after the host's orphan-refund window): not a break, nobody needs to look.
    case notDebited = "not-debited"

    public var isBreak: Bool { self != .matched && self != .otherTerminal && self != .notDebited }

    /// What a supervisor does about a break of this class, when the class alone says it.
    public var action: String? { self == .unshownDebit ? "reverse it, or credit the collector" : nil }

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
        case .unshownDebit: "unshown debit"
        case .otherTerminal: "other terminals (not reconciled here)"
        case .terminalNotForwarding: "terminal not forwarding"
        case .notDebited: "settled: never debited (unknown outcome, not in the file)"
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
    /// An unshown debit whose reversal window is still open: the journal queues its void (REVERSE of
    /// the file's confirmation number) when the findings are applied.
    public var queuesVoid = false
    /// A REDEEM of unknown outcome the file proves never debited: the journal settles it (declined,
    /// nothing redeemed) when the findings are applied.
    public var settlesNotDebited = false
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
        case .unshownDebit: 8
        case .otherTerminal: 9
        case .terminalNotForwarding: 10
        case .notDebited: 11
        }
    }
}

/// Matches the AIR MILES daily file against the terminals' journals, one file record at a time, so a
/// file of any size reconciles in memory that grows with the journals, not with the file.
///
/// The rows expected are those made in the file's period (its H2 header), not a calendar day's.
/// Records are matched by confirmation number; a REDEEM the journal holds as unknown (or in exception
/// without a number) is found by trace id and card terminal id. A debit the file shows for a REDEEM
/// nobody was shown (unknown, approved, voiding or in exception in the journal) is an unshown debit,
/// never matched; while its reversal window is open the journal queues its void. A host record
/// matching a journal row outside the period, or a journal row made in the last minutes before the
/// period's end and absent from the file, is `timing`. A second debit for one intent, a record
/// repeated, or two journal rows with one confirmation number, is `duplicate`.
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
    /// The period the file covers (H2): rows made in it are expected in the file.
    public let period: Range<Date>
    public let scope: Scope
    /// How close to the period's end a journal row must be to count as "just across" it.
    public let timingWindow: TimeInterval
    /// The host's orphan-refund window (`orphanRefundMinutes`): a REDEEM of unknown outcome made less
    /// than this before the period's end may still be debited by a replay after it (next day's file).
    public let orphanWindow: TimeInterval
    /// When the reconciliation runs: whether an unshown debit can still be reversed.
    public let now: Date
    /// Whether applying the findings queues voids (a till's journal can; the chain database cannot).
    public let queuesVoids: Bool
    public private(set) var summary = ReconciliationSummary()

    /// The journals' rows, in key order; the tables below hold positions in it, not copies.
    private var all: [TerminalRecord]
    /// Rows by confirmation number (the first of two that share one), unknown rows by terminal and
    /// trace (the last wins), confirmed REDEEMs by terminal and trace (the last wins): positions in `all`,
    /// four bytes a row, keys read back from `all`.
    private var byConfirmation: PositionIndex
    private var unknownByTrace: PositionIndex
    /// Made the first time a record is not found by its confirmation number (a clean day never needs it).
    private var confirmedByTrace: PositionIndex?
    /// Whether each row of `all` was matched by a record of the file.
    private var seen: [Bool]
    /// The row the last record matched by confirmation: a file in the journal's order finds its next
    /// row right after it, without hashing.
    private var lastMatched = -1
    /// Confirmation numbers of this file that matched an unknown journal row by its trace (a row
    /// matched by confirmation is found again through `byConfirmation` and `seen`).
    private var matchedConfirmations: Set<String> = []
    /// Confirmation numbers of this file no journal row has (breaks, so few): a repeat is a duplicate.
    private var unmatchedConfirmations: Set<String> = []
    /// Rows that share a confirmation number with an earlier row, and that row: never "last wins".
    private var duplicateRows: [(row: Int, first: Int)] = []
    /// The reconciliation day the period starts in: rows of earlier days are carried forward.
    private let firstDay: ProgramDay
    /// Unshown debits of this file, by confirmation number, held to its end (they are few): a REVERSE
    /// later in the file may show the debit given back already.
    private var held: [String: ReconciliationFinding] = [:]
    private var heldOrder: [String] = []

    /// - Parameters:
    ///   - period: the file's H2 period (default: `day`, 00:00 to 00:00 Toronto).
    ///   - terminalRecords: the journals' rows of the period, rows of earlier days not yet reconciled,
    ///     and rows of the first minutes after the period (for records just across its end).
    public init(
        day: ProgramDay, period: Range<Date>? = nil, terminalRecords: [TerminalRecord], scope: Scope = .everyTerminal,
        timingWindow: TimeInterval = 15 * 60, orphanWindow: TimeInterval = 20 * 60, now: Date = Date(), queuesVoids: Bool = true
    ) {
        self.day = day
        let period = period ?? day.reconciliationStart..<day.reconciliationEnd
        self.period = period
        firstDay = ProgramDay.reconciliationDay(at: period.lowerBound)
        self.scope = scope
        self.timingWindow = timingWindow
        self.orphanWindow = orphanWindow
        self.now = now
        self.queuesVoids = queuesVoids
        let ordered = zip(terminalRecords, terminalRecords.dropFirst()).allSatisfy { $0.key < $1.key }
        all = ordered ? terminalRecords : terminalRecords.sorted { $0.key < $1.key }
        seen = [Bool](repeating: false, count: all.count)
        let unknowns = all.reduce(0) { $0 + ($1.isUnknown ? 1 : 0) }
        byConfirmation = PositionIndex(count: all.count - unknowns)
        unknownByTrace = PositionIndex(count: unknowns)
        let rows = all
        for (index, record) in rows.enumerated() {
            if let confirmation = record.confirmationNumber {
                let first = byConfirmation.store(index, byConfirmation.hash(confirmation), replace: false) {
                    rows[$0].confirmationNumber == confirmation
                }
                if let first {
                    // Reported by `finish`, never matched: which of the two the host means is for a person to say.
                    duplicateRows.append((index, first))
                    seen[index] = true
                }
            }
            if record.isUnknown {
                unknownByTrace.store(index, unknownByTrace.hash(record.cardTerminalId, record.traceId)) {
                    rows[$0].traceId == record.traceId && rows[$0].cardTerminalId == record.cardTerminalId
                }
            }
        }
    }

    /// Confirmed REDEEM rows by terminal and trace (the last wins), made on first use.
    private mutating func confirmedTraces() -> PositionIndex {
        if let confirmedByTrace { return confirmedByTrace }
        let rows = all
        var made = PositionIndex(count: rows.count)
        for (index, record) in rows.enumerated() where !record.isUnknown && record.type == .redeem {
            made.store(index, made.hash(record.cardTerminalId, record.traceId)) {
                rows[$0].traceId == record.traceId && rows[$0].cardTerminalId == record.cardTerminalId
            }
        }
        confirmedByTrace = made
        return made
    }

    /// Classifies one detail record of the file. An unshown debit is held (nil) and given by `finish`:
    /// a REVERSE later in the file may show it given back, and then it is matched, not voided again.
    public mutating func consume(_ detail: ReconciliationDetail, recordNumber: Int) -> ReconciliationFinding? {
        let finding = classify(detail, recordNumber: recordNumber)
        if finding.classification == .unshownDebit {
            if held.updateValue(finding, forKey: detail.confirmationNumber) == nil { heldOrder.append(detail.confirmationNumber) }
            return nil
        }
        if detail.type == .reverse, let original = detail.originalConfirmationNumber, let debit = held[original],
            debit.classification == .unshownDebit
        {
            held[original] = ReconciliationFinding(
                classification: .matched, recordNumber: debit.recordNumber, terminalKey: debit.terminalKey, type: debit.type,
                confirmationNumber: debit.confirmationNumber, traceId: debit.traceId, cardTerminalId: debit.cardTerminalId,
                maskedCard: debit.maskedCard, units: debit.units, miles: debit.miles, money: debit.money,
                note: "the file shows it given back (record \(recordNumber))", reconciles: debit.terminalKey, resolvesUnknown: false,
                rollsForward: false)
        }
        summary.add(finding)
        return finding
    }

    /// Whether a row was made in the file's period (a row of an earlier day carried forward is not).
    private func inPeriod(_ record: TerminalRecord) -> Bool { record.day >= firstDay && period.contains(record.createdAt) }

    private mutating func classify(_ detail: ReconciliationDetail, recordNumber: Int) -> ReconciliationFinding {
        // Sponsor + store + device, joined once a record.
        let cardTerminalId = detail.cardTerminalId
        func finding(
            _ classification: ReconciliationClass, _ note: String, terminal: TerminalRecord? = nil, reconciles: Bool = false,
            resolves: Bool = false, queuesVoid: Bool = false
        ) -> ReconciliationFinding {
            // The card is masked for the report; a matched record is not reported, so its mask is not made.
            let masked =
                classification.isBreak || resolves
                ? String(repeating: "•", count: max(0, detail.collectorNumber.count - 4)) + detail.collectorNumber.suffix(4) : ""
            return ReconciliationFinding(
                classification: classification, recordNumber: recordNumber, terminalKey: terminal?.key, type: detail.type,
                confirmationNumber: detail.confirmationNumber, traceId: detail.traceId,
                cardTerminalId: cardTerminalId, maskedCard: masked,
                units: detail.units, miles: detail.miles, money: detail.money, note: note,
                reconciles: reconciles ? terminal?.key : nil, resolvesUnknown: resolves,
                rollsForward: classification == .unshownDebit && !reconciles, queuesVoid: queuesVoid)
        }
        /// The host holds a debit for a REDEEM nobody was shown: a break, with what is done about it.
        func unshownDebit(_ row: TerminalRecord) -> ReconciliationFinding {
            let closes = ReversalWindow.closes(forRedemptionAt: row.createdAt)
            let open = now < closes
            let stands = "a debit nobody was shown (journal: \(row.unshown?.rawValue ?? "unknown outcome"))"
            let action = ReconciliationClass.unshownDebit.action ?? ""
            let queues = open && queuesVoids && row.unshown != .voidQueued
            let note: String
            if row.unshown == .voidQueued && open {
                note = "\(stands): the till sends its void until \(TorontoTime.iso8601(closes)); if it fails, \(action)"
            } else if queues {
                note =
                    "\(stands): \(action). The reversal window is open until \(TorontoTime.iso8601(closes)): "
                    + "its void (REVERSE of \(detail.confirmationNumber)) is queued in the journal"
            } else if open {
                note = "\(stands): \(action) (reverse it at the till before \(TorontoTime.iso8601(closes)))"
            } else {
                note = "\(stands): \(action). The reversal window closed at \(TorontoTime.iso8601(closes))"
            }
            // Kept open (reported again each night) while nothing will give it back.
            let reconciles = row.unshown == .exception ? queues : (open || !queuesVoids)
            return finding(.unshownDebit, note, terminal: row, reconciles: reconciles, resolves: row.isUnknown, queuesVoid: queues)
        }
        let rows = all
        let next = lastMatched + 1
        // The row after the last one matched, when it has this confirmation and was not seen: the one the index
        // holds for it (a second row with a number is marked seen at the start, so an unseen one is the first).
        let following = next < rows.count && !seen[next] && rows[next].confirmationNumber == detail.confirmationNumber ? next : nil
        if let index = following
            ?? byConfirmation.find(
                byConfirmation.hash(detail.confirmationNumber), matches: { rows[$0].confirmationNumber == detail.confirmationNumber })
        {
            lastMatched = index
            let terminal = all[index]
            guard !seen[index] else {
                return finding(.duplicate, "confirmation \(detail.confirmationNumber) appears more than once in the file", terminal: terminal)
            }
            seen[index] = true
            if terminal.type != detail.type {
                return finding(.typeMismatch, "the file says \(detail.type.rawValue), the journal \(terminal.type.rawValue)", terminal: terminal)
            }
            if terminal.type == .redeem && terminal.unshown != nil { return unshownDebit(terminal) }
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
            if !inPeriod(terminal) {
                return finding(
                    .timing, "the journal has it on \(terminal.day), outside the file's period", terminal: terminal, reconciles: true)
            }
            return finding(.matched, "", terminal: terminal, reconciles: true)
        }
        if matchedConfirmations.contains(detail.confirmationNumber) {
            return finding(.duplicate, "confirmation \(detail.confirmationNumber) appears more than once in the file")
        }
        func sameTrace(_ index: Int) -> Bool { rows[index].traceId == detail.traceId && rows[index].cardTerminalId == cardTerminalId }
        if let index = unknownByTrace.find(unknownByTrace.hash(cardTerminalId, detail.traceId), matches: sameTrace), all[index].type == detail.type,
            !seen[index]
        {
            let unknown = all[index]
            seen[index] = true
            matchedConfirmations.insert(detail.confirmationNumber)
            if detail.type == .redeem { return unshownDebit(unknown) }
            // A reversal the journal never confirmed (queued, or in exception): the host applied it.
            return finding(.matched, "the host has the queued reversal", terminal: unknown, reconciles: true)
        }
        let confirmedByTrace = detail.type == .redeem ? confirmedTraces() : nil
        if let confirmedByTrace, let index = confirmedByTrace.find(confirmedByTrace.hash(cardTerminalId, detail.traceId), matches: sameTrace) {
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
        guard unmatchedConfirmations.insert(detail.confirmationNumber).inserted else {
            return finding(.duplicate, "confirmation \(detail.confirmationNumber) appears more than once in the file")
        }
        return finding(.missingAtTerminal, "no journal row has confirmation \(detail.confirmationNumber)")
    }

    /// The unshown debits held back (each record's finding), then the journal rows the file did not
    /// mention; call after the last record.
    public mutating func finish() -> [ReconciliationFinding] {
        var findings: [ReconciliationFinding] = []
        for confirmation in heldOrder {
            guard let finding = held[confirmation] else { continue }
            summary.add(finding)
            findings.append(finding)
        }
        (held, heldOrder) = ([:], [])
        func add(_ record: TerminalRecord, _ classification: ReconciliationClass, _ note: String) {
            let settles = classification == .notDebited
            var finding = ReconciliationFinding(
                classification: classification, recordNumber: nil, terminalKey: record.key, type: record.type,
                confirmationNumber: record.confirmationNumber, traceId: record.traceId, cardTerminalId: record.cardTerminalId,
                maskedCard: record.maskedCard, units: record.units,
                miles: record.miles, money: record.money, note: note, reconciles: settles ? record.key : nil, resolvesUnknown: false,
                rollsForward: !settles)
            finding.settlesNotDebited = settles
            summary.add(finding)
            findings.append(finding)
        }
        let end = period.upperBound
        for (index, record) in all.enumerated() where !seen[index] && record.createdAt < end {
            let carried = record.day < firstDay
            // A row of the period's first day made before a partial (resubmitted) period: not this file's.
            if !carried && record.createdAt < period.lowerBound { continue }
            if record.isUnknown && record.type == .redeem {
                // Replays stop at the orphan window's end, so a row made before `end - window` cannot be
                // debited after the period: the file has every debit it will ever have.
                if !carried && end.timeIntervalSince(record.createdAt) < max(timingWindow, orphanWindow) {
                    add(record, .timing, "outcome unknown, made just before the cut-off: any debit of it is expected in the next day's file")
                } else {
                    add(record, .notDebited, "the journal never learned the outcome and the file shows no debit: nothing was redeemed")
                }
            } else if record.isUnknown {
                add(record, .unresolved, "the journal never learned the outcome and the file does not show it")
            } else if carried && record.type == .redeem && record.unshown == .exception {
                add(
                    record, .unshownDebit,
                    "carried forward from \(record.day): a debit nobody was shown, in exception: "
                        + (ReconciliationClass.unshownDebit.action ?? ""))
            } else if !carried && end.timeIntervalSince(record.createdAt) <= timingWindow {
                add(record, .timing, "made just before the cut-off; expected in the next day's file")
            } else {
                add(record, .missingAtHost, carried ? "carried forward from \(record.day); still not in the host's file" : "not in the host's file")
            }
        }
        for (row, first) in duplicateRows {
            add(
                all[row], .duplicate,
                "journal rows \(all[first].key.id) and \(all[row].key.id) have one confirmation number: which one the host means is for a person to say"
            )
        }
        return findings
    }
}
