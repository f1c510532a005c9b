public import AMCashDomain
public import Foundation

/// A sale as the store's register pushes it (`POST /v1/sales`): its own id and the basket's totals.
/// The console shows it with the basket filled in; the register later reads the outcome under `saleId`.
public struct RegisterSale: Sendable, Hashable {
    /// The register's id for the sale: 1 to 36 characters, no control characters.
    public let saleId: String
    /// The basket's total after taxes (the host's `postTaxAmount`).
    public let postTaxTotal: Money
    public let preTaxTotal: Money?
    /// The sale's language (`en-CA` or `fr-CA`); nil: the console's.
    public let language: Language?

    public init(saleId: String, postTaxTotal: Money, preTaxTotal: Money? = nil, language: Language? = nil) {
        self.saleId = saleId
        self.postTaxTotal = postTaxTotal
        self.preTaxTotal = preTaxTotal
        self.language = language
    }

    public static let maximumSaleIdLength = 36

    /// Why a sale id is refused, or nil when it is a good one.
    public static func problem(withSaleId saleId: String) -> String? {
        if saleId.isEmpty { return "saleId is empty" }
        if saleId.count > maximumSaleIdLength { return "saleId has \(saleId.count) characters (at most \(maximumSaleIdLength))" }
        if let bad = saleId.unicodeScalars.first(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            return "saleId contains a control character (U+\(String(bad.value, radix: 16, uppercase: true)))"
        }
        return nil
    }

    /// Reads a request body: a JSON object with `saleId`, `postTaxTotal` (a decimal string), and
    /// optionally `preTaxTotal` and `language`. Anything else is refused with what and where.
    public init(json body: Data) throws(RegisterRequestError) {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .badRequest("the body is not a JSON object")
        }
        let known: Set<String> = ["saleId", "postTaxTotal", "preTaxTotal", "language"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) { throw .badRequest("unknown field \(unknown)") }
        guard let saleId = object["saleId"] as? String else { throw .badRequest("saleId: a string is required") }
        if let problem = Self.problem(withSaleId: saleId) { throw .badRequest(problem) }
        func amount(_ key: String) throws(RegisterRequestError) -> Money? {
            guard let value = object[key] else { return nil }
            guard let text = value as? String else { throw .badRequest("\(key): a decimal string such as \"43.35\" is required, not a JSON number") }
            do { return try Money(parsing: text) } catch { throw .badRequest("\(key): \(error)") }
        }
        guard let total = try amount("postTaxTotal") else { throw .badRequest("postTaxTotal: a decimal string such as \"43.35\" is required") }
        if total.cents <= 0 { throw .badRequest("postTaxTotal: must be more than 0.00") }
        let preTax = try amount("preTaxTotal")
        if let preTax, preTax.cents > total.cents {
            throw .badRequest("preTaxTotal: \(preTax.decimalString) is more than postTaxTotal \(total.decimalString)")
        }
        var language: Language?
        if let value = object["language"] {
            guard let text = value as? String, let parsed = Language(rawValue: text) else { throw .badRequest("language: en-CA or fr-CA") }
            language = parsed
        }
        self.init(saleId: saleId, postTaxTotal: total, preTaxTotal: preTax, language: language)
    }
}

/// A request the register API refuses, with the HTTP status it answers and a message naming what is wrong.
public enum RegisterRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    case badRequest(String)
    case conflict(String, inProgress: String?)
    case notFound(String)

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .conflict: 409
        case .notFound: 404
        }
    }

    public var code: String {
        switch self {
        case .badRequest: "bad-request"
        case .conflict: "conflict"
        case .notFound: "not-found"
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let message), .conflict(let message, _), .notFound(let message): message
        }
    }
}
