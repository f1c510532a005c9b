import AMCashContract
import AMCashDomain

/// Checks the fields the generated types cannot: the documented formats, every generation of them
/// the partner documentation shows (legacy field names, `cardEntryMode` in any case, a 2-digit
/// `deviceId`, `dateTime` with milliseconds or a `-04:00` offset). A bad field is answered with 0035
/// and a message naming it, as the real host does.
enum RequestValidator {
    static func problem(in request: Components.Schemas.InquireRequest) -> String? {
        common(
            request.sponsorCode, request.storeId, request.deviceId, request.vendorId, request.acquirerId, request.traceId,
            request.dateTime, request.collectorNumber, request.cardEntryMode)
            ?? amountProblem(request.postTaxBasketAmount, field: "postTaxBasketAmount", required: true)
    }

    static func problem(in request: Components.Schemas.RedeemRequest) -> String? {
        common(
            request.sponsorCode, request.storeId, request.deviceId, request.vendorId, request.acquirerId, request.traceId,
            request.dateTime, request.collectorNumber, request.cardEntryMode)
            ?? amountProblem(request.postTaxBasketAmount, field: "postTaxBasketAmount", required: true)
            ?? amountProblem(request.dollarRedeemRequest, field: "dollarRedeemRequest", required: true)
            ?? amountProblem(request.originalPostTaxBasketAmount, field: "originalPostTaxBasketAmount", required: false)
            ?? amountProblem(request.originalPreTaxAmount, field: "originalPreTaxAmount", required: false)
            ?? amountProblem(request.preTaxBasketAmount, field: "preTaxBasketAmount", required: false)
    }

    static func problem(in request: Components.Schemas.ReverseRequest) -> String? {
        common(
            request.sponsorCode, request.storeId, request.deviceId, request.vendorId, request.acquirerId, request.traceId,
            request.dateTime, request.collectorNumber, request.cardEntryMode)
    }

    /// The entry mode, compared without case as the host does (`Scan`, `scan`, `SCAN`).
    static func entryMode(_ text: String) -> CardEntryMode? { CardEntryMode(rawValue: text.uppercased()) }

    private static func common(
        _ sponsor: String, _ store: String, _ device: String, _ vendor: String, _ acquirer: String,
        _ trace: String, _ dateTime: String, _ collector: String, _ mode: String
    ) -> String? {
        check(
            sponsorCode: sponsor, storeId: store, deviceId: device, vendorId: vendor, acquirerId: acquirer, traceId: trace,
            dateTime: dateTime)
            ?? collectorProblem(collector)
            ?? (entryMode(mode) == nil ? "cardEntryMode must be SWIPE, SCAN or MANUAL" : nil)
    }

    static func check(
        sponsorCode: String, storeId: String, deviceId: String, vendorId: String, acquirerId: String?,
        traceId: String, dateTime: String?
    ) -> String? {
        if !(sponsorCode.count == 4 && sponsorCode.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            return "sponsorCode must be 4 letters or digits"
        }
        if !(storeId.count == 4 && digits(storeId)) { return "storeId must be 4 digits" }
        // Legacy samples send a 2-digit deviceId ("01"); the host takes it.
        if !((2...3).contains(deviceId.count) && digits(deviceId)) { return "deviceId must be 3 digits" }
        if !((1...35).contains(vendorId.count) && digits(vendorId)) { return "vendorId must be 1 to 35 digits" }
        if let acquirerId, !((1...11).contains(acquirerId.count) && digits(acquirerId)) { return "acquirerId must be 1 to 11 digits" }
        if !(traceId.count == 12 && digits(traceId)) { return "traceId must be 12 digits" }
        if let dateTime, !isDateTime(dateTime) { return "dateTime must be ISO 8601 with an offset" }
        return nil
    }

    static func collectorProblem(_ number: String) -> String? {
        (1...19).contains(number.count) && digits(number) ? nil : "collectorNumber must be digits only"
    }

    static func amountProblem(_ text: String?, field: String, required: Bool) -> String? {
        guard let text else { return required ? "\(field) is required" : nil }
        do {
            _ = try Money(parsing: text)
            return nil
        } catch { return "\(field): \(HostText.sanitised(error.description, limit: 80))" }
    }

    private static func digits(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) } }

    /// 2026-11-27T13:32:00-0500, with optional milliseconds (`.123`), an offset written `-05:00`, or `Z`.
    static func isDateTime(_ text: String) -> Bool {
        let characters = Array(text.utf8)
        guard characters.count >= 20 else { return false }
        let shape = Array("dddd-dd-ddTdd:dd:dd".utf8)
        for (index, expected) in shape.enumerated() {
            let character = characters[index]
            if expected == UInt8(ascii: "d") { if !(0x30...0x39).contains(character) { return false } } else if character != expected { return false }
        }
        var rest = characters[19...]
        if rest.first == UInt8(ascii: ".") {
            let fraction = rest.dropFirst().prefix { (0x30...0x39).contains($0) }
            guard (1...9).contains(fraction.count) else { return false }
            rest = rest.dropFirst(1 + fraction.count)
        }
        if rest.elementsEqual("Z".utf8) { return true }
        guard let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return false }
        let zone = Array(rest.dropFirst())
        let zoneDigits = zone.count == 5 && zone[2] == UInt8(ascii: ":") ? Array(zone[0..<2] + zone[3..<5]) : zone
        return zoneDigits.count == 4 && zoneDigits.allSatisfy { (0x30...0x39).contains($0) }
    }
}
