import ConsoleCore
import ConsoleRuntime
import ConsoleUI
import Foundation

/// A terminal in memory: scripted input, frames kept as text. Tests push keys as a person or a
/// scanner would and wait for what the screen shows.
final class FakeTerminal: TerminalDevice, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [[TerminalInput]] = []
    private var columns = 80, rows = 24
    private(set) var frames: [String] = []
    private(set) var started = false
    private(set) var stopped = false
    /// Every frame drawn and every effect performed, in order (for "drawn before marked" checks).
    let log: EventLog

    init(log: EventLog) { self.log = log }

    func start(noColor: Bool) { condition.withLock { started = true } }
    func stop() { condition.withLock { stopped = true } }
    var size: (columns: Int, rows: Int) { condition.withLock { (columns, rows) } }

    func draw(_ model: Model) {
        var buffer = ScreenBuffer(columns: model.columns, rows: model.rows)
        view(model, into: &buffer)
        condition.withLock { frames.append(buffer.text) }
        log.append("frame: " + buffer.text)
    }

    func readInput(milliseconds: Int32) -> [TerminalInput]? {
        condition.lock()
        defer { condition.unlock() }
        if queue.isEmpty { _ = condition.wait(until: Date().addingTimeInterval(Double(milliseconds) / 1000)) }
        return queue.isEmpty ? [] : queue.removeFirst()
    }

    /// Keys that arrive together, as a scanner sends them (one read, one timestamp).
    func burst(_ inputs: [TerminalInput]) {
        condition.withLock {
            queue.append(inputs)
            condition.signal()
        }
    }

    /// Keys typed by a person: one read each, 80 ms apart.
    func type(_ text: String) async {
        for character in text {
            burst([.key(character == "\n" ? .enter : .character(character))])
            try? await Task.sleep(for: .milliseconds(80))
        }
    }

    func press(_ key: Key) async {
        burst([.key(key)])
        try? await Task.sleep(for: .milliseconds(80))
    }

    func resize(columns: Int, rows: Int) {
        condition.withLock {
            self.columns = columns
            self.rows = rows
            queue.append([.resize])
            condition.signal()
        }
    }

    var lastFrame: String { condition.withLock { frames.last ?? "" } }

    /// Waits (up to 5 s) until the screen shows `text`.
    func waitFor(_ text: String) async -> Bool {
        for _ in 0..<250 {
            if lastFrame.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

/// What happened, in order, across threads.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []
    func append(_ event: String) { lock.withLock { events.append(event) } }
    var all: [String] { lock.withLock { events } }
}

/// Performs effects by a script; records each one, and whether it was cancelled before it answered.
struct FakePerformer: EffectPerformer {
    let log: EventLog
    let answer: @Sendable (Effect) async -> [Msg]

    func perform(_ effect: Effect, send: @escaping @Sendable (Msg) -> Void) async {
        log.append("effect: \(effect)")
        let messages = await answer(effect)
        if Task.isCancelled { log.append("cancelled: \(effect)") }
        messages.forEach(send)
    }
}
