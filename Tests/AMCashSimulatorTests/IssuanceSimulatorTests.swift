import AMCashDomain
import AMCashWire
import Foundation
import ScratchPostgres
import Testing

@testable import AMCashSimulator

/// The simulator's Issuance endpoints as an integrator meets them: bodies built from the fields the
/// partner documentation lists (shared/docs/issuance-api.md), sent raw over a real socket. Each test
/// that touches the books runs on both ledgers: SQLite in memory and a real PostgreSQL (a fresh database).
@Suite struct IssuanceSimulatorTests {
    typealias Wire = SimulatorFidelityTests.Wire
    typealias Answer = SimulatorFidelityTests.Answer

    /// Where the simulator keeps its books.
    enum Ledger: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite
        case postgresql
        var testDescription: String { rawValue }
    }

    static func start(_ options: SimulatorOptions = SimulatorOptions(), on ledger: Ledger) async throws -> (SimulatorServer, Wire) {
        var options = options
        if ledger == .postgresql { options.database = try await TestPostgres.freshDatabase() }
        return try await SimulatorFidelityTests.start(options)
    }

    static func call(_ wire: Wire, _ operation: String, _ body: String, key: String? = UUID().uuidString) async throws -> Answer {
        let token = try #require(try await wire.token()["access_token"])
        var headers = [("Authorization", "Bearer \(token)")]
        if let key { headers.append(("Idempotency-Key", key)) }
        return try await wire.post("/checkout/issuance/" + operation, body: body, headers: headers)
    }

    /// A CALCULATE / ISSUE / RETURN body with every documented field; money as JSON numbers.
    static func basket(
        collector: String = "81000000001", transaction: String = "LOY10001001000000000101", preTax: String = "105.00",
        postTax: String = "118.65", extra: String = ""
    ) -> String {
        """
        {"basketPreTaxAmount":\(preTax),"basketPostTaxAmount":\(postTax),"basketGSTAmount":5.25,"basketPSTAmount":8.40,\
        "basketHSTAmount":0.00,"basketQSTAmount":0,"checkoutDateTime":"2019-05-30T14:12:59.479Z",\
        "checkoutTransactionId":"\(transaction)","collectorNumber":"\(collector)","deviceId":"POS1","context":{"lane":"4"},\
        "coupon":["SPRING"],"items":[{"id":"1","name":"Milk","number":"0000123","quantity":2,"baseAmount":9.98,"finalAmount":9.98,\
        "departmentId":"DAIRY","categoryId":"MILK"},{"id":"2","name":"Kettle","number":"0000456","quantity":1,"baseAmount":95.02,\
        "finalAmount":95.02,"departmentId":"HOME","categoryId":"SMALL"}]\(extra)}
        """
    }

    /// A partner-calculated body: `issuances` lines instead of items.
    static func partner(collector: String = "81000000001", transaction: String, miles: Int) -> String {
        """
        {"basketPreTaxAmount":24.97,"basketPostTaxAmount":28.22,"checkoutDateTime":"2019-05-30T14:12:59.479Z",\
        "checkoutTransactionId":"\(transaction)","collectorNumber":"\(collector)","deviceId":"POS1",\
        "issuances":[{"contributingItemIds":["1"],"issuanceOfferCode":"STANDARD","locationCode":"0001","milesAmount":\(miles),\
        "offerDescription":"Base miles","offerId":"STD-1"}]}
        """
    }

    @Test(arguments: Ledger.allCases) func documentedSampleBodiesAreAnsweredAsTheContractSays(ledger: Ledger) async throws {
        let (simulator, wire) = try await Self.start(on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        let calculate = try await Self.call(wire, "calculate", Self.basket())
        #expect(calculate.status == 200)
        #expect(calculate.json["totalMiles"] as? Int == 5, "1 mile per whole $20 of $105.00 pre-tax")
        #expect(try await simulator.issuances().isEmpty, "CALCULATE moves nothing")

        let issue = try await Self.call(wire, "issue", Self.basket())
        #expect(issue.status == 200)
        #expect(issue.code == "0000")
        #expect(issue["status"] == "ISSUED")
        #expect(issue["checkoutTransactionId"] == "LOY10001001000000000101")
        #expect(issue.json["totalMiles"] as? Int == 5)
        #expect(issue["confirmationNumber"]?.hasPrefix("IS") == true)

        let returned = try await Self.call(
            wire, "return",
            Self.basket(
                transaction: "LOY10001001000000000102", preTax: "40.00", postTax: "45.20",
                extra: #","originalCheckoutTransactionId":"LOY10001001000000000101""#))
        #expect(returned.status == 200)
        #expect(returned.json["totalMiles"] as? Int == 2)

        for (operation, miles) in [("post", 7), ("post/event", 3), ("reverse", 7), ("reverse/event", 3)] {
            let answer = try await Self.call(wire, operation, Self.partner(transaction: "P-\(operation)", miles: miles))
            #expect(answer.status == 200, "\(operation): \(answer.json)")
            #expect(answer.json["totalMiles"] as? Int == miles, "\(operation)")
        }
        let record = try await Self.call(
            wire, "record", Self.basket(transaction: "R-1").replacingOccurrences(of: #""collectorNumber":"81000000001","#, with: ""), key: nil)
        #expect(record.status == 200)
        #expect(record["status"] == "RECORDED")

        let rows = try await simulator.issuances()
        #expect(rows.map(\.operation) == ["issue", "return", "post", "post/event", "reverse", "reverse/event", "record"])
        #expect(rows.map(\.miles) == [5, -2, 7, 3, -7, -3, 0])
        let balances = try #require(try await simulator.balances(of: "81000000001"))
        #expect(balances.cash == 50_000 + 5 - 2 + 7 + 3 - 7 - 3)
    }

    @Test(arguments: Ledger.allCases) func malformedBodiesAre400WithTheFieldNamed(ledger: Ledger) async throws {
        let (simulator, wire) = try await Self.start(on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        let asString = try await Self.call(wire, "issue", Self.basket(preTax: #""105.00""#))
        #expect(asString.status == 400)
        #expect(asString.code == "0035")
        #expect(asString.message?.contains("basketPreTaxAmount") == true, "\(asString.message ?? "")")
        let missing = try await Self.call(wire, "issue", #"{"basketPreTaxAmount":10.00,"collectorNumber":"81000000001"}"#)
        #expect(missing.status == 400)
        #expect(missing.message?.contains("basketPostTaxAmount") == true)
        let threeDecimals = try await Self.call(wire, "issue", Self.basket(preTax: "10.005"))
        #expect(threeDecimals.status == 400)
        let broken = try await Self.call(wire, "issue", "{\n  \"basketPreTaxAmount\": 10.00,\n  oops }")
        #expect(broken.status == 400)
        #expect(broken.message?.contains("line 3") == true, "\(broken.message ?? "")")
        let badItem = try await Self.call(
            wire, "calculate",
            Self.basket(extra: #","items":[{"name":"no id"}]"#).replacingOccurrences(of: #","items":[{"id":"1""#, with: #","itemz":[{"id":"1""#))
        #expect(badItem.status == 400)
        #expect(badItem.message?.contains("items[0].id") == true, "\(badItem.message ?? "")")
        #expect(try await simulator.issuances().isEmpty)
    }

    @Test(arguments: Ledger.allCases) func aKeyIsAnsweredOnceAndAnotherBodyUnderItIsAConflict(ledger: Ledger) async throws {
        let (simulator, wire) = try await Self.start(on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        let key = UUID().uuidString
        let first = try await Self.call(wire, "issue", Self.basket(), key: key)
        let again = try await Self.call(wire, "issue", Self.basket(), key: key)
        #expect(first.status == 200)
        #expect(again.status == 200)
        #expect(again["confirmationNumber"] == first["confirmationNumber"])
        let other = try await Self.call(wire, "issue", Self.basket(preTax: "500.00"), key: key)
        #expect(other.status == 409)
        // Without a key, only a byte-identical body is a repeat.
        let keyless1 = try await Self.call(wire, "issue", Self.basket(transaction: "K-1"), key: nil)
        let keyless2 = try await Self.call(wire, "issue", Self.basket(transaction: "K-1"), key: nil)
        #expect(keyless1["confirmationNumber"] == keyless2["confirmationNumber"])
        #expect(try await simulator.issuances().count == 2)
    }

    @Test(arguments: Ledger.allCases) func thePendingCollectorIsAnswered202AndPostsLater(ledger: Ledger) async throws {
        let clock = TestClock(start: ISO8601DateFormatter().date(from: "2026-12-05T13:00:00-05:00")!)
        var options = SimulatorOptions(clock: { clock.now })
        options.earningPostDelay = .seconds(5)
        let (simulator, wire) = try await Self.start(options, on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        let key = UUID().uuidString
        let answer = try await Self.call(wire, "issue", Self.basket(collector: "81000000015"), key: key)
        #expect(answer.status == 202)
        #expect(answer["status"] == "PENDING")
        clock.set("2026-12-05T13:00:04-05:00")
        #expect(try await simulator.balances(of: "81000000015")?.cash == 500, "not posted before its time")
        let resent = try await Self.call(wire, "issue", Self.basket(collector: "81000000015"), key: key)
        #expect(resent.status == 202, "resending changes nothing")
        clock.set("2026-12-05T13:00:06-05:00")
        #expect(try await simulator.balances(of: "81000000015")?.cash == 505)
        #expect(try await simulator.issuances().map(\.status) == ["ISSUED"])
        // Posted: the same call again says so (IssuanceDecisions.pendingIsLearnedByReplay), and still moves nothing.
        let posted = try await Self.call(wire, "issue", Self.basket(collector: "81000000015"), key: key)
        #expect(posted.status == 200)
        #expect(posted["status"] == "ISSUED")
        #expect(posted["confirmationNumber"] == answer["confirmationNumber"])
        #expect(try await simulator.balances(of: "81000000015")?.cash == 505, "asking moves nothing")
        #expect(try await simulator.issuances().count == 1)
    }

    /// A trainer strikes Earning alone: `calculate:outage` answers CALCULATE 503/0092, `issue:drop` applies the ISSUE and
    /// loses its answer, and the same collector's AM Cash INQUIRE goes on as usual; `issuance:5xx` strikes every Issuance
    /// call. Before, an Issuance call could only be struck with every call of its collector (`81000000001:drop`).
    @Test func faultsScopedToAnIssuanceCallStrikeOnlyThatCall() async throws {
        let rules = try ["calculate:outage", "issue:drop"].map { try FaultRule(parsing: $0) }
        let (simulator, wire) = try await Self.start(SimulatorOptions(faults: FaultPlan(rules: rules)), on: .sqlite)
        defer {
            Task {
                await simulator.stop()
            }
        }
        let calculated = try await Self.call(wire, "calculate", Self.basket())
        #expect(calculated.status == 503 && calculated.code == "0092", "\(calculated.json)")
        await #expect(throws: (any Error).self, "the ISSUE's answer is lost") { _ = try await Self.call(wire, "issue", Self.basket()) }
        #expect(try await simulator.issuances().count == 1, "applied before its answer was lost")
        let token = try #require(try await wire.token()["access_token"])
        let inquiry = try await wire.post(
            "/checkout/amcash/inquire", body: SimulatorFidelityTests.inquireSample.replacingOccurrences(of: "84095202006", with: "81000000001"),
            headers: [("Authorization", "Bearer \(token)")])
        #expect(inquiry.status == 200 && inquiry.code == "0000", "AM Cash is not struck: \(inquiry.json)")
        await simulator.injectFaults(FaultPlan(rules: [try FaultRule(parsing: "issuance:5xx")]))
        let refused = try await Self.call(wire, "issue", Self.basket(transaction: "LOY10001001000000000102"))
        #expect(refused.status == 500 && refused.code == "0096")
        #expect(try await simulator.issuances().count == 1, "not applied")
        #expect(FaultRule(kind: .outage, scope: .endpoint("reverse")).applies(endpoint: "issuance/reverse", collector: nil) == false)
        #expect(throws: FaultRuleError.self) { try FaultRule(parsing: "post:drop") }
    }

    @Test(arguments: Ledger.allCases) func theRefusingCollectorIsAnswered400AndTheSplitCollectorSplits(ledger: Ledger) async throws {
        let (simulator, wire) = try await Self.start(on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        #expect(try await Self.call(wire, "issue", Self.basket(collector: "81000000016")).status == 400)
        #expect(try await Self.call(wire, "issue", Self.basket(collector: "81000000013", preTax: "200.00")).status == 200)
        let balances = try #require(try await simulator.balances(of: "81000000013"))
        #expect(balances.cash == 1_006)
        #expect(balances.dream == 1_004)
        #expect(try await Self.call(wire, "issue", Self.basket(collector: "81000000009")).status == 401)
    }

    @Test(arguments: Ledger.allCases) func milesTakenBackBeyondTheAMCashBalanceComeOutOfDream(ledger: Ledger) async throws {
        let (simulator, wire) = try await Self.start(on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        // 81000000003 holds 60 AM Cash and 1000 Dream miles; a reversal of 100 miles empties AM Cash, 40 come out of Dream.
        let reverse = try await Self.call(wire, "reverse", Self.partner(collector: "81000000003", transaction: "P-9", miles: 100))
        #expect(reverse.status == 200, "\(reverse.json)")
        let balances = try #require(try await simulator.balances(of: "81000000003"))
        #expect(balances.cash == 0)
        #expect(balances.dream == 960)
    }

    @Test(arguments: Ledger.allCases) func anIssuanceWhileAnAMCashCallIsInProgressGetsTheParallelTransactionAnswer(ledger: Ledger) async throws {
        var options = SimulatorOptions()
        options.slowDelay = .seconds(4)
        let (simulator, wire) = try await Self.start(options, on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        let slow = "81000000011"
        let token = try #require(try await wire.token()["access_token"])
        let inquiry = Task {
            try await wire.post(
                "/checkout/amcash/inquire", body: SimulatorFidelityTests.inquireSample.replacingOccurrences(of: "84095202006", with: slow),
                headers: [("Authorization", "Bearer \(token)")]
            ).status
        }
        // The INQUIRE has reached the host (and waits there, the slow collector's delay): now the ISSUE.
        while await simulator.requestCount("inquire") == 0 { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        let parallel = try await wire.post(
            "/checkout/issuance/issue", body: Self.basket(collector: slow),
            headers: [("Authorization", "Bearer \(token)"), ("Idempotency-Key", UUID().uuidString)])
        #expect(parallel.status == IssuanceDecisions.parallelTransactionStatus)
        #expect(parallel.code == IssuanceDecisions.parallelTransactionCode)
        // CALCULATE moves nothing: it is answered while the INQUIRE is out.
        let preview = try await wire.post(
            "/checkout/issuance/calculate", body: Self.basket(collector: slow),
            headers: [("Authorization", "Bearer \(token)"), ("Idempotency-Key", UUID().uuidString)])
        #expect(preview.status == 200)
        #expect(try await inquiry.value == 200)
        #expect(try await simulator.issuances().isEmpty, "nothing was done")
        // Afterwards the same earning goes through (the slow collector still answers slowly).
        #expect(try await Self.call(wire, "issue", Self.basket(collector: slow)).status == 200)
    }

    /// A training centre's simulators share one PostgreSQL ledger behind a load balancer, so they act
    /// as one host: a call for a collector in progress at one makes the other answer 409/0094 (AM Cash
    /// calls still overlap each other), and nothing stays locked once the calls end.
    @Test func simulatorsSharingALedgerSeeEachOthersCallsInProgress() async throws {
        var options = SimulatorOptions()
        options.slowDelay = .seconds(4)
        let database = try await TestPostgres.freshDatabase()
        options.database = database
        let (first, toFirst) = try await SimulatorFidelityTests.start(options)
        let (second, toSecond) = try await SimulatorFidelityTests.start(options)
        let probe = PostgresCollectorLocks(address: database)
        defer {
            Task {
                await probe.close()
                await first.stop()
                await second.stop()
            }
        }
        let slow = "81000000011"
        func inquire(_ wire: Wire) async throws -> Int {
            let token = try #require(try await wire.token()["access_token"])
            return try await wire.post(
                "/checkout/amcash/inquire", body: SimulatorFidelityTests.inquireSample.replacingOccurrences(of: "84095202006", with: slow),
                headers: [("Authorization", "Bearer \(token)")]
            ).status
        }
        /// Whether a simulator holds the collector's lock (the probe looks without taking it).
        func busy() async throws -> Bool { try await probe.holders(of: slow) > 0 }
        func waitUntilBusy() async throws {
            for _ in 0..<250 {
                if try await busy() { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("a call in progress holds its collector's lock")
        }

        // An INQUIRE in progress at the first simulator: an ISSUE at the second is refused, doing nothing.
        let inquiry = Task { try await inquire(toFirst) }
        try await waitUntilBusy()
        let refused = try await Self.call(toSecond, "issue", Self.basket(collector: slow))
        #expect(refused.status == IssuanceDecisions.parallelTransactionStatus, "\(refused.json)")
        #expect(refused.code == IssuanceDecisions.parallelTransactionCode)
        // CALCULATE moves nothing, and AM Cash calls overlap: both are answered at the second meanwhile.
        #expect(try await Self.call(toSecond, "calculate", Self.basket(collector: slow)).status == 200)
        #expect(try await inquire(toSecond) == 200)
        #expect(try await inquiry.value == 200)
        #expect(try await first.issuances().isEmpty, "nothing was done")

        // An ISSUE in progress at the first: an INQUIRE and another ISSUE at the second are refused.
        let earning = Task { try await Self.call(toFirst, "issue", Self.basket(collector: slow, transaction: "S-SHARED")).status }
        try await waitUntilBusy()
        #expect(try await inquire(toSecond) == IssuanceDecisions.parallelTransactionStatus)
        let second409 = try await Self.call(toSecond, "issue", Self.basket(collector: slow, transaction: "S-OTHER"))
        #expect(second409.code == IssuanceDecisions.parallelTransactionCode, "\(second409.json)")
        #expect(try await earning.value == 200)
        #expect(try await second.issuances().map(\.checkoutTransactionId) == ["S-SHARED"], "one earning in the shared books")

        // Every call has ended: no lock is left for the collector (released in the background).
        for _ in 0..<250 {
            if !(try await busy()) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the collector's lock was never let go")
    }

    @Test(arguments: Ledger.allCases) func aReturnGivesBackAtMostWhatItsSaleEarnedAndOnlyToItsCollector(ledger: Ledger) async throws {
        let (simulator, wire) = try await Self.start(on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        #expect(try await Self.call(wire, "issue", Self.basket(transaction: "S-1")).json["totalMiles"] as? Int == 5)
        func giveBack(_ transaction: String, collector: String = "81000000001", original: String = "S-1") async throws -> Answer {
            try await Self.call(
                wire, "return",
                Self.basket(
                    collector: collector, transaction: transaction, preTax: "60.00", postTax: "67.80",
                    extra: #","originalCheckoutTransactionId":"\#(original)""#))
        }
        // $60.00 earns 3; the second return finds 2 left, the third none.
        #expect(try await giveBack("S-1-R1").json["totalMiles"] as? Int == 3)
        #expect(try await giveBack("S-1-R2").json["totalMiles"] as? Int == 2)
        #expect(try await giveBack("S-1-R3").json["totalMiles"] as? Int == 0)
        let stranger = try await giveBack("S-1-R4", collector: "81000000013")
        #expect(stranger.status == 400)
        #expect(stranger.message?.contains("originalCheckoutTransactionId") == true, "\(stranger.json)")
        #expect(try await giveBack("S-9-R1", original: "S-9").status == 400, "no such sale")
        let rows = try await simulator.issuances()
        #expect(rows.map(\.miles) == [5, -3, -2, 0])
        #expect(rows.dropFirst().allSatisfy { $0.originalCheckoutTransactionId == "S-1" && $0.confirmationNumber.hasPrefix("IR") })
        #expect(try await simulator.balances(of: "81000000001")?.cash == 50_000)
    }

    /// A sale returned in parts gives back exactly the AM Cash and Dream miles it earned: the split is
    /// taken on the running total of the returns, not rounded on each (which moved Dream miles to AM Cash).
    @Test(arguments: Ledger.allCases) func aSaleReturnedInPartsGivesBackExactlyItsSplit(ledger: Ledger) async throws {
        let (simulator, wire) = try await Self.start(on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        let split = "81000000013"  // 60% of what it earns to AM Cash, 40% to Dream
        let before = try #require(try await simulator.balances(of: split))
        let sale = try await Self.call(wire, "issue", Self.basket(collector: split, transaction: "S-2", preTax: "100.00"))
        #expect(sale.json["totalMiles"] as? Int == 5, "\(sale.json)")
        let earned = try #require(try await simulator.balances(of: split))
        #expect(earned.cash == before.cash + 3 && earned.dream == before.dream + 2)
        for (part, preTax) in [("S-2-R1", "50.00"), ("S-2-R2", "50.00"), ("S-2-R3", "20.00")] {
            let back = try await Self.call(
                wire, "return",
                Self.basket(collector: split, transaction: part, preTax: preTax, extra: #","originalCheckoutTransactionId":"S-2""#))
            #expect(back.status == 200, "\(back.json)")
        }
        #expect(try await simulator.issuances().map(\.miles) == [5, -2, -2, -1])
        let after = try #require(try await simulator.balances(of: split))
        #expect(after.cash == before.cash && after.dream == before.dream, "before \(before), after \(after)")
    }

    /// A training centre: two simulators on one PostgreSQL ledger serve one collector's earnings as one host.
    @Test func twoSimulatorsOnOnePostgreSQLLedgerKeepOneSetOfEarningBooks() async throws {
        var options = SimulatorOptions()
        options.database = try await TestPostgres.freshDatabase()
        let (first, firstWire) = try await SimulatorFidelityTests.start(options)
        let (second, secondWire) = try await SimulatorFidelityTests.start(options)
        defer {
            Task {
                await first.stop()
                await second.stop()
            }
        }
        let key = UUID().uuidString
        let issued = try await Self.call(firstWire, "issue", Self.basket(transaction: "C-1"), key: key)
        #expect(issued.status == 200)
        // The terminal's retry lands on the other simulator: the same answer, nothing earned twice.
        let retried = try await Self.call(secondWire, "issue", Self.basket(transaction: "C-1"), key: key)
        #expect(retried.status == 200)
        #expect(retried["confirmationNumber"] == issued["confirmationNumber"])
        #expect(try await Self.call(secondWire, "issue", Self.basket(transaction: "C-1", preTax: "500.00"), key: key).status == 409)
        let returned = try await Self.call(
            secondWire, "return",
            Self.basket(transaction: "C-1-R", preTax: "40.00", postTax: "45.20", extra: #","originalCheckoutTransactionId":"C-1""#))
        #expect(returned.json["totalMiles"] as? Int == 2, "\(returned.json)")
        #expect(try await first.issuances().map(\.miles) == [5, -2])
        #expect(try await first.balances(of: "81000000001")?.cash == 50_003)
        #expect(try await second.balances(of: "81000000001")?.cash == 50_003)
    }

    /// Returns of one sale racing on four simulators of one PostgreSQL ledger: the account's row lock makes
    /// each see the ones before it, so together they never give back more than the sale earned.
    @Test func racingReturnsOnFourSimulatorsNeverGiveBackMoreThanTheSaleEarned() async throws {
        var options = SimulatorOptions()
        options.database = try await TestPostgres.freshDatabase()
        var started: [(SimulatorServer, Wire)] = []
        for _ in 0..<4 { started.append(try await SimulatorFidelityTests.start(options)) }
        let simulators = started
        let wires = simulators.map(\.1)
        defer {
            Task {
                for (simulator, _) in simulators {
                    await simulator.stop()
                }
            }
        }
        // $600.00 earns 30 miles; each return of $20.00 asks for 1 of them back.
        #expect(try await Self.call(wires[0], "issue", Self.basket(transaction: "BIG", preTax: "600.00", postTax: "678.00")).status == 200)
        let returns = 48
        let answers = try await withThrowingTaskGroup(of: (status: Int, miles: Int?).self) { group in
            for index in 0..<returns {
                group.addTask {
                    // As a till does with the parallel-transaction answer: try again a moment later.
                    let key = UUID().uuidString
                    for _ in 0..<1_000 {
                        let answer = try await Self.call(
                            wires[index % wires.count], "return",
                            Self.basket(
                                transaction: "BIG-R\(index)", preTax: "20.00", postTax: "22.60",
                                extra: #","originalCheckoutTransactionId":"BIG""#), key: key)
                        guard answer.status == IssuanceDecisions.parallelTransactionStatus else {
                            return (answer.status, answer.json["totalMiles"] as? Int)
                        }
                        try await Task.sleep(for: .milliseconds(2))
                    }
                    throw CancellationError()
                }
            }
            var all: [(status: Int, miles: Int?)] = []
            for try await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.allSatisfy { $0.status == 200 }, "\(answers.map(\.status))")
        // The first thirty take 1 mile back each; the rest find nothing left.
        #expect(answers.map { $0.miles ?? -1 }.sorted() == Array(repeating: 0, count: returns - 30) + Array(repeating: 1, count: 30))
        let rows = try await simulators[0].0.issuances()
        #expect(rows.filter { $0.operation == "return" }.count == returns)
        #expect(rows.reduce(0) { $0 + $1.miles } == 0)
        #expect(try await simulators[3].0.balances(of: "81000000001")?.cash == 50_000)
    }

    @Test(arguments: Ledger.allCases) func bonusOffersComeFromAnOffersFile(ledger: Ledger) async throws {
        var options = SimulatorOptions()
        options.bonusOffers = try BonusOffer.parse(
            """
            [[offer]]
            offerId = "HOME10"
            description = "10 bonus miles on home goods"
            department = "HOME"
            miles = 10

            [[offer]]
            offerId = "MILK3"
            item = "1"
            multiplier = 3
            """, path: "offers.toml")
        let (simulator, wire) = try await Self.start(options, on: ledger)
        defer {
            Task {
                await simulator.stop()
            }
        }
        // $105.00: 5 STANDARD, 10 for the HOME item, and the milk ($9.98, no whole $20) earns no extra.
        let answer = try await Self.call(wire, "calculate", Self.basket())
        #expect(answer.json["totalMiles"] as? Int == 15, "\(answer.json)")
    }

    @Test(arguments: [
        ("[[offer]]\nofferId = \"X\"\nmiles = 5", "give exactly one of department, category, item or coupon"),
        ("[[offer]]\nofferId = \"X\"\ncoupon = \"C\"\nmultiplier = 2", "a coupon offer gives miles"),
        ("[[offer]]\nofferId = \"X\"\ncategory = \"C\"", "give exactly one of miles or multiplier"),
        ("title = \"none\"", "at least one [[offer]]"),
        ("[[offer]]\nofferId = \"X\"\ndepartment = \"D\"\nmiles = 0", "offer #1: miles must be a whole number from 1 to 100"),
        ("[[offer]]\nofferId = \"X\"\ndepartment = \"D\"\nmiles = 5\nmulitplier = 2", "unknown key mulitplier in an [[offer]]"),
    ])
    func aBadOffersFileIsRefusedWithItsPlace(text: String, reason: String) {
        #expect(throws: (any Error).self) { try BonusOffer.parse(text, path: "offers.toml") }
        do {
            _ = try BonusOffer.parse(text, path: "offers.toml")
        } catch {
            #expect(error.description.hasPrefix("offers.toml:"), "\(error.description)")
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func aCollectorsFileSetsHowACollectorEarns() throws {
        let collectors = try TestCollectors.parse(
            """
            [[collector]]
            number = "84000000001"
            earning = "pending"
            earnedCashPercent = 60
            """, path: "c.toml")
        #expect(collectors.first?.earning == .pending)
        #expect(collectors.first?.earnedCashPercent == 60)
        #expect(throws: (any Error).self) {
            try TestCollectors.parse("[[collector]]\nnumber = \"84000000001\"\nearning = \"later\"", path: "c.toml")
        }
        #expect(throws: (any Error).self) {
            try TestCollectors.parse("[[collector]]\nnumber = \"84000000001\"\nearnedCashPercent = 101", path: "c.toml")
        }
    }
}
