/// What a host answer means for the sale. Anything the console does not recognise is `unknown`,
/// never `approved`.
public enum Outcome: String, Sendable, CaseIterable, Codable {
    /// The host did it.
    case approved
    /// The host refused; nothing changed. Tell the cashier why.
    case declined
    /// The host could not answer this time; sending again (with the same key) is safe.
    case retryable
    /// Nobody knows whether the host did it; resolve by re-sending with the same key.
    case unknown
}

/// What the cashier should do next.
public enum CashierAction: String, Sendable, CaseIterable, Codable {
    /// Nothing: carry on with the sale.
    case none
    /// Try again in a moment.
    case retry
    /// Ask the collector to let the card be scanned or swiped; keyed numbers only look up balances.
    case scanCard
    /// Ask the collector to check the card number or use another card.
    case checkCard
    /// Finish the sale with another tender; AIR MILES Cash is not available for it.
    case otherTender
    /// Call the help desk; something needs a person.
    case callSupport

    /// The action as the cashier reads it.
    public var text: LocalizedText {
        switch self {
        case .none: LocalizedText(english: "Continue the sale.", french: "Poursuivez la vente.")
        case .retry: LocalizedText(english: "Try again.", french: "Réessayez.")
        case .scanCard: LocalizedText(english: "Scan or swipe the card.", french: "Balayez ou glissez la carte.")
        case .checkCard:
            LocalizedText(
                english: "Check the card number or use another card.",
                french: "Vérifiez le numéro ou utilisez une autre carte.")
        case .otherTender: LocalizedText(english: "Take another tender.", french: "Acceptez un autre mode de paiement.")
        case .callSupport: LocalizedText(english: "Call the help desk.", french: "Appelez le soutien technique.")
        }
    }
}

/// A host `responseCode`: four digits as a string ("0000"). Kept as text so an unexpected value
/// can still be shown and logged.
public struct ResponseCode: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// What this code means, from the catalogue; a code not in it is unknown (never approved).
    public var meaning: ResponseCodeMeaning { ResponseCodeCatalogue.meaning(of: self) }

    public static let approved: ResponseCode = "0000"
    public static let approvedBalanceHidden: ResponseCode = "0001"
    public static let accountInactive: ResponseCode = "0002"
    public static let balanceHiddenUnableToRedeem: ResponseCode = "0005"
    public static let unableToRedeem: ResponseCode = "0006"
    public static let hostTimedOut: ResponseCode = "0008"
    public static let cardNotSwipedOrScanned: ResponseCode = "0009"
    public static let invalidCollectorNumber: ResponseCode = "0025"
    public static let invalidField: ResponseCode = "0035"
    public static let insufficientMiles: ResponseCode = "0051"
    public static let dailyLimitExceeded: ResponseCode = "0065"
    public static let scheduledOutage: ResponseCode = "0092"
    public static let serverError: ResponseCode = "0096"
}

/// One entry of the response-code catalogue: the HTTP status that carries the code, what it means
/// for the sale, what the cashier does next, and the cashier's message in both languages.
public struct ResponseCodeMeaning: Sendable, Hashable {
    public let code: ResponseCode
    /// The HTTP status the host sends with this code; nil for a code the catalogue does not know.
    public let httpStatus: Int?
    public let outcome: Outcome
    public let action: CashierAction
    public let message: LocalizedText
    /// Whether the host shows balances with this code (0001 and 0005 hide them).
    public let showsBalance: Bool
}

/// Every response code of the AIR MILES Cash API, in one place.
public enum ResponseCodeCatalogue {
    /// The documented codes, in code order.
    public static let all: [ResponseCodeMeaning] = [
        entry(
            .approved, 200, .approved, .none, showsBalance: true,
            "Approved.", "Approuvé."),
        entry(
            .approvedBalanceHidden, 202, .approved, .none, showsBalance: false,
            "Approved. The balance cannot be shown.", "Approuvé. Le solde ne peut pas être affiché."),
        entry(
            .accountInactive, 401, .declined, .otherTender, showsBalance: false,
            "This collector account is inactive.", "Ce compte d’adhérent est inactif."),
        entry(
            .balanceHiddenUnableToRedeem, 202, .declined, .otherTender, showsBalance: false,
            "The balance cannot be shown and miles cannot be redeemed.",
            "Le solde ne peut pas être affiché et les milles ne peuvent pas être échangés."),
        entry(
            .unableToRedeem, 202, .declined, .otherTender, showsBalance: true,
            "Miles cannot be redeemed on this account now.",
            "Les milles ne peuvent pas être échangés sur ce compte pour le moment."),
        entry(
            .hostTimedOut, 408, .retryable, .retry, showsBalance: false,
            "AIR MILES took too long to answer.", "AIR MILES a mis trop de temps à répondre."),
        entry(
            .cardNotSwipedOrScanned, 403, .declined, .scanCard, showsBalance: false,
            "A keyed card number cannot redeem miles.",
            "Un numéro de carte entré à la main ne permet pas d’échanger des milles."),
        entry(
            .invalidCollectorNumber, 401, .declined, .checkCard, showsBalance: false,
            "This is not a valid collector number.", "Ce numéro d’adhérent n’est pas valide."),
        entry(
            .invalidField, 400, .declined, .callSupport, showsBalance: false,
            "AIR MILES refused the request as incomplete.", "AIR MILES a refusé la demande comme incomplète."),
        entry(
            .insufficientMiles, 202, .declined, .otherTender, showsBalance: true,
            "Not enough AIR MILES Cash miles.", "Pas assez de milles Argent AIR MILES."),
        entry(
            .dailyLimitExceeded, 202, .declined, .otherTender, showsBalance: true,
            "The daily redemption limit has been reached.", "La limite quotidienne d’échange est atteinte."),
        entry(
            .scheduledOutage, 503, .retryable, .otherTender, showsBalance: false,
            "AIR MILES is down for scheduled maintenance.", "AIR MILES est en maintenance planifiée."),
        entry(
            .serverError, 500, .retryable, .retry, showsBalance: false,
            "AIR MILES had an error.", "AIR MILES a eu une erreur."),
    ]

    private static let byCode: [ResponseCode: ResponseCodeMeaning] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// What `code` means; a code the catalogue does not know is `unknown` and sends the cashier to support.
    public static func meaning(of code: ResponseCode) -> ResponseCodeMeaning {
        if let known = byCode[code] { return known }
        // A garbled code is shown as far as it is plain text, never as terminal control characters.
        let printable = String(code.rawValue.filter { $0.isASCII && !$0.isNewline && ($0.asciiValue ?? 0) >= 0x20 }.prefix(8))
        let shown = printable.isEmpty ? "no code" : printable
        return ResponseCodeMeaning(
            code: code, httpStatus: nil, outcome: .unknown, action: .callSupport,
            message: LocalizedText(
                english: "AIR MILES sent an unknown answer (\(shown)).",
                french: "AIR MILES a envoyé une réponse inconnue (\(printable.isEmpty ? "aucun code" : printable))."),
            showsBalance: false)
    }

    private static func entry(
        _ code: ResponseCode, _ status: Int, _ outcome: Outcome, _ action: CashierAction,
        showsBalance: Bool, _ english: String, _ french: String
    ) -> ResponseCodeMeaning {
        ResponseCodeMeaning(
            code: code, httpStatus: status, outcome: outcome, action: action,
            message: LocalizedText(english: english, french: french), showsBalance: showsBalance)
    }
}
