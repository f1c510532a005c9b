import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashWire
import ArgumentParser
import Foundation

/// `amcash journal`: what this terminal redeemed and reversed, with states and totals.
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal", abstract: "List the terminal's journaled transactions and the day's totals.",
        discussion:
            "Read-only: it never sends anything (other commands and the console resolve pending rows). Cards are masked. Days are reconciliation days: 00:00 to 00:00 Toronto time."
    )

    @OptionGroup var host: HostOptions

    @Option(name: .long, help: "The day to list, YYYY-MM-DD (default: today in Toronto).")
    var day: String?

    @Flag(name: .long, help: "Every day's pending transactions and exceptions only.")
    var pending = false

    func run() async throws {
        let day: ProgramDay
        if let text = self.day {
            do { day = ProgramDay(try CalendarDay(parsing: text)) } catch { throw ValidationError("--day: \(error)") }
        } else {
            // The till's clock (a debug build's test offset moves it), as every row's time is: review s9 #10.
            day = ProgramDay.reconciliationDay(at: ProcessClock.now())
        }
        let configuration = try HostSession.configuration(host)
        let journal = try Journal(path: HostSession.journalPath(configuration, environment: ProcessInfo.processInfo.environment))
        let entries = pending ? try journal.entries(pendingOnly: true) : try journal.entries(day: day)
        let path = journal.path
        var report = JournalReport(journal: path, day: pending ? nil : day.description, entries: entries)
        report.attach(
            EarningsSection(
                try journal.earnings().filter {
                    pending ? $0.state.isPending || $0.state == .exception : ProgramDay.reconciliationDay(at: $0.createdAt) == day
                }))
        if let url = configuration.backOfficeURL {
            report.forwarding = JournalReport.Forwarding(database: url, status: try journal.forwardingStatus())
        }
        if host.json {
            print(try commandJSON(report, iso8601Dates: true))
        } else {
            print(report.table)
            if let earnings = report.earnings, !earnings.rows.isEmpty { print("\n" + earnings.table) }
        }
    }
}

/// The journal as `amcash journal` prints it.
struct JournalReport: Encodable {
    /// ISSUE and RETURN rows (Issuance), with the day's miles earned, returned and pending.
    var earnings: EarningsSection?
    struct Row: Encodable {
        let id: Int64
        let kind: String
        let createdAt: Date
        let card: String
        let state: String
        let responseCode: String?
        let units: Int?
        let dollars: String?
        let miles: Int?
        let confirmationNumber: String?
        let originalConfirmationNumber: String?
        let traceId: String
        let attempts: Int
        let exception: Bool
        let resolvedByRecovery: Bool
        let lastFailure: String?
        /// The store register's id for the sale (a sale pushed over the register API).
        let saleId: String?
    }

    struct Totals: Encodable {
        var redeemedCount = 0
        var redeemedDollars = "0.00"
        var redeemedMiles = 0
        var reversedCount = 0
        var reversedDollars = "0.00"
        var reversedMiles = 0
        var voidedCount = 0
        var voidedDollars = "0.00"
        var pending = 0
        /// Every exception for the supervisor: the redemptions' and the earnings' (ISSUE, RETURN) together.
        var exceptions = 0
        var redemptionExceptions = 0
        var earningExceptions = 0
    }

    /// How far the chain's back office is behind this journal (when one is configured).
    struct Forwarding: Encodable {
        let database: String
        let pendingRows: Int
        let lastForwardedAt: Date?
        let oldestPendingAt: Date?

        init(database: String, status: ForwardingStatus) {
            self.database = database
            pendingRows = status.pendingRows
            lastForwardedAt = status.lastForwardedAt
            oldestPendingAt = status.oldestPendingAt
        }
    }

    let journal: String
    let day: String?
    let entries: [Row]
    private(set) var totals: Totals
    var forwarding: Forwarding?

    init(journal: String, day: String?, entries: [JournalEntry]) {
        self.journal = journal
        self.day = day
        self.entries = entries.map {
            Row(
                id: $0.id, kind: $0.kind.rawValue, createdAt: $0.createdAt, card: $0.maskedCard, state: $0.state.rawValue,
                responseCode: $0.responseCode, units: $0.units?.count, dollars: $0.money?.decimalString, miles: $0.miles?.value,
                confirmationNumber: $0.confirmationNumber, originalConfirmationNumber: $0.originalConfirmationNumber,
                traceId: $0.traceId, attempts: $0.attempts, exception: $0.isException, resolvedByRecovery: $0.resolvedByRecovery,
                lastFailure: $0.lastFailure.map { HostText.sanitised($0, limit: 500) }, saleId: $0.saleId)
        }
        var totals = Totals()
        // Redeemed: what cashiers were shown (and what a reversal later gave back); voids are apart.
        let redeemed = entries.filter { $0.kind == .redeem && [.shown, .reversing, .reversed].contains($0.state) }
        totals.redeemedCount = redeemed.count
        totals.redeemedDollars = Money(cents: redeemed.reduce(0) { $0 + ($1.money?.cents ?? 0) }).decimalString
        totals.redeemedMiles = redeemed.reduce(0) { $0 + ($1.miles?.value ?? 0) }
        let reversed = entries.filter { $0.kind == .redeem && $0.state == .reversed }
        totals.reversedCount = reversed.count
        totals.reversedDollars = Money(cents: reversed.reduce(0) { $0 + ($1.money?.cents ?? 0) }).decimalString
        totals.reversedMiles = reversed.reduce(0) { $0 + ($1.miles?.value ?? 0) }
        let voided = entries.filter { $0.kind == .redeem && [.approved, .voiding, .voided].contains($0.state) }
        totals.voidedCount = voided.count
        totals.voidedDollars = Money(cents: voided.reduce(0) { $0 + ($1.money?.cents ?? 0) }).decimalString
        totals.pending = entries.filter(\.isPending).count
        totals.redemptionExceptions = entries.filter(\.isException).count
        totals.exceptions = totals.redemptionExceptions
        self.totals = totals
    }

    /// The earnings of the same day (or every day's open ones): their exceptions count in the summary's.
    mutating func attach(_ earnings: EarningsSection) {
        self.earnings = earnings
        totals.earningExceptions = earnings.exceptions
        totals.exceptions = totals.redemptionExceptions + earnings.exceptions
    }

    var table: String {
        var lines = ["Journal \(journal)" + (day.map { "   day \($0) (00:00 to 00:00 Toronto)" } ?? "   pending and exceptions, every day")]
        let formatter = DateFormatter()
        formatter.timeZone = ProgramDay.zone
        formatter.dateFormat = "MM-dd HH:mm"
        lines.append(
            [
                "ID".padded(5), "TORONTO".padded(12), "KIND".padded(8), "CARD".padded(12), "STATE".padded(10), "CODE".padded(5),
                "UNITS".padded(6), "DOLLARS".padded(9), "MILES".padded(6), "CONFIRMATION".padded(14), "TRACE",
            ].joined(separator: " "))
        for row in entries {
            var line = [
                String(row.id).padded(5), formatter.string(from: row.createdAt).padded(12), row.kind.padded(8), row.card.padded(12),
                row.state.padded(10), (row.responseCode ?? "-").padded(5), (row.units.map(String.init) ?? "-").padded(6),
                (row.dollars ?? "-").padded(9), (row.miles.map(String.init) ?? "-").padded(6),
                (row.confirmationNumber ?? "-").padded(14), row.traceId,
            ].joined(separator: " ")
            if let original = row.originalConfirmationNumber { line += "  reverses \(original)" }
            if let saleId = row.saleId { line += "  register sale \(saleId)" }
            if row.exception { line += "  EXCEPTION: \(row.lastFailure ?? "see the supervisor")" }
            if row.kind == JournalEntry.Kind.redeem.rawValue, row.resolvedByRecovery { line += "  (approval learned later, never shown: voided)" }
            if !row.exception, let note = row.lastFailure, ["declined", "shown", "reversed"].contains(row.state),
                row.kind == "REVERSE" || row.state == "shown"
            {
                line += "  note: \(note)"
            }
            lines.append(line)
        }
        if entries.isEmpty { lines.append("(no transactions)") }
        lines.append(
            "Redeemed: \(totals.redeemedCount) for $\(totals.redeemedDollars) (\(totals.redeemedMiles) miles)   "
                + "Reversed: \(totals.reversedCount) for $\(totals.reversedDollars) (\(totals.reversedMiles) miles)   "
                + "Voided (never shown): \(totals.voidedCount) for $\(totals.voidedDollars)   "
                + "Pending: \(totals.pending)   Exceptions: \(totals.exceptions)"
                + (totals.earningExceptions > 0
                    ? " (\(totals.redemptionExceptions) redemption, \(totals.earningExceptions) earning: amcash journal --pending)" : ""))
        if let forwarding {
            let last = forwarding.lastForwardedAt.map { "last acknowledged \(formatter.string(from: $0)) Toronto" } ?? "nothing acknowledged yet"
            if forwarding.pendingRows == 0 {
                lines.append("Back office \(forwarding.database): up to date, \(last).")
            } else {
                let oldest = forwarding.oldestPendingAt.map { ", the oldest from \(formatter.string(from: $0)) Toronto" } ?? ""
                lines.append("Back office \(forwarding.database): \(forwarding.pendingRows) row(s) not yet forwarded\(oldest); \(last).")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
