public import ConsoleCore
import Dispatch
import Foundation

/// Performs the console's effects (host calls, journal writes, receipts) away from the key loop and
/// sends their results back as messages.
public protocol EffectPerformer: Sendable {
    func perform(_ effect: Effect, send: @escaping @Sendable (Msg) -> Void) async
}

/// The console's run loop: keys in (30 ms wait at most, cut short by a message), messages from finished effects in, one
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
            // Up to 30 ms for a key, but a finished effect's message wakes the loop at once: an answer
            // from the host is drawn as it arrives, not at the end of the wait.
            terminal.waitForInput(orWake: inbox.wakeDescriptor, milliseconds: 30)
            while let input = terminal.nextKey(wait: false) {
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
    /// A pipe the loop waits on beside the keyboard: a byte in it means a message came.
    private let pipe: (read: Int32, write: Int32)

    init() {
        var ends: [Int32] = [-1, -1]
        if Glibc.pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
        } else {
            ends = [-1, -1]
        }
        pipe = (ends[0], ends[1])
    }

    deinit {
        if pipe.read >= 0 { close(pipe.read) }
        if pipe.write >= 0 { close(pipe.write) }
    }

    /// The descriptor that becomes readable when a message is waiting (-1 if no pipe could be made:
    /// the loop then sees messages after its 30 ms wait, as before).
    var wakeDescriptor: Int32 { pipe.read }

    func append(_ message: Msg) {
        lock.withLock { messages.append(message) }
        var byte: UInt8 = 1
        if pipe.write >= 0 { _ = write(pipe.write, &byte, 1) }
    }

    func drain() -> [Msg] {
        if pipe.read >= 0 {
            var buffer = [UInt8](repeating: 0, count: 256)
            while read(pipe.read, &buffer, buffer.count) > 0 {}
        }
        return lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }
}
