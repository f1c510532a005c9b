public import AMCashJournal
public import ConsoleCore

/// Recovery beside the screen: the cashier sees "resolving…", not a blocked console. It runs at start
/// and then every `interval` while anything is open, so queued reversals are re-sent when their backoff
/// is over and unknown outcomes are resolved. Rows the till's own REDEEM or REVERSE holds are leased:
/// a pass leaves them alone.
public struct BackgroundRecovery: Sendable {
    let transactions: JournaledTransactions
    let journal: Journal
    let interval: Duration

    public init(transactions: JournaledTransactions, journal: Journal, interval: Duration = .seconds(30)) {
        self.transactions = transactions
        self.journal = journal
        self.interval = interval
    }

    /// Runs until cancelled, telling the loop when a pass starts and ends and how many rows stay open.
    public func run(send: @escaping @Sendable (Msg) -> Void) async {
        var first = true
        while !Task.isCancelled {
            if first || ((try? transactions.pendingCount()) ?? 0) > 0 {
                send(.recovering(true))
                _ = try? await transactions.recover()
                send(.recovering(false))
                send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
            } else {
                // Nothing pending: still, a number no send needs any more (a refusal, an exception, a row the
                // back office now has) is not kept in full on a quiet till.
                _ = try? transactions.purgeCardNumbers()
            }
            first = false
            try? await Task.sleep(for: interval)
        }
    }
}
