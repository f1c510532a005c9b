public import AMCashDomain

/// A balance and offer look-up for one sale.
public struct InquiryRequest: Sendable, Hashable {
    public let card: CardRead
    /// The post-tax total of the sale.
    public let basket: Money
    /// The collector's language, sent as `instantMessage`.
    public let language: Language

    public init(card: CardRead, basket: Money, language: Language = .english) {
        self.card = card
        self.basket = basket
        self.language = language
    }
}

/// A redemption of `amount` (whole units) against a sale.
public struct RedemptionRequest: Sendable, Hashable {
    public let card: CardRead
    public let basket: Money
    /// The sale's post-tax total before any change at the till; the basket when not known.
    public let originalBasket: Money?
    /// The sale's pre-tax total, when the till knows it.
    public let preTaxAmount: Money?
    /// The discount asked for (`dollarRedeemRequest`); the host may grant less.
    public let amount: Money
    public let language: Language

    public init(
        card: CardRead, basket: Money, amount: Money, originalBasket: Money? = nil, preTaxAmount: Money? = nil,
        language: Language = .english
    ) {
        self.card = card
        self.basket = basket
        self.amount = amount
        self.originalBasket = originalBasket
        self.preTaxAmount = preTaxAmount
        self.language = language
    }
}

/// A full reversal of one answered redemption.
public struct ReversalRequest: Sendable, Hashable {
    public let card: CardRead
    /// The `txnConfirmationNumber` of the redemption to reverse.
    public let redemptionConfirmationNumber: String
    public let language: Language

    public init(card: CardRead, redemptionConfirmationNumber: String, language: Language = .english) {
        self.card = card
        self.redemptionConfirmationNumber = redemptionConfirmationNumber
        self.language = language
    }
}

/// A request that must not be sent at all, and why.
public enum RequestRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case manualEntryCannotRedeem
    case amountNotWholeUnits(Money)
    case nothingToRedeem
    case missingConfirmationNumber

    public var message: LocalizedText {
        switch self {
        case .manualEntryCannotRedeem:
            return ResponseCode.cardNotSwipedOrScanned.meaning.message
        case .amountNotWholeUnits(let amount):
            return LocalizedText(
                english: "\(amount.formatted(.english)) is not a whole number of $10 steps.",
                french: "\(amount.formatted(.french)) n’est pas un nombre entier de tranches de 10 $.")
        case .nothingToRedeem:
            return LocalizedText(
                english: "Choose at least one $10 step to redeem.",
                french: "Choisissez au moins une tranche de 10 $ à échanger.")
        case .missingConfirmationNumber:
            return LocalizedText(
                english: "A reversal needs the confirmation number of the redemption.",
                french: "Une annulation exige le numéro de confirmation de l’échange.")
        }
    }

    public var description: String { message.english }
}
