import ConsoleCore
import ConsoleRuntime
import Foundation

/// What happened, in order, across threads; a test can wait for an event without sleeping.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []
    private var waiters: [UUID: (predicate: @Sendable (String) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = [:]

    func append(_ event: String) {
        let woken: [CheckedContinuation<Bool, Never>] = lock.withLock {
            events.append(event)
            let ready = waiters.filter { $0.value.predicate(event) }
            for id in ready.keys { waiters.removeValue(forKey: id) }
            return ready.map(\.value.continuation)
        }
        woken.forEach { $0.resume(returning: true) }
    }

    var all: [String] { lock.withLock { events } }

    /// Waits until an event satisfies `predicate` (at once if one already has); false after `timeout`.
    func waitFor(timeout: Duration = .seconds(10), _ predicate: @escaping @Sendable (String) -> Bool) async -> Bool {
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            let waiter = self?.lock.withLock { self?.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let already = lock.withLock {
                if events.contains(where: predicate) { return true }
                waiters[id] = (predicate, continuation)
                return false
            }
            if already { continuation.resume(returning: true) }
        }
    }
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

/// Ticks a test gives by hand: the status line's clock moves only when the test says so. A tick
/// given before the loop listens is delivered when it starts to.
final class HandTicks: @unchecked Sendable {
    private let lock = NSLock()
    private var ticker: (@Sendable () -> Void)?
    private var early = 0

    var ticks: Ticks {
        Ticks { [self] tick in
            let owed = lock.withLock {
                ticker = tick
                defer { early = 0 }
                return early
            }
            for _ in 0..<owed { tick() }
            // Parked until the loop cancels it: a tick comes only from `tick()`.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
    }

    func tick() {
        let listening = lock.withLock {
            if ticker == nil { early += 1 }
            return ticker
        }
        listening?()
    }
}
