import AMCashDomain
public import AMCashWire
import Foundation

/// Earning at the till (ISSUE) and returns (RETURN): journaled before they are sent, sent with one key
/// and one body for their whole life, and — unlike a redemption — stored and forwarded until answered.
/// The money rule for earning: the miles reported are the miles the host answered, or "pending".
extension JournaledTransactions {
    /// How an ISSUE or RETURN ended for now, and its journal row (none if nothing was recorded).
    public struct Earning: Sendable {
        public let entry: EarningEntry?
        public let outcome: EarningOutcome
        /// The id the host knows the sale (or the return) by; a return names its sale with it.
        public let checkoutTransactionId: String?
        public let traceId: String?
    }

    /// The host's preview of the miles a basket earns (CALCULATE): never journaled, never blocking a sale.
    public func calculate(_ request: EarningRequest) async -> EarningOutcome {
        guard let host = host as? any IssuanceHost else { return .refused(code: nil, message: "this host does not serve Issuance") }
        let body = Self.issuanceBody(request, identity: builder.identity, checkoutTransactionId: nil, at: now())
        let call = IssuanceCall(
            operation: .calculate, traceId: "-", idempotencyKey: UUID(), body: body.json.data, maskedCard: request.card.number.masked)
        return Self.outcome(of: await host.issuance(call)).outcome
    }

    /// Journals and sends the ISSUE of a sale.
    public func earn(_ request: EarningRequest) async -> Earning { await send(.issue, request) }

    /// The ISSUE of a sale whose REDEEM (`redemptionTraceId`) has ended in the lane: the one journaled held
    /// behind it with its intent is released as the journal settles it (`settleHold`) — on the sale less the
    /// discount once the approval is recorded shown, on the whole sale if the REDEEM was declined, not sent or
    /// voided — and sent as `earn` sends. `request` only says what the lane expects; the journal decides, so an
    /// approval the cashier's screen never got to show (a shown mark refused, a till that stopped) never earns on
    /// less. Never a second ISSUE for the sale: if recovery has taken it, or already released or sent it, or the
    /// approval is not recorded shown within `shownWait`, the till reports it as it stands (pending until
    /// answered; recovery releases it when the REDEEM settles). Nor before the console has drawn how the sale
    /// ended (`markSaleSeen`, on the frame that shows it): a till that stops before that frame leaves a sale
    /// the cashier rings again, and the lane never takes its own sale for such an interrupted one. Without such
    /// a row (the journal refused it, or an older intent) it is journaled and sent now, as `earn`.
    public func earn(_ request: EarningRequest, behind redemptionTraceId: String?) async -> Earning {
        // "-": the REDEEM was refused before its intent, so nothing was journaled with it.
        guard let redemptionTraceId, redemptionTraceId != "-" else { return await earn(request) }
        let found: EarningEntry?
        do { found = try journal.earning(behind: redemptionTraceId) } catch { return Self.unreadable(error) }
        guard let held = found else { return await earn(request) }
        guard let host = host as? any IssuanceHost else { return Self.earning(held) }
        let holder = LeaseHolder()
        var current = held
        // Wait a little for the console to record the sale seen and an approval shown (it does on the frame that
        // draws the result) and for a recovery pass that holds the row (it finds the REDEEM open and lets go).
        let deadline = ContinuousClock.now + Self.shownWait
        while true {
            if let taken = try? journal.takeEarning(held.id, for: holder, at: now(), for: leases.inLane) {
                current = settleHold(taken, mayInterrupt: false)
                if current.heldBehind == nil || current.state != .queued { return await sendInLane(current, holder: holder, host: host) }
                try? journal.releaseEarning(held.id)
            } else if let row = try? journal.earning(behind: redemptionTraceId) {
                current = row
                guard row.state == .queued || row.state == .accepted else { break }
            }
            guard ContinuousClock.now < deadline else { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        let final = (try? journal.earning(behind: redemptionTraceId)) ?? current
        // A pass took this live sale for an interrupted one (the lane started late): the console is drawing its end
        // now, which queues it again (`markSaleSeen`). Not "not earned" on the receipt for miles that may yet post.
        if final.state == .refused, final.attempts == 0, final.heldBehind != nil {
            return Earning(
                entry: final, outcome: .pending(reason: "waiting for the sale's end to be seen"),
                checkoutTransactionId: final.checkoutTransactionId, traceId: final.traceId)
        }
        return Self.earning(final)
    }

    /// How long the lane waits for an approval to be recorded shown (or for a pass to let the row go) before it
    /// reports the sale's miles pending and leaves the ISSUE to recovery.
    /// Ten seconds: the frame that marks the sale seen is drawn a moment after the lane starts, later on a
    /// loaded till; past it the cashier only sees "pending" (recovery sends it).
    static let shownWait: Duration = .seconds(10)

    /// The console drew how the sale of REDEEM `redemptionTraceId` ended (`Effect.markSaleSeen`), or the register
    /// read its decline: the ISSUE journaled with that REDEEM earns once the REDEEM ends, whatever the end — and
    /// one a pass took meanwhile for an interrupted sale's is queued again (`Journal.markEarningSaleSeen`).
    /// False only when the journal could not record it (nothing journaled behind that REDEEM: nothing to do, true).
    @discardableResult
    public func markSaleSeen(behind redemptionTraceId: String) -> Bool {
        do {
            _ = try journal.markSaleSeen(behind: redemptionTraceId, at: now())
            return true
        } catch {
            return false
        }
    }

    /// The ISSUE of a register's sale whose discount is settled (declined, or approved and acknowledged): the one
    /// journaled with the intent of the sale's latest REDEEM, released as `earn(_:behind:)` releases it.
    public func earn(_ request: EarningRequest, registerSale saleId: String) async -> Earning {
        let redemption: JournalEntry?
        do { redemption = try journal.redemption(saleId: saleId) } catch { return Self.unreadable(error) }
        return await earn(request, behind: redemption?.traceId)
    }

    /// Journals the ISSUE of a sale whose REDEEM was not confirmed (unknown: review s9 #5) without sending
    /// it: it waits for that REDEEM (`redemptionTraceId`) to end. Recovery sends it once the REDEEM row is
    /// final — voided, declined or reversed: on the whole sale (`request` carries no discount); approved
    /// and shown: on the sale less the approved discount. The till shows and prints "pending".
    /// The ISSUE journaled with the REDEEM's intent is that one (never a second): it is reported as it stands.
    public func earnAfterRedemption(_ request: EarningRequest, redemptionTraceId: String) async -> Earning {
        let found: EarningEntry?
        do { found = try journal.earning(behind: redemptionTraceId) } catch { return Self.unreadable(error) }
        // The cashier is shown NOT CONFIRMED and the miles pending once the frame is drawn (`markSaleSeen`):
        // from then on this sale earns once its REDEEM ends.
        if let held = found { return Self.earning(held) }
        return await send(.issue, request, heldBehind: redemptionTraceId)
    }

    /// The journal could not say whether the sale's ISSUE is journaled: nothing is journaled or sent now (a second
    /// ISSUE could earn twice). The REDEEM's intent journaled one with it, which recovery sends once the journal
    /// reads again: the till says pending, never "not earned" for miles that may yet be recorded.
    static func unreadable(_ error: JournalError) -> Earning {
        Earning(
            entry: nil,
            outcome: .pending(reason: "the journal could not be read (\(error)); the sale's earning journaled with its redemption is sent later"),
            checkoutTransactionId: nil, traceId: nil)
    }

    /// A journaled row as the till reports it.
    static func earning(_ entry: EarningEntry) -> Earning {
        Earning(entry: entry, outcome: outcome(of: entry), checkoutTransactionId: entry.checkoutTransactionId, traceId: entry.traceId)
    }

    /// The ISSUE call journaled with a REDEEM's intent (`redeem(_:earning:)`), under `traceId`.
    func issuanceIntent(_ request: EarningRequest, traceId: TraceId) -> (call: IssuanceCall, checkoutTransactionId: String) {
        let transactionId = IssuanceDecisions.checkoutTransactionId(builder.identity, traceId: traceId)
        let body = Self.issuanceBody(request, identity: builder.identity, checkoutTransactionId: transactionId, at: now())
        let call = IssuanceCall(
            operation: .issue, traceId: traceId.wireString, idempotencyKey: UUID(), body: body.json.data, maskedCard: request.card.number.masked)
        return (call, transactionId)
    }

    /// A held ISSUE's body less the AM Cash discount that stood (when `IssuanceDecisions.earnAfterAMCashDiscount`):
    /// its key, transaction id and time stay those journaled. Nil when the body cannot be read.
    static func body(_ held: Data, less discount: Money) -> Data? {
        guard var parsed = try? IssuanceRequestBody(json: IssuanceJSON.parse(held)) else { return nil }
        guard discount.cents > 0, IssuanceDecisions.earnAfterAMCashDiscount else { return held }
        parsed.basketPreTaxAmount = Money(cents: max(0, parsed.basketPreTaxAmount.cents - discount.cents))
        parsed.basketPostTaxAmount = Money(cents: max(0, parsed.basketPostTaxAmount.cents - discount.cents))
        return parsed.json.data
    }

    /// Journals and sends a RETURN (`request.originalCheckoutTransactionId` names the sale).
    public func returnSale(_ request: EarningRequest) async -> Earning { await send(.returnSale, request) }

    private func send(_ operation: IssuanceOperation, _ request: EarningRequest, heldBehind: String? = nil) async -> Earning {
        guard let host = host as? any IssuanceHost else {
            return Earning(
                entry: nil, outcome: .refused(code: nil, message: "this host does not serve Issuance"), checkoutTransactionId: nil, traceId: nil)
        }
        let entry: EarningEntry
        let holder = LeaseHolder()
        do {
            let traceId = try journal.nextTraceId()
            let transactionId = IssuanceDecisions.checkoutTransactionId(builder.identity, traceId: traceId)
            let body = Self.issuanceBody(request, identity: builder.identity, checkoutTransactionId: transactionId, at: now())
            let call = IssuanceCall(
                operation: operation, traceId: traceId.wireString, idempotencyKey: UUID(), body: body.json.data,
                maskedCard: request.card.number.masked)
            entry = try journal.recordEarningIntent(
                call, checkoutTransactionId: transactionId, originalCheckoutTransactionId: request.originalCheckoutTransactionId, at: now(),
                holder: holder, leaseSeconds: leases.inLane, heldBehind: heldBehind, returning: request.items)
        } catch JournalError.returnedAlready(let what) {
            // The journal's one wording of the refusal.
            return Earning(
                entry: nil, outcome: .refused(code: nil, message: JournalError.returnedAlready(what).description), checkoutTransactionId: nil,
                traceId: nil)
        } catch {
            return Earning(
                entry: nil, outcome: .refused(code: nil, message: "nothing was sent: the journal could not record it (\(error))"),
                checkoutTransactionId: nil, traceId: nil)
        }
        crash(.afterIntentCommit)
        return await sendInLane(entry, holder: holder, host: host)
    }

    /// In the lane: the first send and, after a 5xx, a timeout or a lost answer, two more with the same key and
    /// body; `holder` has the row. A row held behind its REDEEM (or a RETURN behind its ISSUE) is not sent.
    private func sendInLane(_ entry: EarningEntry, holder: LeaseHolder, host: any IssuanceHost) async -> Earning {
        var current = entry
        // One transaction per collector (review s9 #4): not while a REDEEM or REVERSE of the collector is with the host.
        current = settleHold(current)
        var held = notToSend(current)
        if held == nil, (try? journal.takeEarning(current.id, for: holder, at: now(), for: leases.inLane)) == nil {
            held =
                (try? journal.recordEarningHeld(
                    current.id, reason: "held: another transaction for this collector is with AIR MILES; sent when it ends",
                    nextAttemptAt: now().addingTimeInterval(5))) ?? current
        }
        if let held {
            try? journal.releaseEarning(held.id)
            try? journal.purgeCardNumber(ofEarning: held.id, at: now())
            return Earning(entry: held, outcome: Self.outcome(of: held), checkoutTransactionId: held.checkoutTransactionId, traceId: held.traceId)
        }
        for attempt in 0...IssuanceDecisions.resendsAfterServerError {
            current = await attemptOnce(current, host: host, crashPoints: attempt == 0)
            guard current.state == .queued, Self.resendInLane(current) else { break }
            if attempt < IssuanceDecisions.resendsAfterServerError { try? await Task.sleep(for: .milliseconds(200 * (attempt + 1))) }
        }
        try? journal.releaseEarning(current.id)
        // Refused, an exception, a RETURN issued: its number is needed no more (once the back office has it).
        try? journal.purgeCardNumber(ofEarning: current.id, at: now())
        return Earning(
            entry: current, outcome: Self.outcome(of: current), checkoutTransactionId: current.checkoutTransactionId, traceId: current.traceId)
    }

    /// One pass of the store-and-forward queue: every queued ISSUE and RETURN (or only those due) is sent
    /// once more with its own key and body; then every earning the host accepted (202) and that is due is
    /// asked again the same way (`IssuanceDecisions.pendingIsLearnedByReplay`), so it ends issued with the
    /// host's miles, or refused. Returns how many were settled and how many still wait.
    @discardableResult
    public func forwardEarnings(dueOnly: Bool = true) async throws(JournalError) -> (answered: Int, waiting: Int) {
        guard let host = host as? any IssuanceHost else { return (0, try journal.queuedEarnings().count) }
        var answered = 0
        var waiting = 0
        // Each row is taken before it is sent (review s9 #4): never one a lane or another pass — in this process
        // or another — is sending, nor while a call of its collector is with the host; it waits for a later pass.
        let holder = LeaseHolder()
        for entry in try journal.queuedEarnings(dueAt: dueOnly ? now() : nil) {
            guard let taken = try takeForPass(entry, holder: holder, waiting: &waiting) else { continue }
            let settled = settleHold(taken)
            if let held = notToSend(settled) {
                try journal.releaseEarning(entry.id)
                if held.state == .queued { waiting += 1 } else { answered += 1 }
                continue
            }
            let after = await attemptOnce(settled, host: host)
            try journal.releaseEarning(entry.id)
            if after.state == .queued || after.state == .accepted { waiting += 1 } else { answered += 1 }
        }
        for entry in try journal.acceptedEarnings(dueAt: dueOnly ? now() : nil) {
            guard let taken = try takeForPass(entry, holder: holder, waiting: &waiting) else { continue }
            let after = await attemptOnce(taken, host: host)
            try journal.releaseEarning(entry.id)
            if after.state == .accepted { waiting += 1 } else { answered += 1 }
        }
        return (answered, waiting)
    }

    /// `entry` taken for this pass under the recovery lease; nil when a lane or another pass holds it (counted
    /// in `waiting`) or when its key may be forgotten, then given up. Taken first: never given up while a lane
    /// or another pass is sending it.
    private func takeForPass(_ entry: EarningEntry, holder: LeaseHolder, waiting: inout Int) throws(JournalError) -> EarningEntry? {
        guard let taken = try journal.takeEarning(entry.id, for: holder, at: now(), for: leases.recovery) else {
            waiting += 1
            return nil
        }
        guard mayAskAgain(taken) else {
            try giveUp(taken)
            return nil
        }
        return taken
    }

    /// The one rule for sending an earning again (a queued one resent, a pending one asked again): only
    /// while the host surely still holds its key — before three quarters of `idempotencyRetentionHours`
    /// from when it could first be sent — its intent, or for an ISSUE held behind its REDEEM the release, both
    /// committed before any send (so a till that stops between a send and its record still counts from before
    /// the host could have seen the key), and a row held for hours has the whole window once released. Past it a resend could be taken for a new earning (miles twice): the row
    /// becomes an exception (`giveUp`), a queued one and a pending one (202) alike.
    func mayAskAgain(_ entry: EarningEntry) -> Bool {
        // Still held behind its REDEEM: never sent (a held row is released only before its first send), so
        // the host holds no key of it to forget.
        guard entry.heldBehind == nil else { return true }
        return now() < (entry.releasedAt ?? entry.createdAt).addingTimeInterval(replayRetention * 3 / 4)
    }

    /// A RETURN is not sent while the ISSUE of the sale it names is unanswered in this journal (review s9
    /// #3): sent before it, the host refuses it (it knows no such sale) and the ISSUE posts later — the
    /// collector would keep the miles of returned goods. Held (queued, not sent) while that ISSUE is
    /// queued or pending; refused, unsent, if that ISSUE was refused. Returns the row as
    /// journaled when it must not be sent now, nil when it may go (any ISSUE, a RETURN of a sale issued or
    /// not in this journal).
    func notToSend(_ entry: EarningEntry) -> EarningEntry? {
        if let behind = entry.heldBehind {
            return
                (try? journal.recordEarningHeld(
                    entry.id, reason: "held: the redemption \(behind) is not confirmed yet; the miles are earned once it is voided or approved",
                    nextAttemptAt: now().addingTimeInterval(5))) ?? entry
        }
        guard entry.kind == "RETURN", let original = entry.originalCheckoutTransactionId,
            let sale = try? journal.earning(checkoutTransactionId: original), sale.kind == "ISSUE", sale.id != entry.id
        else { return nil }
        do {
            switch sale.state {
            // An ISSUE that became an exception is never sent again: the host has it or never will, so the
            // RETURN goes now — it takes the miles back, or the host refuses it for a sale it does not know.
            case .issued, .exception: return nil
            case .queued, .accepted:
                return try journal.recordEarningHeld(
                    entry.id, reason: "held: the sale's ISSUE \(original) is not answered yet; the return is sent once it is",
                    nextAttemptAt: now().addingTimeInterval(5))
            case .refused:
                return try journal.recordEarningRefusedUnsent(
                    entry.id, reason: "the sale's ISSUE \(original) was refused: it earned no miles, so none are given back", at: now())
            }
        } catch {
            var unchanged = entry
            unchanged.lastFailure = "held: the journal could not record it (\(error))"
            return unchanged
        }
    }

    /// An ISSUE held behind a REDEEM (review s9 #5) is released once that REDEEM's row is final: voided,
    /// declined or reversed — the collector paid the whole sale, it earns on the whole sale (the body as
    /// journaled); shown — the discount stands, it earns on the sale less the approved discount (the body
    /// rewritten once, before its first send). A REDEEM this till will not send again — an exception, or
    /// unknown and left to the daily file (`awaitingFile`, past the orphan-refund window) — releases it too,
    /// on the whole sale: the cashier was shown NOT CONFIRMED, no discount was given, and waiting for the
    /// file (a day) would outlast the earning's own resend window. Still open (sending, unknown within the
    /// window, approved, voiding, reversing): it stays held.
    /// `mayInterrupt`: false in the sale's own lane, which is alive and waits for the cashier to see the end.
    func settleHold(_ entry: EarningEntry, mayInterrupt: Bool = true) -> EarningEntry {
        guard let behind = entry.heldBehind else { return entry }
        let found: JournalEntry?
        do { found = try journal.entry(traceId: behind) } catch { return entry }
        guard let redemption = found else {
            // Its REDEEM's row is gone (pruned after reconciliation while this waited): nothing says whether the
            // discount stood, so no amount can be chosen. A person looks, rather than it waiting for ever.
            let reason = "not sent: its redemption \(behind) is no longer in the journal, so the amount to earn on is not known; earn it by hand"
            return (try? journal.recordEarningException(entry.id, reason: reason, at: now())) ?? entry
        }
        var body = entry.body
        // Journaled with the REDEEM's intent, and the till stopped before the cashier saw the sale end: unless
        // an approval was shown (the sale went through), the sale is rung again and earns there — sent from
        // here too it would earn twice. The collector's miles for that purchase come from the sale rung again.
        switch redemption.state {
        case .voided, .declined, .exception,
            .unknown where redemption.awaitingFile:
            // Ended without an approval shown: on the whole sale — unless nobody saw the sale end (above).
            if entry.saleUnseen { return mayInterrupt ? interrupted(entry, redemption) : entry }
        case .reversed: break
        case .shown:
            guard let discount = redemption.money ?? redemption.requested, let less = Self.body(entry.body, less: discount) else { return entry }
            body = less
        default: return entry
        }
        return (try? journal.releaseHeldEarning(entry.id, body: body, at: now())) ?? entry
    }

    /// The held ISSUE of a sale the cashier never saw end, its REDEEM over without an approval shown: not sent.
    /// A lane still alive releases it itself a moment after the REDEEM's answer, so this waits out the lane's
    /// lease and a few seconds past the answer: a pass never takes a live sale's earning for an interrupted one.
    private func interrupted(_ entry: EarningEntry, _ redemption: JournalEntry) -> EarningEntry {
        let now = now()
        let laneGone = !LeaseHolder.binds(holder: redemption.leaseHolder, until: redemption.leaseUntil, at: now)
        let settled = (redemption.answeredAt ?? redemption.createdAt).addingTimeInterval(Self.interruptedSaleGrace) <= now
        guard laneGone, settled else { return entry }
        return (try? journal.recordEarningRefusedUnsent(entry.id, reason: Self.interruptedSale, at: now)) ?? entry
    }

    /// How long after its REDEEM's answer a held ISSUE the cashier has not seen is taken for an interrupted sale's.
    /// Longer than the lane's own wait (`shownWait`), so no pass decides while a live lane still waits.
    static let interruptedSaleGrace: TimeInterval = 15

    /// Why the ISSUE of a sale the till stopped in the middle of was not sent.
    static let interruptedSale =
        "not sent: nobody saw this sale end (the till stopped, or the register never acknowledged its discount) and no discount "
        + "was given; the sale rung again earns"

    /// An earning no longer sent or asked: an exception for the supervisor, saying why; its card number then
    /// goes as a final row's does (masked once the back office has it), never kept for a send that will not come.
    /// Called with the row taken; gives it back.
    private func giveUp(_ entry: EarningEntry) throws(JournalError) {
        _ = try journal.recordEarningException(entry.id, reason: exceptionReason(entry), at: now())
        try journal.releaseEarning(entry.id)
        try journal.purgeCardNumber(ofEarning: entry.id, at: now())
    }

    /// What an earning that is no longer sent says to the supervisor.
    func exceptionReason(_ entry: EarningEntry) -> String {
        let hours = Int(replayRetention / 3600)
        if entry.state == .accepted {
            return "miles may not have posted: ask AIR MILES (accepted, 202, and never confirmed within 3/4 of the host's \(hours) h "
                + "key retention; not asked again, a replay could earn twice)"
        }
        return "may not have earned: ask AIR MILES (never answered within 3/4 of the host's \(hours) h key retention; "
            + "not sent again, a resend could earn twice; last: \(entry.lastFailure ?? "no answer"))"
    }

    /// Sends the row's call once and journals what came back. A row the journal cannot update stays queued.
    /// `crashPoints`: the lane's first send passes the crash test's points, as a REDEEM does.
    private func attemptOnce(_ entry: EarningEntry, host: any IssuanceHost, crashPoints: Bool = false) async -> EarningEntry {
        if crashPoints { crash(.afterRequestSent) }
        let exchange = await host.issuance(entry.call)
        if crashPoints { crash(.afterResponseRead) }
        let (state, status, reply, failure) = Self.classify(exchange, operation: entry.call.operation)
        // Backoff for the queue: 5 s, 15 s, 45 s … up to 5 minutes; a pending one is asked again on its own schedule.
        let pause =
            entry.state == .accepted || state == .accepted
            ? TimeInterval(IssuanceDecisions.pendingAskAgainAfter(attempts: entry.attempts).components.seconds)
            : min(300.0, 5 * pow(3, Double(min(entry.attempts, 5))))
        do {
            let recorded = try journal.recordEarningAttempt(
                entry.id, state: state, httpStatus: status, responseCode: reply?.responseCode, confirmationNumber: reply?.confirmationNumber,
                miles: state == .queued || state == .refused ? nil : Self.miles(of: reply), failure: failure,
                nextAttemptAt: now().addingTimeInterval(pause), at: now())
            if crashPoints { crash(.afterOutcomeCommit) }
            return recorded
        } catch {
            var unchanged = entry
            unchanged.lastFailure = "the journal could not record the answer: \(error)"
            return unchanged
        }
    }

    /// Whether a queued row deserves another send in the lane (a 5xx, 408, lost answer), not a host that cannot be reached.
    private static func resendInLane(_ entry: EarningEntry) -> Bool {
        if let status = entry.httpStatus { return status == 408 || status >= 500 }
        return !(entry.lastFailure ?? "").contains("nothing was sent")
    }

    /// The miles an answer carries: its `totalMiles`, and nothing else — a missing or unreadable total is
    /// "no miles known" (nil), never 0 and never a sum of lines the host did not total.
    static func miles(of reply: IssuanceReplyBody?) -> Int? { reply?.totalMiles }

    /// An exchange's meaning for the journal: the state, the HTTP status, the body read, and why it is still queued.
    /// Strict (review s9 #2): a 200 is issued only with `responseCode` 0000, status `ISSUED` and a readable
    /// `totalMiles`; a 200 `PENDING` is pending (accepted); any other 200 — unreadable, without miles, or
    /// carrying a decline code the contract does not document in a 200 — stays queued as unknown and is sent
    /// again with the same key, which the host answers from what it stored. CALCULATE (no status) needs 0000
    /// and `totalMiles`.
    static func classify(_ exchange: IssuanceExchange, operation: IssuanceOperation = .issue) -> (
        EarningState, Int?, IssuanceReplyBody?, String?
    ) {
        switch exchange {
        case .notSent(let failure): return (.queued, nil, nil, failure.description)
        case .unknown(let failure): return (.queued, nil, nil, failure.description)
        case .answered(let status, let data):
            let reply = try? IssuanceReplyBody(json: IssuanceJSON.parse(data))
            switch status {
            case 200: return classifySuccess(reply, operation: operation)
            case 202: return (.accepted, status, reply, nil)
            // Only a 400 (the request is wrong) is a refusal, as the contract documents. Any other answer
            // applied nothing that the till knows of and must not lose the earning (review s9 #8): it stays
            // queued with its backoff until answered, or until it becomes an exception (`mayAskAgain`).
            case 400:
                return (.refused, status, reply, reply?.message ?? "HTTP \(status)")
            case 409 where reply?.responseCode == IssuanceDecisions.parallelTransactionCode:
                return (.queued, status, reply, "HTTP 409 (0094): another transaction for this collector was in progress; nothing applied")
            case 409:
                return (
                    .queued, status, reply,
                    "HTTP 409: the host holds this key with another body\(reply?.message.map { " (\($0))" } ?? ""); nothing applied"
                )
            default:
                return (.queued, status, reply, reply?.message.map { "HTTP \(status): \($0)" } ?? "HTTP \(status)")
            }
        }
    }

    /// The `responseCode` of an approval, as in AM Cash.
    static let approvedResponseCode = "0000"

    /// A 200 read strictly (see `classify`).
    private static func classifySuccess(_ reply: IssuanceReplyBody?, operation: IssuanceOperation) -> (
        EarningState, Int?, IssuanceReplyBody?, String?
    ) {
        guard let reply else { return (.queued, 200, nil, "an unreadable answer (HTTP 200): not known to be issued") }
        let code = reply.responseCode
        if reply.status == IssuanceDecisions.statusPending, code == nil || code == IssuanceDecisions.pendingResponseCode {
            return (.accepted, 200, reply, nil)
        }
        guard code == Self.approvedResponseCode else {
            return (
                .queued, 200, reply,
                "HTTP 200 with responseCode \(code ?? "none")\(reply.message.map { " (\($0))" } ?? ""): not known to be issued"
            )
        }
        guard operation == .calculate || reply.status == IssuanceDecisions.statusIssued else {
            return (.queued, 200, reply, "HTTP 200 with status \(reply.status ?? "none"): not known to be issued")
        }
        guard miles(of: reply) != nil else { return (.queued, 200, reply, "an answer without miles (HTTP 200): not known to be issued") }
        return (.issued, 200, reply, nil)
    }

    /// What the till may report for a row.
    static func outcome(of entry: EarningEntry) -> EarningOutcome {
        switch entry.state {
        case .issued:
            // Never "0" for "no miles known": a row without the host's miles is pending.
            guard let miles = entry.miles else { return .pending(reason: "the host's miles are not known") }
            return .earned(miles: miles, confirmationNumber: entry.confirmationNumber, lines: [])
        case .accepted: return .pending(reason: "the host accepted it; the miles post later")
        case .queued: return .pending(reason: entry.lastFailure ?? "not answered yet")
        case .refused: return .refused(code: entry.responseCode, message: entry.lastFailure ?? "refused by the host")
        case .exception: return .pending(reason: entry.lastFailure ?? "may not have earned: ask AIR MILES")
        }
    }

    /// A CALCULATE's answer as an outcome (nothing journaled).
    static func outcome(of exchange: IssuanceExchange) -> (outcome: EarningOutcome, reply: IssuanceReplyBody?) {
        let (state, _, reply, failure) = classify(exchange, operation: .calculate)
        switch state {
        case .issued:
            guard let miles = miles(of: reply) else { return (.pending(reason: "no miles in the answer"), reply) }
            return (.earned(miles: miles, confirmationNumber: nil, lines: reply?.issuances ?? []), reply)
        case .accepted, .queued, .exception: return (.pending(reason: failure ?? "no answer"), reply)
        case .refused: return (.refused(code: reply?.responseCode, message: failure ?? "refused"), reply)
        }
    }

    /// The body sent: the amounts after the AM Cash discount (`IssuanceDecisions.earnAfterAMCashDiscount`).
    static func issuanceBody(_ request: EarningRequest, identity: TerminalIdentity, checkoutTransactionId: String?, at now: Date)
        -> IssuanceRequestBody
    {
        let (preTax, postTax) = request.earnedOn()
        return IssuanceRequestBody(
            basketPreTaxAmount: preTax, basketPostTaxAmount: postTax, checkoutDateTime: IssuanceDecisions.checkoutDateTime(now),
            checkoutTransactionId: checkoutTransactionId, collectorNumber: request.card.number.unmaskedDigits, deviceId: identity.deviceId,
            coupon: request.coupons, items: request.items, originalCheckoutTransactionId: request.originalCheckoutTransactionId)
    }
}

extension EarningEntry {
    /// The row as the till reports it: the host's miles, pending (queued, accepted, or an exception a person
    /// must ask about), or refused.
    public var outcome: EarningOutcome { JournaledTransactions.outcome(of: self) }
}
