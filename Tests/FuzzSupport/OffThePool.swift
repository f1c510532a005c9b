import Foundation

/// Runs CPU-bound test work on a thread of its own instead of Swift concurrency's cooperative pool.
/// That pool has one thread per core: on a 2-core machine, two long synchronous tests there stall
/// every async test of the run (their deadlines then fail for no fault of theirs).
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}
