import AMCashContract
import AMCashDomain
import Foundation

/// What a redemption the host holds says about itself, as the rules for a REVERSE need it.
struct RedemptionFacts: Sendable {
    let number: String
    let units: Int
    let miles: Int
    let atMs: Int64
    let day: String
    let reversalConfirmation: String?
    let refundedByHost: Bool
}

/// The host's decisions, apart from where its books are kept (SQLite tables in one process or a
/// file, or PostgreSQL for a training centre's several simulators). Each takes what the books say
/// and answers, or says what to write; the books write it in the same transaction.
enum HostRules {
    static func inquiry(
        _ request: Components.Schemas.InquireRequest, account: Account?, usedToday: Int, dailyLimit: Int,
        now: Date
    ) -> (Int, Components.Schemas.InquireResponse) {
        var response = Components.Schemas.InquireResponse(
            sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId, traceId: request.traceId,
            collectorNumber: HostAnswer.masked(request.collectorNumber), responseCode: "0000", transDateTime: TorontoTime.iso8601(now))
        func finish(_ code: ResponseCode, message: String? = nil) -> (Int, Components.Schemas.InquireResponse) {
            response.finished(code, message: message)
        }
        if let problem = RequestValidator.problem(in: request) { return finish(.invalidField, message: problem) }
        guard let account, account.behaviour != .invalidNumber else { return finish(.invalidCollectorNumber) }
        if account.behaviour == .inactive { return finish(.accountInactive) }
        let basket = (try? Money(parsing: request.postTaxBasketAmount)) ?? .zero
        let unit = UnitValue.standard
        let remainingToday = max(0, dailyLimit - usedToday)
        let payable = account.cash / unit.miles.value
        response.unitValueAMCash = String(unit.miles.value)
        response.unitValueDollars = unit.money.decimalString
        response.dailyOfferLimit = String(dailyLimit)
        let balancesShown = account.behaviour.showsBalance
        if balancesShown {
            response.cashBalance = String(account.cash)
            response.dreamBalance = String(account.dream)
            response.availableCashBalance = String(account.cash)
            response.availableDollarAmount = unit.money(for: Units(payable)).decimalString
        }
        if account.behaviour == .unableToRedeem { return finish(.unableToRedeem) }
        if account.behaviour == .balanceHiddenUnableToRedeem { return finish(.balanceHiddenUnableToRedeem) }
        if payable < 1 { return finish(.insufficientMiles) }
        if remainingToday < 1 { return finish(.dailyLimitExceeded) }
        // The offer fields come only when the documented conditions hold: the card was read, the
        // balance covers a unit and the daily limit is not reached.
        if RequestValidator.entryMode(request.cardEntryMode) != .manual {
            response.availableOfferUnits = String(min(payable, remainingToday, unit.units(within: basket).count))
            response.offerType = .rgl
            response.offerId = "AMC-RGL-10"
            response.offerDescEn = "Use 95 AIR MILES Cash miles for $10 off"
            response.offerDescFr = "95 milles Argent AIR MILES pour 10 $ de rabais"
        }
        return finish(balancesShown ? .approved : .approvedBalanceHidden)
    }

    enum Redemption {
        case answered(Int, Components.Schemas.RedeemResponse)
        /// Debit the grant's miles from its account; answer with `approved(confirmation:)`.
        case grant(RedemptionGrant)
    }

    /// What a REDEEM asks, read before the ledger's transaction: the checks and the amounts need no
    /// books, and the transaction is the one thread every REDEEM on a file crosses.
    struct RedemptionAsk: Sendable {
        let response: Components.Schemas.RedeemResponse
        let problem: String?
        let manualEntry: Bool
        let basket: Money
        let asked: Money
    }

    static func reading(_ request: Components.Schemas.RedeemRequest, now: Date) -> RedemptionAsk {
        RedemptionAsk(
            response: Components.Schemas.RedeemResponse(
                sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId, traceId: request.traceId,
                collectorNumber: HostAnswer.masked(request.collectorNumber), responseCode: "0000", transDateTime: TorontoTime.iso8601(now)),
            problem: RequestValidator.problem(in: request),
            manualEntry: RequestValidator.entryMode(request.cardEntryMode) == .manual,
            basket: (try? Money(parsing: request.postTaxBasketAmount)) ?? .zero,
            asked: (try? Money(parsing: request.dollarRedeemRequest)) ?? .zero)
    }

    static func redemption(
        _ request: Components.Schemas.RedeemRequest, account: Account?, usedToday: Int, dailyLimit: Int,
        now: Date
    ) -> Redemption {
        redemption(reading(request, now: now), account: account, usedToday: usedToday, dailyLimit: dailyLimit)
    }

    static func redemption(_ ask: RedemptionAsk, account: Account?, usedToday: Int, dailyLimit: Int) -> Redemption {
        var response = ask.response
        func finish(_ code: ResponseCode, message: String? = nil) -> Redemption {
            let (status, body) = response.finished(code, message: message)
            return .answered(status, body)
        }
        if let problem = ask.problem { return finish(.invalidField, message: problem) }
        guard let account, account.behaviour != .invalidNumber else { return finish(.invalidCollectorNumber) }
        if account.behaviour == .inactive { return finish(.accountInactive) }
        if ask.manualEntry { return finish(.cardNotSwipedOrScanned) }
        if account.behaviour == .unableToRedeem { return finish(.unableToRedeem) }
        if account.behaviour == .balanceHiddenUnableToRedeem { return finish(.balanceHiddenUnableToRedeem) }
        let balancesShown = account.behaviour.showsBalance
        let unit = UnitValue.standard
        let (basket, asked) = (ask.basket, ask.asked)
        let remainingToday = max(0, dailyLimit - usedToday)
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
        return .grant(RedemptionGrant(units: units, account: account, response: response, balancesShown: balancesShown))
    }

    enum ReversalStart {
        case answered(Int, Components.Schemas.ReverseResponse)
        /// Look up the redemption with this confirmation number, then decide with `reversal`.
        case lookUp(String)
    }

    static func reversalResponse(_ request: Components.Schemas.ReverseRequest, now: Date) -> Components.Schemas.ReverseResponse {
        Components.Schemas.ReverseResponse(
            sponsorCode: request.sponsorCode, storeId: request.storeId, deviceId: request.deviceId, traceId: request.traceId,
            collectorNumber: HostAnswer.masked(request.collectorNumber), responseCode: "0000", transDateTime: TorontoTime.iso8601(now))
    }

    static func reversalStart(_ request: Components.Schemas.ReverseRequest, account: Account?, now: Date) -> ReversalStart {
        var response = reversalResponse(request, now: now)
        func finish(_ code: ResponseCode, message: String? = nil) -> ReversalStart {
            let (status, body) = response.finished(code, message: message)
            return .answered(status, body)
        }
        if let problem = RequestValidator.problem(in: request) { return finish(.invalidField, message: problem) }
        guard let confirmation = request.redemptionConfirmationNumber ?? request.redemptionConfirmationNum, !confirmation.isEmpty else {
            return finish(.invalidField, message: "redemptionConfirmationNumber is required")
        }
        guard let account, account.behaviour != .invalidNumber else { return finish(.invalidCollectorNumber) }
        if account.behaviour == .inactive { return finish(.accountInactive) }
        // The reverse page repeats the redeem page's warning: a key-entered card is refused.
        if RequestValidator.entryMode(request.cardEntryMode) == .manual { return finish(.cardNotSwipedOrScanned) }
        return .lookUp(confirmation)
    }

    enum Reversal {
        case answered(Int, Components.Schemas.ReverseResponse)
        /// Credit the redemption's miles back to `account`, give back its units of the day, and answer with `approvedReversal`.
        case reverse(RedemptionFacts, account: Account, response: Components.Schemas.ReverseResponse, balancesShown: Bool)
    }

    static func reversal(
        _ request: Components.Schemas.ReverseRequest, account: Account, confirmation: String, facts: RedemptionFacts?,
        now: Date
    ) -> Reversal {
        var response = reversalResponse(request, now: now)
        response.redemptionConfirmationNumber = confirmation
        func finish(_ code: ResponseCode, message: String? = nil) -> Reversal {
            let (status, body) = response.finished(code, message: message)
            return .answered(status, body)
        }
        guard let facts, facts.number == account.number else {
            return finish(.invalidField, message: "redemptionConfirmationNumber: no redemption \(confirmation) for this collector")
        }
        let balancesShown = account.behaviour.showsBalance
        if let earlier = facts.reversalConfirmation {
            // Decision (contract): the host refunded this redemption itself (its answer was never
            // delivered); a REVERSE of it is approved with the refund's number, and credits nothing again.
            if facts.refundedByHost {
                let (status, body) = approvedReversal(
                    response, units: facts.units, reversal: earlier, account: account,
                    balancesShown: balancesShown)
                return .answered(status, body)
            }
            return finish(.invalidField, message: "redemptionConfirmationNumber: \(confirmation) is already reversed")
        }
        guard ReversalWindow.isReversible(redeemedAt: instant(milliseconds: facts.atMs), at: now) else {
            return finish(.invalidField, message: "redemptionConfirmationNumber: the reversal window closed at 03:00 Eastern")
        }
        return .reverse(facts, account: account, response: response, balancesShown: balancesShown)
    }

    static func approvedReversal(
        _ response: Components.Schemas.ReverseResponse, units: Int, reversal: String, account: Account,
        balancesShown: Bool
    ) -> (Int, Components.Schemas.ReverseResponse) {
        var response = response
        response.txnConfirmationNumber = reversal
        response.unitsReversed = String(units)
        if balancesShown {
            response.cashBalance = String(account.cash)
            response.dreamBalance = String(account.dream)
            response.availableCashBalance = String(account.cash)
        }
        return response.finished(balancesShown ? .approved : .approvedBalanceHidden, message: nil)
    }
}

/// A REDEEM the rules allow: the units to debit from the account, and the answer to give once the
/// books hold the debit.
struct RedemptionGrant: Sendable {
    let units: Int
    let account: Account
    let response: Components.Schemas.RedeemResponse
    let balancesShown: Bool

    /// The miles the books debit.
    var miles: Int { units * UnitValue.standard.miles.value }
    /// The discount the books record, in cents.
    var cents: Int { units * UnitValue.standard.money.cents }
    /// The account's AM Cash miles once debited.
    var cashAfter: Int { account.cash - miles }

    /// The approval the books answer with (and keep under `confirmation`), the cash left after the debit shown where
    /// the account shows balances.
    func approved(confirmation: String) -> (Int, Components.Schemas.RedeemResponse, String?) {
        var response = response
        let unit = UnitValue.standard
        response.unitsRedeemed = String(units)
        response.unitValueDollars = unit.money.decimalString
        response.unitValueAMCash = String(unit.miles.value)
        response.txnConfirmationNumber = confirmation
        if balancesShown {
            response.cashBalance = String(cashAfter)
            response.availableCashBalance = String(cashAfter)
        }
        let (status, body) = response.finished(balancesShown ? .approved : .approvedBalanceHidden, message: nil)
        return (status, body, confirmation)
    }
}

/// A collector account as either ledger holds it.
struct Account: Sendable {
    let number: String
    var cash: Int
    let dream: Int
    let behaviour: TestCollector.Behaviour
}

extension TestCollector.Behaviour {
    /// 0001 and 0005 accounts never show balances.
    var showsBalance: Bool { self != .balanceHidden && self != .balanceHiddenUnableToRedeem }
}

/// The host's own wording of its messages, where the documentation shows it; otherwise the
/// catalogue's English. Kept apart from the console's cashier messages, which are ours to write.
enum HostWording {
    static func message(for code: ResponseCode) -> String {
        code == .approved ? "Approved" : code.meaning.message.english
    }
}

func zeroPad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
