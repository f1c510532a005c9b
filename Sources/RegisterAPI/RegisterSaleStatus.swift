public import AMCashDomain
public import AMCashJournal
import AMCashWire
import Foundation

/// What the register is told about its sale (`GET /v1/sales/{saleId}`): a state and, once approved or
/// declined, what it needs to apply or show. Built from the journal's row when there is one, so the
/// answer survives a restart of either side; before a REDEEM was sent, from what the console said.
public struct RegisterSaleStatus: Sendable, Equatable, Encodable {
    /// The sale's states as the register sees them (the OpenAPI file's `SaleState`).
    public enum State: String, Sendable, Equatable, Encodable, CaseIterable {
        case waitingForCard = "waiting-for-card"
        case offer
        case redeeming
        case approved
        case declined
        case cancelled
        /// Do not apply a discount: amcash resolves it and the state changes (to approved-then-voided or voided).
        case unknown
        case voided

        /// Whether the state can still change without the register doing anything.
        public var isInProgress: Bool { [.waitingForCard, .offer, .redeeming, .unknown].contains(self) }
    }

    public var saleId: String
    public var state: State
    public var postTaxTotal: String?
    public var preTaxTotal: String?
    public var language: String?
    // Approved:
    public var discount: String?
    public var units: Int?
    public var miles: Int?
    public var confirmationNumber: String?
    public var receipt: [String]?
    /// Approved: whether the register's acknowledgement was recorded (until then the discount does not stand).
    public var acknowledged: Bool?
    /// Approved and not acknowledged: the time after which it is voided (ISO 8601, UTC).
    public var acknowledgeBy: String?
    // Declined (and any other state with something to say):
    public var code: String?
    public var message: String?
    // Earning (Issuance), once the sale's discount is settled (declined, or approved and acknowledged):
    /// `earned` (the host recorded `milesEarned`), `pending` (accepted or stored and forwarded: the miles come
    /// later) or `refused`; absent while the sale has not earned (yet).
    public var earning: String?
    /// The miles the host recorded for the sale; only with `earning` = `earned`.
    public var milesEarned: Int?

    public init(saleId: String, state: State) {
        self.saleId = saleId
        self.state = state
    }

    /// Adds what the sale earned: the miles the host recorded, or pending, or refused — never a number it did not answer.
    /// An approval's `receipt` lines gain "Miles earned: N" (or pending, or not earned), as the console's receipt
    /// prints it, and the sale's Issuance id (`checkoutTransactionId`, when known), by which the Return screen finds it.
    mutating func report(_ outcome: EarningOutcome, checkoutTransactionId: String? = nil) {
        let french = language == Language.french.rawValue
        let value: String
        switch outcome {
        case .earned(let miles, _, _):
            earning = "earned"
            milesEarned = miles
            value = "\(miles)"
        case .pending:
            earning = "pending"
            value = french ? "en attente" : "pending"
        case .refused:
            earning = "refused"
            value = french ? "non obtenus (refusé)" : "not earned (refused)"
        }
        guard var lines = receipt else { return }
        lines.append((french ? "Milles obtenus: " : "Miles earned: ") + value)
        if let checkoutTransactionId, outcome.isRefused == false { lines.append("Transaction AIR MILES: " + checkoutTransactionId) }
        receipt = lines
    }

    /// The register's view of a journaled REDEEM of the sale.
    public static func from(_ entry: JournalEntry, sale: RegisterSale?, defaultLanguage: Language) -> RegisterSaleStatus {
        let language = sale?.language ?? defaultLanguage
        let french = language == .french
        var status = RegisterSaleStatus(saleId: entry.saleId ?? sale?.saleId ?? "", state: .unknown)
        status.postTaxTotal = sale?.postTaxTotal.decimalString
        status.preTaxTotal = sale?.preTaxTotal?.decimalString
        status.language = language.rawValue
        func approval() {
            status.discount = entry.money?.decimalString
            status.units = entry.units?.count
            status.miles = entry.miles?.value
            status.confirmationNumber = entry.confirmationNumber
            var lines = [french ? "ÉCHANGE ARGENT AIR MILES" : "AIR MILES CASH REDEMPTION"]
            lines.append((french ? "Carte: " : "Card: ") + entry.maskedCard)
            if let money = entry.money { lines.append((french ? "Rabais: " : "Discount: ") + money.formatted(language)) }
            if let miles = entry.miles { lines.append((french ? "Milles échangés: " : "Miles redeemed: ") + "\(miles.value)") }
            lines.append("Confirmation: " + (entry.confirmationNumber ?? "-"))
            lines.append((french ? "N° de trace: " : "Trace: ") + entry.traceId)
            status.receipt = lines
        }
        switch entry.state {
        case .draft, .sending:
            status.state = .redeeming
        case .approved:
            status.state = .approved
            approval()
            status.acknowledged = false
            if let until = entry.leaseUntil {
                status.acknowledgeBy = ISO8601DateFormatter().string(from: until)
            }
        case .shown:
            status.state = .approved
            approval()
            status.acknowledged = true
        case .declined:
            status.state = .declined
            let code = entry.responseCode.map { ResponseCode($0) }
            status.code = entry.responseCode ?? "not-sent"
            if let code {
                let text = code.meaning.message
                status.message = french ? text.french : text.english
            } else {
                status.message =
                    french
                    ? "La demande n'a pas pu être envoyée à AIR MILES; aucun rabais." : "The request could not be sent to AIR MILES; no discount."
            }
        case .unknown, .exception:
            status.state = .unknown
            status.message =
                french
                ? "Réponse d'AIR MILES inconnue : n'appliquez aucun rabais; amcash la résout."
                : "AIR MILES's answer is unknown: apply no discount; amcash resolves it."
        case .voiding, .voided:
            status.state = .voided
            status.confirmationNumber = entry.confirmationNumber
            status.message =
                french
                ? "L'échange a été annulé (non confirmé par la caisse) : n'appliquez aucun rabais."
                : "The redemption was voided (the register did not acknowledge it): apply no discount."
        case .reversing:
            status.state = .unknown
            status.confirmationNumber = entry.confirmationNumber
            status.message =
                french
                ? "Annulation en cours : retirez le rabais quand elle est confirmée." : "Reversal under way: remove the discount once it is voided."
        case .reversed:
            status.state = .voided
            status.confirmationNumber = entry.confirmationNumber
            status.message = french ? "L'échange a été annulé : retirez le rabais." : "The redemption was reversed: remove the discount."
        }
        return status
    }
}

extension EarningOutcome {
    fileprivate var isRefused: Bool {
        if case .refused = self { true } else { false }
    }
}
