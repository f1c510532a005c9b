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
                        // A loaded machine may time a call out: it is sent again, the same bytes and key, until it is
                        // answered (the host answers a key it holds with the same approval, never a second debit).
                        var result = await client.redeem(call, policy: .once)
                        for _ in 0..<5 {
                            guard case .answered = result else {
                                result = await client.redeem(call, policy: .once)
                                continue
                            }
                            break
                        }
                        guard let approval = result.reply?.approval else {
                            Issue.record("trace \(index * 10 + attempt + 1) not approved: \(result)")
                            continue
                        }
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

    /// Many terminals redeem at once on a file ledger, several on the same collectors, so one commit
    /// holds more than one REDEEM of a collector: each must see the earlier ones' debits. The limits
    /// hold, and every approval is in the file after the simulator stops.
    @Test func concurrentRedemptionsOnSharedCollectorsKeepTheLimitsAndReachTheFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-group-shared-\(UUID()).sqlite").path
        func collector(_ number: String, miles: Int) -> TestCollector {
            TestCollector(number: number, situation: "shared", summary: "", cashMiles: miles, dreamMiles: 0)
        }
        // 2,000 miles pay for 21 units, the limit is 20: the limit binds. 500 miles pay for 5: the balance binds.
        let limited = (0..<3).map { collector("8178000000\($0)", miles: 2_000) }
        let thin = collector("81780000009", miles: 500)
        let roomy = (0..<16).map { collector("817810000" + String(format: "%02d", $0), miles: 50_000) }
        let shared = limited + [thin]
        let simulator = try await SimulatorServer.start(
            options: SimulatorOptions(collectors: shared + roomy, dailyLimitUnits: 20, databasePath: path))
        let terminals = 48
        let attempts = 6
        let answers = try await withThrowingTaskGroup(of: [(number: String, code: String, confirmation: String?, units: Int)].self) { group in
            for terminal in 0..<terminals {
                group.addTask {
                    let (client, builder) = try SimulatorTests.client(simulator, deviceId: zeroPadded(terminal + 400))
                    var answers: [(number: String, code: String, confirmation: String?, units: Int)] = []
                    for attempt in 0..<attempts {
                        // Every other request goes to a shared collector; the rest to one of the roomy ones.
                        let number =
                            attempt.isMultiple(of: 2)
                            ? shared[(terminal + attempt) % shared.count].number : roomy[(terminal * attempts + attempt) % roomy.count].number
                        let call = SimulatorTests.redeem(number, dollars: 10, trace: terminal * 10 + attempt + 1, builder: builder)
                        var result = await client.redeem(call, policy: .once)
                        // A token request that timed out on a loaded machine sent no REDEEM: the same call again.
                        for _ in 0..<3 { if case .notSent = result { result = await client.redeem(call, policy: .once) } }
                        guard let reply = result.reply else {
                            await client.shutdown()
                            throw UnansweredRedeem(description: "a REDEEM was not answered: \(result)")
                        }
                        answers.append(
                            (number, reply.answer.code.rawValue, reply.approval?.confirmationNumber, reply.approval?.unitsRedeemed.count ?? 0))
                    }
                    await client.shutdown()
                    return answers
                }
            }
            return try await group.reduce([], +)
        }
        #expect(answers.count == terminals * attempts)
        for answer in answers {
            #expect(["0000", "0051", "0065"].contains(answer.code), "\(answer.number): \(answer.code)")
            #expect((answer.confirmation != nil) == (answer.code == "0000"), "only an approval has a confirmation")
        }
        let approved = answers.filter { $0.confirmation != nil }
        func units(_ number: String) -> Int { approved.filter { $0.number == number }.reduce(0) { $0 + $1.units } }
        for account in limited { #expect(units(account.number) == 20, "\(account.number): exactly the daily limit was granted") }
        #expect(units(thin.number) == 5, "5 units fit in 500 miles")
        for account in roomy { #expect(units(account.number) == answers.filter { $0.number == account.number }.count) }
        #expect(Set(approved.map { $0.confirmation! }).count == approved.count, "no confirmation number was given twice")
        await simulator.stop()

        // Reopened: the file holds exactly the approvals answered, and the balances and usage they make.
        let reopened = try DatabaseQueue(path: path)
        let stored = try await reopened.read { db in
            try Dictionary(
                Row.fetchAll(db, sql: "SELECT confirmation, number, units FROM redemptions").map {
                    ($0["confirmation"] as String, "\($0["number"] as String)/\($0["units"] as Int)")
                }, uniquingKeysWith: { first, _ in first })
        }
        #expect(stored == Dictionary(uniqueKeysWithValues: approved.map { ($0.confirmation!, "\($0.number)/\($0.units)") }))
        for account in shared + roomy {
            let (cash, used) = try await reopened.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT cash FROM accounts WHERE number = ?", arguments: [account.number]),
                    try Int.fetchOne(db, sql: "SELECT SUM(units) FROM daily_usage WHERE number = ?", arguments: [account.number]) ?? 0
                )
            }
            #expect(cash == account.cashMiles - units(account.number) * 95, "\(account.number): the balance is what was approved")
            #expect(used == units(account.number), "\(account.number): the day's usage is what was approved")
            #expect(used <= 20 && (cash ?? -1) >= 0)
        }
        try reopened.close()
    }
}

/// A REDEEM a terminal of these tests got no answer to: the terminal's client is shut down first.
private struct UnansweredRedeem: Error, CustomStringConvertible {
    let description: String
}
