import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation

/// The few formatting rules of the wire that are not in the schema: how a date-time is written
/// and how a body is encoded so that the same request always gives the same bytes.
enum WireFormat {
    /// `2026-11-27T13:32:00-0500`: Toronto wall-clock time with its offset, as the documentation shows.
    static func dateTime(_ instant: Date) -> String {
        TorontoTime.iso8601(instant, offsetColon: false)
    }

    /// Encodes with sorted keys and no escaped slashes: stable bytes for the same value.
    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The generated schema types only hold strings and enums; encoding them cannot fail.
        return try! encoder.encode(value)
    }
}
