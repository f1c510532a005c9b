import Foundation
import Testing

/// `amcash train` in tmux: three exercises, each done right and then wrong in one run, checked on the
/// verdict screen and on the scorecard (`amcash sim scorecard --json`).
@Suite struct TrainingEndToEndTests {
    typealias Console = ConsoleEndToEndTests.Console

    /// Runs `exercise` twice for trainee Ana.
    static func start(_ exercise: String) throws -> Console {
        try Console(arguments: ["train", "--trainee", "Ana", "--exercise", exercise, "--exercise", exercise])
    }

    static func sale(_ console: Console, basket: String, card: String = "81000000001") async throws {
        try await console.press("Enter")  // the story is read: start
        try await console.waitFor("Scan or swipe")
        try await console.typeSlowly(basket)
        try await console.press("Enter")
        try console.scan(card)
        try await console.waitFor("Can redeem on this sale")
        try await console.press("Enter")
        try await console.waitFor("Apply this AIR MILES Cash discount?")
        try await console.press("y")
    }

    /// The scorecard after the run: attempts, passes and mistakes for Ana.
    static func scorecard(_ console: Console) async throws -> [String: Any] {
        let run = try await CommandLineTests.amcash(["sim", "scorecard", "--json"], home: console.home)
        #expect(run.status == 0, "\(run.errors)")
        let rows = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]] ?? []
        return rows.first { $0["trainee"] as? String == "Ana" } ?? [:]
    }

    @Test func theFirstRedemptionRightThenRedeemingTooLittle() async throws {
        let console = try Self.start("01-first-redemption")
        try await console.waitFor("Exercise 1/2: A first redemption", seconds: 45)
        try await Self.sale(console, basket: "27.50")
        try await console.waitFor("*** APPROVED ***")
        try await console.press("F8")
        let right = try await console.waitFor("Well done")
        #expect(right.contains("[OK] One redemption of $20.00 was approved and shown"))
        try await console.press("Enter")
        // Wrong: $10 where the customer wanted the most.
        try await console.waitFor("Exercise 2/2")
        try await console.press("Enter")
        try await console.waitFor("Scan or swipe")
        try await console.typeSlowly("27.50")
        try await console.press("Enter")
        try console.scan("81000000001")
        try await console.waitFor("Can redeem on this sale")
        try await console.press("-")
        try await console.press("Enter")
        try await console.press("y")
        try await console.waitFor("*** APPROVED ***")
        try await console.press("F8")
        let wrong = try await console.waitFor("Not yet")
        #expect(wrong.contains("[X] Expected one redemption of $20.00 approved and shown; the till showed"))
        #expect(wrong.contains("$10.00 and AIR MILES took 95 miles."))
        try await console.press("Enter")
        #expect(await console.waitForExit())
        let score = try await Self.scorecard(console)
        #expect(score["attempts"] as? Int == 2 && score["passed"] as? Int == 1)
        #expect((score["mistakes"] as? [String: Int]) == ["wrong-redemption": 1])
    }

    @Test func theLostAnswerRightThenGivingTheDiscount() async throws {
        let console = try Self.start("03-lost-answer")
        try await console.waitFor("Exercise 1/2: The answer is lost", seconds: 45)
        for (attempt, answer) in [(1, "n"), (2, "y")] {
            if attempt == 2 {
                try await console.press("Enter")
                try await console.waitFor("Exercise 2/2")
            }
            try await Self.sale(console, basket: "43.35")
            try await console.waitFor("*** NOT CONFIRMED ***", seconds: 30)
            try await console.press("F8")
            try await console.waitFor("Did you give the customer the AIR MILES Cash discount?")
            try await console.press(answer)
            let verdict = try await console.waitFor(attempt == 1 ? "Well done" : "Not yet", seconds: 30)
            // Either way the host's debit was given back: recovery voided the approval never shown.
            #expect(verdict.contains("[OK] No discount stands: the collector kept every mile."))
            if attempt == 2 { #expect(verdict.contains("[X] The till did not confirm this discount")) }
        }
        try await console.press("Enter")
        #expect(await console.waitForExit())
        let score = try await Self.scorecard(console)
        #expect(score["attempts"] as? Int == 2 && score["passed"] as? Int == 1)
        #expect((score["mistakes"] as? [String: Int]) == ["discount-answer": 1])
    }

    @Test func goodsReturnedReversedThenLeftStanding() async throws {
        let console = try Self.start("04-goods-returned")
        try await console.waitFor("Exercise 1/2: The goods come back", seconds: 45)
        try await Self.sale(console, basket: "30.00")
        try await console.waitFor("*** APPROVED ***")
        try await console.press("F3")
        try await console.waitFor("> ")
        try await console.press("Enter")
        try await console.waitFor("Reverse this redemption")
        try await console.press("y")
        try console.scan("81000000001")
        try await console.waitFor("REVERSED")
        try await console.press("F8")
        let right = try await console.waitFor("Well done")
        #expect(right.contains("[OK] The redemption was reversed"))
        try await console.press("Enter")
        // Wrong: the sale is redeemed and the exercise ended without the reversal.
        try await console.waitFor("Exercise 2/2")
        try await Self.sale(console, basket: "30.00")
        try await console.waitFor("*** APPROVED ***")
        try await console.press("F8")
        let wrong = try await console.waitFor("Not yet")
        #expect(wrong.contains("[X] The redemption was not reversed: AIR MILES still holds 285 miles"))
        try await console.press("Enter")
        #expect(await console.waitForExit())
        let score = try await Self.scorecard(console)
        #expect(score["attempts"] as? Int == 2 && score["passed"] as? Int == 1)
        #expect((score["mistakes"] as? [String: Int]) == ["not-reversed": 1])
    }

    /// A classroom: `amcash sim --tls` as the room, two terminals in tmux with `--classroom` and the
    /// room's CA, each on an account of its own; the verdicts land on the room's scorecard.
    @Test func aClassOverTLSSharesTheRoomAndItsScorecard() async throws {
        let roomHome = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-room-\(UUID())").path
        let port = try CrashTests.freePort()
        let room = try CrashTests.start(["sim", "--tls", "--port", String(port), "--log-level", "error"], home: roomHome)
        defer {
            room.terminate()
            room.waitUntilExit()
        }
        try await CrashTests.waitForPort(port)
        let ca = roomHome + "/data/amcash/training-room-tls/ca.pem"
        var cards: [String] = []
        var consoles: [Console] = []
        for trainee in ["Ana", "Ben"] {
            let console = try Console(arguments: [
                "train", "--classroom", "https://localhost:\(port)", "--ca", ca, "--trainee", trainee, "--exercise", "01-first-redemption",
            ])
            let story = try await console.waitFor("Exercise 1/1: A first redemption", seconds: 45)
            let words = story.split(whereSeparator: { !$0.isNumber }).map(String.init)
            let card = try #require(words.first { $0.hasPrefix("89") && $0.count == 11 }, "\(story)")
            cards.append(card)
            consoles.append(console)
        }
        #expect(Set(cards).count == 2, "each attempt has an account of its own: \(cards)")
        for (console, card) in zip(consoles, cards) {
            try await console.press("Enter")
            try await console.waitFor("Scan or swipe")
            try await console.typeSlowly("27.50")
            try await console.press("Enter")
            try console.scan(card)
            try await console.waitFor("Can redeem on this sale")
            try await console.press("Enter")
            try await console.press("y")
            try await console.waitFor("*** APPROVED ***")
            try await console.press("F8")
            try await console.waitFor("Well done")
            try await console.press("Enter")
            #expect(await console.waitForExit())
        }
        let run = try await CommandLineTests.amcash(["sim", "scorecard", "--json"], home: roomHome)
        let rows = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]] ?? []
        #expect(rows.map { $0["trainee"] as? String } == ["Ana", "Ben"], "\(run.output) \(run.errors)")
        #expect(rows.allSatisfy { $0["passed"] as? Int == 1 && $0["attempts"] as? Int == 1 })
    }
}
