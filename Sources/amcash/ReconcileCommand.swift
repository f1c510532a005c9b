import AMCashAPI
import AMCashDomain
import AMCashJournal
import ArgumentParser
import Foundation

/// `amcash reconcile`: the AIR MILES daily file against this terminal's (or a store's) journals.
struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Reconcile the AIR MILES daily file against the journal(s).",
        discussion: """
            Every file record and journal row is classified: matched, missing at host, missing at terminal, amount \
            mismatch, type mismatch, duplicate, timing (just across the 00:00 Toronto cut-off) or unresolved (an \
            unknown outcome in the journal). An unknown journal row the file shows as redeemed becomes approved; \
            matched rows are marked reconciled; unmatched rows roll forward to the next day's reconciliation.
            Exit status: 0 everything matches, 1 there are breaks, 2 the file (or a journal) is unusable.
            """)

    @Argument(help: "The AIR MILES daily reconciliation file.")
    var file: String

    @Option(name: .long, help: "A terminal journal (repeat for a store's terminals; default: this terminal's).")
    var journal: [String] = []

    @Option(name: .long, help: "The reconciliation day, YYYY-MM-DD (default: the day the file's H2 header names).")
    var day: String?

    @Option(name: .long, help: "The terminal configuration file (for the default journal).")
    var config: String?

    @Flag(name: .long, help: "Print one JSON object instead of a report.")
    var json = false

    @Option(name: .customLong("max-breaks"), help: "List at most this many breaks (the summary counts them all).")
    var maxBreaks = 10_000

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var paths = journal
        // A mistyped --journal must not quietly create an empty journal that "matches" nothing.
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            printError("amcash reconcile: no journal at \(path)")
            throw ExitCode(ExitStatus.usage)
        }
        if paths.isEmpty {
            let path = TerminalConfigurationLoader.locate(explicitPath: config, environment: environment)
            let configuration = try TerminalConfigurationLoader.load(path: path)
            paths = [try HostSession.journalPath(configuration, environment: environment)]
        }
        let journals = try paths.map { try Journal(path: $0) }
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
        var report = ReconcileReport(file: file, journals: paths, maxBreaks: maxBreaks)
        // What each journal learns, kept small: a row id (and the host's numbers for an unknown resolved).
        var toApply = [[ReconciledRow]](repeating: [], count: journals.count)
        do {
            while let read = try reader.nextLine({ bytes in Result { () throws(ReconciliationFileError) in try parser.consume(utf8: bytes) } }) {
                guard let detail = try read.get() else { continue }
                if reconciler == nil {
                    progress.phase("reading the journal\(journals.count == 1 ? "" : "s")…")
                    let fileDay = requestedDay ?? parser.day!
                    var records: [TerminalRecord] = []
                    for (index, journal) in journals.enumerated() {
                        records += try journal.terminalRecords(for: fileDay, journalIndex: index)
                    }
                    reconciler = Reconciler(day: fileDay, terminalRecords: records)
                }
                let finding = reconciler!.consume(detail, recordNumber: parser.recordNumber)
                progress.update(done: parser.recordNumber, share: fileSize > 0 ? Double(reader.bytesRead) / Double(fileSize) : nil)
                if let key = finding.reconciles, let row = ReconciledRow(finding, journalIndex: key.journal) { toApply[key.journal].append(row) }
                report.add(finding)
            }
            try parser.finish()
        } catch let error as ReconciliationFileError {
            printError("amcash reconcile: \(file) is unusable: \(error). Nothing was changed in the journal.")
            throw ExitCode(ExitStatus.usage)
        } catch let error as JournalError {
            printError("amcash reconcile: \(error)")
            throw ExitCode(ExitStatus.usage)
        } catch {
            // Reading failed (an I/O error, a line that is no record): the file is unusable, not a break.
            printError("amcash reconcile: \(file) is unusable: \(error). Nothing was changed in the journal.")
            throw ExitCode(ExitStatus.usage)
        }
        let fileDay = requestedDay ?? parser.day!
        if reconciler == nil {
            var records: [TerminalRecord] = []
            for (index, journal) in journals.enumerated() { records += try journal.terminalRecords(for: fileDay, journalIndex: index) }
            reconciler = Reconciler(day: fileDay, terminalRecords: records)
        }
        for finding in reconciler!.finish() { report.add(finding) }
        report.finish(day: fileDay, sponsor: parser.sponsorCode ?? "", summary: reconciler!.summary)
        // The file was whole and added up: now the journals learn what matched.
        progress.phase("writing the results to the journal\(journals.count == 1 ? "" : "s")…")
        for (index, journal) in journals.enumerated() { try journal.apply(toApply[index], at: Date()) }
        progress.finish()
        report.print(json: json)
        throw ExitCode(reconciler!.summary.breaks == 0 ? 0 : 1)
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
    var sponsor = ""
    var summary: [ClassLine] = []
    var breaks: [Break] = []
    var breaksNotListed = 0
    var resolvedUnknown = 0
    let maxBreaks: Int

    init(file: String, journals: [String], maxBreaks: Int) {
        self.file = file
        self.journals = journals
        self.maxBreaks = maxBreaks
    }

    enum CodingKeys: String, CodingKey { case file, journals, day, sponsor, summary, breaks, breaksNotListed, resolvedUnknown }

    mutating func add(_ finding: ReconciliationFinding) {
        if finding.resolvesUnknown { resolvedUnknown += 1 }
        guard finding.classification.isBreak else { return }
        guard breaks.count < maxBreaks else { breaksNotListed += 1; return }
        breaks.append(Break(
            classification: finding.classification.rawValue, record: finding.recordNumber,
            journal: finding.terminalKey.map { journals[$0.journal] }, journalRow: finding.terminalKey?.id, type: finding.type.rawValue,
            confirmationNumber: finding.confirmationNumber, traceId: finding.traceId, card: finding.maskedCard, units: finding.units?.count,
            miles: finding.miles?.value, dollars: finding.money?.decimalString, note: finding.note, rollsForward: finding.rollsForward))
    }

    mutating func finish(day: ProgramDay, sponsor: String, summary: ReconciliationSummary) {
        self.day = day.description
        self.sponsor = sponsor
        self.summary = ReconciliationClass.allCases.map {
            ClassLine(classification: $0.rawValue, count: summary[$0].count, miles: summary[$0].miles,
                      dollars: Money(cents: summary[$0].cents).decimalString)
        }
    }

    func print(json: Bool) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self))
            return
        }
        var lines = ["Reconciliation of \(file)   day \(day) (00:00 to 00:00 Toronto)   sponsor \(sponsor)",
                     "Journals: " + journals.joined(separator: ", "), "",
                     "CLASS".padded(30) + "COUNT".padded(9) + "MILES".padded(12) + "DOLLARS"]
        for line in summary {
            let label = ReconciliationClass(rawValue: line.classification)?.label ?? line.classification
            lines.append(label.padded(30) + String(line.count).padded(9) + String(line.miles).padded(12) + line.dollars)
        }
        if resolvedUnknown > 0 { lines.append("\(resolvedUnknown) unknown outcome(s) resolved as approved from the file.") }
        lines.append("")
        if breaks.isEmpty {
            lines.append("No breaks: the file and the journal agree.")
        } else {
            lines.append("BREAKS")
            for item in breaks {
                let place = item.record.map { "record \($0)" } ?? "journal row \(item.journalRow ?? 0)"
                lines.append("  \(ReconciliationClass(rawValue: item.classification)?.label ?? item.classification): \(place) \(item.type) "
                             + "\(item.confirmationNumber ?? "-") card \(item.card) trace \(item.traceId) "
                             + "\(item.units.map { "\($0) units" } ?? "") \(item.dollars.map { "$\($0)" } ?? "") — \(item.note)"
                             + (item.rollsForward ? " (rolls forward)" : ""))
            }
            if breaksNotListed > 0 { lines.append("  … and \(breaksNotListed) more (raise --max-breaks to list them)") }
        }
        Swift.print(lines.joined(separator: "\n"))
    }
}
