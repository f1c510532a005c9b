public import AMCashDomain

/// What the host said, whatever the call: its response code, what that code means, and how it was carried.
public struct HostAnswer: Sendable, Hashable {
    public let httpStatus: Int
    public let code: ResponseCode
    /// The host's own `message`, if it sent one (for logs and support; the cashier sees the catalogue's).
    public let hostMessage: String?
    public let transDateTime: String?

    public init(httpStatus: Int, code: ResponseCode, hostMessage: String?, transDateTime: String?) {
        self.httpStatus = httpStatus
        self.code = code
        self.hostMessage = hostMessage
        self.transDateTime = transDateTime
    }

    public var meaning: ResponseCodeMeaning { code.meaning }

    /// The outcome: approved only when the code is an approval **and** the HTTP status is 2xx.
    public var outcome: Outcome {
        let outcome = meaning.outcome
        if outcome == .approved && !(200...299).contains(httpStatus) { return .unknown }
        return outcome
    }
}

/// A reply with a host answer in it.
public protocol HostReply: Sendable {
    var answer: HostAnswer { get }
}

/// The collector's balances, each present only when the host sent it.
public struct Balances: Sendable, Hashable, Codable {
    /// AM Cash miles (redeemable at the till).
    public let cash: Miles?
    /// Dream miles (not redeemable here).
    public let dream: Miles?
    /// AM Cash miles available to redeem now.
    public let availableCash: Miles?

    public init(cash: Miles?, dream: Miles?, availableCash: Miles?) {
        self.cash = cash
        self.dream = dream
        self.availableCash = availableCash
    }

    public static let none = Balances(cash: nil, dream: nil, availableCash: nil)
}

/// The offer's own words and kind, present only when the card was read and a unit can be redeemed.
public struct OfferDetails: Sendable, Hashable {
    /// `RGL` regular or `SPL` special.
    public let type: String
    public let id: String?
    public let text: LocalizedText?

    public init(type: String, id: String?, text: LocalizedText?) {
        self.type = type
        self.id = id
        self.text = text
    }
}

/// The answer to INQUIRE: balances and what this sale may redeem.
public struct InquiryReply: HostReply, Hashable {
    public let answer: HostAnswer
    public let balances: Balances
    public let availableDollarAmount: Money?
    public let unitValue: UnitValue
    public let availableOfferUnits: Units?
    public let dailyOfferLimit: Units?
    public let offer: OfferDetails?

    public init(
        answer: HostAnswer, balances: Balances, availableDollarAmount: Money?, unitValue: UnitValue,
        availableOfferUnits: Units?, dailyOfferLimit: Units?, offer: OfferDetails?
    ) {
        self.answer = answer
        self.balances = balances
        self.availableDollarAmount = availableDollarAmount
        self.unitValue = unitValue
        self.availableOfferUnits = availableOfferUnits
        self.dailyOfferLimit = dailyOfferLimit
        self.offer = offer
    }

    /// The numbers the cashier's choice depends on, or nil when nothing can be redeemed on this sale.
    public func limits(basket: Money) -> OfferLimits? {
        guard answer.outcome == .approved, let units = availableOfferUnits else { return nil }
        // A hidden balance (0001) still carries an offer: the host's units bound it.
        let balance = balances.availableCash ?? unitValue.miles(for: units)
        return OfferLimits(
            basket: basket, availableOfferUnits: units, dailyOfferLimit: dailyOfferLimit,
            availableCashBalance: balance, unitValue: unitValue)
    }
}

/// What an approved REDEEM gave: the units the host redeemed (never what was asked) and the
/// confirmation number to display and print.
public struct RedemptionApproval: Sendable, Hashable, Codable {
    public let unitsRedeemed: Units
    public let unitValueMiles: Miles
    public let unitValueMoney: Money
    public let confirmationNumber: String

    public init(unitsRedeemed: Units, unitValue: UnitValue, confirmationNumber: String) {
        self.unitsRedeemed = unitsRedeemed
        self.unitValueMiles = unitValue.miles
        self.unitValueMoney = unitValue.money
        self.confirmationNumber = confirmationNumber
    }

    public var unitValue: UnitValue { UnitValue(miles: unitValueMiles, money: unitValueMoney) }
    /// The discount to apply at the till: units redeemed × dollars per unit.
    public var discount: Money { unitValue.money(for: unitsRedeemed) }
    public var miles: Miles { unitValue.miles(for: unitsRedeemed) }
}

/// The answer to REDEEM. `approval` is present exactly when the outcome is approved.
public struct RedemptionReply: HostReply, Hashable {
    public let answer: HostAnswer
    public let approval: RedemptionApproval?
    public let balances: Balances

    public init(answer: HostAnswer, approval: RedemptionApproval?, balances: Balances) {
        self.answer = answer
        self.approval = approval
        self.balances = balances
    }
}

/// The answer to REVERSE.
public struct ReversalReply: HostReply {
    public let answer: HostAnswer
    public let reversalConfirmationNumber: String?
    public let unitsReversed: Units?
    public let balances: Balances

    public init(answer: HostAnswer, reversalConfirmationNumber: String?, unitsReversed: Units?, balances: Balances) {
        self.answer = answer
        self.reversalConfirmationNumber = reversalConfirmationNumber
        self.unitsReversed = unitsReversed
        self.balances = balances
    }
}

/// The answer to ECHO.
public struct EchoReply: HostReply {
    public let answer: HostAnswer

    public init(answer: HostAnswer) { self.answer = answer }
}

/// How a call ended. `notSent`: nothing reached the host, nothing changed. `unknown`: the request
/// may have reached the host and no usable answer came back — for REDEEM and REVERSE that is
/// resolved by re-sending the same bytes with the same key, never by calling it declined.
public enum HostResult<Reply: HostReply>: Sendable {
    case answered(Reply)
    case notSent(HostFailure)
    case unknown(HostFailure)

    public var outcome: Outcome {
        switch self {
        case .answered(let reply): reply.answer.outcome
        case .notSent: .declined
        case .unknown: .unknown
        }
    }

    public var reply: Reply? {
        if case .answered(let reply) = self { return reply }
        return nil
    }
}
