public import AMCashJournal
public import ConsoleCore
public import ConsoleUI

/// The console as one program: the loop over a terminal device, with the journal's recovery running
/// beside it for exactly as long as the loop does. The till (`amcash`) and training (`amcash train`,
/// once per exercise) both start this, so they cannot drift apart in how the console is put together.
public struct ConsoleProgram {
    private let loop: ConsoleLoop
    private let recovery: BackgroundRecovery

    /// `ascii` is `AsciiText.isNeeded`'s answer; the status line's clock is `ConsoleEffects.clockText`.
    public init(
        model: Model, performer: any EffectPerformer, device: any TerminalDevice, journal: Journal, transactions: JournaledTransactions,
        ascii: Bool, ticks: Ticks = .every(.seconds(1))
    ) {
        loop = ConsoleLoop(model: model, performer: performer, device: device, ticks: ticks, ascii: ascii, clockText: ConsoleEffects.clockText)
        recovery = BackgroundRecovery(transactions: transactions, journal: journal)
    }

    /// A way for work outside the console (the store register's API) to send messages in.
    public var send: @Sendable (Msg) -> Void { loop.send }

    /// Runs until the model quits; returns the last model. `ownsDevice`: see `ConsoleLoop.run`.
    public func run(noColor: Bool, startingEffects: [Effect], ownsDevice: Bool = true) async -> Model {
        let background = Task.detached { [recovery, send] in await recovery.run(send: send) }
        defer { background.cancel() }
        return await loop.run(noColor: noColor, startingEffects: startingEffects, ownsDevice: ownsDevice)
    }
}
