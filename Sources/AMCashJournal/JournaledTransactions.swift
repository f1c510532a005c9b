public import AMCashDomain
public import AMCashRequests
public import AMCashWire
public import Foundation

/// Where a test may kill the till (SIGKILL) to prove that nothing is lost or debited twice. The
/// hooks do nothing in normal use.
public enum CrashPoint: String, Sendable, CaseIterable {
    case afterIntentCommit = "after-intent-commit"
    /// Just before the request goes out; the hook kills a moment later, while the answer is awaited.
    case afterRequestSent = "after-request-sent"
    case afterResponseRead = "after-response-read"
    case afterOutcomeCommit = "after-outcome-commit"
    case afterShown = "after-shown"
    /// A void's REVERSE is queued and about to be sent.
    case duringVoid = "during-void"
}

/// The one path every REDEEM and REVERSE takes — the console's, the one-shot commands' and
/// recovery's alike: journal the intent, send, journal the outcome; then the caller shows an
/// approval and says so (`markShown`), and anything approved but never shown is voided here.
///
/// The rule it keeps: the net debit at the host for a sale equals the discount the cashier was
/// shown as APPROVED. Everything else nets to zero on its own.
public struct JournaledTransactions: Sendable {
    public let journal: Journal
    public let host: any RedemptionHost
    public let builder: RequestBuilder
    /// How long replays of an unknown REDEEM go on (the host's key retention), within the reversal window.
    public let replayRetention: TimeInterval
    /// The host's own refund of an orphaned redemption (documented: within 20 minutes). Past it a replay
    /// cannot learn the original's answer any more — only make a new debit — so an unknown REDEEM is
    /// replayed only within it, and settled by the daily file after it.
    public let orphanRefundWindow: TimeInterval
    public let leases: LeaseTimes
    public let crash: @Sendable (CrashPoint) -> Void
    public let now: @Sendable () -> Date

    public init(
        journal: Journal, host: any RedemptionHost, builder: RequestBuilder, replayRetentionHours: Int = 24,
        orphanRefundMinutes: Int = 20, leases: LeaseTimes = .standard, crash: @escaping @Sendable (CrashPoint) -> Void = { _ in },
        now: @escaping @Sendable () -> Date = { ProcessClock.now() }
    ) {
        self.journal = journal
        self.host = host
        self.builder = builder
        replayRetention = TimeInterval(replayRetentionHours) * 3600
        orphanRefundWindow = TimeInterval(orphanRefundMinutes) * 60
        self.leases = leases
        self.crash = crash
        self.now = now
    }

    /// How a REDEEM at the till ended, and the journal row that records it (none if nothing was recorded).
    public struct Redemption: Sendable {
        public let entry: JournalEntry?
        public let result: HostResult<RedemptionReply>
        public let traceId: String
    }

    // MARK: - At the till

    /// Journals and sends one REDEEM. The result is what the cashier may be shown: an approval only
    /// when the host approved and the journal recorded it; after any failure once the request may have
    /// gone out, unknown — never "nothing was redeemed".
    ///
    /// A register's sale passes its `saleId` (kept with the row) and `acknowledgeWithin`: the approval is
    /// leased for that long instead of `leases.toShow`, since it counts as shown only when the register
    /// acknowledges it (`Journal.acknowledge(saleId:at:)`); recovery voids it after that.
    ///
    /// `earning`: the sale's ISSUE on the whole sale (a console's sale that earns once its REDEEM ends). It is
    /// journaled in the REDEEM's intent commit, held behind it; `earn(_:behind:)` releases and sends it when
    /// the REDEEM ends in the lane, and recovery does if the till dies first: the earning is never lost.
    public func redeem(
        _ request: RedemptionRequest, saleId: String? = nil, acknowledgeWithin: TimeInterval? = nil, earning: EarningRequest? = nil
    ) async -> Redemption {
        let holder = LeaseHolder()
        var leases = self.leases
        if let acknowledgeWithin { leases.toShow = acknowledgeWithin }
        let call: PreparedCall
        let intent: JournalEntry
        // Refused by the builder (a keyed card, not whole units) or by the journal (busy collector, full disk):
        // nothing was sent.
        do {
            // The trace id and the intent in one commit: nothing is sent before it.
            let issue: ((TraceId) throws -> (call: IssuanceCall, checkoutTransactionId: String))? =
                if let earning, host is any IssuanceHost { { traceId in issuanceIntent(earning, traceId: traceId) } } else { nil }
            (call, intent) = try journal.recordRedemptionIntent(
                requested: request.amount, at: now(), holder: holder, leases: leases, saleId: saleId, earning: issue
            ) { traceId in try builder.redeem(request, traceId: traceId, at: now()) }
        } catch {
            return Redemption(entry: nil, result: .notSent(.notAttempted("\(error)")), traceId: "-")
        }
        crash(.afterIntentCommit)
        crash(.afterRequestSent)
        let began = ContinuousClock.now
        let sent = await host.redeem(call, policy: .atTheTill)
        let latency = Self.latencyMs(of: sent, since: began)
        crash(.afterResponseRead)
        do {
            let entry = try journal.recordRedemptionOutcome(
                intent.id, sent, at: now(), holder: holder, leases: leases, latencyMs: latency)
            crash(.afterOutcomeCommit)
            // A declined REDEEM needs its number no more (a shown one keeps it while it can be reversed).
            if entry.state == .declined { try? journal.purgeCardNumber(ofEntry: entry.id, at: now()) }
            return Redemption(entry: entry, result: Self.showable(sent, committed: entry), traceId: call.traceId)
        } catch {
            // The host's answer could not be recorded: the row stays open and recovery replays it (and voids
            // an approval). The cashier must not give the discount.
            return Redemption(
                entry: intent, result: .unknown(.garbledResponse(status: 0, reason: "the journal could not record the answer: \(error)")),
                traceId: call.traceId)
        }
    }

    /// How long a host call took, in whole milliseconds on the monotonic clock (a wall-clock step cannot
    /// make it negative); nil when nothing went out, so a call that never left the till is no latency.
    static func latencyMs<Reply: HostReply>(of result: HostResult<Reply>, since began: ContinuousClock.Instant) -> Int? {
        if case .notSent = result { return nil }
        return max(0, Int((ContinuousClock.now - began).wholeMilliseconds))
    }

    /// What the cashier may be shown: the journal's committed state, never the raw answer. An approval
    /// is shown only while its row is `approved` (leased to this sale); if recovery reached the row first
    /// and voided it, the same approval is "not approved: do not give the discount".
    static func showable(_ sent: HostResult<RedemptionReply>, committed entry: JournalEntry) -> HostResult<RedemptionReply> {
        guard case .answered(let reply) = sent, let approval = reply.approval, reply.answer.outcome == .approved else { return sent }
        if entry.state == .approved && entry.confirmationNumber == approval.confirmationNumber { return sent }
        return .unknown(
            .unshowableApproval(
                confirmationNumber: approval.confirmationNumber, units: approval.unitsRedeemed,
                reason: "the journal holds it as \(entry.state) (recovery reached it first)"))
    }

    /// The cashier saw APPROVED: the debit stands. If this cannot be recorded, recovery voids the
    /// approval (the collector keeps the miles), which is the safe side.
    @discardableResult
    public func markShown(_ redemption: Redemption) -> Bool {
        guard let entry = redemption.entry else { return false }
        return markShown(entry)
    }

    /// `markShown` for a journal row (the console finds it by its trace once the screen is drawn).
    @discardableResult
    public func markShown(_ entry: JournalEntry) -> Bool {
        guard entry.state == .approved else { return false }
        do {
            try journal.markShown(entry.id, at: now())
            crash(.afterShown)
            return true
        } catch {
            return false
        }
    }

    /// How a cashier's REVERSE ended.
    public struct Reversal: Sendable {
        public let entry: JournalEntry?
        public let result: HostResult<ReversalReply>
        public let traceId: String
        /// Why it was refused before anything was queued (wrong card, not a shown redemption, busy).
        public let refusal: String?
        /// Refused before anything was sent because another transaction for this collector is in progress
        /// (`JournalError.collectorBusy`): nothing was reversed, the redemption stands, and trying again in a
        /// moment is all it takes — no supervisor.
        public var isCollectorBusy = false

        public var isReversed: Bool { entry?.state == .reversed }
        public var isQueued: Bool { entry?.state == .reversing }
        public var isException: Bool { entry?.state == .exception }
    }

    /// Queues and sends the cashier's REVERSE (store and forward: if it cannot be sent now, recovery
    /// sends it later). Refused locally when the card does not match the journaled redemption.
    public func reverse(_ request: ReversalRequest) async -> Reversal {
        let holder = LeaseHolder()
        let call: PreparedCall
        let queued: JournalEntry
        do {
            call = try builder.reverse(request, traceId: try journal.nextTraceId(), at: now())
            queued = try journal.queueReversal(call, of: request.redemptionConfirmationNumber, at: now(), holder: holder, leases: leases)
        } catch {
            var refused = Reversal(entry: nil, result: .notSent(.notAttempted("\(error)")), traceId: "-", refusal: "\(error)")
            if case .collectorBusy = error as? JournalError { refused.isCollectorBusy = true }
            return refused
        }
        let began = ContinuousClock.now
        let sent = await host.reverse(call, policy: .atTheTill)
        let latency = Self.latencyMs(of: sent, since: began)
        let entry = (try? journal.recordReversalOutcome(queued.id, sent, at: now(), inLane: true, latencyMs: latency)) ?? queued
        if !entry.isPending { try? journal.purgeCardNumber(ofEntry: entry.id, at: now()) }
        return Reversal(entry: entry, result: sent, traceId: call.traceId, refusal: nil)
    }

    // MARK: - Recovery

    /// What one recovery pass did and what is still open.
    public struct Report: Sendable, Equatable {
        public var resolved = 0
        public var stillUnknown = 0
        public var voidsQueued = 0
        public var reversalsAcknowledged = 0
        public var reversalsWaiting = 0
        public var exceptions = 0
        /// Rows another till operation or process holds right now (left alone).
        public var skipped = 0
        /// Queued ISSUEs and RETURNs the host answered in this pass, and those still waiting.
        public var earningsAnswered = 0
        public var earningsWaiting = 0

        public init() {}
    }

    /// How many rows a pass would work on now (for "resolving N pending transactions").
    public func pendingCount() throws(JournalError) -> Int {
        try journal.pendingRedemptions().count + journal.unshownApprovals().count + journal.dueReversals(at: now()).count
            + journal.queuedEarnings().count + journal.acceptedEarnings().filter(mayAskAgain).count
    }

    /// One pass: replays of pending REDEEMs, voids of approvals nobody saw, then the reversals that
    /// are due. Rows a live operation holds are left alone; a poison row becomes an exception and the
    /// pass goes on.
    public func recover(policy: ResendPolicy = .inRecovery) async throws(JournalError) -> Report {
        var report = Report()
        let holder = LeaseHolder()
        /// A row the journal cannot move (an answer it cannot store, a state it cannot leave) is set
        /// aside for the supervisor; the pass goes on with the others.
        func isolate(_ id: Int64, _ error: JournalError) throws(JournalError) {
            switch error {
            case .illegalTransition, .notFound, .storage: try journal.quarantine(id, reason: error.description)
            default: throw error
            }
        }
        for pending in try journal.pendingRedemptions() {
            do {
                guard let entry = try journal.claim(pending.id, for: holder, at: now(), leases: leases, expecting: [.sending, .unknown]) else {
                    report.skipped += 1
                    continue
                }
                let until = min(ReversalWindow.closes(forRedemptionAt: entry.createdAt), entry.createdAt.addingTimeInterval(replayRetention))
                guard now() < until else {
                    try journal.giveUpReplays(entry.id, at: now())
                    continue
                }
                // Past the host's orphan refund a replay cannot learn the original's answer, only debit anew.
                guard now() < entry.createdAt.addingTimeInterval(orphanRefundWindow) else {
                    try journal.endReplays(entry.id, orphanWindowMinutes: Int(orphanRefundWindow / 60), at: now())
                    report.stillUnknown += 1
                    continue
                }
                let began = ContinuousClock.now
                let result = await host.redeem(entry.call, policy: policy)
                let updated = try journal.recordReplayOutcome(
                    entry.id, result, at: now(), replayUntil: until, latencyMs: Self.latencyMs(of: result, since: began))
                switch updated.state {
                case .voiding:
                    report.voidsQueued += 1
                    report.resolved += 1
                case .unknown, .sending: report.stillUnknown += 1
                default: report.resolved += 1
                }
            } catch { try isolate(pending.id, error) }
        }
        for unshown in try journal.unshownApprovals() {
            do {
                guard try journal.claim(unshown.id, for: holder, at: now(), leases: leases, expecting: [.approved]) != nil else {
                    report.skipped += 1
                    continue
                }
                if try journal.voidUnshown(unshown.id, at: now()).state == .voiding { report.voidsQueued += 1 }
            } catch { try isolate(unshown.id, error) }
        }
        for due in try journal.dueReversals(at: now()) {
            do {
                guard let entry = try journal.claim(due.id, for: holder, at: now(), leases: leases, expecting: [.reversing]) else {
                    report.skipped += 1
                    continue
                }
                if entry.isVoid { crash(.duringVoid) }
                let began = ContinuousClock.now
                let result = await host.reverse(entry.call, policy: policy)
                let updated = try journal.recordReversalOutcome(entry.id, result, at: now(), latencyMs: Self.latencyMs(of: result, since: began))
                if updated.state == .reversed { report.reversalsAcknowledged += 1 } else if updated.isPending { report.reversalsWaiting += 1 }
            } catch { try isolate(due.id, error) }
        }
        let open = try journal.entries(pendingOnly: true)
        report.reversalsWaiting = open.filter { $0.kind == .reverse && $0.isPending }.count
        report.exceptions = open.filter(\.isException).count
        // Earnings are stored and forwarded: a one-shot pass sends every queued one, the background pass those due.
        let forwarded: (answered: Int, waiting: Int)
        do { forwarded = try await forwardEarnings(dueOnly: policy != .once) } catch {
            // The earnings stopped halfway (a write refused): what the pass settled before still loses its number.
            _ = try? purgeCardNumbers()
            throw error
        }
        report.earningsAnswered = forwarded.answered
        report.earningsWaiting = forwarded.waiting
        // A number no row can send again is no longer kept in full (the earnings this pass settled too).
        try purgeCardNumbers()
        return report
    }

    /// Masks every full number no send needs any more (`Journal.purgeCardNumbers`). Every recovery pass and
    /// one-shot command runs it, a pass with nothing pending too: on a quiet till a number is not kept
    /// until the next sale.
    @discardableResult
    public func purgeCardNumbers() throws(JournalError) -> Int { try journal.purgeCardNumbers(at: now()) }
}

extension ResendPolicy {
    /// For recovery in the background: two attempts; the next pass tries again.
    public static let inRecovery = ResendPolicy(attempts: 2, delays: [.seconds(1)])
}
