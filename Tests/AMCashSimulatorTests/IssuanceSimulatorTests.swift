import AMCashDomain
import AMCashWire
import Foundation
import Testing

@testable import AMCashSimulator

/// The simulator's Issuance endpoints as an integrator meets them: bodies built from the fields the
/// partner documentation lists (shared/docs/issuance-api.md), sent raw over a real socket.
@Suite struct IssuanceSimulatorTests {
    typealias Wire = SimulatorFidelityTests.Wire
    typealias Answer = SimulatorFidelityTests.Answer

    static func start(_ options: SimulatorOptions = SimulatorOptions()) async throws -> (SimulatorServer, Wire) {
        try await SimulatorFidelityTests.start(options)
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

    @Test func documentedSampleBodiesAreAnsweredAsTheContractSays() async throws {
        let (simulator, wire) = try await Self.start()
        defer {
            Task {
                await wire.close()
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

    @Test func malformedBodiesAre400WithTheFieldNamed() async throws {
        let (simulator, wire) = try await Self.start()
        defer {
            Task {
                await wire.close()
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

    @Test func aKeyIsAnsweredOnceAndAnotherBodyUnderItIsAConflict() async throws {
        let (simulator, wire) = try await Self.start()
        defer {
            Task {
                await wire.close()
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

    @Test func thePendingCollectorIsAnswered202AndPostsLater() async throws {
        let clock = TestClock(start: ISO8601DateFormatter().date(from: "2026-12-05T13:00:00-05:00")!)
        var options = SimulatorOptions(clock: { clock.now })
        options.earningPostDelay = .seconds(5)
        let (simulator, wire) = try await Self.start(options)
        defer {
            Task {
                await wire.close()
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

    @Test func theRefusingCollectorIsAnswered400AndTheSplitCollectorSplits() async throws {
        let (simulator, wire) = try await Self.start()
        defer {
            Task {
                await wire.close()
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

    @Test func milesTakenBackBeyondTheAMCashBalanceComeOutOfDream() async throws {
        let (simulator, wire) = try await Self.start()
        defer {
            Task {
                await wire.close()
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

    @Test func anIssuanceWhileAnAMCashCallIsInProgressGetsTheParallelTransactionAnswer() async throws {
        var options = SimulatorOptions()
        options.slowDelay = .seconds(4)
        let (simulator, wire) = try await Self.start(options)
        defer {
            Task {
                await wire.close()
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

    @Test func bonusOffersComeFromAnOffersFile() async throws {
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
        let (simulator, wire) = try await Self.start(options)
        defer {
            Task {
                await wire.close()
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
