public import AMCashAPI
public import Foundation

/// Resolves what a crash, a pulled cable or a lost answer left open: every REDEEM without a final
/// outcome is re-sent with its own key and its own bytes until the host answers, and every queued
/// reversal that is due is sent again. Runs at every start (console and one-shot commands).
public struct JournalRecovery: Sendable {
    public let journal: Journal
    public let host: any RedemptionHost

    public init(journal: Journal, host: any RedemptionHost) {
        self.journal = journal
        self.host = host
    }

    /// What one pass resolved and what is still open.
    public struct Report: Sendable, Equatable {
        public var resolved = 0
        public var stillUnknown = 0
        public var reversalsAcknowledged = 0
        public var reversalsWaiting = 0
        public var exceptions = 0

        public init() {}
    }

    /// How many entries a pass would work on now (for "resolving N pending transactions").
    public func pendingCount(at now: Date) throws(JournalError) -> Int {
        try journal.pendingRedemptions().count + journal.dueReversals(at: now).count
    }

    /// One pass: pending REDEEMs first, then the reversals that are due.
    public func run(policy: ResendPolicy = .atTheTill, now: @Sendable () -> Date = { Date() }) async throws(JournalError) -> Report {
        var report = Report()
        for entry in try journal.pendingRedemptions() {
            let result = await host.redeem(entry.call, policy: policy)
            let updated = try journal.recordRedemptionOutcome(entry.id, result, at: now(), byRecovery: true)
            if updated.state.needsResolution { report.stillUnknown += 1 } else { report.resolved += 1 }
        }
        report.reversalsAcknowledged += try await sendDueReversals(policy: policy, now: now).acknowledged
        let open = try journal.entries(pendingOnly: true)
        report.reversalsWaiting = open.filter { $0.kind == .reverse && $0.isPending }.count
        report.exceptions = open.filter(\.isException).count
        return report
    }

    /// Sends every reversal that is due; returns how many the host acknowledged.
    public func sendDueReversals(policy: ResendPolicy = .atTheTill, now: @Sendable () -> Date = { Date() })
        async throws(JournalError) -> (acknowledged: Int, waiting: Int) {
        var acknowledged = 0
        var waiting = 0
        for entry in try journal.dueReversals(at: now()) {
            let result = await host.reverse(entry.call, policy: policy)
            let updated = try journal.recordReversalOutcome(entry.id, result, at: now())
            if updated.state == .reversed { acknowledged += 1 } else if updated.isPending { waiting += 1 }
        }
        return (acknowledged, waiting)
    }
}
