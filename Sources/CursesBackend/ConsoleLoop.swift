public import ConsoleCore
import Dispatch
import Foundation

/// Performs the console's effects (host calls, journal writes, receipts) away from the key loop and
/// sends their results back as messages.
public protocol EffectPerformer: Sendable {
    func perform(_ effect: Effect, send: @escaping @Sendable (Msg) -> Void) async
}

/// The console's run loop: keys in (30 ms wait at most), messages from finished effects in, one
/// `update` per message, one redraw when anything changed. Nothing blocks it: every host call and
/// journal write runs as a detached task.

public final class ConsoleLoop {
    private let terminal: Terminal
    private var model: Model
    private let performer: any EffectPerformer
    private let inbox = Inbox()
    private var inquiry: Task<Void, Never>?
    private let clockText: @Sendable () -> String

    public init(model: Model, performer: any EffectPerformer, terminal: Terminal = Terminal(), clockText: @escaping @Sendable () -> String) {
        self.terminal = terminal
        self.model = model
        self.performer = performer
        self.clockText = clockText
    }

    /// A way for work outside the loop (recovery at start) to send messages in.
    public nonisolated var send: @Sendable (Msg) -> Void { { [inbox] in inbox.append($0) } }

    /// Runs until the cashier quits or SIGTERM/SIGHUP arrives; the terminal is restored on the way out.
    public func run(noColor: Bool, startingEffects: [Effect]) async -> Model {
        // Before curses starts: SIGTERM and SIGHUP become a quit message, so the journal closes cleanly.
        signal(SIGTERM, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        let sources = [SIGTERM, SIGHUP].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [inbox] in inbox.append(.quitRequested) }
            source.resume()
            return source
        }
        terminal.start(noColor: noColor)
        defer {
            terminal.stop()
            sources.forEach { $0.cancel() }
        }
        let size = terminal.size
        model.columns = size.columns
        model.rows = size.rows
        model.clock = clockText()
        startingEffects.forEach(execute)

        let started = ContinuousClock.now
        var lastTick = started
        var dirty = true
        while !model.quit {
            if dirty {
                terminal.draw(model)
                dirty = false
                // What was just drawn has been shown (an APPROVED result is marked so in the journal).
                apply(.drawn)
            }
            // Every key already typed is read before the next frame is drawn, so a scanner's burst keeps
            // its timing however long a frame takes.
            var wait = true
            while let input = terminal.nextKey(wait: wait) {
                wait = false
                let elapsed = ContinuousClock.now - started
                let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
                switch input {
                case .key(let key): apply(.key(KeyPress(key, at: milliseconds)))
                case .resize:
                    let size = terminal.size
                    apply(.resized(columns: size.columns, rows: size.rows))
                case .ignored: break
                }
                dirty = true
                if model.quit { break }
            }
            for message in inbox.drain() {
                apply(message)
                dirty = true
            }
            if ContinuousClock.now - lastTick >= .seconds(1) {
                lastTick = ContinuousClock.now
                let before = model.clock
                apply(.tick(clock: clockText()))
                if model.clock != before { dirty = true }
            }
            await Task.yield()
        }
        return model
    }

    private func apply(_ message: Msg) {
        for effect in update(&model, message) { execute(effect) }
    }

    private func execute(_ effect: Effect) {
        switch effect {
        case .quit:
            return
        case .cancelInquiry:
            inquiry?.cancel()
            inquiry = nil
        default:
            let performer = self.performer
            let send = self.send
            let task = Task.detached { await performer.perform(effect, send: send) }
            if case .inquire = effect { inquiry = task }
        }
    }
}

/// Messages from other threads, picked up by the loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Msg] = []

    func append(_ message: Msg) { lock.withLock { messages.append(message) } }

    func drain() -> [Msg] {
        lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }
}
