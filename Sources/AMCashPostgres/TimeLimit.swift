import Foundation

/// `work`'s answer, or `TimedOut` once `limit` has passed (`CancellationError` once the caller is cancelled),
/// whichever comes first — without waiting for `work` to notice: a database that does not answer must not hold
/// its caller (a till's background forwarding, a nightly job, a simulator's lock query) forever.
///
/// `work` runs in a task of its own, cancelled at the limit, and is not waited for. A query postgres-nio is
/// awaiting does not end when its task is cancelled, only when its connection closes; a task group that waited
/// for it would wait for the caller's session to close, which waits for the caller: a pass held by a lock
/// nobody releases hung its forwarder for good. The caller ends the session (or drops the connection) once it
/// has the answer, which ends the query on this side; a server backend waiting on a lock goes on waiting until
/// the server's `statement_timeout` (the forwarder sets it on its transactions) or the lock ends it. So `work`
/// may still be finishing after this returned: what it does then must be safe to do late (the forwarder's
/// acknowledgement only moves forward).
public func withTimeLimit<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let answer = FirstAnswer<T>()
    let worker = Task {
        do { answer.give(.success(try await work())) } catch { answer.give(.failure(error)) }
    }
    let timer = Task {
        try await Task.sleep(for: limit)
        answer.give(.failure(TimedOut(limit: limit)))
        worker.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { answer.wait($0) }
    } onCancel: {
        answer.give(.failure(CancellationError()))
        worker.cancel()
    }
}

public struct TimedOut: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "no answer from the database within \(limit.components.seconds) s" }
}

/// The first of the worker's answer, the limit and the caller's cancellation; the others are dropped. The
/// continuation may come before or after it (the cancellation handler can run before the body).
private final class FirstAnswer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var answer: Result<T, any Error>?
    private var continuation: CheckedContinuation<T, any Error>?

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        guard let answer else {
            self.continuation = continuation
            lock.unlock()
            return
        }
        lock.unlock()
        continuation.resume(with: answer)
    }

    func give(_ result: Result<T, any Error>) {
        lock.lock()
        guard answer == nil else {
            lock.unlock()
            return
        }
        answer = result
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(with: result)
    }
}
