import AMCashConfiguration
import AMCashContract
import AMCashDomain
import AMCashWire
import Foundation

/// Turns an HTTP status and body into a typed reply, defensively: missing fields, wrong types,
/// unknown codes, non-JSON bodies and HTML pages become `HostFailure.garbledResponse`, never a
/// crash and never an approval.
enum ReplyDecoder {
    /// The most body a reply may have; more is not an AIR MILES answer.
    static let maximumBodyBytes = 256 * 1024

    /// What a status and body say before the operation's own fields are read.
    enum Envelope {
        case reply(Data)
        case bareUnauthorized
        case failure(HostFailure)
    }

    static func envelope(status: Int, body: Data, location: String?) -> Envelope {
        if (300...399).contains(status) { return .failure(.redirectRefused(status: status, location: location?.safeForTerminal)) }
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        if status == 401 && object?["responseCode"] == nil { return .bareUnauthorized }
        if status == 409 {
            // 0094 is the collector busy with another transaction; any other 409, this key seen with another body.
            let message = (object?["message"] as? String)?.safeForTerminal
            return .failure(object?["responseCode"] as? String == "0094" ? .collectorBusy(message) : .conflict(message))
        }
        guard object != nil else {
            return .failure(.garbledResponse(status: status, reason: describeNonJSON(body)))
        }
        return .reply(body)
    }

    static func echo(status: Int, body: Data) -> Result<EchoReply, HostFailure> {
        decode(Components.Schemas.EchoResponse.self, status: status, body: body).flatMap { wire in
            answer(status: status, code: wire.responseCode, message: wire.message, time: wire.transDateTime)
                .map { EchoReply(answer: $0) }
        }
    }

    static func inquiry(status: Int, body: Data) -> Result<InquiryReply, HostFailure> {
        replyWithBalances(Components.Schemas.InquireResponse.self, status: status, body: body) { wire, answer, balances throws(HostFailure) in
            let offer = wire.offerType.map { type in
                OfferDetails(
                    type: type.rawValue, id: wire.offerId.map { $0.safeForTerminal(limit: 40) },
                    text: wire.offerDescEn.map {
                        LocalizedText(english: $0.safeForTerminal(limit: 50), french: (wire.offerDescFr ?? $0).safeForTerminal(limit: 50))
                    })
            }
            let unitValue = UnitValue(hostMiles: wire.unitValueAMCash, hostDollars: wire.unitValueDollars)
            guard unitValue.isPlausible else {
                throw .garbledResponse(status: status, reason: "a unit value of \(unitValue) is not the program's \(UnitValue.standard)")
            }
            for (field, text) in [("availableOfferUnits", wire.availableOfferUnits), ("dailyOfferLimit", wire.dailyOfferLimit)] {
                if let text, let count = try? units(text, field, status), count > UnitValue.maximumUnits {
                    throw .garbledResponse(status: status, reason: "\(field) \(count.count) is not plausible")
                }
            }
            return InquiryReply(
                answer: answer, balances: balances,
                availableDollarAmount: try wire.availableDollarAmount.map { text throws(HostFailure) in
                    try money(text, "availableDollarAmount", status)
                },
                unitValue: UnitValue(hostMiles: wire.unitValueAMCash, hostDollars: wire.unitValueDollars),
                availableOfferUnits: try wire.availableOfferUnits.map { text throws(HostFailure) in try units(text, "availableOfferUnits", status)
                },
                dailyOfferLimit: try wire.dailyOfferLimit.map { text throws(HostFailure) in try units(text, "dailyOfferLimit", status) },
                offer: offer)
        }
    }

    static func redemption(status: Int, body: Data) -> Result<RedemptionReply, HostFailure> {
        let strict = strictRedemption(status: status, body: body)
        // An approval this till cannot read whole (units missing, zero, not a string) may still carry the
        // number that voids it: the host did approve, so it is given back, never left to stand.
        if case .failure(.garbledResponse(_, let reason)) = strict, let approval = lenientApproval(status: status, body: body) {
            return .failure(.unshowableApproval(confirmationNumber: approval.confirmation, units: approval.units, reason: reason))
        }
        return strict
    }

    /// The confirmation number (and units, if readable) of a 2xx approval whose body is not the contract's.
    static func lenientApproval(status: Int, body: Data) -> (confirmation: String, units: Units?)? {
        guard (200...299).contains(status), let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let code = object["responseCode"] as? String, ResponseCode(code).meaning.outcome == .approved,
            let confirmation = (object["txnConfirmationNumber"] ?? object["txtConfirmationNumber"]) as? String,
            isUsableConfirmation(confirmation)
        else { return nil }
        let units = (object["unitsRedeemed"] as? String).flatMap { try? Units(parsing: $0) }.flatMap { $0.count >= 1 ? $0 : nil }
        return (confirmation, units)
    }

    private static func strictRedemption(status: Int, body: Data) -> Result<RedemptionReply, HostFailure> {
        replyWithBalances(Components.Schemas.RedeemResponse.self, status: status, body: body) { wire, answer, balances throws(HostFailure) in
            guard answer.outcome == .approved else {
                return RedemptionReply(answer: answer, approval: nil, balances: balances)
            }
            // An approval is only usable with its units and its confirmation number; without
            // them the host may have redeemed and we cannot say how much: that is unknown.
            guard let unitsText = wire.unitsRedeemed else {
                throw .garbledResponse(status: status, reason: "an approval without unitsRedeemed")
            }
            let redeemed = try units(unitsText, "unitsRedeemed", status)
            guard redeemed.count >= 1 else {
                throw .garbledResponse(status: status, reason: "an approval of 0 units")
            }
            guard redeemed <= UnitValue.maximumUnits else {
                throw .garbledResponse(status: status, reason: "an approval of \(redeemed.count) units is not plausible")
            }
            guard let confirmation = wire.txnConfirmationNumber ?? wire.txtConfirmationNumber else {
                throw .garbledResponse(status: status, reason: "an approval without txnConfirmationNumber")
            }
            guard isUsableConfirmation(confirmation) else {
                throw .garbledResponse(status: status, reason: "a confirmation number that is not 1–40 printable characters")
            }
            let value = UnitValue(hostMiles: wire.unitValueAMCash, hostDollars: wire.unitValueDollars)
            guard value.isPlausible else {
                // The host did approve, under a number this till can void: no discount, and the approval is given back.
                throw .unshowableApproval(
                    confirmationNumber: confirmation, units: redeemed,
                    reason: "a unit value of \(value) is not the program's \(UnitValue.standard)")
            }
            let approval = RedemptionApproval(unitsRedeemed: redeemed, unitValue: value, confirmationNumber: confirmation)
            return RedemptionReply(answer: answer, approval: approval, balances: balances)
        }
    }

    static func reversal(status: Int, body: Data) -> Result<ReversalReply, HostFailure> {
        replyWithBalances(Components.Schemas.ReverseResponse.self, status: status, body: body) { wire, answer, balances throws(HostFailure) in
            // The documentation names no field of its own for a reversal's number: accept every name seen.
            // An approval without any number is still a reversal (the caller flags it); a number that is
            // not one is a garbled answer.
            let confirmation = wire.txnConfirmationNumber ?? wire.txtConfirmationNumber ?? wire.reversalConfirmationNumber
            if answer.outcome == .approved, let confirmation, !isUsableConfirmation(confirmation) {
                throw .garbledResponse(status: status, reason: "a reversal confirmation number that is not 1–40 printable characters")
            }
            return ReversalReply(
                answer: answer, reversalConfirmationNumber: confirmation,
                unitsReversed: try wire.unitsReversed.map { text throws(HostFailure) in try units(text, "unitsReversed", status) },
                balances: balances)
        }
    }

    // MARK: - Pieces

    /// A reply that carries balances (inquire, redeem, reverse): the contract's fields decoded, the answer and
    /// the balances read the one way, then `read` for the operation's own fields.
    private static func replyWithBalances<Wire: BalancesReplyWire, Reply>(
        _ type: Wire.Type, status: Int, body: Data, _ read: (Wire, HostAnswer, Balances) throws(HostFailure) -> Reply
    ) -> Result<Reply, HostFailure> {
        decode(type, status: status, body: body).flatMap { wire in
            Result { () throws(HostFailure) -> Reply in
                let answer = try answer(status: status, code: wire.responseCode, message: wire.message, time: wire.transDateTime).get()
                let balances = try balances(
                    cash: wire.cashBalance, dream: wire.dreamBalance,
                    available: wire.availableCashBalance, status: status)
                return try read(wire, answer, balances)
            }
        }
    }

    private static func decode<Wire: Decodable>(_ type: Wire.Type, status: Int, body: Data) -> Result<Wire, HostFailure> {
        do {
            return .success(try JSONDecoder().decode(Wire.self, from: body))
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(.garbledResponse(status: status, reason: "no \(key.stringValue)"))
        } catch let DecodingError.typeMismatch(_, context) {
            return .failure(.garbledResponse(status: status, reason: "\(fieldName(context)) has the wrong type"))
        } catch let DecodingError.valueNotFound(_, context) {
            return .failure(.garbledResponse(status: status, reason: "\(fieldName(context)) is null"))
        } catch let DecodingError.dataCorrupted(context) {
            return .failure(.garbledResponse(status: status, reason: "\(fieldName(context)) is not an allowed value"))
        } catch {
            return .failure(.garbledResponse(status: status, reason: "not a reply of the contract"))
        }
    }

    private static func fieldName(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".").nonEmpty ?? "the body"
    }

    private static func answer(status: Int, code: String, message: String?, time: String?) -> Result<HostAnswer, HostFailure> {
        guard code.count == 4, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(.garbledResponse(status: status, reason: "responseCode is not four digits"))
        }
        // The host's words reach screens, receipts and logs: without control characters.
        return .success(
            HostAnswer(
                httpStatus: status, code: ResponseCode(code), hostMessage: message?.safeForTerminal,
                transDateTime: time?.safeForTerminal(limit: 40)))
    }

    private static func balances(cash: String?, dream: String?, available: String?, status: Int) throws(HostFailure) -> Balances {
        Balances(
            cash: try cash.map { text throws(HostFailure) in try miles(text, "cashBalance", status) },
            dream: try dream.map { text throws(HostFailure) in try miles(text, "dreamBalance", status) },
            availableCash: try available.map { text throws(HostFailure) in try miles(text, "availableCashBalance", status) })
    }

    private static func miles(_ text: String, _ field: String, _ status: Int) throws(HostFailure) -> Miles {
        do { return try Miles(parsing: text) } catch {
            throw .garbledResponse(status: status, reason: "\(field) \"\(HostText.sanitised(text, limit: 20))\" is not a whole number")
        }
    }

    private static func units(_ text: String, _ field: String, _ status: Int) throws(HostFailure) -> Units {
        do { return try Units(parsing: text) } catch {
            throw .garbledResponse(status: status, reason: "\(field) \"\(HostText.sanitised(text, limit: 20))\" is not a whole number")
        }
    }

    private static func money(_ text: String, _ field: String, _ status: Int) throws(HostFailure) -> Money {
        // A dollar amount is at most 17 characters (99999999999999.99); a longer one is never parsed or quoted whole.
        guard text.utf8.count <= 17 else { throw .garbledResponse(status: status, reason: "\(field) is longer than 17 characters") }
        do { return try Money(parsing: text) } catch {
            throw .garbledResponse(status: status, reason: "\(field): \(HostText.sanitised(error.description, limit: 80))")
        }
    }

    static func isUsableConfirmation(_ text: String) -> Bool {
        (1...40).contains(text.count) && text.allSatisfy { $0.isASCII && !$0.isWhitespace && ($0.asciiValue ?? 0) > 0x20 && $0 != "\u{7F}" }
    }

    private static func describeNonJSON(_ body: Data) -> String {
        if body.isEmpty { return "an empty body" }
        let start = String(decoding: body.prefix(64), as: UTF8.self).lowercased()
        if start.contains("<html") || start.contains("<!doctype") { return "an HTML page, not a JSON reply" }
        return "not a JSON object"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// The fields of every reply that carries balances, so `ReplyDecoder` reads the answer and the balances one way.
protocol BalancesReplyWire: Decodable {
    var responseCode: Components.Schemas.ResponseCode { get }
    var message: String? { get }
    var transDateTime: String? { get }
    var cashBalance: Components.Schemas.WholeNumber? { get }
    var dreamBalance: Components.Schemas.WholeNumber? { get }
    var availableCashBalance: Components.Schemas.WholeNumber? { get }
}

extension Components.Schemas.InquireResponse: BalancesReplyWire {}
extension Components.Schemas.RedeemResponse: BalancesReplyWire {}
extension Components.Schemas.ReverseResponse: BalancesReplyWire {}
