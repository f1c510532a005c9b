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

    /// What earlier RETURNs (`returns`, not refused) gave back of a sale with `items`: the indices of its lines they
    /// named, and whether the whole sale went back — a RETURN without items (or one unreadable) is the whole sale.
    /// A sale may carry two lines with one item id: each line a RETURN names is matched to one line of the sale not
    /// matched yet, the same line in full when there is one (the checklist sends the line as the sale had it), else
    /// the first with its id. So a second RETURN of the same id takes the other line, never the same one twice.
    public static func returnedItems(_ returns: [EarningEntry], of items: [IssuanceItem]) -> (whole: Bool, lines: Set<Int>) {
        var lines: Set<Int> = []
        for entry in returns {
            // A final row's body was rewritten when its card number was masked (its numbers through
            // JSONSerialization): the id decides, the whole line only picks between lines of one id.
            guard let named = namedItems(entry) else { return (true, Set(items.indices)) }
            for (id, item) in named {
                let open = items.indices.filter { !lines.contains($0) && items[$0].id == id }
                if let line = open.first(where: { items[$0] == item }) ?? open.first { lines.insert(line) }
            }
        }
        return (!items.isEmpty && lines.count == items.count, lines)
    }

    /// The items an earlier RETURN named: each one's id, and the whole line when it still reads; nil for the whole
    /// sale (a RETURN without items, or one unreadable).
    private static func namedItems(_ entry: EarningEntry) -> [(id: String, item: IssuanceItem?)]? {
        guard case .array(let named)? = (try? IssuanceJSON.parse(entry.body))?["items"], !named.isEmpty else { return nil }
        var items: [(id: String, item: IssuanceItem?)] = []
        for (index, item) in named.enumerated() {
            guard case .string(let id)? = item["id"] else { return nil }
            items.append((id, try? IssuanceItem(json: item, place: "items[\(index)]")))
        }
        return items
    }

    /// What a RETURN naming `items` (none: the whole sale) of the sale `original` would give back again after the
    /// earlier `returns`: "this sale of ID" or "item A, B of ID"; nil when nothing of it went back yet. With the
    /// sale's own lines (`sale`: its ISSUE is in this journal), an id is given back again only past the lines of
    /// that id the sale had: of a sale with two lines of id 7, a RETURN of one line of 7 passes after a RETURN of
    /// the other, and a third is refused. Without them (another till's sale), an id named before is refused.
    public static func returnedAgain(
        items: [IssuanceItem], of original: String, sale: [IssuanceItem]? = nil, after returns: [EarningEntry]
    ) -> String? {
        let sale = sale.flatMap { $0.isEmpty ? nil : $0 }
        // With the sale's lines, even a first RETURN is checked: it may name one line more often than the sale had it.
        guard !returns.isEmpty || (sale != nil && !items.isEmpty) else { return nil }
        // The ids earlier RETURNs named: every one when one of them gave back the whole sale (no items, or unreadable).
        var named: Set<String> = []
        for entry in returns {
            guard let listed = namedItems(entry) else {
                named = Set(items.map(\.id) + (sale ?? []).map(\.id))
                break
            }
            named.formUnion(listed.map(\.id))
        }
        let whole: Bool
        var again: [String] = []
        if let sale {
            let returned = returnedItems(returns, of: sale)
            whole = returned.whole
            // The lines of each id not given back yet: an id of the sale goes back only while one is left, counted
            // over this RETURN's own items too (the kettle named twice of a sale with one kettle line). An id the sale
            // never had is the host's to cap at what the sale earned.
            var left: [String: Int] = [:]
            for (index, item) in sale.enumerated() where !returned.lines.contains(index) { left[item.id, default: 0] += 1 }
            let saleIds = Set(sale.map(\.id))
            for item in items {
                if let count = left[item.id], count > 0 {
                    left[item.id] = count - 1
                } else if (named.contains(item.id) || saleIds.contains(item.id)) && !again.contains(item.id) {
                    again.append(item.id)
                }
            }
        } else {
            whole = !items.isEmpty && Set(items.map(\.id)).isSubset(of: named)
            for item in items where named.contains(item.id) && !again.contains(item.id) { again.append(item.id) }
        }
        guard whole || items.isEmpty || !again.isEmpty else { return nil }
        // Item ids came from a register or an `--items` file: through the one sanitiser before a screen shows them.
        let what = again.isEmpty ? "this sale" : "item " + again.map { HostText.sanitised($0, limit: 40) }.joined(separator: ", ")
        return "\(what) of \(HostText.sanitised(original, limit: 40))"
    }

    /// Refuses, inside the caller's write, a RETURN that would give back again what an earlier RETURN of this
    /// journal named: nothing goes back twice, whichever process of the till (the console, `amcash return`)
    /// asks, and two asking at once cannot both pass (the check and the intent are one transaction).
    static func refuseReturnedAgain(_ db: Database, items: [IssuanceItem], of original: String) throws {
        let returns = try returns(of: original, db)
        // The whole sale, nothing back yet: nothing to refuse, and no need to read the sale.
        guard !returns.isEmpty || !items.isEmpty else { return }
        if let what = returnedAgain(items: items, of: original, sale: try saleItems(of: original, db), after: returns) {
            throw JournalError.returnedAlready(what)
        }
    }

    /// The lines of the sale `original` when its ISSUE is in this journal (the newest not refused); nil otherwise.
    /// Only the items are read: a final row's body was masked, and its collector number no longer reads as one.
    private static func saleItems(of original: String, _ db: Database) throws -> [IssuanceItem]? {
        let body = try Data.fetchOne(
            db,
            sql: """
                SELECT body FROM earnings WHERE kind = 'ISSUE' AND state != 'refused' AND checkoutTransactionId = ?
                ORDER BY id DESC LIMIT 1
                """,
            arguments: [original])
        guard let body, case .array(let lines)? = (try? IssuanceJSON.parse(body))?["items"] else { return nil }
        var items: [IssuanceItem] = []
        for (index, line) in lines.enumerated() {
            guard let item = try? IssuanceItem(json: line, place: "items[\(index)]") else { return nil }
            items.append(item)
        }
        return items
    }
}
