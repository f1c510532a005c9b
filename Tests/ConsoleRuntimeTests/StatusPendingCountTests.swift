import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
import ConsoleCore
import ConsoleRuntime
import ConsoleTestSupport
import Foundation
import Testing

/// The status line's "pending N" counts an ISSUE the host has not answered, as it counts an unknown
/// REDEEM: a real journal and the real simulator, unavailable for the collector, then back.
@Suite struct StatusPendingCountTests {
    @Test func aQueuedIssueCountsAsPendingUntilTheHostAnswersIt() async throws {
        let outage = FaultPlan(rules: [FaultRule(kind: .outage, scope: .collector("81000000001"))])
        let till = try await SimulatedTill.open(options: SimulatorOptions(faults: outage))
        let performer = till.console()
        let request = EarningRequest(card: Fixtures.card, preTaxAmount: Money(dollars: 60), postTaxAmount: Money(dollars: 60))
        let box = ConsoleEffectsTests.MessageBox()
        await performer.perform(.earn(request, receipt: nil, traceId: nil)) { box.append($0) }
        var model = Model(settings: Fixtures.settings)
        for message in box.messages { _ = update(&model, message) }
        #expect(try till.journal.earnings().map(\.state) == [.queued], "the host did not answer: the ISSUE is queued")
        #expect(try till.journal.openCount() == 0, "no REDEEM or REVERSE is open")
        #expect(model.status.pending == 1, "the status line counts the queued ISSUE: \(box.messages)")

        // The host is back and the ISSUE is forwarded (its backoff skipped): recovery's next pass counts 0.
        await till.simulator.injectFaults(FaultPlan())
        #expect(try await till.transactions.forwardEarnings(dueOnly: false).answered == 1)
        let recovery = BackgroundRecovery(transactions: till.transactions, journal: till.journal, interval: .seconds(60))
        let passes = ConsoleEffectsTests.MessageBox()
        let running = Task { await recovery.run { passes.append($0) } }
        for _ in 0..<500 where !passes.messages.contains(where: { if case .pendingCount = $0 { true } else { false } }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.cancel()
        for message in passes.messages { _ = update(&model, message) }
        #expect(try till.journal.earnings().map(\.state) == [.issued])
        #expect(model.status.pending == 0, "\(passes.messages)")
        await running.value
        await till.close()
    }
}
