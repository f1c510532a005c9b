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
import ReceiptPrinterIO
import ReceiptPrinting
import Testing

/// An approval's receipt is in the journal before its sale's ISSUE goes out: a console that stops while
/// the ISSUE is with the host leaves it for the reprint, which prints it once, "Miles earned: pending";
/// a console that goes on prints it once, with the host's miles, and leaves nothing to reprint. A real
/// journal, the real simulator over a real socket, `update` and the real effect performer.
@Suite struct HeldReceiptEffectsTests {
    /// From the offer ($100.00, $20 of AM Cash) to APPROVED: performs every effect but the ISSUE, which it returns.
    static func approve(_ model: inout Model, _ performer: ConsoleEffects) async throws -> Effect? {
        model.screen = try SimulatedTill.offerOfTwentyOnAHundred()
        var time: Int64 = 0
        _ = Fixtures.press(.enter, &model, &time)
        var queue = Fixtures.press(.character("y"), &model, &time)
        var issue: Effect?
        while !queue.isEmpty {
            let effect = queue.removeFirst()
            if case .earn = effect {
                issue = effect
                continue
            }
            let box = ConsoleEffectsTests.MessageBox()
            await performer.perform(effect) { box.append($0) }
            for message in box.messages {
                let step = Fixtures.updateAndDraw(&model, message)
                queue = step.drawn + queue + step.effects
            }
        }
        return issue
    }

    /// Performs the sale's ISSUE and hands its answer to `update`: the effects that print the receipt, not yet performed.
    static func answer(_ issue: Effect, _ model: inout Model, _ performer: ConsoleEffects) async -> [Effect] {
        let box = ConsoleEffectsTests.MessageBox()
        await performer.perform(issue) { box.append($0) }
        var printing: [Effect] = []
        for message in box.messages { printing += update(&model, message) }
        return printing
    }

    /// The printer states among the messages, as "ok, N unprinted" or "PROBLEM, N unprinted".
    static func printerStates(_ messages: [Msg]) -> [String] {
        messages.compactMap { message in
            guard case .printerState(let problem, let unprinted) = message else { return nil }
            return "\(problem.map { "\($0)" } ?? "ok"), \(unprinted) unprinted"
        }
    }

    static func count(_ text: String, in receipts: String) -> Int { receipts.components(separatedBy: text).count - 1 }

    @Test func aConsoleThatStopsWhileTheIssueIsOutLeavesTheReceiptForOneReprintSayingPending() async throws {
        let till = try await SimulatedTill.open()
        let console = till.console()
        var model = Model(settings: Fixtures.settings)
        let issue = try #require(try await Self.approve(&model, console), "the approval sends the sale's ISSUE")
        guard case .result(let result) = model.screen, case .approved = result.outcome else {
            Issue.record("not approved: \(model.screen)")
            return await till.close()
        }
        // The host holds the ISSUE: the console's performer sends it; nothing reads its answer (the console stopped).
        await till.simulator.injectFaults(FaultPlan(rules: [FaultRule(kind: .delay(.seconds(3)), scope: .collector("81000000001"))]))
        let sending = Task { await console.perform(issue) { _ in } }
        // The ISSUE is journaled (held) with the REDEEM's intent; the performer releases it, once the receipt is recorded.
        for _ in 0..<200 where (try till.journal.earnings().first?.heldBehind != nil) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try till.journal.earnings().map(\.state) == [.queued], "the ISSUE is journaled and with the host")
        let recorded = try till.journal.unprintedReceipts()
        #expect(recorded.count == 1 && recorded.first?.problem == UnprintedReceipt.awaitingEarning, "\(recorded)")
        #expect(till.receipts.isEmpty, "nothing printed before the ISSUE ends")
        // The running console's R leaves the held receipt alone, and does not count it as unprinted.
        let box = ConsoleEffectsTests.MessageBox()
        await console.perform(.reprintReceipts) { box.append($0) }
        #expect(Self.printerStates(box.messages) == ["ok, 0 unprinted"], "\(box.messages)")
        #expect(till.receipts.isEmpty)

        // The console started again (the first never printed): the start-up check counts the receipt; R prints it, once.
        let restarted = till.console()
        let check = ConsoleEffectsTests.MessageBox()
        await restarted.perform(.checkPrinter) { check.append($0) }
        #expect(Self.printerStates(check.messages) == ["ok, 1 unprinted"], "\(check.messages)")
        let again = ConsoleEffectsTests.MessageBox()
        await restarted.perform(.reprintReceipts) { again.append($0) }
        #expect(Self.printerStates(again.messages) == ["ok, 0 unprinted"], "\(again.messages)")
        let receipts = till.receipts
        #expect(Self.count("AIR MILES CASH REDEMPTION", in: receipts) == 1, "\(receipts)")
        #expect(Self.count("Miles earned: pending", in: receipts) == 1 && Self.count("Miles earned:", in: receipts) == 1, "\(receipts)")
        #expect(Self.count("Discount: $20.00", in: receipts) == 1, "the receipt of the discount given: \(receipts)")
        #expect(try till.journal.unprintedReceiptCount() == 0)
        await restarted.perform(.reprintReceipts) { _ in }
        #expect(till.receipts == receipts, "a second R prints nothing more")
        await sending.value
        await till.close()
    }

    @Test func aConsoleThatGoesOnPrintsTheReceiptOnceWithTheHostsMilesAndKeepsNothing() async throws {
        let till = try await SimulatedTill.open()
        let console = till.console()
        var model = Model(settings: Fixtures.settings)
        let issue = try #require(try await Self.approve(&model, console))
        // While the ISSUE is out the receipt is recorded; when it ends, it prints with the miles and leaves the journal.
        let printing = await Self.answer(issue, &model, console)
        #expect(try till.journal.unprintedReceipts().count == 1, "recorded until the receipt with the miles prints")
        for effect in printing { await console.perform(effect) { _ in } }
        let receipts = till.receipts
        #expect(Self.count("AIR MILES CASH REDEMPTION", in: receipts) == 1, "\(receipts)")
        #expect(Self.count("Miles earned: 4", in: receipts) == 1 && Self.count("Miles earned:", in: receipts) == 1, "\(receipts)")
        #expect(try till.journal.unprintedReceiptCount() == 0)
        // Nothing is left for R or `amcash reprint`, in this console or the next.
        await console.perform(.reprintReceipts) { _ in }
        await till.console().perform(.reprintReceipts) { _ in }
        #expect(till.receipts == receipts)
        let rows = try await till.simulator.issuances()
        #expect(rows.count == 1 && rows.first?.miles == 4, "\(rows)")
        await till.close()
    }

    @Test func aReceiptThatDoesNotPrintWhenTheIssueEndsIsKeptOnceWithTheMiles() async throws {
        let till = try await SimulatedTill.open()
        let emulator = PrinterEmulator(state: .paperOut)
        try emulator.start(port: 0)
        defer { emulator.stop() }
        let console = till.console(
            printer: ReceiptPrinterSettings(destination: .tcp(host: "127.0.0.1", port: emulator.port), deadlineMilliseconds: 400))
        var model = Model(settings: Fixtures.settings)
        let issue = try #require(try await Self.approve(&model, console))
        let printing = await Self.answer(issue, &model, console)
        let states = ConsoleEffectsTests.MessageBox()
        for effect in printing { await console.perform(effect) { states.append($0) } }
        #expect(Self.printerStates(states.messages) == ["paperOut, 1 unprinted"], "\(states.messages)")
        // One row, no longer pending: the receipt with the host's miles, for R once the paper is in.
        let kept = try till.journal.unprintedReceipts()
        #expect(kept.count == 1 && kept.first?.problem == PrinterProblem.paperOut.rawValue, "\(kept)")
        let document = try JSONDecoder().decode(ReceiptDocument.self, from: try #require(kept.first).document)
        #expect(document.textLines.filter { $0.hasPrefix("Miles earned:") } == ["Miles earned: 4"], "\(document.textLines)")
        emulator.state = .ready
        let again = ConsoleEffectsTests.MessageBox()
        await console.perform(.reprintReceipts) { again.append($0) }
        #expect(Self.printerStates(again.messages) == ["ok, 0 unprinted"], "\(again.messages)")
        #expect(emulator.waitForJobs(1).count == 1, "printed once")
        await till.close()
    }
}
