public import AMCashDomain
public import AMCashPostgres
public import Foundation
import GRDB

/// Writes the daily reconciliation file from the simulator's ledger: every REDEEM and REVERSE of one
/// sponsor whose host time falls in the reconciliation day (00:00 to 00:00 Toronto), the host's own
/// refunds of orphaned redemptions included (as REVERSE records).
public enum ReconciliationExport {
    /// The file for `day` from the ledger kept in the SQLite file at `databasePath` (`amcash sim --db`).
    /// Refunds that fell due since the simulator last ran are made first, as the host would have.
    public static func file(databasePath: String, day: ProgramDay, sponsorCode: String, now: Date = Date()) throws -> ReconciliationFile {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw SimulatorStartError(reason: "no simulator ledger at \(databasePath)")
        }
        let database = try LedgerDatabase(path: databasePath)
        return try database.writeNow { db in
            try SimulatorLedger.refundOrphans(db, nowMs: milliseconds(now), runBase: 0)
            return try file(db, day: day, sponsorCode: sponsorCode, now: now)
        }
    }

    /// The file for `day` from a ledger kept in PostgreSQL (`amcash sim --database`).
    public static func file(database: PostgresAddress, day: ProgramDay, sponsorCode: String, now: Date = Date()) async throws -> ReconciliationFile {
        let ledger = try await PostgresLedger.open(database, options: SimulatorOptions(collectors: []), now: now)
        do {
            let file = try await ledger.reconciliationFile(day: day, sponsorCode: sponsorCode, now: now)
            await ledger.close()
            return file
        } catch {
            await ledger.close()
            throw error
        }
    }

    static func file(_ db: Database, day: ProgramDay, sponsorCode: String, now: Date) throws -> ReconciliationFile {
        let start = milliseconds(day.reconciliationStart)
        let end = milliseconds(day.reconciliationEnd)
        var entries = Entries()
        let redeems = try Row.fetchCursor(
            db,
            sql: """
                SELECT confirmation, number, units, miles, cents, atMs, sponsorCode, storeId, deviceId, traceId FROM redemptions
                WHERE sponsorCode = ? AND atMs >= ? AND atMs < ?
                """, arguments: [sponsorCode, start, end])
        while let row = try redeems.next() {
            entries.add(
                .redeem, atMs: row["atMs"], sponsor: row["sponsorCode"], store: row["storeId"], device: row["deviceId"],
                trace: row["traceId"], number: row["number"], units: row["units"], miles: row["miles"], cents: row["cents"],
                confirmation: row["confirmation"], original: nil)
        }
        let reversals = try Row.fetchCursor(
            db,
            sql: """
                SELECT confirmation, number, units, miles, cents, reversalConfirmation, reversedAtMs, reversalSponsorCode, reversalStoreId,
                    reversalDeviceId, reversalTraceId FROM redemptions
                WHERE reversalSponsorCode = ? AND reversedAtMs >= ? AND reversedAtMs < ?
                """, arguments: [sponsorCode, start, end])
        while let row = try reversals.next() {
            entries.add(
                .reverse, atMs: row["reversedAtMs"], sponsor: row["reversalSponsorCode"], store: row["reversalStoreId"],
                device: row["reversalDeviceId"], trace: row["reversalTraceId"], number: row["number"], units: row["units"],
                miles: row["miles"], cents: row["cents"], confirmation: row["reversalConfirmation"], original: row["confirmation"])
        }
        return entries.file(sponsorCode: sponsorCode, day: day, now: now)
    }

    /// The day's details as either ledger (SQLite or PostgreSQL) reads them, in host-time order.
    struct Entries {
        private var entries: [(Int64, ReconciliationDetail)] = []

        mutating func add(
            _ type: ReconciliationTransactionType, atMs: Int64, sponsor: String, store: String, device: String, trace: String,
            number: String, units: Int, miles: Int, cents: Int, confirmation: String, original: String?
        ) {
            entries.append(
                (
                    atMs,
                    ReconciliationDetail(
                        type: type, hostDateTime: TorontoTime.iso8601(instant(milliseconds: atMs)), sponsorCode: sponsor, storeId: store,
                        deviceId: device, traceId: trace, collectorNumber: number, units: Units(units), miles: Miles(miles),
                        money: Money(cents: cents),
                        confirmationNumber: confirmation, originalConfirmationNumber: original)
                ))
        }

        func file(sponsorCode: String, day: ProgramDay, now: Date) -> ReconciliationFile {
            let sorted = entries.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.confirmationNumber < $1.1.confirmationNumber }
            return ReconciliationFile(
                sponsorCode: sponsorCode, day: day, createdOn: ProgramDay.reconciliationDay(at: now).date,
                periodStart: TorontoTime.iso8601(day.reconciliationStart),
                periodEnd: TorontoTime.iso8601(day.reconciliationEnd), details: sorted.map(\.1))
        }
    }
}
