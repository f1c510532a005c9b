import AMCashDomain
import AMCashJournal
import AMCashWire
import ArgumentParser
import Foundation

/// The basket options of CALCULATE, ISSUE and RETURN.
struct BasketOptions: ParsableArguments {
    @Option(name: .long, help: "The post-tax basket total, e.g. 118.65 (for a return: the post-tax amount returned).")
    var basket: String

    @Option(name: .long, help: "The pre-tax total, e.g. 105.00 (default: the post-tax total). Miles are earned on it.")
    var preTax: String?

    @Option(
        name: .long,
        help: "The AM Cash discount given on this sale, e.g. 20.00: not earned on (to confirm with AIR MILES; see docs/earning.md).")
    var discount: String?

    @Option(name: .long, help: "A file of the basket's items, one JSON object a line (id, name, number, quantity, baseAmount, …).")
    var items: String?

    @Option(name: .long, help: "A coupon code applied to the sale (repeat for several).")
    var coupon: [String] = []

    /// The request, or a usage error naming the option (and the items file's line).
    func request(card: CardRead, original: String? = nil) throws -> EarningRequest {
        let postTax = try parseMoney(basket, option: "--basket")
        let preTax = try preTax.map { try parseMoney($0, option: "--pre-tax") } ?? postTax
        let discount = try discount.map { try parseMoney($0, option: "--discount") } ?? .zero
        return EarningRequest(
            card: card, preTaxAmount: preTax, postTaxAmount: postTax, amcashDiscount: discount, items: try readItems(),
            coupons: coupon, originalCheckoutTransactionId: original)
    }

    func readItems() throws -> [IssuanceItem] {
        guard let items else { return [] }
        guard let data = FileManager.default.contents(atPath: items) else { throw ValidationError("--items: cannot read \(items)") }
        var read: [IssuanceItem] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            do {
                read.append(try IssuanceItem(json: IssuanceJSON.parse(Data(line.utf8)), place: "item"))
            } catch {
                throw ValidationError("--items: \(items):\(index + 1): \(error.description)")
            }
        }
        return read
    }
}

/// What an earning command prints: a readable summary, or one JSON object with `--json`.
struct EarningReport: Encodable {
    var operation: String
    var environment: String
    /// `issued`, `pending` or `refused`.
    var outcome: String
    /// The miles the host recorded; absent unless issued (the money rule: never a number the host did not answer).
    var miles: Int?
    var confirmationNumber: String?
    var checkoutTransactionId: String?
    var originalCheckoutTransactionId: String?
    var card: String
    var entryMode: String
    var traceId: String?
    var idempotencyKey: String?
    var responseCode: String?
    var detail: String?

    init(operation: String, environment: String, outcome: EarningOutcome, card: CardRead) {
        self.operation = operation
        self.environment = environment
        self.card = card.number.masked
        entryMode = card.entryMode.rawValue
        switch outcome {
        case .earned(let miles, let confirmation, _):
            self.outcome = "issued"
            self.miles = miles
            confirmationNumber = confirmation
        case .pending(let reason):
            self.outcome = "pending"
            detail = reason
        case .refused(let code, let message):
            self.outcome = "refused"
            responseCode = code
            detail = message
        }
    }

    func print(json: Bool) {
        if json {
            Swift.print((try? commandJSON(self)) ?? "{}")
            return
        }
        var lines = ["\(operation)  \(environment)" + (traceId.map { "  trace \($0)" } ?? "") + "  card \(card) (\(entryMode))"]
        switch outcome {
        case "issued" where operation == "CALCULATE":
            lines.append("This sale earns \(miles ?? 0) miles (a preview: nothing was earned yet)")
        case "issued":
            let verb = operation == "RETURN" ? "Miles taken back" : operation == "CALCULATE" ? "This sale earns" : "Miles earned"
            lines.append("\(outcome.uppercased()): \(verb): \(miles ?? 0)")
        case "pending":
            lines.append("PENDING: miles pending — the journal sends it until AIR MILES answers (amcash journal)")
        default:
            lines.append("REFUSED" + (responseCode.map { ": \($0)" } ?? ""))
        }
        if let confirmationNumber { lines.append("Confirmation number: \(confirmationNumber)") }
        if let checkoutTransactionId { lines.append("Checkout transaction id: \(checkoutTransactionId)") }
        if let originalCheckoutTransactionId { lines.append("Returned sale: \(originalCheckoutTransactionId)") }
        if let detail { lines.append("Detail: \(detail)") }
        Swift.print(lines.joined(separator: "\n"))
    }
}

struct CalculateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calculate", abstract: "Show the miles a basket would earn (Issuance CALCULATE; moves nothing).",
        discussion: "Exit status: 0 answered, 1 refused, 2 usage, 3 no answer.")

    @OptionGroup var host: HostOptions
    @OptionGroup var cardOptions: CardOptions
    @OptionGroup var basket: BasketOptions

    func run() async throws {
        try await EarningReport.run(host, cardOptions, basket) { session, request, card in
            EarningReport(
                operation: "CALCULATE", environment: session.environmentLabel, outcome: await session.transactions.calculate(request), card: card)
        }
    }
}

struct IssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Earn AIR MILES Reward Miles on a sale (Issuance ISSUE).",
        discussion:
            "Journaled before it is sent; a key-entered card may earn. When AIR MILES cannot be reached or its answer is lost, the earning stays pending in the journal and is sent again, with the same key and body, by the next amcash command or the console. Exit status: 0 issued, 1 refused, 2 usage, 3 pending."
    )

    @OptionGroup var host: HostOptions
    @OptionGroup var cardOptions: CardOptions
    @OptionGroup var basket: BasketOptions

    func run() async throws {
        try await EarningReport.run(host, cardOptions, basket) { session, request, card in
            try await session.recover()
            return EarningReport(earning: await session.transactions.earn(request), operation: "ISSUE", session: session, card: card)
        }
    }
}

struct ReturnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return", abstract: "Give back the miles of returned goods (Issuance RETURN).",
        discussion:
            "--original names the sale by its checkoutTransactionId (printed by amcash issue). Journaled before it is sent, and stored and forwarded like an ISSUE. Exit status: 0 done, 1 refused, 2 usage, 3 pending."
    )

    @OptionGroup var host: HostOptions
    @OptionGroup var cardOptions: CardOptions
    @OptionGroup var basket: BasketOptions

    @Option(name: .long, help: "The checkoutTransactionId of the sale being returned.")
    var original: String

    func validate() throws {
        guard isHostReference(original, maximumLength: 60) else {
            throw ValidationError("--original: \"\(original.prefix(60))\" is not a checkout transaction id (1 to 60 letters, digits or dashes)")
        }
    }

    func run() async throws {
        try await EarningReport.run(host, cardOptions, basket, original: original) { session, request, card in
            try await session.recover()
            var report = EarningReport(earning: await session.transactions.returnSale(request), operation: "RETURN", session: session, card: card)
            report.originalCheckoutTransactionId = original
            return report
        }
    }
}

extension EarningReport {
    init(earning: JournaledTransactions.Earning, operation: String, session: HostSession, card: CardRead) {
        self.init(operation: operation, environment: session.environmentLabel, outcome: earning.outcome, card: card)
        checkoutTransactionId = earning.checkoutTransactionId
        traceId = earning.traceId
        idempotencyKey = earning.entry?.idempotencyKey.uuidString.lowercased()
        if responseCode == nil { responseCode = earning.entry?.responseCode }
    }

    /// How CALCULATE, ISSUE and RETURN run: the card and the basket read (a usage error before anything is
    /// opened), `call` in one host session, its report printed, and the report's exit status.
    static func run(
        _ host: HostOptions, _ cardOptions: CardOptions, _ basket: BasketOptions, original: String? = nil,
        _ call: (HostSession, EarningRequest, CardRead) async throws -> EarningReport
    ) async throws {
        let configuration = try HostSession.configuration(host)
        let card = try cardOptions.read(format: configuration.cardNumberFormat)
        let request = try basket.request(card: card, original: original)
        let report = try await HostSession.with(host, configuration: configuration) { session in
            try await call(session, request, card)
        }
        report.print(json: host.json)
        throw ExitCode(report.exitStatus)
    }

    /// 0 issued, 1 refused, 3 pending.
    var exitStatus: Int32 {
        switch outcome {
        case "issued": ExitStatus.approved
        case "refused": ExitStatus.declined
        default: ExitStatus.unknown
        }
    }
}

/// The ISSUE and RETURN rows of `amcash journal`, and their totals: miles earned, returned and pending.
struct EarningsSection: Encodable {
    struct Row: Encodable {
        let id: Int64
        let kind: String
        let createdAt: Date
        let card: String
        /// `queued` (to send again), `issued`, `accepted` (202, posts later), `refused`.
        let state: String
        let miles: Int?
        let confirmationNumber: String?
        let checkoutTransactionId: String
        let originalCheckoutTransactionId: String?
        let traceId: String
        let attempts: Int
        let lastFailure: String?
    }

    var rows: [Row]
    var milesEarned = 0
    var milesReturned = 0
    /// Rows whose miles are not known yet (queued or accepted).
    var pending = 0
    /// The miles the host announced for the accepted (202) rows: not posted yet, so never printed as earned.
    var milesPending = 0
    /// Rows no longer sent and never answered (`EarningState.exception`): the collector may not have earned.
    var exceptions = 0

    init(_ entries: [EarningEntry]) {
        rows = entries.map {
            Row(
                id: $0.id, kind: $0.kind, createdAt: $0.createdAt, card: $0.maskedCard, state: $0.state.rawValue,
                miles: $0.state == .issued ? $0.miles : nil, confirmationNumber: $0.confirmationNumber,
                checkoutTransactionId: $0.checkoutTransactionId, originalCheckoutTransactionId: $0.originalCheckoutTransactionId,
                traceId: $0.traceId, attempts: $0.attempts, lastFailure: $0.lastFailure)
        }
        for entry in entries {
            if entry.state.isPending { pending += 1 }
            if entry.state == .exception { exceptions += 1 }
            if entry.state == .accepted, entry.kind == "ISSUE", let miles = entry.miles { milesPending += miles }
            guard entry.state == .issued, let miles = entry.miles else { continue }
            if entry.kind == "RETURN" { milesReturned += miles } else { milesEarned += miles }
        }
    }

    var table: String {
        var lines = ["Earning (Issuance)", "ID    KIND    STATE     CARD          MILES    CONFIRMATION    CHECKOUT TRANSACTION"]
        for row in rows {
            lines.append(
                String(row.id).padded(6) + row.kind.padded(8) + row.state.padded(10) + row.card.padded(14)
                    + (row.miles.map(String.init) ?? (row.state == EarningState.refused.rawValue ? "-" : "pending")).padded(9)
                    + (row.confirmationNumber ?? "-").padded(16) + row.checkoutTransactionId)
        }
        lines.append(
            "Miles earned \(milesEarned), returned \(milesReturned), pending \(pending) row\(pending == 1 ? "" : "s")"
                + (milesPending > 0 ? " (\(milesPending) miles accepted by AIR MILES, not posted yet)" : "")
                + (exceptions > 0 ? ", \(exceptions) exception\(exceptions == 1 ? "" : "s") (may not have earned: ask AIR MILES)" : ""))
        return lines.joined(separator: "\n")
    }
}
