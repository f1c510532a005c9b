import AMCashDomain
public import AMCashWire
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

    /// What earlier RETURNs (`returns`, not refused) gave back of a sale with `items`: the ids of its items they
    /// named, and whether the whole sale went back — a RETURN without items (or one unreadable) is the whole sale.
    public static func returnedItems(_ returns: [EarningEntry], of items: [IssuanceItem]) -> (whole: Bool, ids: Set<String>) {
        var ids: Set<String> = []
        for entry in returns {
            // Only the items' ids are read: a final row's body was rewritten when its card number was masked.
            guard case .array(let named)? = (try? IssuanceJSON.parse(entry.body))?["items"], !named.isEmpty else {
                return (true, Set(items.map(\.id)))
            }
            for item in named {
                guard case .string(let id)? = item["id"] else { return (true, Set(items.map(\.id))) }
                ids.insert(id)
            }
        }
        return (!items.isEmpty && Set(items.map(\.id)).isSubset(of: ids), ids)
    }

    /// What a RETURN naming `items` (none: the whole sale) of the sale `original` would give back again after the
    /// earlier `returns`: "this sale of ID" or "item A, B of ID"; nil when nothing of it went back yet.
    public static func returnedAgain(items: [IssuanceItem], of original: String, after returns: [EarningEntry]) -> String? {
        guard !returns.isEmpty else { return nil }
        // A RETURN without items (or unreadable) gave back the whole sale: `ids` is then every item this one names.
        let returned = returnedItems(returns, of: items)
        let again = items.map(\.id).filter { returned.ids.contains($0) }
        guard returned.whole || items.isEmpty || !again.isEmpty else { return nil }
        // Item ids came from a register or an `--items` file: through the one sanitiser before a screen shows them.
        let what = again.isEmpty ? "this sale" : "item " + again.map { HostText.sanitised($0, limit: 40) }.joined(separator: ", ")
        return "\(what) of \(HostText.sanitised(original, limit: 40))"
    }

    /// Refuses, inside the caller's write, a RETURN that would give back again what an earlier RETURN of this
    /// journal named: nothing goes back twice, whichever process of the till (the console, `amcash return`)
    /// asks, and two asking at once cannot both pass (the check and the intent are one transaction).
    static func refuseReturnedAgain(_ db: Database, items: [IssuanceItem], of original: String) throws {
        if let what = returnedAgain(items: items, of: original, after: try returns(of: original, db)) {
            throw JournalError.returnedAlready(what)
        }
    }
}
