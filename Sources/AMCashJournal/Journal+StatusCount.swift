import GRDB

extension Journal {
    /// What the console's status line counts as pending: the open REDEEM/REVERSE rows and exceptions
    /// (`openCount`), the ISSUEs and RETURNs still queued to be sent, and those that became exceptions. An
    /// earning the host has not answered is as much unfinished work at this till as an unknown redemption.
    public func statusPendingCount() throws(JournalError) -> Int {
        try openCount() + queuedEarningCount()
    }

    /// The ISSUEs and RETURNs journaled and not answered by the host (`EarningState.queued`, and
    /// `exception` once no longer sent).
    public func queuedEarningCount() throws(JournalError) -> Int {
        try run { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM earnings WHERE state IN ('queued', 'exception')") ?? 0 }
    }
}
