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

/// One request ready to go out: its exact body bytes and, where it carries one, its idempotency
/// key. The journal stores it before the first byte is sent, and every re-send — in the same run or
/// after a crash — sends these very bytes with this very key. A `PreparedCall` goes to the AIR MILES
/// Cash API, an `IssuanceCall` to Issuance.
public struct PreparedRequest<Endpoint: Sendable & Hashable>: Sendable, Hashable {
    public let operation: Endpoint
    public let traceId: TraceIdText
    public let idempotencyKey: UUID?
    public let body: Data
    /// The card as logs and screens may show it.
    public let maskedCard: String?

    public init(operation: Endpoint, traceId: TraceIdText, idempotencyKey: UUID?, body: Data, maskedCard: String?) {
        self.operation = operation
        self.traceId = traceId
        self.idempotencyKey = idempotencyKey
        self.body = body
        self.maskedCard = maskedCard
    }
}

extension PreparedRequest: Codable where Endpoint: Codable {}

/// One AIR MILES Cash call ready to go out; REDEEM and REVERSE carry an idempotency key.
public typealias PreparedCall = PreparedRequest<HostOperation>

/// A trace id as the wire carries it (12 digits).
public typealias TraceIdText = String
