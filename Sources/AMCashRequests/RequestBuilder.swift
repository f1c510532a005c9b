import AMCashConfiguration
import AMCashContract
public import AMCashDomain
public import AMCashWire
public import Foundation

/// Builds the exact request bodies for this terminal. Everything a request says about the
/// terminal comes from its identity; the caller brings the sale, a trace id and the time.
public struct RequestBuilder: Sendable {
    public let identity: TerminalIdentity
    public let unitValue: UnitValue

    public init(identity: TerminalIdentity, unitValue: UnitValue = .standard) {
        self.identity = identity
        self.unitValue = unitValue
    }

    public func echo(traceId: TraceId) -> PreparedCall {
        let body = Components.Schemas.EchoRequest(
            deviceId: identity.deviceId, sponsorCode: identity.sponsorCode, storeId: identity.storeId,
            traceId: traceId.description, vendorId: identity.vendorId)
        return Self.call(.echo, body, traceId: traceId, maskedCard: nil)
    }

    public func inquire(_ request: InquiryRequest, traceId: TraceId, at instant: Date) -> PreparedCall {
        let body = Components.Schemas.InquireRequest(
            sponsorCode: identity.sponsorCode, storeId: identity.storeId, deviceId: identity.deviceId,
            vendorId: identity.vendorId, acquirerId: identity.acquirerId, traceId: traceId.description,
            dateTime: WireFormat.dateTime(instant), collectorNumber: request.card.number.unmaskedDigits,
            cardEntryMode: Self.entryMode(request.card.entryMode), postTaxBasketAmount: request.basket.decimalString,
            instantMessage: Self.language(request.language))
        return Self.call(.inquire, body, traceId: traceId, maskedCard: request.card.number.masked)
    }

    /// A REDEEM ready to journal and send. A keyed card, an amount of zero or one that is not whole
    /// units is refused here, before anything is sent.
    public func redeem(
        _ request: RedemptionRequest, traceId: TraceId, at instant: Date,
        idempotencyKey: UUID = UUID()
    ) throws(RequestRefusal) -> PreparedCall {
        guard request.card.canRedeem else { throw .manualEntryCannotRedeem }
        guard request.amount.cents > 0 else { throw .nothingToRedeem }
        guard request.amount.cents % unitValue.money.cents == 0 else { throw .amountNotWholeUnits(request.amount) }
        let body = Components.Schemas.RedeemRequest(
            sponsorCode: identity.sponsorCode, storeId: identity.storeId, deviceId: identity.deviceId,
            vendorId: identity.vendorId, acquirerId: identity.acquirerId, traceId: traceId.description,
            dateTime: WireFormat.dateTime(instant), collectorNumber: request.card.number.unmaskedDigits,
            cardEntryMode: Self.entryMode(request.card.entryMode), postTaxBasketAmount: request.basket.decimalString,
            originalPostTaxBasketAmount: (request.originalBasket ?? request.basket).decimalString,
            // Always sent: where the till does not know the pre-tax total, the post-tax total, as the partner's sample does.
            originalPreTaxAmount: (request.preTaxAmount ?? request.basket).decimalString,
            dollarRedeemRequest: request.amount.decimalString, instantMessage: Self.language(request.language))
        return Self.call(.redeem, body, traceId: traceId, idempotencyKey: idempotencyKey, maskedCard: request.card.number.masked)
    }

    /// A REVERSE ready to journal and send; it needs the confirmation number of an answered redemption.
    public func reverse(
        _ request: ReversalRequest, traceId: TraceId, at instant: Date,
        idempotencyKey: UUID = UUID()
    ) throws(RequestRefusal) -> PreparedCall {
        guard !request.redemptionConfirmationNumber.isEmpty else { throw .missingConfirmationNumber }
        let body = Components.Schemas.ReverseRequest(
            sponsorCode: identity.sponsorCode, storeId: identity.storeId, deviceId: identity.deviceId,
            vendorId: identity.vendorId, acquirerId: identity.acquirerId, traceId: traceId.description,
            dateTime: WireFormat.dateTime(instant), collectorNumber: request.card.number.unmaskedDigits,
            cardEntryMode: Self.entryMode(request.card.entryMode),
            redemptionConfirmationNumber: request.redemptionConfirmationNumber,
            instantMessage: Self.language(request.language))
        return Self.call(.reverse, body, traceId: traceId, idempotencyKey: idempotencyKey, maskedCard: request.card.number.masked)
    }

    /// The REVERSE that voids an approval nobody saw: built from the REDEEM's own journaled body, so
    /// it names the same terminal, card, entry mode and language (a system void has no card in hand).
    /// Returns nil when `redeemBody` is not a REDEEM body of the contract.
    public static func void(
        ofRedeemBody redeemBody: Data, confirmationNumber: String, traceId: TraceId, at instant: Date,
        idempotencyKey: UUID = UUID()
    ) -> PreparedCall? {
        guard !confirmationNumber.isEmpty,
            let original = try? JSONDecoder().decode(Components.Schemas.RedeemRequest.self, from: redeemBody)
        else { return nil }
        let body = Components.Schemas.ReverseRequest(
            sponsorCode: original.sponsorCode, storeId: original.storeId, deviceId: original.deviceId,
            vendorId: original.vendorId, acquirerId: original.acquirerId, traceId: traceId.description,
            dateTime: WireFormat.dateTime(instant), collectorNumber: original.collectorNumber,
            cardEntryMode: original.cardEntryMode, redemptionConfirmationNumber: confirmationNumber,
            instantMessage: original.instantMessage)
        let masked = (try? CollectorNumber(digits: original.collectorNumber, format: CollectorNumberFormat(lengths: 1...19)))?.masked
        return call(.reverse, body, traceId: traceId, idempotencyKey: idempotencyKey, maskedCard: masked)
    }

    /// `body` as it goes out, and goes out again on every re-send: its bytes, its trace id, its key
    /// (REDEEM and REVERSE) and the card as logs may show it.
    static func call(
        _ operation: HostOperation, _ body: some Encodable, traceId: TraceId, idempotencyKey: UUID? = nil, maskedCard: String?
    ) -> PreparedCall {
        PreparedCall(
            operation: operation, traceId: traceId.description, idempotencyKey: idempotencyKey, body: WireFormat.encode(body),
            maskedCard: maskedCard)
    }

    /// The host compares entry modes without case; amcash always sends the current upper-case form.
    static func entryMode(_ mode: CardEntryMode) -> Components.Schemas.CardEntryMode {
        mode.rawValue
    }

    static func language(_ language: Language) -> Components.Schemas.InstantMessage {
        Components.Schemas.InstantMessage(rawValue: language.rawValue)!
    }
}
