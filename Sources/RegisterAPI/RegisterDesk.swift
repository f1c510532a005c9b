public import AMCashDomain
public import AMCashJournal
public import AMCashWire
public import Foundation

/// What the register asks of the console, as the console's loop receives it (the executable turns each
/// into a `Msg`). Nothing of HTTP crosses into the console.
public enum RegisterEvent: Sendable, Equatable {
    /// A new sale with its basket: show it and ask for the card.
    case saleArrived(RegisterSale)
    /// The register cancelled the sale before a REDEEM was sent.
    case saleCancelled(saleId: String)
    /// The register voids the sale afterwards: ask the cashier to scan the card to reverse it.
    case reversalRequested(saleId: String, confirmationNumber: String)
    /// The register applied the approved discount: the debit stands.
    case acknowledged(saleId: String)
}

/// Where a register's sale stands before the journal has a row for it (the console says so as the
/// cashier works), and which sale is in progress. The answers after the REDEEM come from the journal.
public actor RegisterDesk {
    /// A sale's phase before its REDEEM is journaled.
    public enum Phase: Sendable, Equatable {
        case waitingForCard
        case offer
        /// The console is about to send the REDEEM (a cancel is refused from here on).
        case redeeming
        case cancelled
        /// The console closed the sale without a REDEEM of its own (the cashier moved on).
        case ended
    }

    struct Tracked: Sendable {
        let sale: RegisterSale
        var phase: Phase
    }

    public enum Start: Sendable, Equatable {
        /// A new sale: the console was told.
        case started
        /// The same saleId with the same body: the same sale, nothing new.
        case same
    }

    public let journal: Journal
    public let defaultLanguage: Language
    private let events: @Sendable (RegisterEvent) -> Void
    private var sales: [String: Tracked] = [:]
    private var order: [String] = []
    private var current: String?
    /// Sales kept in memory (their phase before a REDEEM); older ones are answered from the journal alone.
    private let remembered = 200
    /// What each sale earned (Issuance) as the console reported it, kept in memory like a sale's phase.
    private var earnings: [String: EarningOutcome] = [:]

    public init(journal: Journal, defaultLanguage: Language = .english, events: @escaping @Sendable (RegisterEvent) -> Void) {
        self.journal = journal
        self.defaultLanguage = defaultLanguage
        self.events = events
    }

    // MARK: - The register's requests

    /// `POST /v1/sales`: a new sale (the console is told), the same one again, or a conflict.
    public func start(_ sale: RegisterSale) throws(RegisterRequestError) -> Start {
        if let known = sales[sale.saleId] {
            guard known.sale == sale else {
                throw .conflict("sale \(sale.saleId) was already pushed with another body", inProgress: nil)
            }
            return .same
        }
        if (try? journal.redemption(saleId: sale.saleId)) ?? nil != nil {
            // Pushed before a restart: the journal has it. Answer it, never start it again.
            sales[sale.saleId] = Tracked(sale: sale, phase: .ended)
            remember(sale.saleId)
            return .same
        }
        if let current, let busy = sales[current], isInProgress(busy) {
            throw .conflict("sale \(current) is in progress", inProgress: current)
        }
        sales[sale.saleId] = Tracked(sale: sale, phase: .waitingForCard)
        remember(sale.saleId)
        current = sale.saleId
        events(.saleArrived(sale))
        return .started
    }

    /// `GET /v1/sales/{saleId}`: the journal's answer when the sale has a REDEEM, else the console's phase.
    public func status(of saleId: String) throws(RegisterRequestError) -> RegisterSaleStatus {
        let tracked = sales[saleId]
        let entry: JournalEntry?
        do { entry = try journal.redemption(saleId: saleId) } catch { throw .notFound("the journal cannot be read: \(error)") }
        if let entry {
            // A declined card may be followed by another: while the console still has the sale, it says where it is.
            if entry.state == .declined, let tracked, [.waitingForCard, .offer].contains(tracked.phase), current == saleId,
                (entry.answeredAt ?? .distantPast) < (lastPhaseChange[saleId] ?? .distantPast)
            {
                return phaseStatus(tracked)
            }
            var status = RegisterSaleStatus.from(entry, sale: tracked?.sale, defaultLanguage: defaultLanguage)
            // The sale's ISSUE as the journal has it once the sale reached its earning (released, or seen pending):
            // it follows recovery to the host's miles, and survives a restart. Not while it waits on an ack, nor
            // while its lane's first send is out (absent until answered, as the register expects).
            if let issue = try? journal.earning(behind: entry.traceId), !issue.saleUnseen,
                issue.state != .queued || issue.attempts > 0 || issue.heldBehind != nil
            {
                status.report(issue.outcome, checkoutTransactionId: issue.checkoutTransactionId)
            } else if let earning = earnings[saleId] {
                status.report(earning)
            }
            return status
        }
        guard let tracked else { throw .notFound("no sale \(saleId) (never pushed, or pushed before a restart and never redeemed)") }
        return phaseStatus(tracked)
    }

    /// `GET /v1/sales/{saleId}` answered: the register has read how the sale ended. A decline, or NOT CONFIRMED
    /// (`unknown`: "apply nothing, do not ring it again"), ends the sale at the register without a discount, so the
    /// sale's ISSUE earns even if the console stops before drawing that end (`Journal.markSaleSeen`). Only for a
    /// sale this run of amcash sent: after a restart the register may already have rung the purchase again, and a
    /// sale a pass refused as interrupted must not then earn here too. Once per answer, not per long-poll look.
    public func noteRead(_ saleId: String, at now: Date) {
        guard sales[saleId]?.phase == .redeeming, let entry = try? journal.redemption(saleId: saleId),
            [.declined, .unknown, .exception].contains(entry.state)
        else { return }
        _ = try? journal.markSaleSeen(behind: entry.traceId, at: now)
    }

    /// The console's ISSUE of the sale ended for now (after a decline at once, after an approval once the
    /// register acknowledged it): the sale's answer reports the miles, or pending, from now on.
    public func earned(_ saleId: String, _ outcome: EarningOutcome) {
        earnings[saleId] = outcome
    }

    /// `POST /v1/sales/{saleId}/ack`: the register applied the discount; the approval becomes shown.
    public func acknowledge(_ saleId: String, at now: Date) -> RegisterAcknowledgement {
        let result = journal.acknowledge(saleId: saleId, at: now)
        if case .acknowledged = result { events(.acknowledged(saleId: saleId)) }
        return result
    }

    /// `POST /v1/sales/{saleId}/cancel`: only before the REDEEM was sent.
    public func cancel(_ saleId: String) throws(RegisterRequestError) -> RegisterSaleStatus {
        if let entry = try? journal.redemption(saleId: saleId), entry.state != .declined {
            throw .conflict(
                "sale \(saleId) was sent to AIR MILES (trace \(entry.traceId), \(entry.state)): reverse it instead (POST /v1/sales/\(saleId)/reverse)",
                inProgress: nil)
        }
        guard var tracked = sales[saleId] else { throw .notFound("no sale \(saleId)") }
        switch tracked.phase {
        case .waitingForCard, .offer:
            tracked.phase = .cancelled
            sales[saleId] = tracked
            if current == saleId { current = nil }
            events(.saleCancelled(saleId: saleId))
        case .cancelled, .ended: break
        case .redeeming: throw .conflict("sale \(saleId) is being sent to AIR MILES: wait for its answer", inProgress: saleId)
        }
        return try status(of: saleId)
    }

    /// `POST /v1/sales/{saleId}/reverse`: a redemption the register acknowledged; the cashier is asked for the card.
    public func reverse(_ saleId: String) throws(RegisterRequestError) -> RegisterSaleStatus {
        guard let entry = (try? journal.redemption(saleId: saleId)) ?? nil else { throw .notFound("sale \(saleId) has no redemption to reverse") }
        switch entry.state {
        case .shown:
            events(.reversalRequested(saleId: saleId, confirmationNumber: entry.confirmationNumber ?? ""))
        case .reversing, .reversed, .voiding, .voided: break
        case .approved:
            throw .conflict(
                "sale \(saleId)'s approval was not acknowledged, so no discount stands: leave it unacknowledged and amcash voids it", inProgress: nil)
        default: throw .conflict("sale \(saleId) is \(entry.state): nothing to reverse", inProgress: nil)
        }
        return try status(of: saleId)
    }

    // MARK: - The console's side

    private var lastPhaseChange: [String: Date] = [:]

    /// The console moved the sale on (the card was read and an offer shown, or the cashier closed it).
    public func report(_ saleId: String, _ phase: Phase) {
        guard var tracked = sales[saleId] else { return }
        if tracked.phase == .cancelled { return }
        tracked.phase = phase
        sales[saleId] = tracked
        lastPhaseChange[saleId] = Date()
        if phase == .ended, current == saleId { current = nil }
    }

    /// Called right before the console sends the sale's REDEEM: false (send nothing) when the register
    /// cancelled it first. From here on a cancel is refused.
    public func beginRedeem(_ saleId: String) -> Bool {
        guard var tracked = sales[saleId], tracked.phase != .cancelled else { return false }
        tracked.phase = .redeeming
        sales[saleId] = tracked
        lastPhaseChange[saleId] = Date()
        return true
    }

    /// Whether the register cancelled the sale (before its REDEEM was sent).
    public func isCancelled(_ saleId: String) -> Bool { sales[saleId]?.phase == .cancelled }

    /// The sale the console shows now, if it came from the register.
    public var currentSale: RegisterSale? { current.flatMap { sales[$0]?.sale } }

    // MARK: -

    private func isInProgress(_ tracked: Tracked) -> Bool {
        switch tracked.phase {
        case .cancelled, .ended: return false
        case .waitingForCard, .offer, .redeeming:
            guard let entry = (try? journal.redemption(saleId: tracked.sale.saleId)) ?? nil else { return true }
            // Answered: approved (waiting for the register's ack), declined or voided, the register has its answer.
            return entry.state == .sending
        }
    }

    private func phaseStatus(_ tracked: Tracked) -> RegisterSaleStatus {
        var status = RegisterSaleStatus(saleId: tracked.sale.saleId, state: .waitingForCard)
        status.postTaxTotal = tracked.sale.postTaxTotal.decimalString
        status.preTaxTotal = tracked.sale.preTaxTotal?.decimalString
        status.language = (tracked.sale.language ?? defaultLanguage).rawValue
        switch tracked.phase {
        case .waitingForCard: status.state = .waitingForCard
        case .offer: status.state = .offer
        case .redeeming: status.state = .redeeming
        case .cancelled, .ended: status.state = .cancelled
        }
        return status
    }

    private func remember(_ saleId: String) {
        order.append(saleId)
        while order.count > remembered {
            let oldest = order.removeFirst()
            if oldest != current {
                sales[oldest] = nil
                lastPhaseChange[oldest] = nil
                earnings[oldest] = nil
            }
        }
    }
}
