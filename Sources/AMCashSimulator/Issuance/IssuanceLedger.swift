import AMCashDomain
import AMCashWire
import Foundation
import GRDB

/// The Issuance half of the simulated host's books, on the same SQLite tables as AM Cash (`accounts`,
/// `replies`, `counters`) and its own `issuances` table. Each call is one immediate transaction; ISSUE,
/// RETURN, POST and REVERSE are answered once per idempotency key (or keyless body) and replayed after,
/// as AM Cash's are; CALCULATE moves nothing; RECORD moves nothing and is not idempotent.
final class IssuanceLedger: Sendable {
    private let database: LedgerDatabase
    private let options: SimulatorOptions
    private let runBase: Int
    let rules: IssuanceRules

    init(database: LedgerDatabase, options: SimulatorOptions, runBase: Int) {
        self.database = database
        self.options = options
        self.runBase = runBase
        rules = IssuanceRules(centsPerMile: options.earningCentsPerMile, bonusOffers: options.bonusOffers)
    }

    /// An answer, or the same key with another body.
    enum Answer: Sendable {
        case reply(status: Int, body: IssuanceReplyBody)
        case conflict
    }

    func handle(_ operation: IssuanceOperation, _ body: IssuanceRequestBody, key: String?, rawBody: Data, now: Date) async throws -> Answer {
        let profiles = Dictionary(options.collectors.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        let retentionMs = Int64(options.keyRetention.components.seconds) * 1000
        let postDelayMs = Int64(options.earningPostDelay.components.seconds) * 1000
        return try await database.write { [self] db in
            let nowMs = milliseconds(now)
            try Self.postDue(db, nowMs: nowMs)
            switch operation {
            case .calculate:
                let (status, reply) = try answer(operation, body, profiles: profiles, db: db, nowMs: nowMs, postDelayMs: postDelayMs)
                return .reply(status: status, body: reply)
            case .record:
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
                return .reply(
                    status: 200,
                    body: IssuanceReplyBody(
                        responseCode: "0000", message: "Approved", checkoutTransactionId: body.checkoutTransactionId,
                        confirmationNumber: confirmation, totalMiles: 0, status: IssuanceDecisions.statusRecorded))
            default:
                let identity = IdempotencyIdentity(operation: "issuance/" + operation.rawValue, key: key, rawBody: rawBody)
                if let stored = try Row.fetchOne(
                    db, sql: "SELECT operation, bodyHash, status, response, expiresAtMs FROM replies WHERE key = ?", arguments: [identity.storageKey])
                {
                    if (stored["expiresAtMs"] as Int64) > nowMs {
                        guard stored["operation"] == identity.operation, stored["bodyHash"] == identity.bodyHash else { return .conflict }
                        let replayed = try IssuanceReplyBody(json: IssuanceJSON.parse(stored["response"] as Data))
                        return try Self.asItStandsNow(status: stored["status"], replayed, db: db)
                    }
                    try db.execute(sql: "DELETE FROM replies WHERE key = ?", arguments: [identity.storageKey])
                }
                let (status, reply) = try answer(operation, body, profiles: profiles, db: db, nowMs: nowMs, postDelayMs: postDelayMs)
                // A refusal (400, 401) is not stored: the corrected request may come with the same key.
                if status == 200 || status == 202 {
                    try db.execute(
                        sql:
                            "INSERT INTO replies (key, operation, bodyHash, status, response, confirmation, expiresAtMs) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [
                            identity.storageKey, identity.operation, identity.bodyHash, status, reply.json.data, reply.confirmationNumber,
                            nowMs + retentionMs,
                        ])
                }
                return .reply(status: status, body: reply)
            }
        }
    }

    private func refusal(_ status: Int, _ code: String, _ message: String, _ body: IssuanceRequestBody) -> (Int, IssuanceReplyBody) {
        (status, IssuanceReplyBody(responseCode: code, message: message, checkoutTransactionId: body.checkoutTransactionId))
    }

    private func answer(
        _ operation: IssuanceOperation, _ body: IssuanceRequestBody, profiles: [String: TestCollector], db: Database, nowMs: Int64,
        postDelayMs: Int64
    ) throws -> (Int, IssuanceReplyBody) {
        guard let number = body.collectorNumber else {
            return refusal(400, "0035", "missing or invalid field collectorNumber", body)
        }
        guard let account = try Account.fetch(number, db), account.behaviour != .invalidNumber else {
            return refusal(401, "0025", HostWording.message(for: .invalidCollectorNumber), body)
        }
        if account.behaviour == .inactive { return refusal(401, "0002", HostWording.message(for: .accountInactive), body) }
        let profile = profiles[number]
        if profile?.earning == .refused, operation != .calculate {
            return refusal(400, "0035", "this test collector's earnings are always refused (400)", body)
        }
        let location: String? = nil
        var lines: [IssuanceLine]
        var miles: Int
        var original: Row?
        switch operation {
        case .calculate, .issue:
            lines = rules.lines(for: body, locationCode: location)
            miles = lines.reduce(0) { $0 + $1.milesAmount }
        case .returnSale:
            lines = rules.lines(for: body, locationCode: location)
            miles = lines.reduce(0) { $0 + $1.milesAmount }
            if let id = body.originalCheckoutTransactionId {
                original = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT confirmation, miles, cashMiles, number FROM issuances WHERE checkoutTransactionId = ? AND operation IN ('issue', 'post')",
                    arguments: [id])
                guard let original, (original["number"] as String?) == number else {
                    return refusal(400, "0035", "originalCheckoutTransactionId \(id.prefix(40)) names no sale this collector earned on", body)
                }
                let returned =
                    try Int.fetchOne(
                        db, sql: "SELECT COALESCE(SUM(-miles), 0) FROM issuances WHERE originalCheckoutTransactionId = ? AND operation = 'return'",
                        arguments: [id]) ?? 0
                miles = min(miles, max(0, (original["miles"] as Int) - returned))
            }
        case .post, .postEvent, .reverse, .reverseEvent:
            guard !body.issuances.isEmpty else { return refusal(400, "0035", "missing or invalid field issuances", body) }
            guard body.issuances.allSatisfy({ $0.milesAmount >= 0 }) else {
                return refusal(400, "0035", "issuances[].milesAmount must not be negative", body)
            }
            lines = body.issuances
            miles = lines.reduce(0) { $0 + $1.milesAmount }
        case .record:
            fatalError("RECORD is answered before")
        }
        if operation == .calculate {
            return (
                200,
                IssuanceReplyBody(
                    responseCode: "0000", message: "Approved", checkoutTransactionId: body.checkoutTransactionId, issuances: lines,
                    totalMiles: miles)
            )
        }
        let givesBack = operation == .returnSale || operation == .reverse || operation == .reverseEvent
        let signed = givesBack ? -miles : miles
        let cashShare: Int
        if let original, (original["miles"] as Int) > 0 {
            cashShare = (original["cashMiles"] as Int) * 100 / (original["miles"] as Int)
        } else {
            cashShare = min(100, max(0, profile?.earnedCashPercent ?? 100))
        }
        var cash = signed * cashShare / 100
        // Miles taken back come out of AM Cash as far as it goes (it never goes below zero), the rest out of Dream.
        if cash < 0 { cash = -min(-cash, max(0, account.cash)) }
        let dream = signed - cash
        let pending = profile?.earning == .pending && !givesBack
        let status = pending ? IssuanceDecisions.statusPending : IssuanceDecisions.statusIssued
        let prefix = givesBack ? "IR" : "IS"
        let confirmation = prefix + zeroPad(runBase + (try Self.nextSequence(db)), 10)
        try db.execute(
            sql: """
                INSERT INTO issuances (confirmation, operation, checkoutTransactionId, originalCheckoutTransactionId, number, preTaxCents,
                    miles, cashMiles, dreamMiles, status, postAtMs, atMs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                confirmation, operation == .returnSale ? "return" : operation.rawValue, body.checkoutTransactionId,
                body.originalCheckoutTransactionId, number, body.basketPreTaxAmount.cents, signed, cash, dream, status,
                pending ? nowMs + postDelayMs : nil, nowMs,
            ])
        if !pending {
            try db.execute(sql: "UPDATE accounts SET cash = cash + ?, dream = dream + ? WHERE number = ?", arguments: [cash, dream, number])
        }
        return (
            pending ? 202 : 200,
            IssuanceReplyBody(
                responseCode: pending ? IssuanceDecisions.pendingResponseCode : "0000",
                message: pending ? "Accepted: the miles are pending" : "Approved",
                checkoutTransactionId: body.checkoutTransactionId, confirmationNumber: confirmation, issuances: lines, totalMiles: miles,
                status: status)
        )
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

    /// Every Issuance row, oldest first (after posting what is due).
    func rows(now: Date) async throws -> [SimulatedIssuance] {
        try await database.write { db in
            try Self.postDue(db, nowMs: milliseconds(now))
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT confirmation, operation, checkoutTransactionId, originalCheckoutTransactionId, number, miles, cashMiles, dreamMiles, status
                    FROM issuances ORDER BY atMs, confirmation
                    """
            ).map {
                SimulatedIssuance(
                    confirmationNumber: $0["confirmation"], operation: $0["operation"], checkoutTransactionId: $0["checkoutTransactionId"],
                    originalCheckoutTransactionId: $0["originalCheckoutTransactionId"], collectorNumber: $0["number"], miles: $0["miles"],
                    cashMiles: $0["cashMiles"], dreamMiles: $0["dreamMiles"], status: $0["status"])
            }
        }
    }

    /// A collector's two balances (after posting what is due).
    func balances(of number: String, now: Date) async throws -> (cash: Int, dream: Int)? {
        try await database.write { db in
            try Self.postDue(db, nowMs: milliseconds(now))
            return try Account.fetch(number, db).map { ($0.cash, $0.dream) }
        }
    }
}

/// One Issuance row of the simulator's ledger, for tests and trainers. `miles` is signed: a RETURN or
/// REVERSE is negative.
public struct SimulatedIssuance: Sendable, Hashable {
    public let confirmationNumber: String
    /// `issue`, `return`, `post`, `post/event`, `reverse`, `reverse/event` or `record`.
    public let operation: String
    public let checkoutTransactionId: String?
    public let originalCheckoutTransactionId: String?
    public let collectorNumber: String?
    public let miles: Int
    public let cashMiles: Int
    public let dreamMiles: Int
    /// `ISSUED`, `PENDING` or `RECORDED`.
    public let status: String
}
