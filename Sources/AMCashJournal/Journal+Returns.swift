public import Foundation
import GRDB

extension Journal {
    /// The sales a cashier may return at this till: ISSUE rows made since `since` that the host answered
    /// (issued, or accepted and pending) and that no RETURN names yet (one refused does not count),
    /// newest first. A queued ISSUE is left out: its RETURN could reach the host before the sale does.
    public func returnableEarnings(since: Date) throws(JournalError) -> [EarningEntry] {
        try run { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM earnings AS sale WHERE sale.kind = 'ISSUE' AND sale.state IN ('issued', 'accepted') AND sale.createdAt >= ?
                    AND NOT EXISTS (SELECT 1 FROM earnings AS back WHERE back.kind = 'RETURN' AND back.state != 'refused'
                        AND back.originalCheckoutTransactionId = sale.checkoutTransactionId)
                    ORDER BY sale.id DESC
                    """,
                arguments: [since]
            ).map(EarningEntry.init(row:))
        }
    }
}
