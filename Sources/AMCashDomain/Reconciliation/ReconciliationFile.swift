/// The daily reconciliation file AIR MILES sends the partner, as this project lays it out.
///
/// The partner documentation gives the shape (plain ASCII, one record a line, fields separated by
/// `%%`, no padding, 2 header records, details, 2 trailer records) but not the columns, which are
/// handed out at onboarding. This type is the **one place** the columns are defined; change them
/// here once the partner's AIR MILES team confirms the real layout.
///
///     H1%%AMCASHRECON%%1%%LOY1%%20261128
///     H2%%2026-11-27T00:00:00-05:00%%2026-11-28T00:00:00-05:00%%2026-11-27
///     D%%REDEEM%%2026-11-27T13:32:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000042%%81000000001%%4%%380%%40.00%%RD0000000001%%
///     D%%REVERSE%%2026-11-27T13:40:00-05:00%%LOY1%%0001%%001%%LOY10001001%%000000000043%%81000000001%%4%%380%%40.00%%RV0000000002%%RD0000000001
///     T1%%2%%1%%1
///     T2%%380%%40.00%%380%%40.00
public enum ReconciliationLayout {
    public static let separator = "%%"
    public static let fileType = "AMCASHRECON"
    public static let layoutVersion = "1"

    public enum RecordType: String, Sendable, CaseIterable {
        case header1 = "H1", header2 = "H2", detail = "D", trailer1 = "T1", trailer2 = "T2"

        /// How many fields a record of this type has, the type itself included.
        public var fieldCount: Int {
            switch self {
            case .header1: 5
            case .header2: 4
            case .detail: ReconciliationLayout.detailColumns.count
            case .trailer1: 4
            case .trailer2: 5
            }
        }
    }

    /// The detail record's columns, in order.
    public static let detailColumns = [
        "recordType", "transactionType", "hostDateTime", "sponsorCode", "storeId", "deviceId", "cardTerminalId",
        "traceId", "collectorNumber", "units", "miles", "dollars", "confirmationNumber", "originalConfirmationNumber",
    ]
}

/// REDEEM or REVERSE: the only transactions the file lists.
public enum ReconciliationTransactionType: String, Sendable, CaseIterable, Codable {
    case redeem = "REDEEM"
    case reverse = "REVERSE"
}

/// One successful REDEEM or REVERSE as the host recorded it.
///
/// A file's million details are made one a record and most are only compared: the fields nothing
/// compares get no `String` of their own. The host's date-time (25 bytes: a `String` that long is a
/// heap allocation) is held as its bytes in four words; sponsor, store and device as the card terminal
/// id they make (compared with the journal's) and where it splits.
public struct ReconciliationDetail: Sendable, Hashable {
    public let type: ReconciliationTransactionType
    /// The host's date-time, ISO 8601 with offset.
    public var hostDateTime: String {
        if let hostText { return hostText }
        return withUnsafeBytes(of: hostWords) { String(decoding: $0.prefix(hostLength), as: UTF8.self) }
    }
    /// Sponsor, store and device together.
    public let cardTerminalId: String
    public var sponsorCode: String { String(decoding: cardTerminalId.utf8.prefix(sponsorLength), as: UTF8.self) }
    public var storeId: String { String(decoding: cardTerminalId.utf8.dropFirst(sponsorLength).prefix(storeLength), as: UTF8.self) }
    public var deviceId: String { String(decoding: cardTerminalId.utf8.dropFirst(sponsorLength + storeLength), as: UTF8.self) }
    public let traceId: String
    /// The full number, as the host's file carries it; every report masks it.
    public let collectorNumber: String
    public let units: Units
    public let miles: Miles
    public let money: Money
    public let confirmationNumber: String
    /// For a reversal, the confirmation number of the redemption it reverses.
    public let originalConfirmationNumber: String?

    /// The host's date-time's bytes (up to 32, zero after `hostLength`), or nil words and the whole text when longer.
    private let hostWords: HostWords
    private let hostLength: Int
    private let hostText: String?
    /// Where `cardTerminalId` splits: the sponsor code's and the store id's lengths in bytes.
    private let sponsorLength: Int
    private let storeLength: Int

    private struct HostWords: Sendable, Hashable {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
    }

    public init(
        type: ReconciliationTransactionType, hostDateTime: String, sponsorCode: String, storeId: String, deviceId: String,
        traceId: String, collectorNumber: String, units: Units, miles: Miles, money: Money, confirmationNumber: String,
        originalConfirmationNumber: String?
    ) {
        var host = hostDateTime
        let words = host.withUTF8 { Self.words(UnsafeRawBufferPointer($0)) }
        self.init(
            type: type, hostWords: words ?? HostWords(), hostLength: words == nil ? 0 : host.utf8.count,
            hostText: words == nil ? hostDateTime : nil, cardTerminalId: sponsorCode + storeId + deviceId,
            sponsorLength: sponsorCode.utf8.count, storeLength: storeId.utf8.count, traceId: traceId, collectorNumber: collectorNumber,
            units: units, miles: miles, money: money, confirmationNumber: confirmationNumber,
            originalConfirmationNumber: originalConfirmationNumber)
    }

    /// From a record's bytes (the parser's): the date-time as bytes, the card terminal id already joined.
    init(
        type: ReconciliationTransactionType, hostDateTime: UnsafeBufferPointer<UInt8>, cardTerminalId: String, sponsorLength: Int,
        storeLength: Int, traceId: String, collectorNumber: String, units: Units, miles: Miles, money: Money, confirmationNumber: String,
        originalConfirmationNumber: String?
    ) {
        let words = Self.words(UnsafeRawBufferPointer(hostDateTime))
        self.init(
            type: type, hostWords: words ?? HostWords(), hostLength: words == nil ? 0 : hostDateTime.count,
            hostText: words == nil ? String(decoding: hostDateTime, as: UTF8.self) : nil, cardTerminalId: cardTerminalId,
            sponsorLength: sponsorLength, storeLength: storeLength, traceId: traceId, collectorNumber: collectorNumber, units: units,
            miles: miles, money: money, confirmationNumber: confirmationNumber, originalConfirmationNumber: originalConfirmationNumber)
    }

    private init(
        type: ReconciliationTransactionType, hostWords: HostWords, hostLength: Int, hostText: String?, cardTerminalId: String,
        sponsorLength: Int, storeLength: Int, traceId: String, collectorNumber: String, units: Units, miles: Miles, money: Money,
        confirmationNumber: String, originalConfirmationNumber: String?
    ) {
        self.type = type
        self.hostWords = hostWords
        self.hostLength = hostLength
        self.hostText = hostText
        self.cardTerminalId = cardTerminalId
        self.sponsorLength = sponsorLength
        self.storeLength = storeLength
        self.traceId = traceId
        self.collectorNumber = collectorNumber
        self.units = units
        self.miles = miles
        self.money = money
        self.confirmationNumber = confirmationNumber
        self.originalConfirmationNumber = originalConfirmationNumber
    }

    /// Up to 32 bytes in four words (the rest zero), or nil when longer.
    private static func words(_ bytes: UnsafeRawBufferPointer) -> HostWords? {
        guard bytes.count <= MemoryLayout<HostWords>.size else { return nil }
        var words = HostWords()
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        return words
    }

    /// The detail record, without a line end.
    public var record: String {
        [
            ReconciliationLayout.RecordType.detail.rawValue, type.rawValue, hostDateTime, sponsorCode, storeId, deviceId, cardTerminalId,
            traceId, collectorNumber, String(units.count), String(miles.value), money.decimalString, confirmationNumber,
            originalConfirmationNumber ?? "",
        ].joined(separator: ReconciliationLayout.separator)
    }
}

/// A whole reconciliation file for one sponsor and one reconciliation day (00:00 to 00:00 Toronto).
public struct ReconciliationFile: Sendable {
    public let sponsorCode: String
    public let day: ProgramDay
    /// The day the file was made, `YYYYMMDD`.
    public let createdOn: CalendarDay
    /// Start and end of the period, ISO 8601 with offset (a resubmitted file may cover more or less than a day).
    public let periodStart: String
    public let periodEnd: String
    public let details: [ReconciliationDetail]

    public init(
        sponsorCode: String, day: ProgramDay, createdOn: CalendarDay, periodStart: String, periodEnd: String,
        details: [ReconciliationDetail]
    ) {
        self.sponsorCode = sponsorCode
        self.day = day
        self.createdOn = createdOn
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.details = details
    }

    /// Every record, in order, without line ends.
    public var records: [String] {
        let separator = ReconciliationLayout.separator
        let created = zeroPadded(createdOn.year, width: 4) + zeroPadded(createdOn.month, width: 2) + zeroPadded(createdOn.day, width: 2)
        var records = [
            ["H1", ReconciliationLayout.fileType, ReconciliationLayout.layoutVersion, sponsorCode, created].joined(separator: separator),
            ["H2", periodStart, periodEnd, day.description].joined(separator: separator),
        ]
        records += details.map(\.record)
        let redeems = details.filter { $0.type == .redeem }
        let reverses = details.filter { $0.type == .reverse }
        records.append(["T1", String(details.count), String(redeems.count), String(reverses.count)].joined(separator: separator))
        records.append(
            [
                "T2", String(Self.miles(redeems)), Self.money(redeems).decimalString,
                String(Self.miles(reverses)), Self.money(reverses).decimalString,
            ].joined(separator: separator))
        return records
    }

    /// The file's text: one record a line, each ended by a line feed.
    public var text: String { records.map { $0 + "\n" }.joined() }

    private static func miles(_ details: [ReconciliationDetail]) -> Int { details.reduce(0) { $0 + $1.miles.value } }
    private static func money(_ details: [ReconciliationDetail]) -> Money { Money(cents: details.reduce(0) { $0 + $1.money.cents }) }
}
