public import ConsoleCore
public import ConsoleUI
import Foundation

/// A terminal in memory for the loop's tests: scripted input, every frame kept (its text and its
/// roles), and a clock in the test's hand. Keys are stamped with that clock when they are queued, so
/// "typed 80 ms apart" and "a scanner's burst" are facts of the script, not of how fast the machine
/// is; waiting for a frame wakes on the frame itself, never on a sleep.
public final class MemoryTerminal: TerminalDevice, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(inputs: [TerminalInput], at: Int64)] = []
    private var columns: Int, rows: Int
    private var presented: [Frame] = []
    private var waiters: [UUID: (predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = [:]
    private var clock: Int64 = 0
    private var isStarted = false, isStopped = false
    /// Called with each frame's text as it is presented (an event log's "frame: …" line).
    private let onFrame: @Sendable (String) -> Void

    public init(columns: Int = 80, rows: Int = 24, onFrame: @escaping @Sendable (String) -> Void = { _ in }) {
        self.columns = columns
        self.rows = rows
        self.onFrame = onFrame
    }

    public func start(noColor: Bool) { condition.withLock { isStarted = true } }
    public func stop() { condition.withLock { isStopped = true } }
    public var started: Bool { condition.withLock { isStarted } }
    public var stopped: Bool { condition.withLock { isStopped } }
    public var size: (columns: Int, rows: Int) { condition.withLock { (columns, rows) } }

    public func present(_ frame: Frame) {
        let text = frame.text
        let woken: [CheckedContinuation<Bool, Never>] = condition.withLock {
            presented.append(frame)
            let ready = waiters.filter { $0.value.predicate(text) }
            for id in ready.keys { waiters.removeValue(forKey: id) }
            return ready.map(\.value.continuation)
        }
        onFrame(text)
        woken.forEach { $0.resume(returning: true) }
    }

    public func readInput(milliseconds: Int32) -> (inputs: [TerminalInput], at: Int64)? {
        condition.lock()
        defer { condition.unlock() }
        if queue.isEmpty { _ = condition.wait(until: Date().addingTimeInterval(Double(milliseconds) / 1000)) }
        return queue.isEmpty ? ([], clock) : queue.removeFirst()
    }

    /// Keys that arrive together, as a scanner sends them (one read, one timestamp).
    public func burst(_ inputs: [TerminalInput]) {
        condition.withLock {
            queue.append((inputs, clock))
            condition.signal()
        }
    }

    /// Keys typed by a person: one read each, 80 ms apart on the terminal's clock.
    public func type(_ text: String) {
        for character in text { press(character == "\n" ? .enter : .character(character)) }
    }

    /// One key, then 80 ms pass.
    public func press(_ key: Key) {
        burst([.key(key)])
        condition.withLock { clock += 80 }
    }

    public func resize(columns: Int, rows: Int) {
        condition.withLock {
            self.columns = columns
            self.rows = rows
            queue.append(([.resize], clock))
            condition.signal()
        }
    }

    /// Every frame presented, in order.
    public var frames: [Frame] { condition.withLock { presented } }
    public var lastFrame: Frame? { condition.withLock { presented.last } }
    public var lastText: String { lastFrame?.text ?? "" }

    /// Waits until a frame shows `text` (at once if the last one does); false after `timeout`.
    public func waitFor(_ text: String, timeout: Duration = .seconds(10)) async -> Bool {
        await waitForFrame(timeout: timeout) { $0.contains(text) }
    }

    /// Waits until a presented frame's text satisfies `predicate`; false after `timeout`.
    public func waitForFrame(timeout: Duration = .seconds(10), _ predicate: @escaping @Sendable (String) -> Bool) async -> Bool {
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let already = condition.withLock {
                if let last = presented.last, predicate(last.text) { return true }
                waiters[id] = (predicate, continuation)
                return false
            }
            if already { continuation.resume(returning: true) }
        }
    }

    private func expire(_ id: UUID) {
        let waiter = condition.withLock { waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(returning: false)
    }
}
