import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashWire
import ConsoleCore
import ConsoleRuntime
import Foundation
import Logging
import RegisterAPI

/// Joins the register API to the console: the register's requests become messages into the loop, and
/// the console's register effects become the desk's calls. Started only when `registerListen` is set.
final class RegisterBridge: RegisterLink, @unchecked Sendable {
    let acknowledgeSeconds: Int
    private let lock = NSLock()
    private var send: (@Sendable (Msg) -> Void)?
    private var pending: [Msg] = []
    private(set) var desk: RegisterDesk!
    private var server: RegisterServer?

    init(acknowledgeSeconds: Int) {
        self.acknowledgeSeconds = acknowledgeSeconds
    }

    /// Opens the register API on `configuration.registerListen`, or returns nil when none is configured.
    static func start(_ configuration: TerminalConfiguration, journal: Journal) async throws -> RegisterBridge? {
        guard let address = configuration.registerListen, let tokenFile = configuration.registerTokenFile else { return nil }
        let token = try RegisterToken(file: tokenFile)
        let bridge = RegisterBridge(acknowledgeSeconds: configuration.registerAckSeconds)
        bridge.desk = RegisterDesk(journal: journal, defaultLanguage: configuration.language) { [weak bridge] event in
            bridge?.deliver(Self.message(event))
            // An acknowledged approval is no longer open: the status line's count follows at once.
            if case .acknowledged = event { bridge?.deliver(.pendingCount((try? journal.statusPendingCount()) ?? 0)) }
        }
        // The ack deadline is set on the journal's clock (ProcessClock): it is checked on the same one.
        bridge.server = try await RegisterServer.start(
            address: address, token: token, desk: bridge.desk, now: { ProcessClock.now() }, logger: Logger(label: "amcash.register"))
        return bridge
    }

    /// The loop is running: messages go straight to it (any that came before are delivered first).
    func connect(_ send: @escaping @Sendable (Msg) -> Void) {
        let early = lock.withLock {
            self.send = send
            defer { pending = [] }
            return pending
        }
        early.forEach(send)
    }

    func stop() async { await server?.stop() }

    private func deliver(_ message: Msg?) {
        guard let message else { return }
        let send = lock.withLock {
            if self.send == nil { pending.append(message) }
            return self.send
        }
        send?(message)
    }

    static func message(_ event: RegisterEvent) -> Msg? {
        switch event {
        case .saleArrived(let sale):
            .registerSaleArrived(
                RegisterSaleOrigin(saleId: sale.saleId, basket: sale.postTaxTotal, preTax: sale.preTaxTotal, language: sale.language))
        case .saleCancelled(let saleId): .registerSaleCancelled(saleId: saleId)
        case .acknowledged(let saleId): .registerAcknowledged(saleId: saleId)
        // The cashier reverses it from the reverse list, with the card, as any reversal.
        case .reversalRequested(let saleId, let confirmationNumber):
            .registerReversalRequested(saleId: saleId, confirmationNumber: confirmationNumber)
        }
    }

    // MARK: - RegisterLink

    func beginRedeem(_ saleId: String) async -> Bool { await desk.beginRedeem(saleId) }

    func moved(_ saleId: String, to step: RegisterSaleStep) async {
        await desk.report(saleId, step == .offer ? .offer : .waitingForCard)
    }

    func closed(_ saleId: String) async { await desk.report(saleId, .ended) }

    func earned(_ saleId: String, _ outcome: EarningOutcome) async { await desk.earned(saleId, outcome) }

    func cancelled(_ saleId: String) async -> Bool { await desk.isCancelled(saleId) }
}
