import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
import Foundation
import Testing
import TillTestSupport

/// Two terminals of one store talk to the simulator; the simulator's daily file must reconcile clean
/// against their journals, and an outcome one terminal never learned is resolved from the file.
@Suite struct ReconciliationRoundTripTests {
    @Test func theSimulatorsFileReconcilesCleanAgainstTheTerminalsJournals() async throws {
        let simulator = try await SimulatorServer.start()
        let terminals = try ["001", "002"].map { try TestTill(store: "0001", device: $0, simulator: simulator) }
        let first = try await terminals[0].redeem("81000000001", dollars: 40)
        _ = try await terminals[1].redeem("81000000002", dollars: 10)
        _ = try await terminals[1].redeem("81000000004", dollars: 50)  // near the limit: the host grants $20
        #expect(try await terminals[0].reverse("81000000001", confirmation: first.confirmationNumber!).state == .reversed)
        _ = try await terminals[0].redeem("81000000003", dollars: 10)  // declined (0051): the host has nothing, nor should the file
        // A lost answer: terminal 2 never learns the outcome.
        await simulator.injectFaults(FaultPlan(rules: [FaultRule(kind: .dropAfterApplying, scope: .endpoint("redeem"))]))
        let lost = try await terminals[1].redeem("81000000001", dollars: 30)
        #expect(lost.state == .unknown)
        await simulator.injectFaults(FaultPlan())

        let day = ProgramDay.reconciliationDay(at: Date())
        let file = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        #expect(file.details.count == 5, "four redemptions and one reversal")

        var records: [TerminalRecord] = []
        for (index, terminal) in terminals.enumerated() { records += try terminal.journal.terminalRecords(for: day, journalIndex: index) }
        var reconciler = Reconciler(day: day, terminalRecords: records)
        let findings = try reconciler.reconcile(file).findings
        // Everything matches but the lost answer: a debit nobody was shown, never "matched".
        #expect(
            findings.filter { $0.classification != .matched }.map(\.classification) == [.unshownDebit],
            "\(findings.filter(\.classification.isBreak).map(\.note))")
        #expect(findings.filter(\.resolvesUnknown).count == 1 && findings.filter(\.queuesVoid).count == 1)
        for (index, terminal) in terminals.enumerated() { try terminal.journal.apply(findings, journalIndex: index, at: Date()) }

        // Nobody was shown that approval: the file's numbers are recorded and the redemption is voided.
        let resolved = try terminals[1].journal.entry(id: lost.id)
        #expect(resolved.state == .voiding)
        #expect(resolved.units == Units(3) && resolved.money == Money(dollars: 30))
        let void = try #require(try terminals[1].journal.dueReversals(at: Date()).first)
        #expect(void.isVoid && void.originalConfirmationNumber == resolved.confirmationNumber)
        #expect(try terminals[0].journal.entries().filter { $0.state != .declined }.allSatisfy(\.isReconciled))

        // Reconciling the same file again (a resubmission) finds no duplicates.
        var again = Reconciler(
            day: day,
            terminalRecords: try terminals.enumerated().flatMap { try $0.element.journal.terminalRecords(for: day, journalIndex: $0.offset) })
        let classes = try again.reconcile(file).findings.map(\.classification)
        // Everything matches but the debit whose void is still outstanding, and that void: no file has it yet.
        #expect(classes.filter { $0 != .matched } == [.unshownDebit, .unresolved], "\(classes)")

        for terminal in terminals { await terminal.client.shutdown() }
        await simulator.stop()
    }
}
