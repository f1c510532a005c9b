import Foundation

/// Places where the crash test (`Tests/amcashTests/CrashTests.swift`) kills amcash with SIGKILL, set
/// by `AMCASH_TEST_CRASH_AT`. Unset in normal use: then every call here does nothing.
enum CrashPoint: String {
    case afterIntentCommit = "after-intent-commit"
    case afterRequestSent = "after-request-sent"
    case afterResponseRead = "after-response-read"
    case afterOutcomeCommit = "after-outcome-commit"

    static let armed = ProcessInfo.processInfo.environment["AMCASH_TEST_CRASH_AT"].flatMap(CrashPoint.init(rawValue:))

    /// Dies here if this is the armed point.
    static func reached(_ point: CrashPoint) {
        if armed == point { kill(getpid(), SIGKILL) }
    }

    /// For `afterRequestSent`: dies a moment after the request went out, while the answer is awaited
    /// (the crash test makes the simulator hold its answer).
    static func requestLeaving() {
        guard armed == .afterRequestSent else { return }
        let milliseconds = ProcessInfo.processInfo.environment["AMCASH_TEST_CRASH_DELAY_MS"].flatMap(Int.init) ?? 200
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: TimeInterval(milliseconds) / 1000)
            kill(getpid(), SIGKILL)
        }
    }
}
