import AMCashContract
import AMCashDomain
import Foundation
import GRDB
import NIOConcurrencyHelpers

/// The simulated AIR MILES host's books, on the tables of `LedgerDatabase`. Every REDEEM and REVERSE
/// is one short immediate transaction: however many terminals (or processes) redeem against one
/// collector at once, the balance never goes below zero and the daily limit is never passed. Each
/// is answered once per idempotency key (or, without a key, per byte-identical body) and replayed
/// after that until the key's retention ends; the same key with another body is a conflict.
final class SimulatorLedger: LedgerBooks {
    private let database: LedgerDatabase
    private let options: SimulatorOptions
    /// Added to in-memory confirmation numbers, so one run does not repeat an earlier run's numbers.
    private let runBase: Int
    /// When expired answers were last pruned (simulator clock, ms); pruning runs at most once a minute.
    private let lastPrune = NIOLockedValueBox<Int64>(0)
    private let issuance: SQLiteIssuanceLedger

    init(options: SimulatorOptions, now: Date) throws {
        self.options = options
        database = try LedgerDatabase(path: options.databasePath)
        runBase = database.isFile ? 0 : (Int(now.timeIntervalSince1970) % 100_000) * 100_000
        issuance = SQLiteIssuanceLedger(database: database, options: options, runBase: runBase)
        let today = ProgramDay.redemptionDay(at: now).description
        let collectors = options.collectors
        // New accounts start as the collectors file says; accounts the file already holds keep their
        // balances (a restarted training room carries on) and take the file's behaviour. A ledger that
        // already has them all, as they are, is not written at all (a one-shot command starts faster).
        let known = try database.queue.read { db in
            try Dictionary(
                Row.fetchAll(db, sql: "SELECT number, behaviour FROM accounts").map { ($0[0] as String, $0[1] as String) },
                uniquingKeysWith: { first, _ in first })
        }
        guard collectors.contains(where: { known[$0.number] != $0.behaviour.rawValue }) else { return }
        try database.writeNow { db in
            for collector in collectors {
                let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE number = ?", arguments: [collector.number]) ?? false
                if exists {
                    try db.cachedStatement(sql: "UPDATE accounts SET behaviour = ? WHERE number = ?").execute(arguments: [
                        collector.behaviour.rawValue, collector.number,
                    ])
                    continue
                }
                try db.execute(
                    sql: "INSERT INTO accounts (number, cash, dream, behaviour) VALUES (?, ?, ?, ?)",
                    arguments: [collector.number, collector.cashMiles, collector.dreamMiles, collector.behaviour.rawValue])
                if collector.redeemedTodayUnits > 0 {
                    try db.execute(
                        sql: "INSERT INTO daily_usage (number, day, units) VALUES (?, ?, ?)",
                        arguments: [collector.number, today, collector.redeemedTodayUnits])
                }
            }
        }
    }

    func close() async {}
    var collectorLocks: PostgresCollectorLocks? { nil }

    func issuanceBooks() -> any IssuanceBooks { issuance }

    func openAccount(_ collector: TestCollector, now: Date) async throws {
        let today = ProgramDay.redemptionDay(at: now).description
        try database.writeNow { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO accounts (number, cash, dream, behaviour) VALUES (?, ?, ?, ?)",
                arguments: [collector.number, collector.cashMiles, collector.dreamMiles, collector.behaviour.rawValue])
            try db.execute(sql: "DELETE FROM daily_usage WHERE number = ?", arguments: [collector.number])
            if collector.redeemedTodayUnits > 0 {
                try db.execute(
                    sql: "INSERT INTO daily_usage (number, day, units) VALUES (?, ?, ?)",
                    arguments: [collector.number, today, collector.redeemedTodayUnits])
            }
        }
    }

    // MARK: - INQUIRE

    func inquire(_ request: Components.Schemas.InquireRequest, now: Date) async throws -> (Int, Components.Schemas.InquireResponse) {
        try await database.write { [self] db in
            try housekeeping(db, now: now)
            return try answerInquiry(request, db: db, now: now)
        }
    }

    private func answerInquiry(
        _ request: Components.Schemas.InquireRequest, db: Database,
        now: Date
    ) throws -> (Int, Components.Schemas.InquireResponse) {
        let (account, used) = try Self.accountAndUsage(request.collectorNumber, day: ProgramDay.redemptionDay(at: now), db)
        return HostRules.inquiry(request, account: account, usedToday: used, dailyLimit: options.dailyLimitUnits, now: now)
    }

    // MARK: - REDEEM

    func redeem(
        _ request: Components.Schemas.RedeemRequest, key: String?, rawBody: Data,
        now: Date
    ) async throws -> LedgerReply<Components.Schemas.RedeemResponse> {
        let ask = HostRules.reading(request, now: now)
        let day = ProgramDay.redemptionDay(at: now)
        return try await once(IdempotencyIdentity(operation: "redeem", key: key, rawBody: rawBody), now: now) { [self] db in
            try answerRedemption(request, ask, day: day, db: db, now: now)
        }
    }

    private func answerRedemption(
        _ request: Components.Schemas.RedeemRequest, _ ask: HostRules.RedemptionAsk, day: ProgramDay, db: Database,
        now: Date
    ) throws -> (Int, Components.Schemas.RedeemResponse, String?) {
        let (account, used) = try Self.accountAndUsage(request.collectorNumber, day: day, db)
        switch HostRules.redemption(ask, account: account, usedToday: used, dailyLimit: options.dailyLimitUnits) {
        case .answered(let status, let body):
            return (status, body, nil)
        case .grant(let grant):
            let number = grant.account.number
            try db.cachedStatement(sql: "UPDATE accounts SET cash = ? WHERE number = ?").execute(arguments: [grant.cashAfter, number])
            try Self.addUsage(grant.units, number: number, day: day.description, db)
            let confirmation = "RD" + zeroPad(runBase + (try Self.nextSequence(db)), 10)
            try db.cachedStatement(
                sql: """
                    INSERT INTO redemptions (confirmation, number, units, miles, cents, atMs, day, sponsorCode, storeId, deviceId, traceId)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                confirmation, number, grant.units, grant.miles, grant.cents,
                milliseconds(now), day.description, request.sponsorCode, request.storeId, request.deviceId,
                request.traceId,
            ])
            return grant.approved(confirmation: confirmation)
        }
    }

    // MARK: - REVERSE

    func reverse(
        _ request: Components.Schemas.ReverseRequest, key: String?, rawBody: Data,
        now: Date
    ) async throws -> LedgerReply<Components.Schemas.ReverseResponse> {
        try await once(IdempotencyIdentity(operation: "reverse", key: key, rawBody: rawBody), now: now) { [self] db in
            let (status, body) = try answerReversal(request, db: db, now: now)
            return (status, body, nil)
        }
    }

    private func answerReversal(
        _ request: Components.Schemas.ReverseRequest, db: Database,
        now: Date
    ) throws -> (Int, Components.Schemas.ReverseResponse) {
        let account = try Account.fetch(request.collectorNumber, db)
        let confirmation: String
        switch HostRules.reversalStart(request, account: account, now: now) {
        case .answered(let status, let body): return (status, body)
        case .lookUp(let number): confirmation = number
        }
        let facts = try Row.fetchOne(
            db,
            sql: """
                SELECT number, units, miles, atMs, day, reversalConfirmation, refundedByHost FROM redemptions WHERE confirmation = ?
                """, arguments: [confirmation]
        ).map {
            RedemptionFacts(
                number: $0["number"], units: $0["units"], miles: $0["miles"], atMs: $0["atMs"], day: $0["day"],
                reversalConfirmation: $0["reversalConfirmation"], refundedByHost: ($0["refundedByHost"] as Int) == 1)
        }
        switch HostRules.reversal(request, account: account!, confirmation: confirmation, facts: facts, now: now) {
        case .answered(let status, let body):
            return (status, body)
        case .reverse(let facts, var account, let response, let balancesShown):
            account.cash += facts.miles
            try db.cachedStatement(sql: "UPDATE accounts SET cash = ? WHERE number = ?").execute(arguments: [account.cash, account.number])
            try Self.addUsage(-facts.units, number: account.number, day: facts.day, db)
            let reversal = "RV" + zeroPad(runBase + (try Self.nextSequence(db)), 10)
            try db.cachedStatement(
                sql: """
                    UPDATE redemptions SET reversalConfirmation = ?, reversedAtMs = ?, reversalSponsorCode = ?, reversalStoreId = ?,
                        reversalDeviceId = ?, reversalTraceId = ?, refundDueAtMs = NULL
                    WHERE confirmation = ?
                    """
            ).execute(arguments: [
                reversal, milliseconds(now), request.sponsorCode, request.storeId, request.deviceId,
                request.traceId, confirmation,
            ])
            return HostRules.approvedReversal(
                response, units: facts.units, reversal: reversal, account: account,
                balancesShown: balancesShown)
        }
    }

    // MARK: - Idempotency and the host's safety net

    /// Answers an identity once: the first time `apply` changes the ledger and its answer is stored
    /// with the body's hash, in the same transaction; after that, until the key expires, the stored
    /// answer is replayed, and the same key with another body is a conflict. An answer refused by
    /// validation (0035) is not stored: the corrected request may come with the same key.
    private func once<Body: Codable & Sendable & HostResponseBody>(
        _ identity: IdempotencyIdentity, now: Date,
        apply: @escaping @Sendable (Database) throws -> (Int, Body, String?)
    ) async throws -> LedgerReply<Body> {
        let retention = options.keyRetention
        return try await database.write { [self] db in
            try housekeeping(db, now: now)
            let nowMs = milliseconds(now)
            if let stored = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT operation, bodyHash, status, response, confirmation, expiresAtMs FROM replies WHERE key = ?
                        """), arguments: [identity.storageKey])
            {
                if (stored["expiresAtMs"] as Int64) > nowMs {
                    guard stored["operation"] == identity.operation, stored["bodyHash"] == identity.bodyHash else { return .conflict }
                    // The answer reached the terminal this time (unless it is dropped again): nothing to refund.
                    if let confirmation: String = stored["confirmation"] {
                        try db.cachedStatement(sql: "UPDATE redemptions SET refundDueAtMs = NULL WHERE confirmation = ?").execute(arguments: [
                            confirmation
                        ])
                    }
                    return .answer(status: stored["status"], body: try JSONDecoder().decode(Body.self, from: stored["response"] as Data))
                }
                // Past its retention the key is forgotten: this is a new transaction.
                try db.cachedStatement(sql: "DELETE FROM replies WHERE key = ?").execute(arguments: [identity.storageKey])
            }
            let (status, response, confirmation) = try apply(db)
            if response.responseCode != ResponseCode.invalidField.rawValue {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO replies (key, operation, bodyHash, status, response, confirmation, expiresAtMs) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    identity.storageKey, identity.operation, identity.bodyHash, status, try JSONEncoder().encode(response),
                    confirmation, nowMs + Int64(retention.components.seconds) * 1000,
                ])
            }
            return .answer(status: status, body: response)
        }
    }

    /// The answer to `identity` was lost on the way (a `drop` fault): if it approved a redemption and
    /// the terminal does not ask again within `orphanRefund`, the host gives the miles back itself.
    func answerWasLost(_ identity: IdempotencyIdentity, now: Date) async throws {
        let due = milliseconds(now) + Int64(options.orphanRefund.components.seconds) * 1000
        try await database.write { db in
            guard
                let confirmation = try String.fetchOne(
                    db, sql: "SELECT confirmation FROM replies WHERE key = ? AND operation = ?",
                    arguments: [identity.storageKey, identity.operation])
            else { return }
            try db.execute(
                sql: "UPDATE redemptions SET refundDueAtMs = ? WHERE confirmation = ? AND reversalConfirmation IS NULL",
                arguments: [due, confirmation])
        }
    }

    /// Refunds the orphans that are due and forgets expired answers. Runs inside every transaction
    /// that answers a terminal, so it costs one indexed lookup when there is nothing to do.
    private func housekeeping(_ db: Database, now: Date) throws {
        let nowMs = milliseconds(now)
        try Self.refundOrphans(db, nowMs: nowMs, runBase: runBase)
        let prune = lastPrune.withLockedValue { last in
            guard nowMs - last >= 60_000 || nowMs < last else { return false }
            last = nowMs
            return true
        }
        if prune { try db.cachedStatement(sql: "DELETE FROM replies WHERE expiresAtMs <= ?").execute(arguments: [nowMs]) }
    }

    /// The host's own safety net: each redemption whose answer was lost and not asked for again by
    /// its refund time is reversed by the host, at that time, on the original's terminal and trace.
    static func refundOrphans(_ db: Database, nowMs: Int64, runBase: Int) throws {
        let due = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT confirmation, number, units, miles, day, refundDueAtMs, sponsorCode, storeId, deviceId, traceId
                    FROM redemptions WHERE refundDueAtMs IS NOT NULL AND refundDueAtMs <= ?
                    """), arguments: [nowMs])
        for row in due {
            let number: String = row["number"]
            try db.cachedStatement(sql: "UPDATE accounts SET cash = cash + ? WHERE number = ?").execute(arguments: [row["miles"] as Int, number])
            try addUsage(-(row["units"] as Int), number: number, day: row["day"], db)
            let sequence = try nextSequence(db)
            let refund = "RF" + zeroPad(runBase + sequence, 10)
            try db.cachedStatement(
                sql: """
                    UPDATE redemptions SET reversalConfirmation = ?, reversedAtMs = refundDueAtMs, reversalSponsorCode = sponsorCode,
                        reversalStoreId = storeId, reversalDeviceId = deviceId, reversalTraceId = traceId, refundedByHost = 1,
                        refundDueAtMs = NULL
                    WHERE confirmation = ?
                    """
            ).execute(arguments: [refund, row["confirmation"] as String])
        }
    }

    // MARK: - Looking in

    /// A collector's AM Cash balance (for tests and the trainer).
    func cashBalance(of number: String, now: Date) async throws -> Int? {
        try await database.write { [self] db in
            try housekeeping(db, now: now)
            return try Account.fetch(number, db)?.cash
        }
    }

    /// Units redeemed today by a collector.
    func usedUnits(_ number: String, now: Date) async throws -> Int {
        try await database.read { db in try Self.usedUnits(number, day: ProgramDay.redemptionDay(at: now), db) }
    }

    /// The reconciliation file of one sponsor for one reconciliation day.
    func reconciliationFile(day: ProgramDay, sponsorCode: String, now: Date) async throws -> ReconciliationFile {
        try await database.write { [self] db in
            try housekeeping(db, now: now)
            return try ReconciliationExport.file(db, day: day, sponsorCode: sponsorCode, now: now)
        }
    }

    /// Every redemption, oldest first.
    func redemptions() async throws -> [LedgerRedemption] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT confirmation, number, units, reversalConfirmation, refundedByHost FROM redemptions ORDER BY atMs, confirmation
                    """
            ).map {
                LedgerRedemption(
                    confirmation: $0["confirmation"], number: $0["number"], units: $0["units"],
                    reversal: $0["reversalConfirmation"], refundedByHost: ($0["refundedByHost"] as Int) == 1)
            }
        }
    }

    /// One collector's redemptions not reversed, counted by the `redemptions_by_number` index.
    func standingRedemptions(of number: String) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM redemptions WHERE number = ? AND reversalConfirmation IS NULL", arguments: [number])
                ?? 0
        }
    }

    /// How many answers are stored under a key (for tests of pruning).
    func storedReplies() async throws -> Int {
        try await database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM replies") ?? 0 }
    }

    /// Fills the ledger with `count` past redemptions (and their stored answers) of yesterday, spread
    /// over `collectors`: a benchmark's "ledger that has grown", in one transaction.
    func prefill(redemptions count: Int, collectors: [String], now: Date) async throws {
        guard count > 0, !collectors.isEmpty else { return }
        let at = now.addingTimeInterval(-86_400)
        let day = ProgramDay.redemptionDay(at: at).description
        let expires = milliseconds(now) + Int64(options.keyRetention.components.seconds) * 1000
        try await database.write { [runBase] db in
            let redemption = try db.makeStatement(
                sql: """
                    INSERT INTO redemptions (confirmation, number, units, miles, cents, atMs, day, sponsorCode, storeId, deviceId, traceId)
                    VALUES (?, ?, 1, 95, 1000, ?, ?, 'LOY1', '0001', '999', ?)
                    """)
            let reply = try db.makeStatement(
                sql: """
                    INSERT INTO replies (key, operation, bodyHash, status, response, confirmation, expiresAtMs) VALUES (?, 'redeem', ?, 200, ?, ?, ?)
                    """)
            for index in 0..<count {
                let sequence = try Self.nextSequence(db)
                let confirmation = "RD" + zeroPad(runBase + sequence, 10)
                let number = collectors[index % collectors.count]
                try redemption.execute(arguments: [confirmation, number, milliseconds(at), day, zeroPad(index + 1, 12)])
                let body = Data(#"{"responseCode":"0000","message":"Approved","unitsRedeemed":"1","txnConfirmationNumber":"\#(confirmation)"}"#.utf8)
                try reply.execute(arguments: ["key:prefill-\(index)", IdempotencyIdentity.hash(body), body, confirmation, expires])
            }
        }
    }

    // MARK: - Pieces

    private static func usedUnits(_ number: String, day: ProgramDay, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT units FROM daily_usage WHERE number = ? AND day = ?"),
            arguments: [number, day.description]) ?? 0
    }

    /// A collector's account and the units it redeemed on `day`: one indexed read instead of two, on
    /// the path every INQUIRE and REDEEM takes inside the ledger's (serialised) write transaction.
    private static func accountAndUsage(_ number: String, day: ProgramDay, _ db: Database) throws -> (Account?, Int) {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT a.cash, a.dream, a.behaviour, u.units FROM accounts AS a
                        LEFT JOIN daily_usage AS u ON u.number = a.number AND u.day = ?
                        WHERE a.number = ?
                        """), arguments: [day.description, number])
        else { return (nil, 0) }
        let account = Account(
            number: number, cash: row[0], dream: row[1], behaviour: TestCollector.Behaviour(rawValue: row[2]) ?? .normal)
        return (account, (row[3] as Int?) ?? 0)
    }

    private static func addUsage(_ units: Int, number: String, day: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO daily_usage (number, day, units) VALUES (?, ?, ?)
                ON CONFLICT (number, day) DO UPDATE SET units = units + excluded.units
                """
        ).execute(arguments: [number, day, units])
    }

    private static func nextSequence(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name = 'confirmation' RETURNING value"))!
    }

}

extension Account {
    static func fetch(_ number: String, _ db: Database) throws -> Account? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT cash, dream, behaviour FROM accounts WHERE number = ?"),
                arguments: [number])
        else { return nil }
        return Account(
            number: number, cash: row["cash"], dream: row["dream"],
            behaviour: TestCollector.Behaviour(rawValue: row["behaviour"]) ?? .normal)
    }
}

/// One redemption as `SimulatorServer.redemptions()` reports it.
struct LedgerRedemption: Sendable {
    let confirmation: String
    let number: String
    let units: Int
    let reversal: String?
    let refundedByHost: Bool
}
