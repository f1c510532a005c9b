import AMCashJournal
import Foundation

/// The crash test's hook (`Tests/amcashTests/CrashTests.swift`, `scripts/reliability`): kills amcash
/// with SIGKILL at the point named by `AMCASH_TEST_CRASH_AT`. Unset in normal use: then it does nothing.
enum CrashHook {
    static let armed = ProcessInfo.processInfo.environment["AMCASH_TEST_CRASH_AT"].flatMap(CrashPoint.init(rawValue:))

    static let hook: @Sendable (CrashPoint) -> Void = { point in
        guard armed == point else { return }
        if point == .afterRequestSent {
            // Dies a moment after the request went out, while the answer is awaited (the test makes the simulator hold it).
            let milliseconds = ProcessInfo.processInfo.environment["AMCASH_TEST_CRASH_DELAY_MS"].flatMap(Int.init) ?? 200
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: TimeInterval(milliseconds) / 1000)
                kill(getpid(), SIGKILL)
            }
        } else {
            kill(getpid(), SIGKILL)
        }
    }
}
