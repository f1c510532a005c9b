public import AMCashDomain
public import Foundation

/// One item of an Issuance basket, as the wire names it.
public struct IssuanceItem: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var number: String?
    public var quantity: Int
    public var baseAmount: Money?
    public var finalAmount: Money?
    public var departmentId: String?
    public var categoryId: String?

    public init(
        id: String, name: String? = nil, number: String? = nil, quantity: Int = 1, baseAmount: Money? = nil, finalAmount: Money? = nil,
        departmentId: String? = nil, categoryId: String? = nil
    ) {
        self.id = id
        self.name = name
        self.number = number
        self.quantity = quantity
        self.baseAmount = baseAmount
        self.finalAmount = finalAmount
        self.departmentId = departmentId
        self.categoryId = categoryId
    }

    var json: IssuanceJSON {
        var fields: [String: IssuanceJSON] = ["id": .string(id), "quantity": .number(String(quantity))]
        if let name { fields["name"] = .string(name) }
        if let number { fields["number"] = .string(number) }
        if let baseAmount { fields["baseAmount"] = .number(IssuanceMoney.literal(cents: baseAmount.cents)) }
        if let finalAmount { fields["finalAmount"] = .number(IssuanceMoney.literal(cents: finalAmount.cents)) }
        if let departmentId { fields["departmentId"] = .string(departmentId) }
        if let categoryId { fields["categoryId"] = .string(categoryId) }
        return .object(fields)
    }

    /// Reads one item (`place` names it in errors, e.g. `items[2]`).
    public init(json: IssuanceJSON, place: String) throws(IssuanceBodyError) {
        let reader = FieldReader(json: json, place: place)
        try reader.requireObject()
        id = try reader.text("id", required: true)!
        name = try reader.text("name")
        number = try reader.text("number")
        quantity = try reader.whole("quantity") ?? 1
        baseAmount = try reader.money("baseAmount")
        finalAmount = try reader.money("finalAmount")
        departmentId = try reader.text("departmentId")
        categoryId = try reader.text("categoryId")
    }
}

/// One line of miles: what a partner-calculated request carries, and what every answer returns.
public struct IssuanceLine: Sendable, Hashable {
    public var issuanceOfferCode: String
    public var offerId: String?
    public var offerDescription: String?
    public var milesAmount: Int
    public var contributingItemIds: [String]
    public var locationCode: String?

    public init(
        issuanceOfferCode: String, offerId: String? = nil, offerDescription: String? = nil, milesAmount: Int,
        contributingItemIds: [String] = [], locationCode: String? = nil
    ) {
        self.issuanceOfferCode = issuanceOfferCode
        self.offerId = offerId
        self.offerDescription = offerDescription
        self.milesAmount = milesAmount
        self.contributingItemIds = contributingItemIds
        self.locationCode = locationCode
    }

    public var json: IssuanceJSON {
        var fields: [String: IssuanceJSON] = [
            "issuanceOfferCode": .string(issuanceOfferCode), "milesAmount": .number(String(milesAmount)),
            "contributingItemIds": .array(contributingItemIds.map { .string($0) }),
        ]
        if let offerId { fields["offerId"] = .string(offerId) }
        if let offerDescription { fields["offerDescription"] = .string(offerDescription) }
        if let locationCode { fields["locationCode"] = .string(locationCode) }
        return .object(fields)
    }

    public init(json: IssuanceJSON, place: String) throws(IssuanceBodyError) {
        let reader = FieldReader(json: json, place: place)
        try reader.requireObject()
        issuanceOfferCode = try reader.text("issuanceOfferCode") ?? "STANDARD"
        offerId = try reader.text("offerId")
        offerDescription = try reader.text("offerDescription")
        guard let miles = try reader.whole("milesAmount", required: true) else { throw reader.problem("milesAmount", "is required") }
        milesAmount = miles
        contributingItemIds = try reader.texts("contributingItemIds")
        locationCode = try reader.text("locationCode")
    }
}

/// The body of CALCULATE, ISSUE, RETURN, RECORD (and, with `issuances`, the partner-calculated calls).
/// Money is integer cents here and a JSON number with two decimals on the wire.
public struct IssuanceRequestBody: Sendable, Hashable {
    public var basketPreTaxAmount: Money
    public var basketPostTaxAmount: Money
    public var basketGSTAmount: Money?
    public var basketPSTAmount: Money?
    public var basketHSTAmount: Money?
    public var basketQSTAmount: Money?
    public var checkoutDateTime: String?
    public var checkoutTransactionId: String?
    public var collectorNumber: String?
    public var deviceId: String?
    public var context: [String: String]
    public var coupon: [String]
    public var items: [IssuanceItem]
    /// Decision (RETURN): the sale being returned (`IssuanceDecisions.originalTransactionField`).
    public var originalCheckoutTransactionId: String?
    /// Partner-calculated calls: the miles the partner computed.
    public var issuances: [IssuanceLine]

    public init(
        basketPreTaxAmount: Money, basketPostTaxAmount: Money, checkoutDateTime: String? = nil, checkoutTransactionId: String? = nil,
        collectorNumber: String? = nil, deviceId: String? = nil, context: [String: String] = [:], coupon: [String] = [],
        items: [IssuanceItem] = [], originalCheckoutTransactionId: String? = nil, issuances: [IssuanceLine] = []
    ) {
        self.basketPreTaxAmount = basketPreTaxAmount
        self.basketPostTaxAmount = basketPostTaxAmount
        self.checkoutDateTime = checkoutDateTime
        self.checkoutTransactionId = checkoutTransactionId
        self.collectorNumber = collectorNumber
        self.deviceId = deviceId
        self.context = context
        self.coupon = coupon
        self.items = items
        self.originalCheckoutTransactionId = originalCheckoutTransactionId
        self.issuances = issuances
    }

    public var json: IssuanceJSON {
        func money(_ value: Money) -> IssuanceJSON { .number(IssuanceMoney.literal(cents: value.cents)) }
        var fields: [String: IssuanceJSON] = [
            "basketPreTaxAmount": money(basketPreTaxAmount), "basketPostTaxAmount": money(basketPostTaxAmount),
        ]
        if let basketGSTAmount { fields["basketGSTAmount"] = money(basketGSTAmount) }
        if let basketPSTAmount { fields["basketPSTAmount"] = money(basketPSTAmount) }
        if let basketHSTAmount { fields["basketHSTAmount"] = money(basketHSTAmount) }
        if let basketQSTAmount { fields["basketQSTAmount"] = money(basketQSTAmount) }
        if let checkoutDateTime { fields["checkoutDateTime"] = .string(checkoutDateTime) }
        if let checkoutTransactionId { fields["checkoutTransactionId"] = .string(checkoutTransactionId) }
        if let collectorNumber { fields["collectorNumber"] = .string(collectorNumber) }
        if let deviceId { fields["deviceId"] = .string(deviceId) }
        if !context.isEmpty { fields["context"] = .object(context.mapValues { .string($0) }) }
        if !coupon.isEmpty { fields["coupon"] = .array(coupon.map { .string($0) }) }
        if !items.isEmpty { fields["items"] = .array(items.map(\.json)) }
        if let originalCheckoutTransactionId { fields[IssuanceDecisions.originalTransactionField] = .string(originalCheckoutTransactionId) }
        if !issuances.isEmpty { fields["issuances"] = .array(issuances.map(\.json)) }
        return .object(fields)
    }

    /// Reads a body; `basketAmountsRequired` is false for the partner-calculated calls, which carry lines.
    public init(json: IssuanceJSON, basketAmountsRequired: Bool = true) throws(IssuanceBodyError) {
        let reader = FieldReader(json: json, place: nil)
        try reader.requireObject()
        basketPreTaxAmount = try reader.money("basketPreTaxAmount", required: basketAmountsRequired) ?? .zero
        basketPostTaxAmount = try reader.money("basketPostTaxAmount", required: basketAmountsRequired) ?? .zero
        basketGSTAmount = try reader.money("basketGSTAmount")
        basketPSTAmount = try reader.money("basketPSTAmount")
        basketHSTAmount = try reader.money("basketHSTAmount")
        basketQSTAmount = try reader.money("basketQSTAmount")
        checkoutDateTime = try reader.text("checkoutDateTime")
        checkoutTransactionId = try reader.text("checkoutTransactionId")
        collectorNumber = try reader.text("collectorNumber")
        if let number = collectorNumber, !(1...19).contains(number.count) || !number.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw reader.problem("collectorNumber", "must be 1 to 19 digits")
        }
        deviceId = try reader.text("deviceId")
        switch json["context"] {
        case nil, .null?: context = [:]
        case .object(let fields)?:
            var values: [String: String] = [:]
            for (key, value) in fields {
                guard case .string(let text) = value else { throw reader.problem("context.\(key)", "must be a string") }
                values[key] = text
            }
            context = values
        default: throw reader.problem("context", "must be an object of strings")
        }
        if case .string(let single)? = json["coupon"] {
            coupon = [single]
        } else {
            coupon = try reader.texts("coupon")
        }
        items = try reader.list("items", of: "items", IssuanceItem.init(json:place:))
        originalCheckoutTransactionId = try reader.text(IssuanceDecisions.originalTransactionField)
        issuances = try reader.list("issuances", of: "issuance lines", IssuanceLine.init(json:place:))
    }
}

/// The answer to an Issuance call. Decision: the documentation shows no response body; this one is in
/// the style of AM Cash (`IssuanceDecisions`). Provisional, to confirm with AIR MILES.
public struct IssuanceReplyBody: Sendable, Hashable {
    public var responseCode: String?
    public var message: String?
    public var checkoutTransactionId: String?
    public var confirmationNumber: String?
    public var issuances: [IssuanceLine]
    public var totalMiles: Int?
    /// `ISSUED`, `PENDING` (or `RECORDED`).
    public var status: String?

    public init(
        responseCode: String?, message: String?, checkoutTransactionId: String? = nil, confirmationNumber: String? = nil,
        issuances: [IssuanceLine] = [], totalMiles: Int? = nil, status: String? = nil
    ) {
        self.responseCode = responseCode
        self.message = message
        self.checkoutTransactionId = checkoutTransactionId
        self.confirmationNumber = confirmationNumber
        self.issuances = issuances
        self.totalMiles = totalMiles
        self.status = status
    }

    public var json: IssuanceJSON {
        var fields: [String: IssuanceJSON] = [:]
        if let responseCode { fields["responseCode"] = .string(responseCode) }
        if let message { fields["message"] = .string(message) }
        if let checkoutTransactionId { fields["checkoutTransactionId"] = .string(checkoutTransactionId) }
        if let confirmationNumber { fields["confirmationNumber"] = .string(confirmationNumber) }
        if !issuances.isEmpty { fields["issuances"] = .array(issuances.map(\.json)) }
        if let totalMiles { fields["totalMiles"] = .number(String(totalMiles)) }
        if let status { fields["status"] = .string(status) }
        return .object(fields)
    }

    public init(json: IssuanceJSON) throws(IssuanceBodyError) {
        let reader = FieldReader(json: json, place: nil)
        try reader.requireObject()
        responseCode = try reader.text("responseCode")
        message = try reader.text("message")
        checkoutTransactionId = try reader.text("checkoutTransactionId")
        confirmationNumber = try reader.text("confirmationNumber")
        totalMiles = try reader.whole("totalMiles", allowNegative: true)
        status = try reader.text("status")
        issuances = try reader.list("issuances", of: "issuance lines", IssuanceLine.init(json:place:))
    }
}

/// Reads typed fields of one JSON object, naming the field's path in every error.
struct FieldReader {
    let json: IssuanceJSON
    let place: String?

    func problem(_ field: String, _ reason: String) -> IssuanceBodyError {
        IssuanceBodyError(field: place.map { "\($0).\(field)" } ?? field, reason: reason)
    }

    func requireObject() throws(IssuanceBodyError) {
        guard case .object = json else { throw IssuanceBodyError(field: place, reason: "must be a JSON object") }
    }

    func text(_ field: String, required: Bool = false) throws(IssuanceBodyError) -> String? {
        switch json[field] {
        case nil, .null?:
            if required { throw problem(field, "is required") }
            return nil
        case .string(let value)?:
            guard value.count <= 200 else { throw problem(field, "is longer than 200 characters") }
            return value
        // Lenient: an id written as a number is read as its digits.
        case .number(let literal)? where literal.allSatisfy({ $0.isASCII && $0.isNumber }): return literal
        default: throw problem(field, "must be a string")
        }
    }

    func texts(_ field: String) throws(IssuanceBodyError) -> [String] {
        switch json[field] {
        case nil, .null?: return []
        case .array(let values)?:
            var out: [String] = []
            for value in values {
                guard case .string(let text) = value else { throw problem(field, "must be a list of strings") }
                out.append(text)
            }
            return out
        default: throw problem(field, "must be a list of strings")
        }
    }

    /// A list of objects, each read with its place (`items[2]`); absent or null is an empty list.
    func list<Element>(
        _ field: String, of what: String, _ read: (IssuanceJSON, String) throws(IssuanceBodyError) -> Element
    ) throws(IssuanceBodyError) -> [Element] {
        switch json[field] {
        case nil, .null?: return []
        case .array(let values)?:
            var elements: [Element] = []
            for (index, value) in values.enumerated() { elements.append(try read(value, "\(field)[\(index)]")) }
            return elements
        default: throw problem(field, "must be a list of \(what)")
        }
    }

    func money(_ field: String, required: Bool = false) throws(IssuanceBodyError) -> Money? {
        switch json[field] {
        case nil, .null?:
            if required { throw problem(field, "is required (a JSON number such as 24.97)") }
            return nil
        case .number(let literal)?:
            guard let cents = IssuanceMoney.cents(literal: literal) else {
                throw problem(field, "\(literal.prefix(30)) is not an amount (at most two decimals, no exponent)")
            }
            guard cents >= 0 else { throw problem(field, "must not be negative") }
            return Money(cents: cents)
        case .string?: throw problem(field, "must be a JSON number such as 24.97, not a string")
        default: throw problem(field, "must be a JSON number such as 24.97")
        }
    }

    func whole(_ field: String, required: Bool = false, allowNegative: Bool = false) throws(IssuanceBodyError) -> Int? {
        switch json[field] {
        case nil, .null?:
            if required { throw problem(field, "is required") }
            return nil
        case .number(let literal)?:
            var digits = Substring(literal)
            if allowNegative, digits.first == "-" { digits = digits.dropFirst() }
            guard (1...12).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(literal) else {
                throw problem(field, "must be a whole number")
            }
            return value
        default: throw problem(field, "must be a whole number")
        }
    }
}

/// How one Issuance call went: the host's status and body, or nothing usable (not sent, or unknown).
public enum IssuanceExchange: Sendable, Equatable {
    case answered(status: Int, body: Data)
    /// Nothing reached the host.
    case notSent(HostFailure)
    /// It may have reached the host; the answer was lost.
    case unknown(HostFailure)
}

/// One prepared Issuance call: the exact bytes and the key sent on every resend.
public typealias IssuanceCall = PreparedRequest<IssuanceOperation>

/// The Issuance half of the AIR MILES host, as the till sees it (HostClient, or a test's host).
public protocol IssuanceHost: Sendable {
    func issuance(_ call: IssuanceCall) async -> IssuanceExchange
}
