/// Who is asking: the identifiers AIR MILES gives the partner and the partner gives the terminal.
/// Every request carries them; each is checked against the documented format when it is made.
public struct TerminalIdentity: Sendable, Hashable, Codable {
    /// `sponsorCode`: partner code from AIR MILES, 4 letters or digits (`LOY1`).
    public let sponsorCode: String
    /// `storeId`: the partner's location, 4 digits (`0001`).
    public let storeId: String
    /// `deviceId`: the POS terminal, 3 digits (`001`).
    public let deviceId: String
    /// `vendorId`: the partner for settlement, up to 35 digits.
    public let vendorId: String
    /// `acquirerId`: the sending party, up to 11 digits.
    public let acquirerId: String

    public init(sponsorCode: String, storeId: String, deviceId: String, vendorId: String, acquirerId: String)
        throws(TerminalIdentityError)
    {
        try Self.check("sponsorCode", sponsorCode, lengths: 4...4, allowed: \.isASCIIAlphanumeric, what: "4 letters or digits")
        try Self.check("storeId", storeId, lengths: 4...4, allowed: \.isASCIIDigit, what: "4 digits")
        try Self.check("deviceId", deviceId, lengths: 3...3, allowed: \.isASCIIDigit, what: "3 digits")
        try Self.check("vendorId", vendorId, lengths: 1...35, allowed: \.isASCIIDigit, what: "1 to 35 digits")
        try Self.check("acquirerId", acquirerId, lengths: 1...11, allowed: \.isASCIIDigit, what: "1 to 11 digits")
        self.sponsorCode = sponsorCode
        self.storeId = storeId
        self.deviceId = deviceId
        self.vendorId = vendorId
        self.acquirerId = acquirerId
    }

    /// The card terminal id of the reconciliation file: sponsor, store and device together.
    public var cardTerminalId: String { sponsorCode + storeId + deviceId }

    /// The identity of the built-in CERT simulator's training terminal.
    public static let training = try! TerminalIdentity(
        sponsorCode: "LOY1", storeId: "0001", deviceId: "001", vendorId: "1000000001", acquirerId: "100001")

    private static func check(
        _ field: String, _ value: String, lengths: ClosedRange<Int>,
        allowed: (Character) -> Bool, what: String
    ) throws(TerminalIdentityError) {
        guard lengths.contains(value.count), value.allSatisfy(allowed) else {
            throw TerminalIdentityError(field: field, value: value, expected: what)
        }
    }
}

/// A terminal identifier that does not have the documented format.
public struct TerminalIdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let value: String
    public let expected: String
    public var description: String { "\(field) must be \(expected), got \"\(value)\"" }
}

/// The terminal's trace number for one transaction: 12 digits, increasing, unique per terminal.
public struct TraceId: Sendable, Hashable, Comparable, WireStringRepresentable, CustomStringConvertible {
    public static let digits = 12
    public static let largest = 999_999_999_999

    public let value: Int

    public init(_ value: Int) throws(NumberParseError) {
        guard (1...TraceId.largest).contains(value) else {
            throw NumberParseError(field: "traceId", text: String(value))
        }
        self.value = value
    }

    public init(parsing text: String) throws(NumberParseError) {
        guard text.count == TraceId.digits else { throw NumberParseError(field: "traceId", text: text) }
        try self.init(try NumberParseError.wholeNumber(text, field: "traceId"))
    }

    /// The next trace number; after 999999999999 it wraps to 000000000001.
    public var next: TraceId { try! TraceId(value == TraceId.largest ? 1 : value + 1) }

    /// The 12-digit form the host expects, zero-padded (`000000000042`).
    public var description: String {
        zeroPadded(value, width: TraceId.digits)
    }

    public static func < (lhs: TraceId, rhs: TraceId) -> Bool { lhs.value < rhs.value }

    public init(wireString: String) throws { try self.init(parsing: wireString) }
    public var wireString: String { description }
}

extension Character {
    var isASCIIAlphanumeric: Bool { isASCII && (isLetter || isWholeNumber) }
}
