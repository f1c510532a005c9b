public import AMCashWire
public import ConsoleCore

/// The console's side of the store register's API, as the effects see it: the executable joins it to
/// `RegisterAPI`'s desk, so the runtime knows nothing of HTTP. Nil when no register is configured.
public protocol RegisterLink: Sendable {
    /// How long an approval waits for the register's acknowledgement (`registerAckSeconds`).
    var acknowledgeSeconds: Int { get }
    /// Right before the REDEEM: false when the register cancelled the sale first (nothing is sent).
    func beginRedeem(_ saleId: String) async -> Bool
    func moved(_ saleId: String, to step: RegisterSaleStep) async
    func closed(_ saleId: String) async
    /// The sale's ISSUE ended for now: the miles the host recorded, pending, or refused (for the sale's answer).
    func earned(_ saleId: String, _ outcome: EarningOutcome) async
    /// Whether the register cancelled the sale (its REDEEM was never sent): such a sale earns nothing here.
    func cancelled(_ saleId: String) async -> Bool
}
