import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
import Foundation
import GRDB
import Testing
import TillTestSupport

/// Issue #24, R1–R5, against a real journal and the simulator's daily file: a debit nobody was shown
/// is never "matched", and while its window is open the reconciliation queues its void, which the
/// till's usual sender sends; a reversal in exception the host applied clears the exception.
@Suite struct ReconciliationSafetyNetTests {
    typealias Terminal = TestTill

    static func terminal(_ simulator: SimulatorServer) throws -> Terminal {
        try TestTill(store: "0001", device: "001", simulator: simulator)
    }

    /// An approval the till journaled and never drew (it died before the screen), journaled at `at`.
    static func approveUnseen(_ terminal: Terminal, _ card: String, dollars: Int, at: Date = Date()) async throws -> JournalEntry {
        let call = try terminal.builder.redeem(
            RedemptionRequest(
                card: CardRead(number: try CollectorNumber(digits: card), entryMode: .scan), basket: Money(dollars: 100),
                amount: Money(dollars: dollars)), traceId: try terminal.journal.nextTraceId(), at: Date())
        let intent = try terminal.journal.recordRedemptionIntent(call, requested: Money(dollars: dollars), at: at)
        let outcome = try terminal.journal.recordRedemptionOutcome(intent.id, await terminal.client.redeem(call, policy: .once), at: at)
        try terminal.journal.release(outcome.id)  // the till is gone: nobody holds it
        return outcome
    }

    /// Reconciles `file` against the journal as `amcash reconcile` does (H2's period) and applies the findings.
    static func reconcile(_ journal: Journal, _ file: ReconciliationFile, now: Date = Date()) throws -> [ReconciliationFinding] {
        var parser = ReconciliationParser()
        var reconciler: Reconciler?
        var findings: [ReconciliationFinding] = []
        for line in file.records {
            guard let detail = try parser.consume(Substring(line)) else { continue }
            if reconciler == nil {
                let period = try #require(parser.period)
                reconciler = Reconciler(
                    day: file.day, period: period, terminalRecords: try journal.terminalRecords(for: file.day, period: period, journalIndex: 0),
                    now: now)
            }
            if let finding = reconciler!.consume(detail, recordNumber: parser.recordNumber) { findings.append(finding) }
        }
        try parser.finish()
        var made = try #require(reconciler)
        findings += made.finish()
        try journal.apply(findings, journalIndex: 0, at: now)
        return findings
    }

    @Test func aDebitNobodySawIsNeverMatchedAndReconcileQueuesItsVoidWhichTheSenderSends() async throws {
        let simulator = try await SimulatorServer.start()
        let terminal = try Self.terminal(simulator)
        let journal = terminal.journal

        // R1: a lost answer whose replays ended: an exception without a confirmation number.
        await simulator.injectFaults(FaultPlan(rules: [FaultRule(kind: .dropAfterApplying, scope: .endpoint("redeem"))]))
        let lost = try await terminal.redeem("81000000001", dollars: 30)
        await simulator.injectFaults(FaultPlan())
        #expect(lost.state == .unknown)
        try journal.giveUpReplays(lost.id, at: Date())
        #expect(try journal.entry(id: lost.id).state == .exception)
        // R2: an approval nobody saw whose void gave up: an exception with a confirmation number.
        let unseen = try await Self.approveUnseen(terminal, "81000000007", dollars: 20)
        _ = try journal.voidUnshown(unseen.id, at: Date())
        let gaveUp = try #require(try journal.dueReversals(at: Date()).first { $0.originalConfirmationNumber == unseen.confirmationNumber })
        try journal.quarantine(gaveUp.id, reason: "its void gave up")
        try journal.quarantine(unseen.id, reason: "its void gave up")
        // An approval nobody saw, its void not queued yet (recovery has not run).
        let approved = try await Self.approveUnseen(terminal, "81000000001", dollars: 10)
        #expect(approved.state == .approved)
        // R4: a cashier's reversal the host applied, its answer lost and its retries spent: an exception.
        let shown = try await terminal.redeem("81000000001", dollars: 20)
        let reversalCall = try terminal.builder.reverse(
            ReversalRequest(
                card: CardRead(number: try CollectorNumber(digits: "81000000001"), entryMode: .scan),
                redemptionConfirmationNumber: try #require(shown.confirmationNumber)),
            traceId: try journal.nextTraceId(), at: Date())
        let reversal = try journal.queueReversal(reversalCall, of: shown.confirmationNumber!, at: Date())
        guard case .answered = await terminal.client.reverse(reversalCall, policy: .once) else {
            Issue.record("the host did not answer the reversal")
            return
        }
        try journal.quarantine(reversal.id, reason: "retries spent")
        try journal.quarantine(shown.id, reason: "its reversal could not be completed")
        // And a sale that went as it should.
        let plain = try await terminal.redeem("81000000007", dollars: 10)
        #expect(plain.state == .shown)

        let day = ProgramDay.reconciliationDay(at: Date())
        let file = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        let findings = try Self.reconcile(journal, file)
        func finding(_ row: Int64) -> ReconciliationFinding? { findings.first { $0.terminalKey?.id == row } }
        for (name, row) in [("R1 exception without a number", lost.id), ("R2 exception with a number", unseen.id), ("approved", approved.id)] {
            #expect(finding(row)?.classification == .unshownDebit, "\(name): \(String(describing: finding(row)?.note))")
            #expect(finding(row)?.queuesVoid == true, "\(name): the window is open, so its void is queued")
        }
        #expect(finding(shown.id)?.classification == .matched, "the file shows it given back: \(String(describing: finding(shown.id)?.note))")
        #expect(finding(reversal.id)?.classification == .matched, "R4: a reversal in exception is matched like any reversal")
        #expect(finding(plain.id)?.classification == .matched)
        // The void that gave up was never applied: it is reported, then superseded by the new void.
        #expect(finding(gaveUp.id)?.classification == .unresolved)
        #expect(findings.filter(\.classification.isBreak).count == 4, "\(findings.filter(\.classification.isBreak).map(\.note))")

        // Written back: each unshown debit is voiding with its void queued; the R4 exception is cleared.
        for row in [lost.id, unseen.id, approved.id] {
            let entry = try journal.entry(id: row)
            #expect(entry.state == .voiding && !entry.isException, "row \(row) is \(entry.state)")
        }
        #expect(try journal.entry(id: lost.id).confirmationNumber != nil, "the file's confirmation number")
        #expect(try journal.entry(id: gaveUp.id).state == .declined, "the void that gave up is superseded")
        let clearedReversal = try journal.entry(id: reversal.id)
        #expect(clearedReversal.state == .reversed && !clearedReversal.isException && clearedReversal.confirmationNumber != nil)
        #expect(try journal.entry(id: shown.id).state == .reversed)

        // The till's usual sender sends the queued voids.
        let due = try journal.dueReversals(at: Date())
        #expect(due.count == 3 && due.allSatisfy(\.isVoid))
        for void in due {
            let answer = await terminal.client.reverse(void.call, policy: .once)
            #expect(try journal.recordReversalOutcome(void.id, answer, at: Date()).state == .reversed)
        }
        for row in [lost.id, unseen.id, approved.id] { #expect(try journal.entry(id: row).state == .voided) }

        // The next file shows the debits given back: nothing is left to break.
        let after = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        let clean = try Self.reconcile(journal, after)
        #expect(clean.allSatisfy { !$0.classification.isBreak }, "\(clean.filter(\.classification.isBreak).map(\.note))")

        await terminal.client.shutdown()
        await simulator.stop()
    }

    @Test func r3AResubmittedFileOfHalfAnHourReconcilesOnlyThatHalfHour() async throws {
        let simulator = try await SimulatorServer.start()
        let terminal = try Self.terminal(simulator)
        let day = ProgramDay.reconciliationDay(at: Date())
        func time(_ hour: Int, _ minute: Int) -> Date { day.reconciliationStart.addingTimeInterval(TimeInterval(hour * 3_600 + minute * 60)) }
        // Two sales the journal dates 18:02 and 23:40, both shown.
        var sales: [JournalEntry] = []
        for at in [time(18, 2), time(23, 40)] {
            let sale = try await Self.approveUnseen(terminal, "81000000001", dollars: 10, at: at)
            sales.append(try terminal.journal.markShown(sale.id, at: at))
        }
        let full = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        let late = try #require(full.details.first { $0.confirmationNumber == sales[1].confirmationNumber })
        let resubmitted = ReconciliationFile(
            sponsorCode: "LOY1", day: day, createdOn: full.createdOn, periodStart: TorontoTime.iso8601(time(23, 30)),
            periodEnd: TorontoTime.iso8601(day.reconciliationEnd), details: [late])
        let findings = try Self.reconcile(terminal.journal, resubmitted)
        #expect(findings.allSatisfy { !$0.classification.isBreak }, "the 18:02 sale is not this file's: \(findings.map(\.note))")
        #expect(findings.first { $0.terminalKey?.id == sales[0].id } == nil)
        #expect(findings.first { $0.terminalKey?.id == sales[1].id }?.classification == .matched)
        await terminal.client.shutdown()
        await simulator.stop()
    }

    @Test func r5TwoJournalRowsWithOneConfirmationNumberAreADuplicate() async throws {
        let simulator = try await SimulatorServer.start()
        let terminal = try Self.terminal(simulator)
        let first = try await terminal.redeem("81000000001", dollars: 10)
        let second = try await terminal.redeem("81000000001", dollars: 10)
        // A journal written by a till that lost its mind: the second row carries the first's number.
        let queue = try DatabaseQueue(path: terminal.journal.path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE entries SET confirmationNumber = ? WHERE id = ?", arguments: [first.confirmationNumber, second.id])
        }
        let day = ProgramDay.reconciliationDay(at: Date())
        let file = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        let findings = try Self.reconcile(terminal.journal, file)
        #expect(findings.first { $0.terminalKey?.id == second.id && $0.recordNumber == nil }?.classification == .duplicate, "\(findings.map(\.note))")
        #expect(findings.contains { $0.classification == .duplicate } && findings.filter(\.classification.isBreak).count >= 1)
        await terminal.client.shutdown()
        await simulator.stop()
    }

    /// An unknown REDEEM the host never received (the till died after journaling it; or its replays
    /// ended with the orphan window) is settled by the daily file: not in it, so never debited —
    /// declined, no break, no person asked. One made inside the orphan window of the cut-off waits
    /// for the next day's file.
    @Test func anUnknownRedemptionTheFileDoesNotShowIsSettledAsNeverDebited() async throws {
        let simulator = try await SimulatorServer.start()
        let terminal = try Self.terminal(simulator)
        let journal = terminal.journal
        let day = ProgramDay.reconciliationDay(at: Date())
        let early = day.reconciliationStart.addingTimeInterval(3600)
        func intent(_ card: String, at: Date) throws -> JournalEntry {
            let call = try terminal.builder.redeem(
                RedemptionRequest(
                    card: CardRead(number: try CollectorNumber(digits: card), entryMode: .scan), basket: Money(dollars: 100),
                    amount: Money(dollars: 20)), traceId: try journal.nextTraceId(), at: at)
            let entry = try journal.recordRedemptionIntent(call, requested: Money(dollars: 20), at: at)
            try journal.release(entry.id)  // the till died before sending it
            return entry
        }
        let neverSent = try intent("81000000001", at: early)
        let leftToFile = try intent("81000000007", at: early.addingTimeInterval(60))
        try journal.endReplays(leftToFile.id, orphanWindowMinutes: 20, at: early.addingTimeInterval(30 * 60))
        #expect(try journal.entry(id: leftToFile.id).awaitingFile)
        let nearCutOff = try intent("81000000001", at: day.reconciliationEnd.addingTimeInterval(-18 * 60))
        let plain = try await terminal.redeem("81000000007", dollars: 10)
        #expect(plain.state == .shown)

        let file = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        let findings = try Self.reconcile(journal, file)
        func finding(_ row: Int64) -> ReconciliationFinding? { findings.first { $0.terminalKey?.id == row } }
        for row in [neverSent.id, leftToFile.id] {
            #expect(finding(row)?.classification == .notDebited, "row \(row): \(String(describing: finding(row)?.note))")
            let settled = try journal.entry(id: row)
            #expect(settled.state == .declined && !settled.isException && !settled.awaitingFile, "row \(row) is \(settled.state)")
            #expect(settled.lastFailure?.contains("daily file shows no debit") == true)
        }
        #expect(finding(nearCutOff.id)?.classification == .timing, "a replay could still debit it after the cut-off")
        #expect(try journal.entry(id: nearCutOff.id).state == .sending, "left for the next day's file")
        #expect(finding(plain.id)?.classification == .matched)
        #expect(findings.filter(\.classification.isBreak).map(\.terminalKey?.id) == [nearCutOff.id], "\(findings.map(\.note))")
        // Nothing settled is replayed, and the next reconciliation does not see it again.
        #expect(try journal.pendingRedemptions().map(\.id) == [nearCutOff.id])
        let again = try Self.reconcile(journal, file)
        #expect(!again.contains { [neverSent.id, leftToFile.id].contains($0.terminalKey?.id) })
        await terminal.client.shutdown()
        await simulator.stop()
    }
}
