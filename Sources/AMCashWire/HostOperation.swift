public import Foundation

/// The four calls of the AIR MILES Cash API.
public enum HostOperation: String, Sendable, Codable, CaseIterable {
    case echo = "ECHO"
    case inquire = "INQUIRE"
    case redeem = "REDEEM"
    case reverse = "REVERSE"

    /// The path under the host's base URL.
    public var path: String {
        switch self {
        case .echo: "/checkout/amcash/echo"
        case .inquire: "/checkout/amcash/inquire"
        case .redeem: "/checkout/amcash/redeem"
        case .reverse: "/checkout/amcash/reverse"
        }
    }

    /// REDEEM and REVERSE change a balance: they carry an `Idempotency-Key` and are re-sent
    /// byte for byte until the host answers.
    public var changesBalance: Bool { self == .redeem || self == .reverse }
}

/// One request ready to go out: its exact body bytes and, for REDEEM and REVERSE, its
/// idempotency key. The journal stores it before the first byte is sent, and every re-send —
/// in the same run or after a crash — sends these very bytes with this very key.
public struct PreparedCall: Sendable, Hashable, Codable {
    public let operation: HostOperation
    public let traceId: TraceIdText
    public let idempotencyKey: UUID?
    public let body: Data
    /// The card as logs and screens may show it.
    public let maskedCard: String?

    public init(operation: HostOperation, traceId: TraceIdText, idempotencyKey: UUID?, body: Data, maskedCard: String?) {
        self.operation = operation
        self.traceId = traceId
        self.idempotencyKey = idempotencyKey
        self.body = body
        self.maskedCard = maskedCard
    }
}

/// A trace id as the wire carries it (12 digits).
public typealias TraceIdText = String
