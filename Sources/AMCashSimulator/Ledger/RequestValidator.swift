import AMCashContract
import AMCashDomain

/// Checks the fields the generated types cannot: the documented formats. A bad field is
/// answered with 0035 and a message naming it, as the real host does.
enum RequestValidator {
    static func problem(in request: Components.Schemas.InquireRequest) -> String? {
        common(request.sponsorCode, request.storeId, request.deviceId, request.vendorId, request.acquirerId, request.traceId,
               request.dateTime, request.collectorNumber)
            ?? amountProblem(request.postTaxBasketAmount, field: "postTaxBasketAmount", required: true)
    }

    static func problem(in request: Components.Schemas.RedeemRequest) -> String? {
        common(request.sponsorCode, request.storeId, request.deviceId, request.vendorId, request.acquirerId, request.traceId,
               request.dateTime, request.collectorNumber)
            ?? amountProblem(request.postTaxBasketAmount, field: "postTaxBasketAmount", required: true)
            ?? amountProblem(request.dollarRedeemRequest, field: "dollarRedeemRequest", required: true)
            ?? amountProblem(request.originalPostTaxBasketAmount, field: "originalPostTaxBasketAmount", required: false)
            ?? amountProblem(request.originalPreTaxAmount, field: "originalPreTaxAmount", required: false)
    }

    static func problem(in request: Components.Schemas.ReverseRequest) -> String? {
        common(request.sponsorCode, request.storeId, request.deviceId, request.vendorId, request.acquirerId, request.traceId,
               request.dateTime, request.collectorNumber)
    }

    private static func common(_ sponsor: String, _ store: String, _ device: String, _ vendor: String, _ acquirer: String,
                               _ trace: String, _ dateTime: String, _ collector: String) -> String? {
        check(sponsorCode: sponsor, storeId: store, deviceId: device, vendorId: vendor, acquirerId: acquirer, traceId: trace,
              dateTime: dateTime) ?? collectorProblem(collector)
    }

    static func check(sponsorCode: String, storeId: String, deviceId: String, vendorId: String, acquirerId: String?,
                      traceId: String, dateTime: String?) -> String? {
        if let problem = identityProblem(sponsorCode, storeId, deviceId, vendorId, acquirerId ?? "1") { return problem }
        if !(traceId.count == 12 && digits(traceId)) { return "traceId must be 12 digits" }
        if let dateTime, !isDateTime(dateTime) { return "dateTime must be ISO 8601 with an offset" }
        return nil
    }

    static func collectorProblem(_ number: String) -> String? {
        (1...19).contains(number.count) && digits(number) ? nil : "collectorNumber must be digits only"
    }

    static func amountProblem(_ text: String?, field: String, required: Bool) -> String? {
        guard let text else { return required ? "\(field) is required" : nil }
        do { _ = try Money(parsing: text); return nil } catch { return "\(field): \(error.description)" }
    }

    private static func identityProblem(_ sponsor: String, _ store: String, _ device: String, _ vendor: String, _ acquirer: String) -> String? {
        do {
            _ = try TerminalIdentity(sponsorCode: sponsor, storeId: store, deviceId: device, vendorId: vendor, acquirerId: acquirer)
            return nil
        } catch {
            return error.description
        }
    }

    private static func digits(_ text: String) -> Bool { text.allSatisfy { $0.isASCII && $0.isNumber } }

    private static func isDateTime(_ text: String) -> Bool {
        // 2026-11-27T13:32:00-0500, -05:00 or Z
        let characters = Array(text)
        guard characters.count >= 20 else { return false }
        let shape = "dddd-dd-ddTdd:dd:dd"
        for (index, expected) in shape.enumerated() {
            let character = characters[index]
            if expected == "d" { if !(character.isASCII && character.isNumber) { return false } } else if character != expected { return false }
        }
        let zone = String(characters[19...])
        if zone == "Z" { return true }
        guard let sign = zone.first, sign == "+" || sign == "-" else { return false }
        let rest = zone.dropFirst().filter { $0 != ":" }
        return rest.count == 4 && digits(String(rest))
    }
}

/// The three answers that carry a response code and a message, so the ledger sets them one way.
protocol HostResponseBody {
    var responseCode: String { get set }
    var message: String? { get set }
}

extension Components.Schemas.InquireResponse: HostResponseBody {}
extension Components.Schemas.RedeemResponse: HostResponseBody {}
extension Components.Schemas.ReverseResponse: HostResponseBody {}
