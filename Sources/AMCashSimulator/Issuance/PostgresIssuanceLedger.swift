import AMCashDomain
import AMCashPostgres
import AMCashWire
import Foundation
import Logging
import PostgresNIO

/// The Issuance half of the simulated host's books in PostgreSQL, beside `PostgresLedger`'s tables
/// (`sim_accounts`, `sim_replies`, `sim_confirmation_seq`) in `sim_issuances`, so a training centre's
/// simulators share one account per collector for redeeming and earning.
///
/// Each ISSUE, RETURN, POST or REVERSE is one transaction: the advisory lock of its idempotency identity
/// (as REDEEM takes it), then the collector's account row (`FOR UPDATE`, as REDEEM takes it), so a RETURN
/// never gives back more than its sale earned however many simulators serve the collector. Pending
/// earnings post in short transactions of their own, the account locked first.
final class PostgresIssuanceLedger: IssuanceBooks {
    private let client: PostgresClient
    private let options: SimulatorOptions
    private let rules: IssuanceRules
    private let logger = quietLogger

    init(client: PostgresClient, options: SimulatorOptions) {
        self.client = client
        self.options = options
        rules = IssuanceRules(centsPerMile: options.earningCentsPerMile, bonusOffers: options.bonusOffers)
    }

    func handle(
        _ operation: IssuanceOperation, _ body: IssuanceRequestBody, key: String?, rawBody: Data, now: Date, profile: TestCollector?
    ) async throws
        -> IssuanceAnswer
    {
        let nowMs = milliseconds(now)
        try await postDue(nowMs: nowMs)
        switch operation {
        case .record:
            let confirmation = try await PostgresLedger.retrying(client, logger: logger) { [logger] connection in
                let confirmation = "RC" + zeroPad(try await PostgresLedger.nextSequence(connection, logger: logger), 10)
                try await connection.query(
                    """
                    INSERT INTO sim_issuances (confirmation, operation, checkout_transaction_id, number, pre_tax_cents, miles, cash_miles,
                        dream_miles, status, at_ms)
                    VALUES (\(confirmation), 'record', \(body.checkoutTransactionId), \(body.collectorNumber), \(body.basketPreTaxAmount.cents),
                        0, 0, 0, \(IssuanceDecisions.statusRecorded), \(nowMs))
                    """, logger: logger)
                return confirmation
            }
            return .reply(status: 200, body: IssuanceHostRules.recorded(body, confirmation: confirmation))
        case .calculate:
            var account: Account?
            if let number = body.collectorNumber { account = try await PostgresLedger.account(number, client, lock: false, logger: logger) }
            let (status, reply) = try await decideAndWrite(operation, body, account: account, profile: profile, connection: nil, nowMs: nowMs)
            return .reply(status: status, body: reply)
        default:
            break
        }
        let identity = IdempotencyIdentity(operation: "issuance/" + operation.rawValue, key: key, rawBody: rawBody)
        let retentionMs = Int64(options.keyRetention.components.seconds) * 1000
        return try await PostgresLedger.retrying(client, logger: logger) { [self] connection in
            switch try await PostgresLedger.storedReply(identity, nowMs: nowMs, connection, logger: logger) {
            case .conflict:
                return .conflict
            case .found(let status, let response, _):
                let replayed = try IssuanceReplyBody(json: IssuanceJSON.parse(response))
                var bookStatus: String?
                if let confirmation = IssuanceHostRules.pendingToLookUp(status: status, replayed) {
                    for try await found in try await connection.query(
                        "SELECT status FROM sim_issuances WHERE confirmation = \(confirmation)", logger: logger
                    ).decode(String.self) {
                        bookStatus = found
                    }
                }
                let now = IssuanceHostRules.replayed(status: status, replayed, bookStatus: bookStatus)
                return .reply(status: now.status, body: now.body)
            case .none:
                break
            }
            var account: Account?
            if let number = body.collectorNumber { account = try await PostgresLedger.account(number, connection, lock: true, logger: logger) }
            let (status, reply) = try await decideAndWrite(operation, body, account: account, profile: profile, connection: connection, nowMs: nowMs)
            if IssuanceHostRules.storesReply(status: status) {
                try await PostgresLedger.store(
                    identity, status: status, response: reply.json.data, confirmation: reply.confirmationNumber,
                    expiresAtMs: nowMs + retentionMs, connection, logger: logger)
            }
            return .reply(status: status, body: reply)
        }
    }

    /// Decides with `IssuanceHostRules` and writes what it says in `connection`'s transaction (CALCULATE,
    /// which writes nothing, has none).
    private func decideAndWrite(
        _ operation: IssuanceOperation, _ body: IssuanceRequestBody, account: Account?, profile: TestCollector?,
        connection: PostgresConnection?, nowMs: Int64
    ) async throws -> (Int, IssuanceReplyBody) {
        var original: EarnedSale?
        if let id = IssuanceHostRules.originalToLookUp(operation, body), let connection {
            for try await (number, miles, cashMiles, returned, returnedCash) in try await connection.query(
                """
                SELECT number, miles, cash_miles,
                    (SELECT COALESCE(SUM(-miles), 0)::bigint FROM sim_issuances WHERE original_checkout_transaction_id = \(id) AND operation = 'return'),
                    (SELECT COALESCE(SUM(-cash_miles), 0)::bigint FROM sim_issuances
                        WHERE original_checkout_transaction_id = \(id) AND operation = 'return')
                FROM sim_issuances WHERE checkout_transaction_id = \(id) AND operation IN ('issue', 'post') LIMIT 1
                """, logger: logger
            ).decode((String?, Int, Int, Int64, Int64).self) {
                original = EarnedSale(
                    number: number, miles: miles, cashMiles: cashMiles, returnedMiles: Int(returned), returnedCashMiles: Int(returnedCash))
            }
        }
        let decision = IssuanceHostRules.decide(
            operation, body, account: account, profile: profile, original: original,
            rules: rules)
        switch decision {
        case .answered(let status, let reply):
            return (status, reply)
        case .write(let entry):
            guard let connection else { throw LedgerFailure(reason: "an Issuance \(operation.label) to write without a transaction") }
            let postDelayMs = Int64(options.earningPostDelay.components.seconds) * 1000
            let confirmation = entry.confirmationPrefix + zeroPad(try await PostgresLedger.nextSequence(connection, logger: logger), 10)
            let postAtMs: Int64? = entry.pending ? nowMs + postDelayMs : nil
            try await connection.query(
                """
                INSERT INTO sim_issuances (confirmation, operation, checkout_transaction_id, original_checkout_transaction_id, number,
                    pre_tax_cents, miles, cash_miles, dream_miles, status, post_at_ms, at_ms)
                VALUES (\(confirmation), \(entry.operation), \(body.checkoutTransactionId), \(body.originalCheckoutTransactionId),
                    \(entry.number), \(body.basketPreTaxAmount.cents), \(entry.signedMiles), \(entry.cashMiles), \(entry.dreamMiles),
                    \(entry.status), \(postAtMs), \(nowMs))
                """, logger: logger)
            if !entry.pending {
                try await connection.query(
                    """
                    UPDATE sim_accounts SET cash = cash + \(entry.cashMiles), dream = dream + \(entry.dreamMiles) WHERE number = \(entry.number)
                    """, logger: logger)
            }
            return entry.reply(confirmation: confirmation)
        }
    }

    /// Posts the pending earnings that are due, each in a transaction of its own: the account first (as
    /// ISSUE and REDEEM lock it), then the earning, if it is still pending.
    private func postDue(nowMs: Int64) async throws {
        var due: [String] = []
        for try await confirmation in try await client.query(
            "SELECT confirmation FROM sim_issuances WHERE status = 'PENDING' AND post_at_ms <= \(nowMs)", logger: logger
        ).decode(String.self) {
            due.append(confirmation)
        }
        for confirmation in due {
            try await PostgresLedger.retrying(client, logger: logger) { [logger] connection in
                var number: String?
                for try await found in try await connection.query(
                    "SELECT number FROM sim_issuances WHERE confirmation = \(confirmation)", logger: logger
                ).decode(String?.self) {
                    number = found
                }
                guard let number else { return }
                try await connection.query("SELECT 1 FROM sim_accounts WHERE number = \(number) FOR UPDATE", logger: logger)
                var posted: (Int, Int)?
                for try await row in try await connection.query(
                    """
                    UPDATE sim_issuances SET status = 'ISSUED', post_at_ms = NULL WHERE confirmation = \(confirmation) AND status = 'PENDING'
                    RETURNING cash_miles, dream_miles
                    """, logger: logger
                ).decode((Int, Int).self) {
                    posted = row
                }
                guard let (cash, dream) = posted else { return }
                try await connection.query(
                    "UPDATE sim_accounts SET cash = cash + \(cash), dream = dream + \(dream) WHERE number = \(number)", logger: logger)
            }
        }
    }

    func rows(now: Date) async throws -> [SimulatedIssuance] {
        try await postDue(nowMs: milliseconds(now))
        var all: [SimulatedIssuance] = []
        // Oldest first; within one millisecond by the confirmation's number (its two-letter prefix left out).
        for try await (confirmation, operation, transaction, original, number, miles, cash, dream, status) in try await client.query(
            """
            SELECT confirmation, operation, checkout_transaction_id, original_checkout_transaction_id, number, miles, cash_miles, dream_miles,
                status
            FROM sim_issuances ORDER BY at_ms, substr(confirmation, 3)
            """, logger: logger
        ).decode((String, String, String?, String?, String?, Int, Int, Int, String).self) {
            all.append(
                SimulatedIssuance(
                    confirmationNumber: confirmation, operation: operation, checkoutTransactionId: transaction,
                    originalCheckoutTransactionId: original, collectorNumber: number, miles: miles, cashMiles: cash, dreamMiles: dream,
                    status: status))
        }
        return all
    }

    func balances(of number: String, now: Date) async throws -> (cash: Int, dream: Int)? {
        try await postDue(nowMs: milliseconds(now))
        return try await PostgresLedger.account(number, client, lock: false, logger: logger).map { ($0.cash, $0.dream) }
    }
}
