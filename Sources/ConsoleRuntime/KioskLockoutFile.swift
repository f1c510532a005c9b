import AMCashConfiguration
public import Foundation

/// Kiosk mode's supervisor lockout, written down in the data folder so that restarting the console
/// (or pulling the plug) neither ends a lockout nor resets how long the next one lasts. Two numbers:
/// when the lockout ends (seconds since 1970) and how many lockouts there have been.
public struct KioskLockoutFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public struct State: Equatable, Sendable {
        public var remainingSeconds: Int
        public var lockouts: Int
    }

    public func read(at now: Date) -> State {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return State(remainingSeconds: 0, lockouts: 0) }
        let parts = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 0 else { return State(remainingSeconds: 0, lockouts: 0) }
        let remaining = max(0, min(3600, parts[0] - Int(now.timeIntervalSince1970)))
        return State(remainingSeconds: remaining, lockouts: min(parts[1], 64))
    }

    public func record(until: Date, lockouts: Int) {
        try? PrivateFile.write(Data("\(Int(until.timeIntervalSince1970.rounded(.up))) \(lockouts)\n".utf8), to: path)
    }

    /// The right PIN was typed: lockouts start again from 30 s.
    public func clear() { try? FileManager.default.removeItem(atPath: path) }
}
