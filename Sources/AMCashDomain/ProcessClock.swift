public import Foundation

/// The wall clock every process of amcash reads — the till, its recovery and the simulator alike — so
/// that a fault suite can make hours pass in seconds for all of them at once.
///
/// In a debug build (the one the tests and `scripts/reliability` run) `AMCASH_TEST_CLOCK_FILE` may
/// name a file holding a whole number of seconds: that many are added to the real time on every
/// read, so a test moves every process's clock forward by writing one number. A release build never
/// reads it: a till in a store always runs on the real time.
public enum ProcessClock {
    /// The time now, moved by the test offset where a debug build was given one.
    public static func now() -> Date {
        #if DEBUG
            if let path = offsetFile, let offset = readOffset(path) { return Date().addingTimeInterval(TimeInterval(offset)) }
        #endif
        return Date()
    }

    #if DEBUG
        private static let offsetFile: String? = ProcessInfo.processInfo.environment["AMCASH_TEST_CLOCK_FILE"]

        /// The offset in the file, or nil while the file is missing or holds no whole number (the real time).
        static func readOffset(_ path: String) -> Int? {
            guard let data = FileManager.default.contents(atPath: path), data.count < 64 else { return nil }
            return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    #endif
}
