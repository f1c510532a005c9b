import AMCashDomain

/// The AIR MILES host as the console and the one-shot commands see it. The real one is
/// `HostClient` (HTTPS, tokens, retries); tests of one module may plug in another.
public protocol RedemptionHost: Sendable {
    /// ECHO: is the host there?
    func echo(_ call: PreparedCall) async -> HostResult<EchoReply>
    /// INQUIRE, retried once on 0008 or no response.
    func inquire(_ call: PreparedCall) async -> HostResult<InquiryReply>
    /// REDEEM, re-sent byte for byte with the same key while the outcome is unknown, within `policy`.
    func redeem(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<RedemptionReply>
    /// REVERSE, re-sent byte for byte with the same key on 0008 or no response, within `policy`.
    func reverse(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<ReversalReply>
}

/// How long to keep re-sending a REDEEM or REVERSE whose outcome is unknown before handing the
/// question back to the caller (the journal keeps trying later).
public struct ResendPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var attempts: Int
    /// The pause before each re-send, growing: delays[i] before attempt i+2 (the last repeats).
    public var delays: [Duration]

    public init(attempts: Int, delays: [Duration]) {
        precondition(attempts >= 1)
        self.attempts = attempts
        self.delays = delays
    }

    /// For a cashier waiting at the till: four attempts within about ten seconds of pauses.
    public static let atTheTill = ResendPolicy(attempts: 4, delays: [.milliseconds(500), .seconds(2), .seconds(5)])
    /// Send once; the caller resolves the rest.
    public static let once = ResendPolicy(attempts: 1, delays: [])

    public func delay(beforeAttempt attempt: Int) -> Duration {
        guard !delays.isEmpty else { return .zero }
        return delays[min(attempt - 2, delays.count - 1)]
    }

    /// The pause with up to ±25% jitter, so tills that lost the host together do not return in step.
    public func jitteredDelay(beforeAttempt attempt: Int) -> Duration {
        let base = delay(beforeAttempt: attempt)
        let milliseconds = base.wholeMilliseconds
        guard milliseconds >= 4 else { return base }
        let spread = milliseconds / 4
        return .milliseconds(milliseconds + Int64.random(in: -spread...spread))
    }
}
