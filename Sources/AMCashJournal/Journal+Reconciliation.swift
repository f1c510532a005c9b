public import AMCashDomain
public import Foundation
import GRDB

extension Journal {
    /// The rows a day's file is matched against: the day's REDEEMs and REVERSEs, earlier rows not yet
    /// reconciled (they roll forward), and the next day's first minutes (records just across the cut-off).
    /// Declined rows are left out: the host has nothing for them.
    public func terminalRecords(for day: ProgramDay, journalIndex: Int, timingWindow: TimeInterval = 15 * 60) throws(JournalError) -> [TerminalRecord] {
        let entries = try entries()
        let nextDayWindowEnd = day.reconciliationEnd.addingTimeInterval(timingWindow)
        let byConfirmation = Dictionary(entries.compactMap { entry in entry.confirmationNumber.map { ($0, entry) } },
                                        uniquingKeysWith: { first, _ in first })
        return entries.compactMap { entry -> TerminalRecord? in
            let relevant = entry.reconciliationDay == day
                || (entry.reconciliationDay < day && !entry.isReconciled)
                || (entry.reconciliationDay == ProgramDay(day.date.next) && entry.createdAt < nextDayWindowEnd)
            guard relevant else { return nil }
            let isUnknown: Bool
            switch (entry.kind, entry.state) {
            case (.redeem, .approved), (.redeem, .shown), (.redeem, .reversing), (.redeem, .reversed), (.redeem, .voiding),
                 (.redeem, .voided), (.reverse, .reversed):
                isUnknown = false
            case (.redeem, .sending), (.redeem, .unknown): isUnknown = true
            case (.redeem, .exception): isUnknown = entry.confirmationNumber == nil
            case (.reverse, .reversing): isUnknown = true
            default: return nil
            }
            // A reversal carries the miles and dollars of the redemption it reverses.
            let original = entry.originalConfirmationNumber.flatMap { byConfirmation[$0] }
            return TerminalRecord(
                key: TerminalRecord.Key(journal: journalIndex, id: entry.id), type: entry.kind == .redeem ? .redeem : .reverse,
                isUnknown: isUnknown, confirmationNumber: isUnknown ? nil : entry.confirmationNumber, traceId: entry.traceId,
                cardTerminalId: Self.cardTerminalId(of: entry), maskedCard: entry.maskedCard,
                units: entry.units ?? original?.units, miles: entry.kind == .redeem ? entry.miles : original?.miles,
                money: entry.kind == .redeem ? entry.money : original?.money, day: entry.reconciliationDay, createdAt: entry.createdAt)
        }
    }

    /// Writes what a reconciliation found: matched rows are marked reconciled, and an unknown REDEEM the
    /// file shows as redeemed takes the host's confirmation, units and amounts and is voided — nobody
    /// was shown it, so the collector gets the miles back.
    public func apply(_ findings: [ReconciliationFinding], journalIndex: Int, at now: Date) throws(JournalError) {
        for finding in findings {
            guard let key = finding.reconciles, key.journal == journalIndex else { continue }
            if finding.resolvesUnknown {
                let entry = try entry(id: key.id)
                guard entry.state.needsResolution else { continue }
                try resolveUnshown(entry.id, confirmation: finding.confirmationNumber, units: finding.units, money: finding.money,
                            miles: finding.miles, at: now)
            }
            try markReconciled([key.id])
        }
    }

    /// The card terminal id (sponsor + store + device) the row's request carried.
    static func cardTerminalId(of entry: JournalEntry) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: entry.body) as? [String: Any],
              let sponsor = object["sponsorCode"] as? String, let store = object["storeId"] as? String,
              let device = object["deviceId"] as? String else { return "" }
        return sponsor + store + device
    }
}
