import AMCashDomain
import AMCashJournal
import Foundation

/// The columns every forwarded change has, a redemption's or an earning's: its till, trace id, kind and
/// state, the card (masked; hashed, and whole only where the chain's card policy allows), the last failure
/// and the change's place in the till's sequence.
struct ChangeColumns {
    var sponsor: [String] = []
    var store: [String] = []
    var device: [String] = []
    var trace: [String] = []
    var kind: [String] = []
    var state: [String] = []
    var masked: [String] = []
    var hash: [String] = []
    var number: [String] = []
    var failure: [String] = []
    var seq: [Int64] = []
    /// Each till's latest change in the batch.
    var lastSeq: [String: Int64] = [:]

    mutating func append(
        terminal: String, trace traceId: String, kind kindText: String, state stateText: String, masked maskedCard: String,
        collectorNumber: String?, failure lastFailure: String?, seq changeSeq: Int64, settings: ForwardingSettings
    ) {
        let (s, st, d) = BackOfficeForwarder.split(terminal)
        sponsor.append(s)
        store.append(st)
        device.append(d)
        trace.append(traceId)
        kind.append(kindText)
        state.append(stateText)
        masked.append(maskedCard)
        hash.append(collectorNumber.flatMap { settings.cardHash?.hash($0) } ?? "")
        number.append(settings.cardPolicy == .full ? collectorNumber ?? "" : "")
        failure.append(lastFailure ?? "")
        seq.append(changeSeq)
        lastSeq[terminal] = max(lastSeq[terminal] ?? 0, changeSeq)
    }
}

/// A forwarded batch turned into one array per column, so the chain database takes the whole batch in
/// one `unnest` statement. A missing value is sent as -1 or "" and turned back into NULL by the statement.
struct RowColumns {
    /// The columns every forwarded change has.
    var change = ChangeColumns()
    var confirmation: [String] = []
    var original: [String] = []
    var requested: [Int64] = []
    var units: [Int64] = []
    var miles: [Int64] = []
    var cents: [Int64] = []
    var code: [String] = []
    var latency: [Int64] = []
    var saleId: [String] = []
    var created: [Int64] = []
    var answered: [Int64] = []
    var shown: [Int64] = []
    var redemptionDay: [String] = []
    var reconciliationDay: [String] = []
    var isVoid: [Bool] = []
    var isException: [Bool] = []
    var byRecovery: [Bool] = []

    init(_ rows: [ForwardedRow], settings: ForwardingSettings) {
        for row in rows {
            change.append(
                terminal: row.cardTerminalId, trace: row.traceId, kind: row.kind.rawValue, state: row.state.rawValue, masked: row.maskedCard,
                collectorNumber: row.collectorNumber, failure: row.lastFailure, seq: row.changeSeq, settings: settings)
            confirmation.append(row.confirmationNumber ?? "")
            original.append(row.originalConfirmationNumber ?? "")
            requested.append(Int64(row.requested?.cents ?? -1))
            units.append(Int64(row.units?.count ?? -1))
            miles.append(Int64(row.miles?.value ?? -1))
            cents.append(Int64(row.money?.cents ?? -1))
            code.append(row.responseCode ?? "")
            latency.append(Int64(row.hostLatencyMs ?? -1))
            saleId.append(row.saleId ?? "")
            created.append(epochMilliseconds(row.createdAt))
            answered.append(epochMilliseconds(row.answeredAt))
            shown.append(epochMilliseconds(row.shownAt))
            redemptionDay.append(row.redemptionDay.description)
            reconciliationDay.append(row.reconciliationDay.description)
            isVoid.append(row.isVoid)
            isException.append(row.isException)
            byRecovery.append(row.resolvedByRecovery)
        }
    }
}

/// A batch of forwarded earnings (ISSUE, RETURN), one array per column of `terminal_earnings`.
struct EarningColumns {
    /// The columns every forwarded change has.
    var change = ChangeColumns()
    var checkout: [String] = []
    var original: [String] = []
    var earnedOn: [Int64] = []
    var attempts: [Int64] = []
    var status: [Int64] = []
    var code: [String] = []
    var confirmation: [String] = []
    var miles: [Int64] = []
    var created: [Int64] = []
    var answered: [Int64] = []
    var day: [String] = []

    init(_ earnings: [ForwardedEarning], settings: ForwardingSettings) {
        for earning in earnings {
            change.append(
                terminal: earning.cardTerminalId, trace: earning.traceId, kind: earning.kind, state: earning.state.rawValue,
                masked: earning.maskedCard, collectorNumber: earning.collectorNumber, failure: earning.lastFailure, seq: earning.changeSeq,
                settings: settings)
            checkout.append(earning.checkoutTransactionId)
            original.append(earning.originalCheckoutTransactionId ?? "")
            earnedOn.append(Int64(earning.earnedOn?.cents ?? -1))
            attempts.append(Int64(earning.attempts))
            status.append(Int64(earning.httpStatus ?? -1))
            code.append(earning.responseCode ?? "")
            confirmation.append(earning.confirmationNumber ?? "")
            miles.append(Int64(earning.miles ?? -1))
            created.append(epochMilliseconds(earning.createdAt))
            answered.append(epochMilliseconds(earning.answeredAt))
            day.append(earning.transactionDay.description)
        }
    }
}

/// Whole milliseconds since 1970, or -1 for no date.
func epochMilliseconds(_ date: Date?) -> Int64 {
    date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)) } ?? -1
}
