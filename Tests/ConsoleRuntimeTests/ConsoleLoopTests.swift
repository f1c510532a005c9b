import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleRuntime
import ConsoleTestSupport
import ConsoleUI
import Foundation
import Testing

/// The loop against a terminal in memory and a scripted performer: keys from the input thread, the
/// clock and the size as messages, effects run and cancelled by id, frames rendered when the model
/// changes. Nothing here sleeps: keys carry the memory terminal's clock, ticks are given by hand,
/// and each wait wakes on the frame or the event it waits for.
@Suite struct ConsoleLoopTests {
    static let scan: [TerminalInput] = "81000000001".map { .key(.character($0)) } + [.key(.enter)]

    static func start(
        _ terminal: MemoryTerminal, _ performer: FakePerformer, settings: ConsoleSettings = Fixtures.settings,
        ticks: HandTicks = HandTicks(), ascii: Bool = false, clock: @escaping @Sendable () -> String = { "13:32" }
    ) -> Task<Model, Never> {
        let loop = ConsoleLoop(
            model: Model(settings: settings), performer: performer, device: terminal, ticks: ticks.ticks, ascii: ascii, clockText: clock)
        return Task { await loop.run(noColor: true, startingEffects: [.echo], handleSignals: false) }
    }

    static func terminal(_ log: EventLog) -> MemoryTerminal { MemoryTerminal { log.append("frame: " + $0) } }

    @Test func keysAndAnswersGoThroughUpdateToTheScreen() async {
        let log = EventLog()
        let terminal = Self.terminal(log)
        let performer = FakePerformer(log: log) { effect in
            switch effect {
            case .echo: [.echoed(true)]
            case .inquire: [.inquired(.answered(Fixtures.plentyInquiry))]
            default: []
            }
        }
        let run = Self.start(terminal, performer)
        #expect(await terminal.waitFor("host OK"), "the ECHO's answer reached the status line")
        terminal.type("43.35\n")
        terminal.burst(Self.scan)
        #expect(await terminal.waitFor("Can redeem on this sale"), "the scan was read as a scan and the offer drawn:\n\(terminal.lastText)")
        #expect(log.all.contains { $0.contains("effect: inquire") && $0.contains("entryMode: AMCashDomain.CardEntryMode.scan") })
        terminal.press(.function(10))
        let model = await run.value
        #expect(model.quit && terminal.started && terminal.stopped)
    }

    @Test func digitsTypedAPersonsPaceApartAreKeyedNotScanned() async {
        let log = EventLog()
        let terminal = Self.terminal(log)
        let performer = FakePerformer(log: log) { effect in
            guard case .inquire = effect else { return [] }
            return [.inquired(.answered(Fixtures.plentyInquiry))]
        }
        let run = Self.start(terminal, performer)
        terminal.type("43.35\n")
        // The same eleven digits, 80 ms apart on the terminal's clock: a person, not a scanner.
        terminal.type("81000000001\n")
        #expect(await log.waitFor { $0.contains("effect: inquire") }, "\(terminal.lastText)")
        #expect(log.all.contains { $0.contains("effect: inquire") && $0.contains("entryMode: AMCashDomain.CardEntryMode.manual") })
        terminal.press(.function(10))
        _ = await run.value
    }

    @Test func aCancelledInquiryNeverDeliversItsAnswer() async {
        let log = EventLog()
        let terminal = Self.terminal(log)
        let gate = AsyncStream<Void>.makeStream()
        let performer = FakePerformer(log: log) { effect in
            guard case .inquire = effect else { return [] }
            for await _ in gate.stream { break }  // the host answers only when the test lets it
            return [.inquired(.answered(Fixtures.plentyInquiry))]
        }
        let run = Self.start(terminal, performer)
        terminal.type("43.35\n")
        terminal.burst(Self.scan)
        #expect(await terminal.waitFor("Looking up"))
        terminal.press(.escape)
        #expect(await terminal.waitForFrame { !$0.contains("Looking up") }, "Esc left the lookup")
        gate.continuation.yield()
        #expect(await log.waitFor { $0.hasPrefix("cancelled: inquire") }, "Esc cancelled the INQUIRE's task")
        terminal.press(.function(10))
        #expect(await run.value.kind == .ready)
        #expect(!terminal.frames.contains { $0.text.contains("Can redeem") }, "the late answer was dropped")
    }

    @Test func theSizeAndTheClockArriveAsMessages() async {
        let log = EventLog()
        let terminal = Self.terminal(log)
        let ticks = HandTicks()
        let count = EventLog()
        let run = Self.start(
            terminal, FakePerformer(log: log) { _ in [] }, ticks: ticks,
            clock: {
                count.append("tick")
                return String(format: "13:%02d", min(59, count.all.count))
            })
        #expect(await terminal.waitFor("13:01"), "the clock is read once at the start")
        #expect(!terminal.lastText.contains("13:02"), "and not again until a tick")
        for _ in 0..<4 { ticks.tick() }
        #expect(await terminal.waitFor("13:05"), "each tick moves the status line's clock:\n\(terminal.lastText)")
        terminal.resize(columns: 40, rows: 12)
        #expect(await terminal.waitFor("TRAINING (CERT)"), "the compact layout after the resize:\n\(terminal.lastText)")
        let frame = terminal.lastFrame
        #expect(frame?.columns == 40 && frame?.rows == 12)
        terminal.press(.function(10))
        let model = await run.value
        #expect(model.columns == 40 && model.rows == 12)
    }

    @Test func framesCarryTheirStylesAndTheASCIIRule() async {
        let log = EventLog()
        let terminal = Self.terminal(log)
        let run = Self.start(terminal, FakePerformer(log: log) { _ in [.echoed(true)] }, ascii: true)
        #expect(await terminal.waitFor("host OK"))
        let frame = terminal.lastFrame
        #expect(frame?.text.allSatisfy(\.isASCII) == true, "an ASCII terminal gets ASCII only:\n\(terminal.lastText)")
        #expect(frame?.role(row: 0, column: 0) == .statusbar, "the status line is drawn in its role")
        #expect(
            frame?.runs(row: 0).map(\.text).joined()
                == frame?.text.split(separator: "\n", omittingEmptySubsequences: false).first.map {
                    $0 + String(repeating: " ", count: 80 - $0.count)
                })
        terminal.press(.function(10))
        _ = await run.value
    }

    @Test func anApprovalIsMarkedShownOnlyAfterItWasDrawn() async {
        let log = EventLog()
        let terminal = Self.terminal(log)
        let performer = FakePerformer(log: log) { effect in
            switch effect {
            case .inquire: [.inquired(.answered(Fixtures.plentyInquiry))]
            case .redeem: [.redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000007")]
            default: []
            }
        }
        let run = Self.start(terminal, performer)
        terminal.type("43.35\n")
        terminal.burst(Self.scan)
        #expect(await terminal.waitFor("Can redeem"))
        terminal.press(.enter)
        terminal.press(.character("y"))
        #expect(await terminal.waitFor("APPROVED"))
        #expect(await log.waitFor { $0.contains("markShown(traceId: \"000000000007\")") })
        let events = log.all
        let drawn = events.firstIndex { $0.hasPrefix("frame: ") && $0.contains("APPROVED") }
        let marked = events.firstIndex { $0.contains("markShown(traceId: \"000000000007\")") }
        #expect(drawn != nil && marked != nil && drawn! < marked!, "marked shown before the cashier could see it")
        terminal.press(.function(10))
        _ = await run.value
        #expect(log.all.filter { $0.contains("markShown") }.count == 1)
    }
}
