public import ConsoleCore
public import ConsoleUI
import Dispatch
import Foundation

/// Performs the console's effects (host calls, journal writes, receipts) away from the loop and
/// sends their results back as messages.
public protocol EffectPerformer: Sendable {
    func perform(_ effect: Effect, send: @escaping @Sendable (Msg) -> Void) async
}

/// Where the status line's clock ticks come from: a timer at the till, a hand in tests (which then
/// run without sleeping).
public struct Ticks: Sendable {
    /// Runs until cancelled, calling `tick` at each tick.
    let run: @Sendable (_ tick: @escaping @Sendable () -> Void) async -> Void

    public init(_ run: @escaping @Sendable (_ tick: @escaping @Sendable () -> Void) async -> Void) { self.run = run }

    /// A tick every `interval`.
    public static func every(_ interval: Duration) -> Ticks {
        Ticks { tick in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !Task.isCancelled { tick() }
            }
        }
    }
}

/// The console's run loop. Everything that happens arrives on one `AsyncStream` of messages: keys and
/// resizes from the input thread, the clock's ticks, the results of effects, SIGTERM and SIGHUP.
/// Each message goes through `update`; when the model changed, it is rendered into a `Frame` once
/// and the device presents it. Effects run as tasks of their own; one started under an `EffectID` is
/// cancelled by `Effect.cancel(id)` (or by the next one with that id), and a cancelled effect's answer
/// is never delivered.
public final class ConsoleLoop {
    private let device: any TerminalDevice
    private let performer: any EffectPerformer
    private let clockText: @Sendable () -> String
    private let ticks: Ticks
    private let ascii: Bool
    private var model: Model
    private let messages: AsyncStream<[Msg]>
    private let continuation: AsyncStream<[Msg]>.Continuation
    private var running: [EffectID: Task<Void, Never>] = [:]

    /// `clockText` is read at each of `ticks` (one a second at the till) for the status line; frames
    /// are drawn in ASCII only when `ascii` (`AsciiText.isNeeded`).
    public init(
        model: Model, performer: any EffectPerformer, device: any TerminalDevice, ticks: Ticks = .every(.seconds(1)),
        ascii: Bool = false, clockText: @escaping @Sendable () -> String
    ) {
        self.model = model
        self.performer = performer
        self.device = device
        self.clockText = clockText
        self.ticks = ticks
        self.ascii = ascii
        (messages, continuation) = AsyncStream<[Msg]>.makeStream()
    }

    /// A way for work outside the loop (recovery at start) to send messages in.
    public var send: @Sendable (Msg) -> Void { { [continuation] in continuation.yield([$0]) } }

    /// Runs until the model quits (the cashier, the supervisor PIN, SIGTERM or SIGHUP); the terminal is
    /// restored on the way out. Returns the last model. With `ownsDevice` false the caller has started
    /// the device and stops it (several runs on one terminal: `amcash train`'s exercises).
    public func run(noColor: Bool, startingEffects: [Effect], handleSignals: Bool = true, ownsDevice: Bool = true) async -> Model {
        // Before the terminal starts: SIGTERM and SIGHUP become a quit message, so the journal closes cleanly.
        var sources: [any DispatchSourceSignal] = []
        if handleSignals {
            signal(SIGTERM, SIG_IGN)
            signal(SIGHUP, SIG_IGN)
            sources = [SIGTERM, SIGHUP].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [continuation] in continuation.yield([.quitRequested]) }
                source.resume()
                return source
            }
        }
        if ownsDevice { device.start(noColor: noColor) }
        let input = InputThread(device: device, continuation: continuation)
        input.start()
        let ticker = Task { [continuation, clockText, ticks] in
            await ticks.run { continuation.yield([.tick(clock: clockText())]) }
        }
        defer {
            ticker.cancel()
            // The input thread leaves curses alone before curses ends.
            input.stop()
            if ownsDevice { device.stop() }
            sources.forEach { $0.cancel() }
            running.values.forEach { $0.cancel() }
        }
        let size = device.size
        apply(.resized(columns: size.columns, rows: size.rows))
        apply(.clock(clockText()))
        startingEffects.forEach(execute)
        draw()
        for await batch in messages {
            let before = model
            for message in batch where !model.quit { apply(message) }
            if model.quit { break }
            if model != before { draw() }
        }
        return model
    }

    /// Renders the model and presents the frame, then tells `update` the frame is on screen (an
    /// APPROVED result is then marked shown).
    private func draw() {
        device.present(render(model, columns: model.columns, rows: model.rows, ascii: ascii))
        apply(.drawn)
    }

    private func apply(_ message: Msg) {
        for effect in update(&model, message) { execute(effect) }
    }

    private func execute(_ effect: Effect) {
        switch effect {
        case .cancel(let id):
            running.removeValue(forKey: id)?.cancel()
        default:
            let performer = self.performer
            let continuation = self.continuation
            let task = Task.detached {
                await performer.perform(effect) { message in
                    // A cancelled effect's answer is dropped: the cashier has moved on.
                    if !Task.isCancelled { continuation.yield([message]) }
                }
            }
            if let id = effect.id {
                running.removeValue(forKey: id)?.cancel()
                running[id] = task
            }
        }
    }
}

/// Reads the terminal on a thread of its own and sends what it reads into the loop's stream, each key
/// stamped with the device's time of the read (a scanner's burst is told by its timing).
final class InputThread: @unchecked Sendable {
    private let device: any TerminalDevice
    private let continuation: AsyncStream<[Msg]>.Continuation
    private let lock = NSLock()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(device: any TerminalDevice, continuation: AsyncStream<[Msg]>.Continuation) {
        self.device = device
        self.continuation = continuation
    }

    func start() {
        let thread = Thread { [self] in
            defer { finished.signal() }
            while !lock.withLock({ stopping }) {
                guard let read = device.readInput(milliseconds: 100) else { return }
                let batch: [Msg] = read.inputs.compactMap { input in
                    switch input {
                    case .key(let key): .key(KeyPress(key, at: read.at))
                    case .resize: .resized(columns: device.size.columns, rows: device.size.rows)
                    case .ignored: nil
                    }
                }
                if !batch.isEmpty { continuation.yield(batch) }
            }
        }
        thread.name = "amcash-input"
        thread.start()
    }

    /// Asks the thread to stop and waits for it (at most one read's wait, 100 ms).
    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }
}
