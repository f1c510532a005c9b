import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation

/// What a one-shot command prints: a readable summary, or one JSON object with `--json`.
struct CommandReport: Encodable {
    var operation: String
    var environment: String
    var outcome: String
    var responseCode: String?
    var message: String?
    var action: String?
    var card: String?
    var entryMode: String?
    var units: Int?
    var dollars: String?
    var miles: Int?
    var confirmationNumber: String?
    var reversalConfirmationNumber: String?
    var balances: BalancesReport?
    var availableOfferUnits: Int?
    var dailyOfferLimit: Int?
    var offer: String?
    var traceId: String
    var idempotencyKey: String?
    var failure: String?

    struct BalancesReport: Encodable {
        var cash: Int?
        var dream: Int?
        var availableCash: Int?
    }

    init(call: PreparedCall, environment: String, card: CardRead?) {
        self.init(traceId: call.traceId, operation: call.operation, idempotencyKey: call.idempotencyKey, environment: environment, card: card)
    }

    init(traceId: String, operation: HostOperation, idempotencyKey: UUID?, environment: String, card: CardRead?) {
        self.operation = operation.rawValue
        self.environment = environment
        outcome = Outcome.unknown.rawValue
        self.card = card?.number.masked
        entryMode = card?.entryMode.rawValue
        self.traceId = traceId
        self.idempotencyKey = idempotencyKey?.uuidString.lowercased()
    }

    mutating func record<Reply>(_ result: HostResult<Reply>, language: Language) {
        outcome = result.outcome.rawValue
        switch result {
        case .answered(let reply):
            responseCode = reply.answer.code.rawValue
            message = reply.answer.meaning.message.text(language)
            action = reply.answer.meaning.action.text.text(language)
            if reply.answer.outcome != .approved, let hostMessage = reply.answer.hostMessage, hostMessage != message {
                failure = "host says: \(hostMessage)"
            }
        case .notSent(let failure), .unknown(let failure):
            self.failure = failure.description
            message = failure.message.text(language)
        }
    }

    mutating func record(balances: Balances, shown: Bool) {
        guard shown, balances != .none else { return }
        self.balances = BalancesReport(cash: balances.cash?.value, dream: balances.dream?.value, availableCash: balances.availableCash?.value)
    }

    /// The exit status for this outcome: 0 approved, 1 declined or not sent, 3 unknown; 2 when the
    /// token service answered something unusable (nothing was sent; a person must look at the service).
    var exitStatus: Int32 {
        if failure?.hasPrefix(HostFailure.tokenUnusablePrefix) == true { return ExitStatus.usage }
        return switch outcome {
        case Outcome.approved.rawValue: ExitStatus.approved
        case Outcome.unknown.rawValue: ExitStatus.unknown
        default: ExitStatus.declined
        }
    }

    /// Writes the report to standard output; true once it is written and flushed (an approval counts
    /// as shown only then).
    @discardableResult
    func print(json: Bool) -> Bool {
        let text: String
        if json {
            text = (try? commandJSON(self)) ?? "{}"
        } else {
            text = summary
        }
        // Written straight to the descriptor, so "written" means the bytes left this process.
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// The human summary, a few lines.
    var summary: String {
        var lines: [String] = []
        lines.append("\(operation)  \(environment)  trace \(traceId)" + (card.map { "  card \($0)" } ?? "") + (entryMode.map { " (\($0))" } ?? ""))
        let code = responseCode.map { "\($0) " } ?? ""
        lines.append("\(outcome.uppercased()): \(code)\(message ?? "")")
        if let confirmationNumber { lines.append("Confirmation number: \(confirmationNumber)") }
        if let reversalConfirmationNumber { lines.append("Reversal confirmation number: \(reversalConfirmationNumber)") }
        if let dollars, let units, let miles {
            let label = operation == HostOperation.inquire.rawValue ? "Can redeem on this sale" : "Discount to apply"
            lines.append("\(label): $\(dollars) (\(units) × $10, \(miles) miles)")
        }
        if let balances {
            var parts: [String] = []
            if let cash = balances.cash { parts.append("AM Cash \(cash) miles") }
            if let dream = balances.dream { parts.append("Dream \(dream) miles") }
            if let available = balances.availableCash { parts.append("available \(available) miles") }
            if !parts.isEmpty { lines.append("Balances: " + parts.joined(separator: ", ")) }
        }
        if let dailyOfferLimit { lines.append("Daily limit: \(dailyOfferLimit) units") }
        if let offer { lines.append("Offer: \(offer)") }
        if let action, outcome != Outcome.approved.rawValue { lines.append("Next: \(action)") }
        if let failure { lines.append("Detail: \(failure)") }
        if outcome == Outcome.unknown.rawValue, operation == HostOperation.redeem.rawValue {
            lines.append(
                "Do not give the discount. If AIR MILES took the miles, this till gives them back on its own (a void, sent by the next amcash command or the console)"
                    + (idempotencyKey.map { "; Idempotency-Key \($0)" } ?? "") + ".")
        }
        return lines.joined(separator: "\n")
    }
}

/// A command's `--json` output: keys sorted, so scripts and tests can compare it as text; dates as ISO 8601
/// where the report asks for it (the default otherwise: seconds since 2001).
func commandJSON(_ value: some Encodable, iso8601Dates: Bool = false, pretty: Bool = false) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
    if iso8601Dates { encoder.dateEncodingStrategy = .iso8601 }
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
