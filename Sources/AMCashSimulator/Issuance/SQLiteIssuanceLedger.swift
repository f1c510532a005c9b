import AMCashDomain
import AMCashWire
import Foundation
import GRDB

/// The Issuance half of the simulated host's books in SQLite, on the same tables as AM Cash (`accounts`,
/// `replies`, `counters`) and its own `issuances` table. Each call is one immediate transaction.
final class SQLiteIssuanceLedger: IssuanceBooks {
    private let database: LedgerDatabase
    private let options: SimulatorOptions
    private let runBase: Int
    private let rules: IssuanceRules

    init(database: LedgerDatabase, options: SimulatorOptions, runBase: Int) {
        self.database = database
        self.options = options
        self.runBase = runBase
        rules = IssuanceRules(centsPerMile: options.earningCentsPerMile, bonusOffers: options.bonusOffers)
    }

    func handle(
        _ operation: IssuanceOperation, _ body: IssuanceRequestBody, key: String?, rawBody: Data, now: Date, profile: TestCollector?
    ) async throws
        -> IssuanceAnswer
    {
        let retentionMs = Int64(options.keyRetention.components.seconds) * 1000
        let postDelayMs = Int64(options.earningPostDelay.components.seconds) * 1000
        return try await database.write { [self] db in
            let nowMs = milliseconds(now)
            try Self.postDue(db, nowMs: nowMs)
            if operation == .record {
                let confirmation = "RC" + zeroPad(runBase + (try Self.nextSequence(db)), 10)
                try db.execute(
                    sql: """
                        INSERT INTO issuances (confirmation, operation, checkoutTransactionId, number, preTaxCents, miles, cashMiles, dreamMiles,
                            status, atMs) VALUES (?, 'record', ?, ?, ?, 0, 0, 0, ?, ?)
                        """,
                    arguments: [
                        confirmation, body.checkoutTransactionId, body.collectorNumber, body.basketPreTaxAmount.cents,
                        IssuanceDecisions.statusRecorded, nowMs,
                    ])
                return .reply(status: 200, body: IssuanceHostRules.recorded(body, confirmation: confirmation))
            }
            func answer() throws -> (Int, IssuanceReplyBody) {
                try decideAndWrite(operation, body, profile: profile, db: db, nowMs: nowMs, postDelayMs: postDelayMs)
            }
            if operation == .calculate {
                let (status, reply) = try answer()
                return .reply(status: status, body: reply)
            }
            let identity = IdempotencyIdentity(operation: "issuance/" + operation.rawValue, key: key, rawBody: rawBody)
            if let stored = try Row.fetchOne(
                db, sql: "SELECT operation, bodyHash, status, response, expiresAtMs FROM replies WHERE key = ?", arguments: [identity.storageKey])
            {
                if (stored["expiresAtMs"] as Int64) > nowMs {
                    guard stored["operation"] == identity.operation, stored["bodyHash"] == identity.bodyHash else { return .conflict }
                    let status: Int = stored["status"]
                    let replayed = try IssuanceReplyBody(json: IssuanceJSON.parse(stored["response"] as Data))
                    let bookStatus = try IssuanceHostRules.pendingToLookUp(status: status, replayed).flatMap {
                        try String.fetchOne(db, sql: "SELECT status FROM issuances WHERE confirmation = ?", arguments: [$0])
                    }
                    let now = IssuanceHostRules.replayed(status: status, replayed, bookStatus: bookStatus)
                    return .reply(status: now.status, body: now.body)
                }
                try db.execute(sql: "DELETE FROM replies WHERE key = ?", arguments: [identity.storageKey])
            }
            let (status, reply) = try answer()
            if IssuanceHostRules.storesReply(status: status) {
                try db.execute(
                    sql: "INSERT INTO replies (key, operation, bodyHash, status, response, confirmation, expiresAtMs) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        identity.storageKey, identity.operation, identity.bodyHash, status, reply.json.data, reply.confirmationNumber,
                        nowMs + retentionMs,
                    ])
            }
            return .reply(status: status, body: reply)
        }
    }

    private func decideAndWrite(
        _ operation: IssuanceOperation, _ body: IssuanceRequestBody, profile: TestCollector?, db: Database, nowMs: Int64,
        postDelayMs: Int64
    ) throws -> (Int, IssuanceReplyBody) {
        let account = try body.collectorNumber.flatMap { try Account.fetch($0, db) }
        var original: EarnedSale?
        if let id = IssuanceHostRules.originalToLookUp(operation, body) {
            original = try Row.fetchOne(
                db,
                sql: """
                    SELECT number, miles, cashMiles,
                        (SELECT COALESCE(SUM(-miles), 0) FROM issuances WHERE originalCheckoutTransactionId = ? AND operation = 'return') AS returned,
                        (SELECT COALESCE(SUM(-cashMiles), 0) FROM issuances WHERE originalCheckoutTransactionId = ? AND operation = 'return')
                            AS returnedCash
                    FROM issuances WHERE checkoutTransactionId = ? AND operation IN ('issue', 'post')
                    """,
                arguments: [id, id, id]
            ).map {
                EarnedSale(
                    number: $0["number"], miles: $0["miles"], cashMiles: $0["cashMiles"], returnedMiles: $0["returned"],
                    returnedCashMiles: $0["returnedCash"])
            }
        }
        let decision = IssuanceHostRules.decide(
            operation, body, account: account, profile: profile, original: original, rules: rules)
        switch decision {
        case .answered(let status, let reply):
            return (status, reply)
        case .write(let entry):
            let confirmation = entry.confirmationPrefix + zeroPad(runBase + (try Self.nextSequence(db)), 10)
            try db.execute(
                sql: """
                    INSERT INTO issuances (confirmation, operation, checkoutTransactionId, originalCheckoutTransactionId, number, preTaxCents,
                        miles, cashMiles, dreamMiles, status, postAtMs, atMs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    confirmation, entry.operation, body.checkoutTransactionId, body.originalCheckoutTransactionId, entry.number,
                    body.basketPreTaxAmount.cents, entry.signedMiles, entry.cashMiles, entry.dreamMiles, entry.status,
                    entry.pending ? nowMs + postDelayMs : nil, nowMs,
                ])
            if !entry.pending {
                try db.execute(
                    sql: "UPDATE accounts SET cash = cash + ?, dream = dream + ? WHERE number = ?",
                    arguments: [entry.cashMiles, entry.dreamMiles, entry.number])
            }
            return entry.reply(confirmation: confirmation)
        }
    }

    /// Posts the pending earnings that are due (a 202's miles reach the account a few seconds later).
    static func postDue(_ db: Database, nowMs: Int64) throws {
        let due = try Row.fetchAll(
            db, sql: "SELECT confirmation, number, cashMiles, dreamMiles FROM issuances WHERE status = 'PENDING' AND postAtMs <= ?",
            arguments: [nowMs])
        for row in due {
            try db.execute(
                sql: "UPDATE accounts SET cash = cash + ?, dream = dream + ? WHERE number = ?",
                arguments: [row["cashMiles"] as Int, row["dreamMiles"] as Int, row["number"] as String])
            try db.execute(
                sql: "UPDATE issuances SET status = 'ISSUED', postAtMs = NULL WHERE confirmation = ?", arguments: [row["confirmation"] as String])
        }
    }

    private static func nextSequence(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "UPDATE counters SET value = value + 1 WHERE name = 'confirmation' RETURNING value")!
    }

    func rows(now: Date) async throws -> [SimulatedIssuance] {
        try await database.write { db in
            try Self.postDue(db, nowMs: milliseconds(now))
            // Oldest first; within one millisecond by the confirmation's number (its two-letter prefix left out).
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT confirmation, operation, checkoutTransactionId, originalCheckoutTransactionId, number, miles, cashMiles, dreamMiles, status
                    FROM issuances ORDER BY atMs, substr(confirmation, 3)
                    """
            ).map {
                SimulatedIssuance(
                    confirmationNumber: $0["confirmation"], operation: $0["operation"], checkoutTransactionId: $0["checkoutTransactionId"],
                    originalCheckoutTransactionId: $0["originalCheckoutTransactionId"], collectorNumber: $0["number"], miles: $0["miles"],
                    cashMiles: $0["cashMiles"], dreamMiles: $0["dreamMiles"], status: $0["status"])
            }
        }
    }

    func balances(of number: String, now: Date) async throws -> (cash: Int, dream: Int)? {
        try await database.write { db in
            try Self.postDue(db, nowMs: milliseconds(now))
            return try Account.fetch(number, db).map { ($0.cash, $0.dream) }
        }
    }
}
