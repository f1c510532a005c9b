import AMCashAPI
import AMCashDomain
import AMCashSimulator
import Foundation
import GRDB
import Testing

/// The simulator's ledger on disk commits the requests that arrive together in one transaction: no
/// request may be answered before the commit that holds it.
@Suite struct GroupCommitTests {
    @Test func everyAnsweredRedemptionIsCommittedWhenItsAnswerArrives() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-group-\(UUID()).sqlite").path
        let collectors = (0..<64).map {
            TestCollector(number: "8177" + String(format: "%07d", $0), situation: "group \($0)", summary: "", cashMiles: 50_000, dreamMiles: 0)
        }
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(collectors: collectors, databasePath: path))
        // Another connection to the file sees only committed transactions (WAL, `synchronous = FULL`): what
        // it finds is on disk, and would survive the simulator being killed.
        let confirmations = try await withThrowingTaskGroup(of: [String].self) { group in
            for (index, collector) in collectors.enumerated() {
                group.addTask {
                    let (client, builder) = try SimulatorTests.client(simulator, deviceId: zeroPadded(index + 300))
                    let reader = try DatabaseQueue(path: path)
                    var answered: [String] = []
                    for attempt in 0..<4 {
                        let call = SimulatorTests.redeem(collector.number, dollars: 10, trace: index * 10 + attempt + 1, builder: builder)
                        guard let approval = await client.redeem(call, policy: .once).reply?.approval else { continue }
                        let committed = try await reader.read { db in
                            try Bool.fetchOne(
                                db, sql: "SELECT 1 FROM redemptions WHERE confirmation = ?", arguments: [approval.confirmationNumber]) ?? false
                        }
                        #expect(committed, "\(approval.confirmationNumber) was answered before its commit")
                        answered.append(approval.confirmationNumber)
                    }
                    await client.shutdown()
                    try reader.close()
                    return answered
                }
            }
            return try await group.reduce([], +)
        }
        #expect(confirmations.count == 64 * 4, "every redemption was approved")
        #expect(Set(confirmations).count == confirmations.count, "no confirmation number was given twice")
        await simulator.stop()
        // Reopened: the ledger holds every answered redemption, and each collector's balance says so.
        let reopened = try DatabaseQueue(path: path)
        let stored = try await reopened.read { db in try Set(String.fetchAll(db, sql: "SELECT confirmation FROM redemptions")) }
        #expect(stored == Set(confirmations))
        let balances = try await reopened.read { db in try Int.fetchAll(db, sql: "SELECT cash FROM accounts WHERE number LIKE '8177%'") }
        #expect(balances.count == 64 && balances.allSatisfy { $0 == 50_000 - 4 * 95 })
        try reopened.close()
    }
}
