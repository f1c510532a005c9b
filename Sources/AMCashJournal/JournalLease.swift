import AMCashDomain
public import AMCashWire
public import Foundation

/// Who is working on a journal row right now: a live till operation or a recovery pass, in this
/// process or another one sharing the journal (a console and a one-shot command). A row under a
/// live lease is never sent by anyone else, so no two calls for it — or for its collector — overlap.
public struct LeaseHolder: Sendable, Hashable, CustomStringConvertible {
    public let processId: Int32
    /// Tells two holders of one process apart (the console's sale and its recovery tick).
    public let token: String

    public init(processId: Int32 = getpid(), token: String = UUID().uuidString.prefix(8).lowercased()) {
        self.processId = processId
        self.token = token
    }

    public var description: String { "\(processId):\(token)" }

    init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let pid = Int32(parts[0]) else { return nil }
        self.init(processId: pid, token: String(parts[1]))
    }

    /// Whether a lease written as `holder` until `until` still binds at `now`: not expired, and its
    /// process still runs (a till killed mid-sale frees its rows at once for the next start).
    static func binds(holder: String?, until: Date?, at now: Date) -> Bool {
        guard let holder, let until, until > now, let parsed = LeaseHolder(parsing: holder) else { return false }
        if parsed.processId == getpid() { return true }
        return kill(parsed.processId, 0) == 0 || errno == EPERM
    }
}

/// How long leases last. A live REDEEM's lease covers the whole in-lane budget (four attempts of
/// connect + read time, with pauses); after an approval, the time to draw or print it.
public struct LeaseTimes: Sendable, Hashable {
    public var inLane: TimeInterval
    public var toShow: TimeInterval
    public var recovery: TimeInterval

    public init(inLane: TimeInterval = 120, toShow: TimeInterval = 60, recovery: TimeInterval = 120) {
        self.inLane = inLane
        self.toShow = toShow
        self.recovery = recovery
    }

    public static let standard = LeaseTimes()

    /// Leases that outlive every call they cover: a REDEEM at the till makes `policy.attempts` attempts,
    /// each of which may fetch a token and send twice (a bare 401), each bounded by connect + read time,
    /// with the policy's pauses (+25% jitter) between them. A recovery pass uses its own policy. A lease
    /// shorter than its call would let recovery void an approval the cashier is about to see.
    public static func covering(
        connect: Duration, read: Duration, atTheTill: ResendPolicy = .atTheTill, inRecovery: ResendPolicy = .inRecovery
    ) -> LeaseTimes {
        func seconds(_ duration: Duration) -> TimeInterval { TimeInterval(duration.wholeNanoseconds) / 1e9 }
        func budget(_ policy: ResendPolicy) -> TimeInterval {
            let exchange = 4 * seconds(connect + read)
            let pauses = (1..<max(policy.attempts, 1)).reduce(0.0) { $0 + seconds(policy.delay(beforeAttempt: $1 + 1)) * 1.25 }
            return TimeInterval(policy.attempts) * exchange + pauses + 30
        }
        return LeaseTimes(inLane: max(120, budget(atTheTill)), toShow: 60, recovery: max(120, budget(inRecovery)))
    }
}
