import AMCashContract
import AMCashDomain
import Foundation

/// The simulated AIR MILES host's books. An actor, so every balance change is serialized: however
/// many terminals redeem against one collector at once, the balance never goes below zero and the
/// daily limit is never passed. Every REDEEM and REVERSE is answered once per idempotency key and
/// replayed after that; the same key with another body is a conflict.
actor SimulatorLedger {
    private var state: LedgerState
    private let store: (any LedgerStore)?
    private let options: SimulatorOptions
    private let runBase: Int

    init(collectors: [TestCollector], options: SimulatorOptions, store: (any LedgerStore)?, now: Date) throws {
        self.options = options
        self.store = store
        if let store, let saved = try store.load() {
            state = saved
        } else {
            var fresh = LedgerState()
            let today = ProgramDay.redemptionDay(at: now)
            for collector in collectors {
                fresh.accounts[collector.number] = Account(number: collector.number, cash: collector.cashMiles,
                                                           dream: collector.dreamMiles, behaviour: collector.behaviour)
                if collector.redeemedTodayUnits > 0 {
                    fresh.usage[LedgerState.usageKey(number: collector.number, day: today)] = collector.redeemedTodayUnits
                }
            }
            state = fresh
            try store?.save(state)
        }
        // Confirmation numbers of one simulator run do not repeat those of an earlier in-memory run.
        runBase = store == nil ? (Int(now.timeIntervalSince1970) % 100_000) * 100_000 : 0
    }

    enum Reply<Body: Sendable>: Sendable {
        case answer(status: Int, body: Body)
        case conflict
    }

    // MARK: - INQUIRE

    func inquire(_ request: Components.Schemas.InquireRequest, now: Date) -> (Int, Components.Schemas.InquireResponse) {
        var response = Components.Schemas.InquireResponse(
            sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId, traceId: request.traceId,
            collectorNumber: Self.mask(request.collectorNumber), responseCode: "0000", transDateTime: Self.hostTime(now))
        func finish(_ code: ResponseCode, message: String? = nil) -> (Int, Components.Schemas.InquireResponse) {
            Self.finish(&response, code, message: message)
        }
        if let problem = RequestValidator.problem(in: request) { return finish(.invalidField, message: problem) }
        guard let account = state.accounts[request.collectorNumber], account.behaviour != .invalidNumber else {
            return finish(.invalidCollectorNumber)
        }
        if account.behaviour == .inactive { return finish(.accountInactive) }
        let basket = (try? Money(parsing: request.postTaxBasketAmount)) ?? .zero
        let unit = UnitValue.standard
        let remainingToday = max(0, options.dailyLimitUnits - usedUnits(account.number, now: now))
        let payable = account.cash / unit.miles.value
        let offerUnits = min(payable, remainingToday, unit.units(within: basket).count)
        let read = request.cardEntryMode != .manual
        response.unitValueAMCash = String(unit.miles.value)
        response.unitValueDollars = unit.money.decimalString
        response.dailyOfferLimit = String(options.dailyLimitUnits)
        response.availableOfferUnits = String(offerUnits)
        let balancesShown = account.behaviour != .balanceHidden
        if balancesShown {
            response.cashBalance = String(account.cash)
            response.dreamBalance = String(account.dream)
            response.availableCashBalance = String(account.cash)
            response.availableDollarAmount = unit.money(for: Units(payable)).decimalString
        }
        if account.behaviour == .unableToRedeem {
            response.availableOfferUnits = "0"
            return finish(balancesShown ? .unableToRedeem : .balanceHiddenUnableToRedeem)
        }
        if payable < 1 { return finish(.insufficientMiles) }
        if remainingToday < 1 { return finish(.dailyLimitExceeded) }
        if read {
            response.offerType = .rgl
            response.offerId = "AMC-RGL-10"
            response.offerDescEn = "Use 95 AIR MILES Cash miles for $10 off"
            response.offerDescFr = "95 milles AIR MILES Argent pour 10 $ de rabais"
        }
        return finish(balancesShown ? .approved : .approvedBalanceHidden)
    }

    // MARK: - REDEEM

    func redeem(_ request: Components.Schemas.RedeemRequest, key: String, rawBody: Data, now: Date) throws -> Reply<Components.Schemas.RedeemResponse> {
        try once(operation: "redeem", key: key, rawBody: rawBody) { [options, runBase] state in
            Self.redeem(request, in: &state, options: options, runBase: runBase, now: now)
        }
    }

    private static func redeem(_ request: Components.Schemas.RedeemRequest, in state: inout LedgerState, options: SimulatorOptions,
                               runBase: Int, now: Date) -> (Int, Components.Schemas.RedeemResponse) {
        var response = Components.Schemas.RedeemResponse(
            sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId, traceId: request.traceId,
            collectorNumber: mask(request.collectorNumber), responseCode: "0000", transDateTime: hostTime(now))
        func finish(_ code: ResponseCode, message: String? = nil) -> (Int, Components.Schemas.RedeemResponse) {
            Self.finish(&response, code, message: message)
        }
        if let problem = RequestValidator.problem(in: request) { return finish(.invalidField, message: problem) }
        guard var account = state.accounts[request.collectorNumber], account.behaviour != .invalidNumber else {
            return finish(.invalidCollectorNumber)
        }
        if account.behaviour == .inactive { return finish(.accountInactive) }
        if request.cardEntryMode == .manual { return finish(.cardNotSwipedOrScanned) }
        let balancesShown = account.behaviour != .balanceHidden
        if account.behaviour == .unableToRedeem { return finish(balancesShown ? .unableToRedeem : .balanceHiddenUnableToRedeem) }
        let unit = UnitValue.standard
        let basket = (try? Money(parsing: request.postTaxBasketAmount)) ?? .zero
        let asked = (try? Money(parsing: request.dollarRedeemRequest)) ?? .zero
        let day = ProgramDay.redemptionDay(at: now)
        let usageKey = LedgerState.usageKey(number: account.number, day: day)
        let remainingToday = max(0, options.dailyLimitUnits - (state.usage[usageKey] ?? 0))
        let payable = account.cash / unit.miles.value
        if balancesShown {
            response.cashBalance = String(account.cash)
            response.dreamBalance = String(account.dream)
            response.availableCashBalance = String(account.cash)
        }
        if payable < 1 { return finish(.insufficientMiles) }
        if remainingToday < 1 { return finish(.dailyLimitExceeded) }
        // The host redeems the largest whole number of units not above the request, the basket,
        // the balance or the daily limit.
        let units = min(unit.units(within: asked).count, unit.units(within: basket).count, payable, remainingToday)
        guard units >= 1 else {
            return finish(.invalidField, message: "dollarRedeemRequest and postTaxBasketAmount must each cover at least one unit ($10.00)")
        }
        account.cash -= units * unit.miles.value
        state.accounts[account.number] = account
        state.usage[usageKey, default: 0] += units
        state.sequence += 1
        let confirmation = "RD" + zeroPad(runBase + state.sequence, 10)
        state.redemptions[confirmation] = RedemptionRecord(
            confirmation: confirmation, number: account.number, units: units, miles: units * unit.miles.value,
            cents: units * unit.money.cents, at: now, day: day.description,
            terminal: TerminalRef(sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId),
            traceId: request.traceId, reversal: nil)
        response.unitsRedeemed = String(units)
        response.unitValueDollars = unit.money.decimalString
        response.unitValueAMCash = String(unit.miles.value)
        response.txnConfirmationNumber = confirmation
        if balancesShown {
            response.cashBalance = String(account.cash)
            response.availableCashBalance = String(account.cash)
        }
        return finish(balancesShown ? .approved : .approvedBalanceHidden)
    }

    // MARK: - REVERSE

    func reverse(_ request: Components.Schemas.ReverseRequest, key: String, rawBody: Data, now: Date) throws -> Reply<Components.Schemas.ReverseResponse> {
        try once(operation: "reverse", key: key, rawBody: rawBody) { [options, runBase] state in
            Self.reverse(request, in: &state, runBase: runBase, options: options, now: now)
        }
    }

    /// Answers an idempotency key once: the first time `apply` changes the ledger and its answer is
    /// stored with the exact request body, in the same commit; after that the stored answer is replayed,
    /// and the same key with another body is a conflict.
    private func once<Body: Codable & Sendable>(operation: String, key: String, rawBody: Data,
                                                apply: (inout LedgerState) -> (Int, Body)) throws -> Reply<Body> {
        if let stored = state.replies[key] {
            guard stored.operation == operation, stored.requestBody == rawBody else { return .conflict }
            return .answer(status: stored.status, body: try JSONDecoder().decode(Body.self, from: stored.responseBody))
        }
        var next = state
        let (status, response) = apply(&next)
        next.replies[key] = StoredReply(operation: operation, requestBody: rawBody, status: status,
                                        responseBody: try JSONEncoder().encode(response))
        try commit(next)
        return .answer(status: status, body: response)
    }

    private static func reverse(_ request: Components.Schemas.ReverseRequest, in state: inout LedgerState, runBase: Int,
                                options: SimulatorOptions, now: Date) -> (Int, Components.Schemas.ReverseResponse) {
        var response = Components.Schemas.ReverseResponse(
            sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId, traceId: request.traceId,
            collectorNumber: mask(request.collectorNumber), responseCode: "0000", transDateTime: hostTime(now))
        func finish(_ code: ResponseCode, message: String? = nil) -> (Int, Components.Schemas.ReverseResponse) {
            Self.finish(&response, code, message: message)
        }
        if let problem = RequestValidator.problem(in: request) { return finish(.invalidField, message: problem) }
        guard let confirmation = request.redemptionConfirmationNumber ?? request.redemptionConfirmationNum, !confirmation.isEmpty else {
            return finish(.invalidField, message: "redemptionConfirmationNumber is required")
        }
        guard var account = state.accounts[request.collectorNumber], account.behaviour != .invalidNumber else {
            return finish(.invalidCollectorNumber)
        }
        if account.behaviour == .inactive { return finish(.accountInactive) }
        response.redemptionConfirmationNumber = confirmation
        guard var redemption = state.redemptions[confirmation], redemption.number == account.number else {
            return finish(.invalidField, message: "redemptionConfirmationNumber: no redemption \(confirmation) for this collector")
        }
        if redemption.reversal != nil {
            return finish(.invalidField, message: "redemptionConfirmationNumber: \(confirmation) is already reversed")
        }
        guard ReversalWindow.isReversible(redeemedAt: redemption.at, at: now) else {
            return finish(.invalidField, message: "redemptionConfirmationNumber: the reversal window closed at 03:00 Eastern")
        }
        account.cash += redemption.miles
        state.accounts[account.number] = account
        state.usage[LedgerState.usageKey(number: account.number, day: ProgramDay.redemptionDay(at: redemption.at)), default: 0] -= redemption.units
        state.sequence += 1
        let reversal = "RV" + zeroPad(runBase + state.sequence, 10)
        redemption.reversal = ReversalRecord(
            confirmation: reversal, at: now,
            terminal: TerminalRef(sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId),
            traceId: request.traceId)
        state.redemptions[confirmation] = redemption
        response.txnConfirmationNumber = reversal
        response.unitsReversed = String(redemption.units)
        if account.behaviour != .balanceHidden {
            response.cashBalance = String(account.cash)
            response.dreamBalance = String(account.dream)
            response.availableCashBalance = String(account.cash)
            return finish(.approved)
        }
        return finish(.approvedBalanceHidden)
    }

    // MARK: - Looking in

    /// A collector's AM Cash balance (for tests and the trainer).
    func cashBalance(of number: String) -> Int? { state.accounts[number]?.cash }

    /// Units redeemed today by a collector.
    func usedUnits(_ number: String, now: Date) -> Int {
        state.usage[LedgerState.usageKey(number: number, day: ProgramDay.redemptionDay(at: now))] ?? 0
    }

    /// The reconciliation file of one sponsor for one reconciliation day.
    func reconciliationFile(day: ProgramDay, sponsorCode: String, now: Date) -> ReconciliationFile {
        ReconciliationExport.file(from: state, day: day, sponsorCode: sponsorCode, now: now)
    }

    /// Every redemption, oldest first.
    func redemptions() -> [RedemptionRecord] { state.redemptions.values.sorted { ($0.at, $0.confirmation) < ($1.at, $1.confirmation) } }

    // MARK: - Pieces

    private func commit(_ next: LedgerState) throws {
        try store?.save(next)
        state = next
    }

    /// Sets the code and its message on a response and pairs it with the code's HTTP status.
    static func finish<Body: HostResponseBody>(_ response: inout Body, _ code: ResponseCode, message: String?) -> (Int, Body) {
        response.responseCode = code.rawValue
        response.message = message ?? code.meaning.message.english
        return (code.meaning.httpStatus ?? 500, response)
    }

    static func mask(_ number: String) -> String {
        String(repeating: "•", count: max(0, number.count - 4)) + number.suffix(4)
    }

    static func hostTime(_ now: Date) -> String { ReconciliationExport.hostTime(now) }
}

func zeroPad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

