import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleRuntime
import ConsoleTestSupport
import Foundation
import Testing

/// The loop against a terminal in memory and a scripted performer: keys from the input thread, the
/// clock and the size as messages, effects run and cancelled by id, frames drawn when the model changes.
@Suite struct ConsoleLoopTests {
    static let scan: [TerminalInput] = "81000000001".map { .key(.character($0)) } + [.key(.enter)]

    static func start(
        _ terminal: FakeTerminal, _ performer: FakePerformer, settings: ConsoleSettings = Fixtures.settings,
        clock: @escaping @Sendable () -> String = { "13:32" }
    ) -> Task<Model, Never> {
        let loop = ConsoleLoop(
            model: Model(settings: settings), performer: performer, device: terminal, tickInterval: .milliseconds(50),
            clockText: clock)
        return Task { await loop.run(noColor: true, startingEffects: [.echo], handleSignals: false) }
    }

    @Test func keysAndAnswersGoThroughUpdateToTheScreen() async {
        let log = EventLog()
        let terminal = FakeTerminal(log: log)
        let performer = FakePerformer(log: log) { effect in
            switch effect {
            case .echo: [.echoed(true)]
            case .inquire: [.inquired(.answered(Fixtures.plentyInquiry))]
            default: []
            }
        }
        let run = Self.start(terminal, performer)
        #expect(await terminal.waitFor("host OK"), "the ECHO's answer reached the status line")
        await terminal.type("43.35\n")
        terminal.burst(Self.scan)
        #expect(await terminal.waitFor("Can redeem on this sale"), "the scan was read as a scan and the offer drawn:\n\(terminal.lastFrame)")
        #expect(log.all.contains { $0.contains("effect: inquire") && $0.contains("entryMode: AMCashDomain.CardEntryMode.scan") })
        await terminal.press(.function(10))
        let model = await run.value
        #expect(model.quit && terminal.started && terminal.stopped)
    }

    @Test func aCancelledInquiryNeverDeliversItsAnswer() async {
        let log = EventLog()
        let terminal = FakeTerminal(log: log)
        let performer = FakePerformer(log: log) { effect in
            guard case .inquire = effect else { return [] }
            try? await Task.sleep(for: .milliseconds(400))
            return [.inquired(.answered(Fixtures.plentyInquiry))]
        }
        let run = Self.start(terminal, performer)
        await terminal.type("43.35\n")
        terminal.burst(Self.scan)
        #expect(await terminal.waitFor("Looking up"))
        await terminal.press(.escape)
        try? await Task.sleep(for: .milliseconds(700))
        #expect(log.all.contains { $0.hasPrefix("cancelled: inquire") }, "Esc cancelled the INQUIRE's task")
        #expect(!terminal.frames.contains { $0.contains("Can redeem") }, "the late answer was dropped")
        await terminal.press(.function(10))
        #expect(await run.value.kind == .ready)
    }

    @Test func theSizeAndTheClockArriveAsMessages() async {
        let log = EventLog()
        let terminal = FakeTerminal(log: log)
        let ticks = EventLog()
        let run = Self.start(
            terminal, FakePerformer(log: log) { _ in [] },
            clock: {
                ticks.append("tick")
                return String(format: "13:%02d", min(59, ticks.all.count))
            })
        #expect(await terminal.waitFor("13:05"), "ticks move the status line's clock")
        terminal.resize(columns: 40, rows: 12)
        #expect(await terminal.waitFor("TRAINING (CERT)"), "the compact layout after the resize:\n\(terminal.lastFrame)")
        #expect(terminal.lastFrame.split(separator: "\n").count <= 12)
        await terminal.press(.function(10))
        let model = await run.value
        #expect(model.columns == 40 && model.rows == 12)
    }

    @Test func anApprovalIsMarkedShownOnlyAfterItWasDrawn() async {
        let log = EventLog()
        let terminal = FakeTerminal(log: log)
        let performer = FakePerformer(log: log) { effect in
            switch effect {
            case .inquire: [.inquired(.answered(Fixtures.plentyInquiry))]
            case .redeem: [.redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007")]
            default: []
            }
        }
        let run = Self.start(terminal, performer)
        await terminal.type("43.35\n")
        terminal.burst(Self.scan)
        #expect(await terminal.waitFor("Can redeem"))
        await terminal.press(.enter)
        await terminal.press(.character("y"))
        #expect(await terminal.waitFor("APPROVED"))
        try? await Task.sleep(for: .milliseconds(200))
        let events = log.all
        let drawn = events.firstIndex { $0.hasPrefix("frame: ") && $0.contains("APPROVED") }
        let marked = events.firstIndex { $0.contains("markShown(traceId: \"000000000007\")") }
        #expect(drawn != nil && marked != nil && drawn! < marked!, "marked shown before the cashier could see it")
        #expect(events.filter { $0.contains("markShown") }.count == 1)
        await terminal.press(.function(10))
        _ = await run.value
    }
}
