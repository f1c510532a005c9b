import AMCashJournal
import Foundation

/// The crash test's hook (`Tests/amcashTests/CrashTests.swift`, `scripts/reliability`): kills amcash
/// with SIGKILL at the point named by `AMCASH_TEST_CRASH_AT`. Unset in normal use, and in a release build
/// always: then it does nothing.
enum CrashHook {
    #if DEBUG
        static let armed = ProcessInfo.processInfo.environment["AMCASH_TEST_CRASH_AT"].flatMap(CrashPoint.init(rawValue:))
    #else
        /// A release build (the one a till runs) never arms it: whoever can set a till's environment
        /// must not be able to make amcash kill itself in the middle of a sale.
        static let armed: CrashPoint? = nil
    #endif

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
