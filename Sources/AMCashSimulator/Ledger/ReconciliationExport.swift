public import AMCashDomain
public import Foundation

/// Writes the daily reconciliation file from the simulator's ledger: every REDEEM and REVERSE of one
/// sponsor whose host time falls in the reconciliation day (00:00 to 00:00 Toronto).
public enum ReconciliationExport {
    /// The file for `day` from the ledger kept in the SQLite file at `databasePath` (`amcash sim --db`).
    public static func file(databasePath: String, day: ProgramDay, sponsorCode: String, now: Date = Date()) throws -> ReconciliationFile {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw SimulatorStartError(reason: "no simulator ledger at \(databasePath)")
        }
        let state = try SQLiteLedgerStore(path: databasePath).load() ?? LedgerState()
        return file(from: state, day: day, sponsorCode: sponsorCode, now: now)
    }

    static func file(from state: LedgerState, day: ProgramDay, sponsorCode: String, now: Date) -> ReconciliationFile {
        let start = day.reconciliationStart
        let end = day.reconciliationEnd
        var entries: [(Date, ReconciliationDetail)] = []
        for redemption in state.redemptions.values where redemption.terminal.sponsorCode == sponsorCode {
            let miles = Miles(redemption.miles)
            let money = Money(cents: redemption.cents)
            if start <= redemption.at && redemption.at < end {
                entries.append((redemption.at, ReconciliationDetail(
                    type: .redeem, hostDateTime: hostTime(redemption.at), sponsorCode: redemption.terminal.sponsorCode,
                    storeId: redemption.terminal.storeId, deviceId: redemption.terminal.deviceId, traceId: redemption.traceId,
                    collectorNumber: redemption.number, units: Units(redemption.units), miles: miles, money: money,
                    confirmationNumber: redemption.confirmation, originalConfirmationNumber: nil)))
            }
            if let reversal = redemption.reversal, start <= reversal.at && reversal.at < end {
                entries.append((reversal.at, ReconciliationDetail(
                    type: .reverse, hostDateTime: hostTime(reversal.at), sponsorCode: reversal.terminal.sponsorCode,
                    storeId: reversal.terminal.storeId, deviceId: reversal.terminal.deviceId, traceId: reversal.traceId,
                    collectorNumber: redemption.number, units: Units(redemption.units), miles: miles, money: money,
                    confirmationNumber: reversal.confirmation, originalConfirmationNumber: redemption.confirmation)))
            }
        }
        entries.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.confirmationNumber < $1.1.confirmationNumber }
        return ReconciliationFile(sponsorCode: sponsorCode, day: day, createdOn: ProgramDay.reconciliationDay(at: now).date,
                                  periodStart: hostTime(start), periodEnd: hostTime(end), details: entries.map(\.1))
    }

    static func hostTime(_ instant: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = ProgramDay.zone
        return formatter.string(from: instant)
    }
}
