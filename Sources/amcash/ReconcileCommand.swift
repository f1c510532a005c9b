import AMCashAPI
import AMCashBackOffice
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashPostgres
import AMCashWire
import ArgumentParser
import Foundation
import Logging

/// `amcash reconcile`: the AIR MILES daily file against this terminal's (or a store's) journals.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Reconcile the AIR MILES daily file against the journal(s).",
        discussion: """
            Every file record and journal row is classified: matched, missing at host, missing at terminal, amount \
            mismatch, type mismatch, duplicate, timing (just across the 00:00 Toronto cut-off) or unresolved (an \
            unknown outcome in the journal). An unknown journal row the file shows as redeemed becomes approved; \
            matched rows are marked reconciled; unmatched rows roll forward to the next day's reconciliation. \
            The rows reconciled are those made in the period the file's H2 header gives (--day: that day instead). \
            A debit the file shows for a redemption nobody was shown (unknown, approved, voiding or in exception in \
            the journal) is an "unshown debit", never matched: reverse it, or credit the collector; while its reversal \
            window is open, reconcile queues its void in the journal and the till's recovery sends it.
            With --journal, only the records of those journals' terminals are reconciled: another terminal's records \
            are counted as "other terminals", not broken. With --database, the whole file is matched against every row \
            the chain's tills forwarded; a record of a till that never forwarded is "terminal not forwarding", and the \
            results (reconciled rows, the day's breaks) are written to the database.
            Exit status: 0 everything matches, 1 there are breaks, 2 the file (or a journal) is unusable.
            """)

    @Argument(help: "The AIR MILES daily reconciliation file.")
    var file: String

    @Option(name: .long, help: "A terminal journal (repeat for a store's terminals; default: this terminal's).")
    var journal: [String] = []

    @Option(name: .long, help: "The chain's back-office database, postgresql://… (instead of journals).")
    var database: String?

    @Option(name: .long, help: "The reconciliation day, YYYY-MM-DD (default: the day and period the file's H2 header names).")
    var day: String?

    @Option(name: .long, help: "The terminal configuration file (for the default journal).")
    var config: String?

    @Flag(name: .long, help: "Print one JSON object instead of a report.")
    var json = false

    @Option(name: .customLong("max-breaks"), help: "List at most this many breaks (the summary counts them all).")
    var maxBreaks = 10_000

    func validate() throws {
        guard (0...100_000_000).contains(maxBreaks) else { throw ValidationError("--max-breaks must be 0 to 100000000") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        if database != nil && !journal.isEmpty {
            throw ValidationError("give --journal or --database, not both")
        }
        let source = try ReconcileSource.open(journals: journal, database: database, config: config, environment: environment)
        let requestedDay = try day.map { text -> ProgramDay in
            do { return ProgramDay(try CalendarDay(parsing: text)) } catch { throw ValidationError("--day: \(error)") }
        }

        var reader: LineReader
        do { reader = try LineReader(path: file) } catch {
            printError("amcash reconcile: cannot read \(file)")
            throw ExitCode(ExitStatus.usage)
        }
        let fileSize = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
        var progress = ProgressLine(what: "amcash reconcile", json: json)
        defer { progress.finish() }
        var parser = ReconciliationParser()
        var reconciler: Reconciler?
        var report = ReconcileReport(
            file: file, journals: source.names, sourceLabel: source.isDatabase ? "Chain database" : "Journals",
            maxBreaks: maxBreaks)
        // What each journal learns, kept small: a row id (and the host's numbers for an unknown resolved).
        var toApply = [[ReconciledRow]](repeating: [], count: max(1, source.names.count))
        // The chain database keeps every break (the report lists at most --max-breaks).
        var breaks: [ReconciliationFinding] = []
        // Open rows of the chain database that no file can match (closed with the results).
        var unmatchable: [Int64] = []
        func note(_ finding: ReconciliationFinding) {
            if let key = finding.reconciles ?? finding.terminalKey, let row = ReconciledRow(finding, journalIndex: key.journal) {
                toApply[key.journal].append(row)
            }
            report.add(finding)
            if source.isDatabase && finding.classification.isBreak { breaks.append(finding) }
        }
        do {
            while let read = try reader.nextLine({ bytes in Result { () throws(ReconciliationFileError) in try parser.consume(utf8: bytes) } }) {
                guard let detail = try read.get() else { continue }
                if reconciler == nil {
                    progress.phase(source.isDatabase ? "reading the chain database…" : "reading the journal\(source.names.count == 1 ? "" : "s")…")
                    let made = try await source.reconciler(day: requestedDay ?? parser.day!, period: requestedDay == nil ? parser.period : nil)
                    (reconciler, unmatchable) = (made.reconciler, made.unmatchable)
                }
                let finding = reconciler!.consume(detail, recordNumber: parser.recordNumber)
                if let overflow = reconciler!.summary.overflow {
                    printError("amcash reconcile: \(file) is unusable: \(overflow). Nothing was changed in the \(source.noun).")
                    throw ExitCode(ExitStatus.usage)
                }
                progress.update(done: parser.recordNumber, share: fileSize > 0 ? Double(reader.bytesRead) / Double(fileSize) : nil)
                if let finding { note(finding) }
            }
            try parser.finish()
        } catch let error as ReconciliationFileError {
            printError("amcash reconcile: \(file) is unusable: \(error). Nothing was changed in the \(source.noun).")
            throw ExitCode(ExitStatus.usage)
        } catch let error as JournalError {
            printError("amcash reconcile: \(error)")
            throw ExitCode(ExitStatus.usage)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            // Reading failed (an I/O error, a line that is no record): the file is unusable, not a break.
            printError("amcash reconcile: \(file) is unusable: \(error). Nothing was changed in the \(source.noun).")
            throw ExitCode(ExitStatus.usage)
        }
        let fileDay = requestedDay ?? parser.day!
        if reconciler == nil {
            let made = try await source.reconciler(day: fileDay, period: requestedDay == nil ? parser.period : nil)
            (reconciler, unmatchable) = (made.reconciler, made.unmatchable)
        }
        for finding in reconciler!.finish() { note(finding) }
        if let overflow = reconciler!.summary.overflow {
            printError("amcash reconcile: the totals cannot be made: \(overflow). Nothing was changed in the \(source.noun).")
            throw ExitCode(ExitStatus.usage)
        }
        report.finish(day: fileDay, period: reconciler!.period, sponsor: parser.sponsorCode ?? "", summary: reconciler!.summary)
        // A break of a register's sale names it: looked up for the few rows listed, not carried by a million.
        if case .journals(let journals, _, _) = source {
            for index in report.breaks.indices {
                guard let journal = report.breaks[index].journalIndex, let row = report.breaks[index].journalRow else { continue }
                report.breaks[index].saleId = try? journals[journal].entry(id: row).saleId
            }
        }
        // The file was whole and added up: now the journals (or the chain database) learn what matched.
        progress.phase("writing the results to the \(source.noun)…")
        try await source.write(
            toApply, unmatchable: unmatchable, breaks: breaks, day: fileDay, sponsor: parser.sponsorCode ?? "", file: file,
            records: parser.recordNumber, summary: reconciler!.summary)
        progress.finish()
        report.print(json: json)
        throw ExitCode(reconciler!.summary.breaks == 0 ? 0 : 1)
    }
}

/// What a reconciliation matches the file against: a store's journals, or the chain database.
enum ReconcileSource {
    case journals([Journal], paths: [String], terminals: Set<String>)
    case database(PostgresAddress)

    static func open(journals paths: [String], database: String?, config: String?, environment: [String: String]) throws -> ReconcileSource {
        if let database {
            return .database(try BackOfficeOptions.address(database: database, config: config, environment: environment).0)
        }
        var paths = paths
        var terminals: Set<String> = []
        // A mistyped --journal must not quietly create an empty journal that "matches" nothing.
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            printError("amcash reconcile: no journal at \(path)")
            throw ExitCode(ExitStatus.usage)
        }
        if paths.isEmpty {
            let path = TerminalConfigurationLoader.locate(explicitPath: config, environment: environment)
            let configuration = try TerminalConfigurationLoader.load(path: path)
            paths = [try HostSession.journalPath(configuration, environment: environment)]
            terminals.insert(configuration.identity.cardTerminalId)
        }
        let journals = try paths.map { try Journal(path: $0) }
        for journal in journals { terminals.formUnion(try journal.terminalIds()) }
        return .journals(journals, paths: paths, terminals: terminals)
    }

    var isDatabase: Bool { if case .database = self { true } else { false } }
    var noun: String { isDatabase ? "chain database" : "journal" }

    var names: [String] {
        switch self {
        case .journals(_, let paths, _): paths
        case .database(let address): [address.description]
        }
    }

    func reconciler(day: ProgramDay, period: Range<Date>?) async throws -> (reconciler: Reconciler, unmatchable: [Int64]) {
        switch self {
        case .journals(let journals, _, let terminals):
            var records: [TerminalRecord] = []
            for (index, journal) in journals.enumerated() {
                let rows = try journal.terminalRecords(for: day, period: period, journalIndex: index)
                // One journal's rows are taken as they are: appending a million to an empty array copies them.
                if records.isEmpty { records = rows } else { records += rows }
            }
            // Journals that have never named their terminal (none of their rows says) reconcile the whole file, as before.
            return (
                Reconciler(
                    day: day, period: period, terminalRecords: records,
                    scope: terminals.isEmpty ? .everyTerminal : .terminals(terminals, outside: .otherTerminal)), []
            )
        case .database(let address):
            let rows = try await withBackOffice(address) { client in
                try await ChainReconciliation.rows(client, day: day, period: period, logger: Logger(label: "amcash.reconcile"))
            }
            return (
                // The chain database cannot queue a till's void: its unshown debits say to reverse them at the till.
                Reconciler(
                    day: day, period: period, terminalRecords: rows.records,
                    scope: .terminals(rows.forwardingTerminals, outside: .terminalNotForwarding), queuesVoids: false),
                rows.unmatchable
            )
        }
    }

    func write(
        _ rows: [[ReconciledRow]], unmatchable: [Int64], breaks: [ReconciliationFinding], day: ProgramDay, sponsor: String, file: String,
        records: Int,
        summary: ReconciliationSummary
    ) async throws {
        switch self {
        case .journals(let journals, _, _):
            for (index, journal) in journals.enumerated() { try journal.apply(rows[index], at: Date()) }
        case .database(let address):
            let reconciled = rows.first ?? []
            try await withBackOffice(address) { client in
                try await ChainReconciliation.write(
                    client, day: day, sponsor: sponsor, file: file, records: records, reconciled: reconciled,
                    unmatchable: unmatchable, breaks: breaks, summary: summary, logger: Logger(label: "amcash.reconcile"))
            }
        }
    }
}

/// The reconciliation report: a summary per class and the list of breaks, cards masked.
struct ReconcileReport: Encodable {
    struct Break: Encodable {
        let classification: String
        let record: Int?
        let journal: String?
        let journalRow: Int64?
        let type: String
        let confirmationNumber: String?
        let traceId: String
        let card: String
        let units: Int?
        let miles: Int?
        let dollars: String?
        let note: String
        let rollsForward: Bool
        /// The store register's sale of the journal row, if a register pushed it.
        var saleId: String?
        /// Which journal (by its index in `journals`) holds the row.
        let journalIndex: Int?

        enum CodingKeys: String, CodingKey {
            case classification, record, journal, journalRow, type, confirmationNumber, traceId, card, units, miles, dollars, note
            case rollsForward, saleId
        }
    }

    struct ClassLine: Encodable {
        let classification: String
        let count: Int
        let miles: Int
        let dollars: String
    }

    let file: String
    let journals: [String]
    var day = ""
    /// The file's period (H2), start and end.
    var period = ""
    var sponsor = ""
    var summary: [ClassLine] = []
    var breaks: [Break] = []
    var breaksNotListed = 0
    var resolvedUnknown = 0
    /// Voids of unshown debits this reconciliation queued in the journal.
    var voidsQueued = 0
    let maxBreaks: Int

    /// What `journals` names in the printed report: "Journals" or "Chain database".
    let sourceLabel: String

    init(file: String, journals: [String], sourceLabel: String = "Journals", maxBreaks: Int) {
        self.file = file
        self.journals = journals
        self.sourceLabel = sourceLabel
        self.maxBreaks = maxBreaks
    }

    enum CodingKeys: String, CodingKey { case file, journals, day, period, sponsor, summary, breaks, breaksNotListed, resolvedUnknown, voidsQueued }

    mutating func add(_ finding: ReconciliationFinding) {
        if finding.resolvesUnknown { resolvedUnknown += 1 }
        if finding.queuesVoid { voidsQueued += 1 }
        guard finding.classification.isBreak else { return }
        guard breaks.count < maxBreaks else {
            breaksNotListed += 1
            return
        }
        breaks.append(
            Break(
                classification: finding.classification.rawValue, record: finding.recordNumber,
                journal: finding.terminalKey.map { journals[$0.journal] }, journalRow: finding.terminalKey?.id, type: finding.type.rawValue,
                confirmationNumber: finding.confirmationNumber, traceId: finding.traceId, card: finding.maskedCard, units: finding.units?.count,
                miles: finding.miles?.value, dollars: finding.money?.decimalString, note: finding.note, rollsForward: finding.rollsForward,
                journalIndex: finding.terminalKey?.journal))
    }

    mutating func finish(day: ProgramDay, period: Range<Date>, sponsor: String, summary: ReconciliationSummary) {
        self.day = day.description
        self.period = TorontoTime.iso8601(period.lowerBound) + " to " + TorontoTime.iso8601(period.upperBound)
        self.sponsor = sponsor
        self.summary = ReconciliationClass.allCases.map {
            ClassLine(
                classification: $0.rawValue, count: summary[$0].count, miles: summary[$0].miles,
                dollars: Money(cents: summary[$0].cents).decimalString)
        }
    }

    func print(json: Bool) {
        if json {
            Swift.print((try? commandJSON(self)) ?? "")
            return
        }
        var lines = [
            "Reconciliation of \(file)   day \(day) (period \(period))   sponsor \(sponsor)",
            sourceLabel + ": " + journals.joined(separator: ", "), "",
            "CLASS".padded(30) + "COUNT".padded(9) + "MILES".padded(12) + "DOLLARS",
        ]
        for line in summary {
            let label = ReconciliationClass(rawValue: line.classification)?.label ?? line.classification
            lines.append(label.padded(30) + String(line.count).padded(9) + String(line.miles).padded(12) + line.dollars)
        }
        if resolvedUnknown > 0 { lines.append("\(resolvedUnknown) unknown outcome(s) resolved from the file: the host holds their debit.") }
        if voidsQueued > 0 {
            lines.append(
                "\(voidsQueued) void(s) of unshown debits queued in the journal: the till's recovery sends them (amcash echo, or the console).")
        }
        lines.append("")
        if breaks.isEmpty {
            lines.append("No breaks: the file and the journal agree.")
        } else {
            lines.append("BREAKS")
            for item in breaks {
                let place = item.record.map { "record \($0)" } ?? "journal row \(item.journalRow ?? 0)"
                lines.append(
                    "  \(ReconciliationClass(rawValue: item.classification)?.label ?? item.classification): \(place) \(item.type) "
                        + "\(item.confirmationNumber ?? "-") card \(item.card) trace \(item.traceId) "
                        + "\(item.units.map { "\($0) units" } ?? "") \(item.dollars.map { "$\($0)" } ?? "") — \(item.note)"
                        + (item.saleId.map { " (register sale \($0))" } ?? "") + (item.rollsForward ? " (rolls forward)" : ""))
            }
            if breaksNotListed > 0 { lines.append("  … and \(breaksNotListed) more (raise --max-breaks to list them)") }
        }
        Swift.print(lines.joined(separator: "\n"))
    }
}
