import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import Testing

@Suite struct SimulatorTests {
    static let builder = RequestBuilder(identity: .training)

    static func client(_ simulator: SimulatorServer, deviceId: String = "001") throws -> (HostClient, RequestBuilder) {
        let identity = try TerminalIdentity(sponsorCode: "LOY1", storeId: "0001", deviceId: deviceId, vendorId: "1", acquirerId: "1")
        return (
            HostClient(
                settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator,
                timeouts: HostTimeouts(connect: .seconds(2), read: .seconds(5))),
            RequestBuilder(identity: identity)
        )
    }

    static func redeem(
        _ number: String, dollars: Int, basket: Int = 1000, trace: Int, builder: RequestBuilder, key: UUID = UUID(),
        at instant: Date = Date()
    ) -> PreparedCall {
        try! builder.redeem(
            RedemptionRequest(
                card: CardRead(number: try! CollectorNumber(digits: number), entryMode: .scan),
                basket: Money(dollars: basket), amount: Money(dollars: dollars)),
            traceId: try! TraceId(trace), at: instant, idempotencyKey: key)
    }

    @Test func fiftyTerminalsHammeringOneCollectorNeverPassTheLimitOrZero() async throws {
        // 2,000 miles pay for 21 units; the limit is 20 units; 50 terminals each try 3 × $10 redemptions.
        let collector = TestCollector(number: "81999999999", situation: "hammered", summary: "", cashMiles: 2_000, dreamMiles: 0)
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(collectors: [collector], dailyLimitUnits: 20))
        let approvedUnits = try await withThrowingTaskGroup(of: Int.self) { group in
            for terminal in 0..<50 {
                group.addTask {
                    let (client, builder) = try Self.client(simulator, deviceId: zeroPadded(terminal + 100))
                    var units = 0
                    for attempt in 0..<3 {
                        let result = await client.redeem(
                            Self.redeem(collector.number, dollars: 10, trace: terminal * 10 + attempt + 1, builder: builder),
                            policy: .once)
                        units += result.reply?.approval?.unitsRedeemed.count ?? 0
                        if let code = result.reply?.answer.code { #expect(["0000", "0065"].contains(code.rawValue), "\(code)") }
                    }
                    await client.shutdown()
                    return units
                }
            }
            return try await group.reduce(0, +)
        }
        let ledger = await simulator.redemptions()
        #expect(approvedUnits == 20, "exactly the limit was granted")
        #expect(ledger.reduce(0) { $0 + $1.units } == 20)
        #expect(await simulator.unitsRedeemedToday(by: collector.number) == 20)
        #expect(await simulator.cashBalance(of: collector.number) == 2_000 - 20 * 95)
        await simulator.stop()
    }

    @Test func balancesNeverGoBelowZeroUnderConcurrentRedemptions() async throws {
        let collector = TestCollector(number: "81999999998", situation: "thin", summary: "", cashMiles: 500, dreamMiles: 0)
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(collectors: [collector]))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for terminal in 0..<20 {
                group.addTask {
                    let (client, builder) = try Self.client(simulator, deviceId: zeroPadded(terminal + 200))
                    _ = await client.redeem(Self.redeem(collector.number, dollars: 20, trace: terminal + 1, builder: builder), policy: .once)
                    await client.shutdown()
                }
            }
            try await group.waitForAll()
        }
        #expect(await simulator.cashBalance(of: collector.number) == 500 - 5 * 95, "5 units fit in 500 miles; 25 miles remain")
        await simulator.stop()
    }

    @Test func aStoredAnswerIsReplayedAfterARestartWithTheLedgerOnDisk() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-sim-\(UUID()).sqlite").path
        let key = UUID()
        let call = Self.redeem("81000000001", dollars: 40, basket: 45, trace: 1, builder: Self.builder, key: key)

        let first = try await SimulatorServer.start(options: SimulatorOptions(databasePath: path))
        let (client1, _) = try Self.client(first)
        let original = try #require(await client1.redeem(call, policy: .once).reply?.approval)
        await client1.shutdown()
        await first.stop()

        let second = try await SimulatorServer.start(options: SimulatorOptions(databasePath: path))
        let (client2, _) = try Self.client(second)
        let replayed = try #require(await client2.redeem(call, policy: .once).reply?.approval)
        #expect(replayed == original)
        #expect(await second.redemptions().count == 1)
        #expect(await second.cashBalance(of: "81000000001") == 50_000 - 380)
        let conflicting = Self.redeem("81000000001", dollars: 10, basket: 45, trace: 1, builder: Self.builder, key: key)
        guard case .unknown(.conflict) = await client2.redeem(conflicting, policy: .once) else {
            Issue.record("the same key with another body was not a conflict after restart")
            return
        }
        await client2.shutdown()
        await second.stop()
    }

    @Test func theReversalWindowClosesAtThreeInTorontoAfterThePurchase() async throws {
        let clock = TestClock(start: ISO8601DateFormatter().date(from: "2026-11-27T22:00:00-05:00")!)
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(clock: { clock.now }))
        let (client, builder) = try Self.client(simulator)
        let approval = try #require(
            await client.redeem(Self.redeem("81000000001", dollars: 10, trace: 1, builder: builder), policy: .once).reply?.approval)
        func reverse(trace: Int) -> PreparedCall {
            try! builder.reverse(
                ReversalRequest(
                    card: CardRead(number: try! CollectorNumber(digits: "81000000001"), entryMode: .scan),
                    redemptionConfirmationNumber: approval.confirmationNumber),
                traceId: try! TraceId(trace), at: clock.now)
        }
        clock.set("2026-11-28T03:00:00-05:00")
        let late = await client.reverse(reverse(trace: 2), policy: .once)
        #expect(late.reply?.answer.code == ResponseCode.invalidField)
        #expect(late.reply?.answer.hostMessage?.contains("window closed") == true)
        clock.set("2026-11-28T02:59:59-05:00")
        #expect(await client.reverse(reverse(trace: 3), policy: .once).outcome == .approved)
        await client.shutdown()
        await simulator.stop()
    }

    @Test func theDailyLimitResetsAtThreeInToronto() async throws {
        let clock = TestClock(start: ISO8601DateFormatter().date(from: "2026-11-28T02:30:00-05:00")!)
        let limitReached = TestCollectors.standard.first { $0.situation == "limit-reached" }!
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(clock: { clock.now }))
        let (client, builder) = try Self.client(simulator)
        let before = await client.redeem(Self.redeem(limitReached.number, dollars: 10, trace: 1, builder: builder), policy: .once)
        #expect(before.reply?.answer.code == ResponseCode.dailyLimitExceeded)
        clock.set("2026-11-28T03:00:00-05:00")
        let after = await client.redeem(Self.redeem(limitReached.number, dollars: 10, trace: 2, builder: builder), policy: .once)
        #expect(after.outcome == .approved)
        await client.shutdown()
        await simulator.stop()
    }

    @Test(arguments: [
        ("redeem:drop", "redeem:drop"), ("81000000001:delay=3000", "81000000001:delay=3000"), ("outage@25", "outage@25"),
        ("5xx", "5xx"), ("inquire:timeout@100", "inquire:timeout"),
    ])
    func faultRulesReadAndWriteTheSameWay(text: String, written: String) throws {
        #expect(try FaultRule(parsing: text).description == written)
    }

    @Test(arguments: ["", "drop@101", "bogus", "redeem:", "shop:drop", "delay=abc", "delay=-5"])
    func aBadFaultRuleIsRefusedWithTheFormToUse(text: String) {
        #expect(throws: FaultRuleError.self) { try FaultRule(parsing: text) }
    }

    @Test func aCollectorsFileReplacesTheBuiltInSet() throws {
        let collectors = try TestCollectors.parse(
            """
            [[collector]]
            number = "81111111111"
            situation = "vip"
            summary = "lots"
            cashMiles = 9500
            dreamMiles = 10
            behaviour = "slow"
            """, path: "c.toml")
        #expect(
            collectors == [TestCollector(number: "81111111111", situation: "vip", summary: "lots", cashMiles: 9500, dreamMiles: 10, behaviour: .slow)]
        )
        #expect(throws: ConfigurationError.self) {
            try TestCollectors.parse("[[collector]]\nnumber = \"8111\"\nbehaviour = \"grumpy\"", path: "c.toml")
        }
        #expect(throws: ConfigurationError.self) { try TestCollectors.parse("x = 1", path: "c.toml") }
        #expect(throws: ConfigurationError.self) {
            try TestCollectors.parse("[[collector]]\nnumber = \"81111111111\"\nfaults = [\"explode\"]", path: "c.toml")
        }
        // A typo is refused at its line and column, not silently ignored.
        do {
            _ = try TestCollectors.parse("[[collector]]\nnumber = \"81111111111\"\ncashMile = 9500", path: "c.toml")
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect(error.description.hasPrefix("c.toml:3:1"), "\(error.description)")
            #expect(error.description.contains("unknown key cashMile in a [[collector]]"), "\(error.description)")
        }
    }

    @Test func theBuiltInSetHasOneCollectorPerSituation() {
        let situations = TestCollectors.standard.map(\.situation)
        #expect(
            situations == [
                "plenty", "one-unit", "below-one-unit", "near-limit", "limit-reached", "inactive", "balance-hidden",
                "unable-to-redeem", "invalid-number", "times-out", "slow", "hidden-and-unable",
                // Earning (Issuance) situations.
                "earns-split", "earns-dream", "earning-pending", "earning-refused",
            ])
        #expect(Set(TestCollectors.standard.map(\.number)).count == situations.count)
    }
}

/// A clock a test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func set(_ text: String) { lock.withLock { current = ISO8601DateFormatter().date(from: text)! } }
}

func zeroPadded(_ value: Int) -> String { String(repeating: "0", count: max(0, 3 - String(value).count)) + String(value) }

@Suite struct ReconciliationExportTests {
    @Test func theSimulatorsFileListsTheDaysRedemptionsAndReversals() async throws {
        let clock = TestClock(start: ISO8601DateFormatter().date(from: "2026-11-27T13:00:00-05:00")!)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-recon-\(UUID()).sqlite").path
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(databasePath: path, clock: { clock.now }))
        let (client, builder) = try SimulatorTests.client(simulator)
        let first = try #require(
            await client.redeem(SimulatorTests.redeem("81000000001", dollars: 40, trace: 1, builder: builder), policy: .once).reply?.approval)
        clock.set("2026-11-27T23:59:59-05:00")
        _ = await client.redeem(SimulatorTests.redeem("81000000002", dollars: 10, trace: 2, builder: builder), policy: .once)
        let reversal = try builder.reverse(
            ReversalRequest(
                card: CardRead(number: try CollectorNumber(digits: "81000000001"), entryMode: .scan),
                redemptionConfirmationNumber: first.confirmationNumber), traceId: try TraceId(3), at: clock.now)
        #expect(await client.reverse(reversal, policy: .once).outcome == .approved)
        clock.set("2026-11-28T00:00:00-05:00")  // the next file's day
        _ = await client.redeem(SimulatorTests.redeem("81000000001", dollars: 10, trace: 4, builder: builder), policy: .once)
        await client.shutdown()

        let day = ProgramDay(try CalendarDay(parsing: "2026-11-27"))
        let live = try await simulator.reconciliationFile(day: day, sponsorCode: "LOY1")
        await simulator.stop()
        let offline = try ReconciliationExport.file(databasePath: path, day: day, sponsorCode: "LOY1")
        #expect(live.records.dropFirst() == offline.records.dropFirst(), "the live ledger and the file on disk agree")
        #expect(offline.details.map(\.type) == [.redeem, .redeem, .reverse])
        #expect(offline.details.last?.originalConfirmationNumber == first.confirmationNumber)
        #expect(offline.records.suffix(2) == ["T1%%3%%2%%1", "T2%%475%%50.00%%380%%40.00"])
        #expect(offline.records[1] == "H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%2026-11-27")
        #expect(try ReconciliationExport.file(databasePath: path, day: day, sponsorCode: "XXX9").details.isEmpty)
    }
}

@Suite struct CollectorFaultTests {
    @Test func aCollectorsFileCanGiveOneCardItsOwnFaults() async throws {
        let collectors = try TestCollectors.parse(
            """
            [[collector]]
            number = "81222222222"
            cashMiles = 5000
            faults = ["outage"]

            [[collector]]
            number = "81333333333"
            cashMiles = 5000
            """, path: "c.toml")
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(collectors: collectors))
        let (client, builder) = try SimulatorTests.client(simulator)
        func inquire(_ number: String) async throws -> HostResult<InquiryReply> {
            await client.inquire(
                builder.inquire(
                    InquiryRequest(
                        card: CardRead(number: try CollectorNumber(digits: number), entryMode: .scan),
                        basket: Money(dollars: 20)), traceId: try TraceId(1), at: Date()))
        }
        #expect(try await inquire("81222222222").reply?.answer.code == ResponseCode.scheduledOutage)
        #expect(try await inquire("81333333333").outcome == .approved)
        await client.shutdown()
        await simulator.stop()
    }
}
