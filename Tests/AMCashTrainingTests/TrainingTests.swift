import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashTraining
import AMCashWire
import ConsoleCore
import Foundation
import Logging
import Testing

/// Exercise files, the checks against a real simulator and a real journal (the till's part played by
/// the journaled transaction, as the console's effects call it), and the scorecard.
@Suite struct TrainingTests {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func shipped() throws -> [Exercise] {
        try ExerciseLoader.all(folders: ConfigurationFolders(directories: [repository]))
    }

    @Test func theCurriculumCoversEveryAnswerACashierCanMeet() throws {
        let exercises = try Self.shipped()
        #expect(exercises.count >= 10)
        let behaviours = Set(exercises.map(\.collector.behaviour))
        // 0002 inactive, 0001 hidden balance, 0006 unable, 0025 unknown number, 0008 no answer.
        #expect(behaviours.isSuperset(of: [.normal, .inactive, .balanceHidden, .unableToRedeem, .invalidNumber, .timesOut]))
        #expect(exercises.contains { $0.collector.cashMiles < 95 }, "0051: less than one unit")
        #expect(exercises.contains { $0.collector.redeemedTodayUnits >= 75 }, "0065: the daily limit reached")
        #expect(exercises.contains { (1..<75).contains($0.collector.redeemedTodayUnits) }, "near the limit")
        #expect(exercises.contains { $0.faults.contains { $0.description.contains("drop") } }, "the lost answer")
        #expect(exercises.contains { $0.expectations.contains(.reversed) }, "the reversal")
        #expect(exercises.contains { $0.expectations.contains(.noRedeemSent) && $0.collector.behaviour == .normal }, "the keyed card")
        #expect(exercises.contains { $0.expectations.contains(.language(.french)) }, "the French customer")
        // Earning (#28): on a sale that redeems, with a keyed card that cannot redeem, pending, and a return.
        #expect(
            exercises.contains { ex in
                ex.expectations.contains { if case .earned = $0 { true } else { false } }
                    && ex.expectations.contains { if case .approved = $0 { true } else { false } }
            }, "earning on a sale")
        #expect(
            exercises.contains { ex in
                ex.expectations.contains(.noRedeemSent) && ex.expectations.contains { if case .earned = $0 { true } else { false } }
            }, "the keyed card that earns")
        #expect(exercises.contains { $0.expectations.contains(.earningPending) && $0.collector.earning == .pending }, "the pending earning")
        #expect(exercises.contains { $0.expectations.contains(.returned) }, "the return")
        for exercise in exercises {
            #expect(!exercise.story.french.isEmpty && exercise.story.french != exercise.story.english, "\(exercise.name): the story in French")
        }
    }

    @Test(arguments: [
        (
            "title = \"T\"\ntitleFr = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\nsurprise = 1\n[collector]\n[expect]\nreversed = true\n",
            "x.toml:7:1: unknown key surprise"
        ),
        (
            "title = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\n[collector]\n[expect]\nreversed = true\n",
            "the exercise needs titleFr"
        ),
        (
            "title = \"T\"\ntitleFr = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\n[collector]\n[expect]\napproved = \"25.00\"\n",
            "x.toml:9:12: expect.approved must be a dollar amount in $10 steps"
        ),
        (
            "title = \"T\"\ntitleFr = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\n[collector]\nfaults = [\"redeem:melt\"]\n[expect]\nreversed = true\n",
            "x.toml:8:10: collector.faults:"
        ),
        (
            "title = \"T\"\ntitleFr = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\n[collector]\n",
            "needs an [expect] table"
        ),
        (
            "title = \"T\"\ntitleFr = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\n[collector]\n[expect]\nearned = -4\n",
            "x.toml:9:10:"
        ),
        (
            "title = \"T\"\ntitleFr = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\n[collector]\nearning = \"later\"\n[expect]\nreturned = true\n",
            "x.toml:8:11:"
        ),
        (
            "title = \"T\"\ntitleFr = \"T\"\nstory = \"S\"\nstoryFr = \"S\"\nhint = \"H\"\nhintFr = \"H\"\n[collector]\n[expect]\nreturned = false\n",
            "x.toml:9:12: expect.returned can only be true"
        ),
    ])
    func aBrokenExerciseSaysWhatAndWhere(text: String, expected: String) {
        do {
            _ = try ExerciseLoader.parse(text, path: "x.toml", name: "x")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    /// A host and a journal set up for `exercise`, as `amcash train` sets them up (a simulator of its
    /// own, or an account in a training room).
    struct Till {
        let prepared: PreparedExercise
        let client: HostClient
        let journal: Journal
        let transactions: JournaledTransactions

        init(
            _ exercise: Exercise, host: any ExerciseHost = LocalExerciseHost(scorecard: try! Scorecard(path: TrainingTests.temporary("s.sqlite"))),
            trainee: String = "Ana"
        ) async throws {
            prepared = try await host.prepare(exercise, trainee: trainee)
            client = HostClient(settings: prepared.settings, credentials: prepared.credentials, timeouts: .standard, logger: Logger(label: "test"))
            journal = try Journal(path: TrainingTests.temporary("j.sqlite"))
            transactions = JournaledTransactions(journal: journal, host: client, builder: RequestBuilder(identity: .training))
        }

        var cash: Int? { get async { await prepared.ledger()?.cash } }

        func redeem(_ dollars: Int, shown: Bool, language: Language = .english) async -> JournaledTransactions.Redemption {
            let card = CardRead(number: try! CollectorNumber(digits: prepared.collector), entryMode: .scan)
            let redemption = await transactions.redeem(
                RedemptionRequest(card: card, basket: Money(dollars: 100), amount: Money(dollars: dollars), language: language))
            if shown { _ = transactions.markShown(redemption) }
            return redemption
        }

        /// The sale's ISSUE, as the console's effect sends it after the REDEEM (or instead of one).
        func earn(_ dollars: Int, discount: Int = 0, entryMode: CardEntryMode = .scan) async -> JournaledTransactions.Earning {
            let card = CardRead(number: try! CollectorNumber(digits: prepared.collector), entryMode: entryMode)
            return await transactions.earn(
                EarningRequest(
                    card: card, preTaxAmount: Money(dollars: dollars), postTaxAmount: Money(dollars: dollars),
                    amcashDiscount: Money(dollars: discount)))
        }

        func verdict(_ exercise: Exercise, discountGiven: Bool? = nil) async -> (ExerciseVerdict, [String]) {
            let facts = await ExerciseFacts.gather(journal: journal, transactions: transactions, prepared: prepared)
            let result = ExerciseChecker.verdict(exercise, facts: facts, discountGiven: discountGiven)
            return (result.0, result.mistakes)
        }

        func close() async {
            await client.shutdown()
            await prepared.close()
        }
    }

    static func temporary(_ name: String) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-training-\(UUID())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder + "/" + name
    }

    static func exercise(_ name: String) throws -> Exercise { try shipped().first { $0.name == name }! }

    @Test func aLostAnswerNetsToZeroOnTheLedgerAndOnlyTheAnswerDecides() async throws {
        let exercise = try Self.exercise("03-lost-answer")
        let till = try await Till(exercise)
        let redemption = await till.redeem(40, shown: false)
        #expect(redemption.entry?.state == .unknown, "every answer was lost")
        let (right, _) = await till.verdict(exercise, discountGiven: false)
        #expect(right.passed, "\(right.lines)")
        #expect(await till.cash == 5000, "the host's debit was voided once the network came back")
        let (wrong, mistakes) = await till.verdict(exercise, discountGiven: true)
        #expect(!wrong.passed && mistakes == ["discount-answer"])
        await till.close()
    }

    @Test func aRedemptionLeftStandingIsNotAReversalAndAReversedOneIs() async throws {
        let exercise = try Self.exercise("04-goods-returned")
        let till = try await Till(exercise)
        let redemption = await till.redeem(30, shown: true)
        let (standing, mistakes) = await till.verdict(exercise)
        #expect(!standing.passed && mistakes == ["not-reversed"])
        let card = CardRead(number: try! CollectorNumber(digits: till.prepared.collector), entryMode: .scan)
        let reversal = await till.transactions.reverse(
            ReversalRequest(card: card, redemptionConfirmationNumber: redemption.entry!.confirmationNumber!, language: .english))
        #expect(reversal.isReversed)
        let (reversed, _) = await till.verdict(exercise)
        #expect(reversed.passed, "\(reversed.lines)")
        await till.close()
    }

    @Test func theAmountTheLanguageAndTheKeyedCardRuleAreCheckedOnWhatWasSent() async throws {
        let french = try Self.exercise("07-french-customer")
        var till = try await Till(french)
        _ = await till.redeem(10, shown: true, language: .english)
        var (verdict, mistakes) = await till.verdict(french)
        #expect(!verdict.passed && mistakes == ["language"], "the amount was right, the language was not")
        await till.close()
        till = try await Till(french)
        _ = await till.redeem(10, shown: true, language: .french)
        (verdict, _) = await till.verdict(french)
        #expect(verdict.passed, "\(verdict.lines)")
        await till.close()

        let keyed = try Self.exercise("02-keyed-card")
        till = try await Till(keyed)
        (verdict, _) = await till.verdict(keyed)
        #expect(verdict.passed, "nothing sent is right for a card that would not scan")
        _ = await till.redeem(10, shown: true)
        (verdict, mistakes) = await till.verdict(keyed)
        #expect(!verdict.passed && mistakes == ["redeem-sent"])
        await till.close()
    }

    @Test func theScorecardSurvivesARestartMidExercise() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-scorecard-\(UUID()).sqlite").path
        var card: Scorecard? = try Scorecard(path: path)
        let first = try card!.begin(trainee: "Ana", exercise: "01", at: Date(timeIntervalSince1970: 1000))
        try card!.finish(first, passed: false, mistakes: ["wrong-redemption"], at: Date(timeIntervalSince1970: 1090))
        let second = try card!.begin(trainee: "Ana", exercise: "01", at: Date(timeIntervalSince1970: 1100))
        try card!.finish(second, passed: true, mistakes: [], at: Date(timeIntervalSince1970: 1130))
        _ = try card!.begin(trainee: "Ana", exercise: "02", at: Date(timeIntervalSince1970: 1200))
        _ = try card!.begin(trainee: "Ben", exercise: "01", at: Date(timeIntervalSince1970: 1200))
        card = nil  // the terminal goes away mid-exercise
        let reopened = try Scorecard(path: path)
        #expect(try reopened.passed(by: "Ana") == ["01"], "the trainee resumes after what was passed")
        let summary = try reopened.summary()
        #expect(
            summary == [
                .init(trainee: "Ana", passed: 1, attempts: 3, seconds: 120, unfinished: 1, mistakes: ["wrong-redemption": 1]),
                .init(trainee: "Ben", passed: 0, attempts: 1, seconds: 0, unfinished: 1, mistakes: [:]),
            ])
    }

    @Test func aClassroomGivesEachAttemptItsOwnAccountAndKeepsTheClassScorecard() async throws {
        let scorecardPath = Self.temporary("room.sqlite")
        var options = SimulatorOptions(databasePath: Self.temporary("room-ledger.sqlite"))
        options.scorecardPath = scorecardPath
        let room = try await SimulatorServer.start(options: options, logger: Logger(label: "test"))
        let classroom = ClassroomExerciseHost(base: try HostEndpoint(room.baseURL), caFile: nil)
        let lost = try Self.exercise("03-lost-answer")
        let first = try Self.exercise("01-first-redemption")
        // Ana's answers are lost (her attempt's faults); Ben, at the same time, redeems normally.
        async let anaTill = Till(lost, host: classroom, trainee: "Ana")
        async let benTill = Till(first, host: classroom, trainee: "Ben")
        let (ana, ben) = try await (anaTill, benTill)
        #expect(ana.prepared.collector != ben.prepared.collector && ana.prepared.collector.hasPrefix("89"))
        async let anaRedeems = ana.redeem(40, shown: false)
        async let benRedeems = ben.redeem(20, shown: true)
        let (anaRedemption, benRedemption) = await (anaRedeems, benRedeems)
        #expect(anaRedemption.entry?.state == .unknown, "Ana's attempt loses every answer")
        #expect(benRedemption.entry?.state == .approved, "Ben's attempt is not touched by Ana's faults")
        let (anaVerdict, anaMistakes) = await ana.verdict(lost, discountGiven: true)
        try await ana.prepared.finish(anaVerdict.passed, anaMistakes)
        let (benVerdict, benMistakes) = await ben.verdict(first)
        try await ben.prepared.finish(benVerdict.passed, benMistakes)
        #expect(benVerdict.passed, "\(benVerdict.lines)")
        #expect(await ana.cash == 5000, "Ana's debit was voided once her network came back")
        let summary = try Scorecard(path: scorecardPath).summary()
        #expect(summary.map(\.trainee) == ["Ana", "Ben"])
        #expect(summary.first?.mistakes == ["discount-answer": 1] && summary.first?.passed == 0)
        #expect(summary.last?.passed == 1 && summary.last?.unfinished == 0)
        #expect(try await classroom.passed(by: "Ben") == ["01-first-redemption"], "Ben resumes after what he passed in the room")
        #expect(try await classroom.passed(by: "Ana").isEmpty)
        await ana.close()
        await ben.close()
        await classroom.shutdown()
        await room.stop()
    }

    /// A $100 sale on the pending exercise's collector: answered 202 (pending), and the exercise then passes.
    /// False (recorded) when the earning was not pending.
    static func earnPendingAndPass(_ till: Till, _ exercise: Exercise) async -> Bool {
        let earning = await till.earn(100)
        guard case .pending = earning.outcome else {
            Issue.record("the collector's earnings are answered 202: \(earning.outcome)")
            return false
        }
        let (verdict, _) = await till.verdict(exercise)
        #expect(verdict.passed, "\(verdict.lines)")
        return true
    }

    /// A classroom attempt earns as the exercise says, as it does when the trainee works alone: Ana's pending
    /// earning (exercise 17) is answered 202 and her attempt passes; Ben's host that times out (exercise 11) does not
    /// answer his ISSUE either. Before, the room set up neither: Ana's miles were earned at once (the exercise
    /// could not be passed in a classroom) and Ben's ISSUE went through while his redemptions timed out.
    @Test func aClassroomAttemptEarnsAsItsExerciseSays() async throws {
        var options = SimulatorOptions(databasePath: Self.temporary("room-earning-ledger.sqlite"))
        options.scorecardPath = Self.temporary("room-earning.sqlite")
        let room = try await SimulatorServer.start(options: options, logger: Logger(label: "test"))
        let classroom = ClassroomExerciseHost(base: try HostEndpoint(room.baseURL), caFile: nil)
        let pending = try Self.exercise("17-pending-earning")
        let ana = try await Till(pending, host: classroom, trainee: "Ana")
        guard await Self.earnPendingAndPass(ana, pending) else { return }
        let ben = try await Till(try Self.exercise("11-host-down"), host: classroom, trainee: "Ben")
        let unanswered = await ben.earn(100)
        if case .earned = unanswered.outcome { Issue.record("Ben's host times out, for his ISSUE too: \(unanswered.outcome)") }
        await ana.close()
        await ben.close()
        await classroom.shutdown()
        await room.stop()
    }

    @Test func aSaleThatRedeemsAndEarnsIsCheckedOnTheMilesTheLedgerRecorded() async throws {
        let exercise = try Self.exercise("15-earning-on-a-sale")
        var till = try await Till(exercise)
        _ = await till.redeem(20, shown: true)
        var (verdict, mistakes) = await till.verdict(exercise)
        #expect(!verdict.passed && mistakes == ["not-earned"], "redeemed but never earned: \(verdict.lines)")
        await till.close()
        till = try await Till(exercise)
        _ = await till.redeem(20, shown: true)
        let earning = await till.earn(100, discount: 20)
        #expect(earning.outcome.exitStatus == 0)
        (verdict, _) = await till.verdict(exercise)
        // The 4 miles earned went into the AM Cash balance: the redemption's debit is still 190.
        #expect(verdict.passed, "\(verdict.lines)")
        #expect(await till.cash == 5000 - 190 + 4)
        await till.close()
    }

    @Test func aKeyedCardThatEarnsPassesAndOneThatDidNotEarnDoesNot() async throws {
        let exercise = try Self.exercise("16-keyed-card-earns")
        var till = try await Till(exercise)
        var (verdict, mistakes) = await till.verdict(exercise)
        #expect(!verdict.passed && mistakes == ["not-earned"])
        await till.close()
        till = try await Till(exercise)
        _ = await till.earn(61, entryMode: .manual)
        (verdict, _) = await till.verdict(exercise)
        #expect(verdict.passed, "\(verdict.lines)")
        await till.close()
    }

    @Test func aPendingEarningIsSentOnceAndASecondSaleForItIsAMistake() async throws {
        let exercise = try Self.exercise("17-pending-earning")
        let till = try await Till(exercise)
        guard await Self.earnPendingAndPass(till, exercise) else { return }
        // The cashier redoes the sale: the miles would be earned twice.
        _ = await till.earn(100)
        let (verdict, mistakes) = await till.verdict(exercise)
        #expect(!verdict.passed && mistakes == ["earning-not-pending"], "\(verdict.lines)")
        await till.close()
    }

    /// Exercise 19: the ISSUE's answer is lost (`issue:drop`). The till shows pending and, once the network is back,
    /// sends the same sale again (its key and body): AIR MILES answers what it recorded, once. A cashier who redoes the
    /// sale earns the miles twice, which the check names.
    @Test func aLostEarningAnswerIsSentAgainByTheTillAndARedoneSaleIsAMistake() async throws {
        let exercise = try Self.exercise("19-earning-answer-lost")
        var till = try await Till(exercise)
        let earning = await till.earn(100)
        guard case .pending = earning.outcome else {
            Issue.record("the ISSUE's answer was lost: pending, \(earning.outcome)")
            return
        }
        await till.prepared.networkBack()
        var (verdict, mistakes) = await till.verdict(exercise)
        #expect(verdict.passed, "\(verdict.lines)")
        #expect(await till.prepared.issuances()?.count == 1, "recorded once, whatever was sent again")
        await till.close()
        till = try await Till(exercise)
        _ = await till.earn(100)
        _ = await till.earn(100)
        await till.prepared.networkBack()
        (verdict, mistakes) = await till.verdict(exercise)
        #expect(!verdict.passed && mistakes == ["not-earned"], "\(verdict.lines)")
        await till.close()
    }

    @Test func aReturnIsCheckedOnTheMilesTheLedgerTookBack() async throws {
        let exercise = try Self.exercise("18-return-a-sale")
        let till = try await Till(exercise)
        let sale = await till.earn(100)
        var (verdict, mistakes) = await till.verdict(exercise)
        #expect(!verdict.passed && mistakes == ["not-returned"], "\(verdict.lines)")
        let card = CardRead(number: try CollectorNumber(digits: till.prepared.collector), entryMode: .manual)
        let back = await till.transactions.returnSale(
            EarningRequest(
                card: card, preTaxAmount: Money(dollars: 100), postTaxAmount: Money(dollars: 100),
                originalCheckoutTransactionId: try #require(sale.checkoutTransactionId)))
        guard case .earned(let miles, _, _) = back.outcome else {
            Issue.record("the return was not answered: \(back.outcome)")
            return
        }
        #expect(miles == 5)
        (verdict, mistakes) = await till.verdict(exercise)
        #expect(verdict.passed, "\(verdict.lines)")
        #expect(await till.cash == 5000, "the 5 miles earned went back")
        await till.close()
    }
}
