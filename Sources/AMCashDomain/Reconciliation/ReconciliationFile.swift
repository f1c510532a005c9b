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
public struct ReconciliationDetail: Sendable, Hashable {
    public let type: ReconciliationTransactionType
    /// The host's date-time, ISO 8601 with offset.
    public let hostDateTime: String
    public let sponsorCode: String
    public let storeId: String
    public let deviceId: String
    public let traceId: String
    /// The full number, as the host's file carries it; every report masks it.
    public let collectorNumber: String
    public let units: Units
    public let miles: Miles
    public let money: Money
    public let confirmationNumber: String
    /// For a reversal, the confirmation number of the redemption it reverses.
    public let originalConfirmationNumber: String?

    public init(
        type: ReconciliationTransactionType, hostDateTime: String, sponsorCode: String, storeId: String, deviceId: String,
        traceId: String, collectorNumber: String, units: Units, miles: Miles, money: Money, confirmationNumber: String,
        originalConfirmationNumber: String?
    ) {
        self.type = type
        self.hostDateTime = hostDateTime
        self.sponsorCode = sponsorCode
        self.storeId = storeId
        self.deviceId = deviceId
        self.traceId = traceId
        self.collectorNumber = collectorNumber
        self.units = units
        self.miles = miles
        self.money = money
        self.confirmationNumber = confirmationNumber
        self.originalConfirmationNumber = originalConfirmationNumber
    }

    /// Sponsor, store and device together.
    public var cardTerminalId: String { sponsorCode + storeId + deviceId }

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
