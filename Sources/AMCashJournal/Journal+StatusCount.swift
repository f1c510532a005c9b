import GRDB

extension Journal {
    /// What the console's status line counts as pending: the open REDEEM/REVERSE rows and exceptions
    /// (`openCount`) and the ISSUEs and RETURNs still queued to be sent. An earning the host has not
    /// answered is as much unfinished work at this till as an unknown redemption.
    public func statusPendingCount() throws(JournalError) -> Int {
        try openCount() + queuedEarningCount()
    }

    /// The ISSUEs and RETURNs journaled and not yet answered by the host (`EarningState.queued`).
    public func queuedEarningCount() throws(JournalError) -> Int {
        try run { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM earnings WHERE state = 'queued'") ?? 0 }
    }
}
