public import Foundation
import GRDB

extension Journal {
    /// The sales a cashier may return at this till: ISSUE rows made since `since` that the host answered
    /// (issued, or accepted and pending), newest first, each with the RETURN rows that name it and were not
    /// refused (`returns(of:)`): the caller leaves out a sale they gave back whole, and offers the items of one
    /// returned in part that have not gone back. A queued ISSUE is left out: its RETURN could reach the host
    /// before the sale does.
    public func returnableEarnings(since: Date) throws(JournalError) -> [(sale: EarningEntry, returns: [EarningEntry])] {
        try run { db in
            let sales = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM earnings WHERE kind = 'ISSUE' AND state IN ('issued', 'accepted') AND createdAt >= ?
                    ORDER BY id DESC
                    """,
                arguments: [since]
            ).map(EarningEntry.init(row:))
            return try sales.map { sale in (sale, try Self.returns(of: sale.checkoutTransactionId, db)) }
        }
    }

    /// The RETURN rows that name the sale `checkoutTransactionId` and were not refused (queued, pending, issued
    /// or in exception: each may have taken, or may still take, miles back), oldest first.
    public func returns(of checkoutTransactionId: String) throws(JournalError) -> [EarningEntry] {
        try run { db in try Self.returns(of: checkoutTransactionId, db) }
    }

    private static func returns(of checkoutTransactionId: String, _ db: Database) throws -> [EarningEntry] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM earnings WHERE kind = 'RETURN' AND state != 'refused' AND originalCheckoutTransactionId = ?
                ORDER BY id
                """,
            arguments: [checkoutTransactionId]
        ).map(EarningEntry.init(row:))
    }
}
