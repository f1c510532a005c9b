import ConsoleCore
import Foundation
import ReceiptPrinting

/// The receipts this console recorded in the journal ("Miles earned: pending") before their sale's ISSUE
/// went out, until the ISSUE ends and the receipt prints with the host's miles. While held, a row is this
/// console's: `R` leaves it alone and the unprinted count leaves it out, so nothing prints twice. A row
/// still there after the console stopped is no longer held by anyone, and a reprint prints it as recorded.
final class HeldReceipts: @unchecked Sendable {
    private let lock = NSLock()
    /// The journal rows held, by the receipt without its "Miles earned" line (what the recorded receipt
    /// and the one printed when the ISSUE ended have in common), oldest first.
    private var rows: [ReceiptDocument: [Int64]] = [:]

    func hold(_ id: Int64, receipt: ReceiptDocument) {
        lock.withLock { rows[Receipt.withoutEarning(Receipt.unnamed(receipt)), default: []].append(id) }
    }

    /// The row recorded for this receipt (nil: the receipt was not recorded ahead). It stays held until
    /// `drop`, after the journal has its end, so `R` never prints it in between.
    func recorded(_ receipt: ReceiptDocument) -> Int64? {
        lock.withLock { rows[Receipt.withoutEarning(Receipt.unnamed(receipt))]?.first }
    }

    func drop(_ id: Int64) {
        lock.withLock {
            for (key, ids) in rows where ids.contains(id) {
                let rest = ids.filter { $0 != id }
                rows[key] = rest.isEmpty ? nil : rest
            }
        }
    }

    func contains(_ id: Int64) -> Bool {
        lock.withLock { rows.values.contains { $0.contains(id) } }
    }
}
