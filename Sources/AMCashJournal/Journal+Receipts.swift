public import Foundation
import GRDB

/// A receipt that did not print (the printer was off, out of paper, or dropped the connection): kept
/// beside its journal row until it prints, so `R` can print it again, after a restart too.
public struct UnprintedReceipt: Sendable, Hashable {
    public let id: Int64
    /// The trace of the redemption it belongs to (nil for a reversal's receipt).
    public let traceId: String?
    /// The receipt document, as the console encoded it (JSON of ReceiptPrinting's ReceiptDocument).
    public let document: Data
    /// Why it did not print the last time.
    public let problem: String
    public let createdAt: Date
}

extension UnprintedReceipt {
    /// The `problem` of a receipt recorded before its sale's ISSUE went out ("Miles earned: pending"):
    /// the console prints it with the host's miles when the ISSUE ends and removes the row; a row left
    /// with this reason belongs to a console that stopped in between, and a reprint prints it as it is.
    public static let awaitingEarning = "awaitingEarning"

    /// How long a console may still be waiting on the ISSUE of a receipt it recorded `awaitingEarning`
    /// (the earning lane and the ISSUE's own tries, with room to spare): `amcash reprint` leaves a
    /// younger one to that console, so the receipt does not print twice.
    public static let awaitingEarningHold: TimeInterval = 120

    /// Whether a console may still print this receipt itself at `now`.
    public func mayStillBePrintedByItsConsole(at now: Date) -> Bool {
        problem == Self.awaitingEarning && now.timeIntervalSince(createdAt) < Self.awaitingEarningHold
    }
}

extension Journal {
    /// Version 5: the receipts that did not print. A table of its own; the money path never reads it.
    static func createUnprintedReceipts(_ db: Database) throws {
        try db.create(table: "unprintedReceipts") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("traceId", .text).indexed()
            table.column("document", .blob).notNull()
            table.column("problem", .text).notNull()
            table.column("createdAt", .datetime).notNull()
        }
    }

    /// Keeps a receipt that did not print; returns its id.
    @discardableResult
    public func keepUnprintedReceipt(traceId: String?, document: Data, problem: String, at date: Date = Date()) throws(JournalError) -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO unprintedReceipts (traceId, document, problem, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [traceId, document, problem, date])
            return db.lastInsertedRowID
        }
    }

    /// The receipts waiting to be printed again, oldest first.
    public func unprintedReceipts() throws(JournalError) -> [UnprintedReceipt] {
        try run { db in
            try Row.fetchAll(db, sql: "SELECT id, traceId, document, problem, createdAt FROM unprintedReceipts ORDER BY id").map { row in
                UnprintedReceipt(
                    id: row["id"], traceId: row["traceId"], document: row["document"], problem: row["problem"], createdAt: row["createdAt"])
            }
        }
    }

    public func unprintedReceiptCount() throws(JournalError) -> Int {
        try run { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM unprintedReceipts") ?? 0 }
    }

    /// A kept receipt printed: it leaves the list.
    public func receiptPrinted(id: Int64) throws(JournalError) {
        try write { db in try db.execute(sql: "DELETE FROM unprintedReceipts WHERE id = ?", arguments: [id]) }
    }

    /// A held receipt's ISSUE ended but the final receipt did not print: the row keeps the final
    /// document (with the host's miles, or pending) and the reason, for `R` and `amcash reprint`.
    public func replaceUnprintedReceipt(id: Int64, document: Data, problem: String) throws(JournalError) {
        try write { db in
            try db.execute(sql: "UPDATE unprintedReceipts SET document = ?, problem = ? WHERE id = ?", arguments: [document, problem, id])
        }
    }

    /// A kept receipt failed again: the latest reason.
    public func receiptStillUnprinted(id: Int64, problem: String) throws(JournalError) {
        try write { db in try db.execute(sql: "UPDATE unprintedReceipts SET problem = ? WHERE id = ?", arguments: [problem, id]) }
    }
}
