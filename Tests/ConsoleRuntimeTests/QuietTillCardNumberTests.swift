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

/// A quiet till (nothing pending, so no recovery pass has work) still lets a full collector number go
/// when no send needs it any more: the background loop masks on every tick, not only on a pass.
@Suite struct QuietTillCardNumberTests {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = Date()
        var now: Date { lock.withLock { value } }
        func advance(_ seconds: TimeInterval) { lock.withLock { value = value.addingTimeInterval(seconds) } }
    }

    @Test func anIssuedEarningLosesItsNumberOnceItsDayOfReturnsIsOverWithNothingPending() async throws {
        let simulator = try await SimulatorServer.start()
        let client = HostClient(
            settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator, timeouts: .standard)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-quiet-till-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let journal = try Journal(path: folder + "/journal.sqlite")
        let clock = Clock()
        let transactions = JournaledTransactions(journal: journal, host: client, builder: RequestBuilder(identity: .training), now: { clock.now })
        let earned = await transactions.earn(
            EarningRequest(card: Fixtures.card, preTaxAmount: Money(dollars: 60), postTaxAmount: Money(dollars: 60)))
        #expect(earned.outcome.exitStatus == 0, "\(earned.outcome)")
        func body() throws -> String { String(decoding: try #require(try journal.earnings().first).body, as: UTF8.self) }
        let digits = Fixtures.card.number.unmaskedDigits

        let recovery = BackgroundRecovery(transactions: transactions, journal: journal, interval: .milliseconds(50))
        let passes = ConsoleEffectsTests.MessageBox()
        let running = Task { await recovery.run { passes.append($0) } }
        for _ in 0..<500 where !passes.messages.contains(where: { if case .pendingCount = $0 { true } else { false } }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try body().contains(digits), "issued today: it may still be returned, from its body")
        #expect(try transactions.pendingCount() == 0, "a quiet till")
        // A day on, with nothing pending: the loop's next tick masks it.
        clock.advance(25 * 3600)
        for _ in 0..<500 where (try? body().contains(digits)) == true { try await Task.sleep(for: .milliseconds(20)) }
        running.cancel()
        await running.value
        #expect(!(try body().contains(digits)), "masked on a tick with nothing pending")
        await client.shutdown()
        await simulator.stop()
    }
}
