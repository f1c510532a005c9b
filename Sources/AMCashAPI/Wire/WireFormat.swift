import AMCashDomain
import Foundation

/// The few formatting rules of the wire that are not in the schema: how a date-time is written
/// and how a body is encoded so that the same request always gives the same bytes.
enum WireFormat {
    /// `2026-11-27T13:32:00-0500`: Toronto wall-clock time with its offset, as the documentation shows.
    static func dateTime(_ instant: Date) -> String {
        let zone = ProgramDay.zone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        let offsetMinutes = zone.secondsFromGMT(for: instant) / 60
        let sign = offsetMinutes < 0 ? "-" : "+"
        let absolute = abs(offsetMinutes)
        return "\(pad(parts.year!, 4))-\(pad(parts.month!))-\(pad(parts.day!))T\(pad(parts.hour!)):\(pad(parts.minute!)):\(pad(parts.second!))"
            + "\(sign)\(pad(absolute / 60))\(pad(absolute % 60))"
    }

    /// Encodes with sorted keys and no escaped slashes: stable bytes for the same value.
    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The generated schema types only hold strings and enums; encoding them cannot fail.
        return try! encoder.encode(value)
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
