import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashWire
import ArgumentParser
import ConsoleCore
import Foundation

/// The card options of INQUIRE, REDEEM and REVERSE.
struct CardOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The collector (card) number, digits only (spaces and dashes allowed); - reads it from standard input, so it never shows in the process list (the way for scripts)."
    )
    var card: String

    @Option(
        name: .long,
        help:
            "How the card was read: scan, swipe or manual (manual can only look up a balance). Required: amcash never claims a scan for a typed number."
    )
    var entry: EntryModeArgument

    @Option(name: .long, help: "The collector's language: en-CA or fr-CA.")
    var language: String?

    func read(format: CollectorNumberFormat) throws -> CardRead {
        var text = card
        if card == "-" {
            // One line from standard input, at most 100 characters: the number stays out of `ps`.
            guard let line = readLine(strippingNewline: true), line.count <= 100 else {
                throw ValidationError("--card -: standard input has no card number on its first line")
            }
            text = line
        }
        do {
            let number = try CardReader(format: format).keyed(text).number
            return CardRead(number: number, entryMode: entry.mode)
        } catch {
            throw ValidationError("--card: \(error.description)")
        }
    }

    func language(default fallback: Language) throws -> Language {
        guard let language else { return fallback }
        guard let value = Language(rawValue: language) else { throw ValidationError("--language must be en-CA or fr-CA") }
        return value
    }
}

enum EntryModeArgument: String, ExpressibleByArgument, CaseIterable {
    case scan, swipe, manual
    var mode: CardEntryMode {
        switch self {
        case .scan: .scan
        case .swipe: .swipe
        case .manual: .manual
        }
    }
}

func parseMoney(_ text: String, option: String) throws -> Money {
    do { return try Money(parsing: text) } catch { throw ValidationError("\(option): \(error.description)") }
}

/// Whether `text` can name a transaction at the host (a confirmation number, a checkout transaction id): 1 to
/// `maximumLength` ASCII letters, digits or dashes. One rule for every command that takes one, checked before
/// anything is opened.
func isHostReference(_ text: String, maximumLength: Int) -> Bool {
    (1...maximumLength).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
}

struct EchoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo", abstract: "Check the connection to the AIR MILES host (ECHO).")

    @OptionGroup var host: HostOptions

    func run() async throws {
        let configuration = try HostSession.configuration(host)
        let report = try await HostSession.with(host, configuration: configuration) { session in
            try await session.recover()
            let call = session.builder.echo(traceId: try session.journal.nextTraceId())
            var report = CommandReport(call: call, environment: session.environmentLabel, card: nil)
            report.record(await session.client.echo(call), language: configuration.language)
            return report
        }
        report.print(json: host.json)
        throw ExitCode(report.exitStatus)
    }
}

struct InquireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inquire", abstract: "Show a collector's balances and what a basket can redeem (INQUIRE).")

    @OptionGroup var host: HostOptions
    @OptionGroup var cardOptions: CardOptions

    @Option(name: .long, help: "The post-tax basket total, e.g. 43.35.")
    var basket: String

    func run() async throws {
        let basket = try parseMoney(basket, option: "--basket")
        let configuration = try HostSession.configuration(host)
        let card = try cardOptions.read(format: configuration.cardNumberFormat)
        let language = try cardOptions.language(default: configuration.language)
        let report = try await HostSession.with(host, configuration: configuration) { session in
            try await session.recover()
            let call = session.builder.inquire(
                InquiryRequest(card: card, basket: basket, language: language),
                traceId: try session.journal.nextTraceId(), at: Date())
            let result = await session.client.inquire(call)
            var report = CommandReport(call: call, environment: session.environmentLabel, card: card)
            report.record(result, language: language)
            if let reply = result.reply {
                report.record(balances: reply.balances, shown: configuration.showBalances)
                report.dailyOfferLimit = reply.dailyOfferLimit?.count
                report.availableOfferUnits = reply.availableOfferUnits?.count
                if let limits = reply.limits(basket: basket) {
                    let choice = RedemptionChoice(limits: limits)
                    report.units = choice.selected.count
                    report.dollars = choice.money.decimalString
                    report.miles = choice.miles.value
                }
                report.offer = reply.offer?.text?.text(language)
                if !card.canRedeem { report.action = RequestRefusal.manualEntryCannotRedeem.message.text(language) + " (balance only)" }
            }
            return report
        }
        report.print(json: host.json)
        // A look-up changes nothing: an unknown answer is simply "no answer" (1), never 3.
        throw ExitCode(report.exitStatus == ExitStatus.unknown ? ExitStatus.declined : report.exitStatus)
    }
}

struct RedeemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem", abstract: "Redeem AIR MILES Cash against a basket (REDEEM).",
        discussion:
            "The host redeems whole $10 units, never more than asked, the basket, the balance or today's limit. A lost answer is re-sent with the same Idempotency-Key; if it stays unknown the exit status is 3: do not give the discount — if the host took the miles, the journal gives them back on its own (a void). An approval counts as given once this command has written it out."
    )

    @OptionGroup var host: HostOptions
    @OptionGroup var cardOptions: CardOptions

    @Option(name: .long, help: "The post-tax basket total, e.g. 43.35.")
    var basket: String

    @Option(name: .long, help: "The sale's pre-tax total, e.g. 39.50 (default: the post-tax total, as the partner's sample sends).")
    var preTax: String?

    @Option(name: .long, help: "The discount asked for in dollars, a multiple of 10 (default: the basket rounded down to $10).")
    var amount: String?

    @Flag(name: .long, help: "Print the receipt of an approval on the configured receiptPrinter (kept for `amcash reprint` if it does not print).")
    var printReceipt = false

    func run() async throws {
        let basket = try parseMoney(basket, option: "--basket")
        let preTax = try preTax.map { try parseMoney($0, option: "--pre-tax") } ?? basket
        let amount =
            try amount.map { try parseMoney($0, option: "--amount") }
            ?? UnitValue.standard.money(for: UnitValue.standard.units(within: basket))
        let configuration = try HostSession.configuration(host)
        let card = try cardOptions.read(format: configuration.cardNumberFormat)
        let language = try cardOptions.language(default: configuration.language)
        let request = RedemptionRequest(card: card, basket: basket, amount: amount, preTaxAmount: preTax, language: language)
        // Refused before anything is opened or sent: a keyed card, no amount, not whole units.
        let probeTrace = try TraceId(1)
        do {
            _ = try RequestBuilder(identity: configuration.identity).redeem(request, traceId: probeTrace, at: Date())
        } catch {
            printError("amcash redeem: \(error.message.text(language)) Nothing was sent.")
            throw ExitCode(error == .manualEntryCannotRedeem ? ExitStatus.declined : ExitStatus.usage)
        }
        let status = try await HostSession.with(host, configuration: configuration) { session in
            try await session.recover()
            let transactions = session.transactions
            let redemption = await transactions.redeem(request)
            var report = CommandReport(
                traceId: redemption.traceId, operation: .redeem, idempotencyKey: redemption.entry?.idempotencyKey,
                environment: session.environmentLabel, card: card)
            report.record(redemption.result, language: language)
            if let reply = redemption.result.reply {
                report.record(balances: reply.balances, shown: configuration.showBalances)
                if let approval = reply.approval, redemption.entry?.state == .approved {
                    report.units = approval.unitsRedeemed.count
                    report.dollars = approval.discount.decimalString
                    report.miles = approval.miles.value
                    report.confirmationNumber = approval.confirmationNumber
                }
            }
            // The approval is given once it is written out; only then does the debit stand.
            if report.print(json: host.json), report.exitStatus == ExitStatus.approved, !transactions.markShown(redemption) {
                printError("amcash redeem: the journal could not record that the approval was shown; it will be voided")
            }
            // After the approval is written out: a printer that fails never changes the sale.
            if printReceipt, report.exitStatus == ExitStatus.approved, let reply = redemption.result.reply, let approval = reply.approval {
                let document = Receipt.redemption(
                    approval, balances: reply.balances, card: card, traceId: redemption.traceId,
                    context: CommandReceipts.context(configuration, language: language))
                CommandReceipts.print(
                    document, traceId: redemption.traceId, configuration: configuration, journal: session.journal, command: "redeem")
            }
            return report.exitStatus
        }
        throw ExitCode(status)
    }
}

struct ReverseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reverse", abstract: "Reverse a redemption by its confirmation number (REVERSE).",
        discussion:
            "Full reversal only, until 03:00 Eastern at the end of the purchase's redemption day. Re-sent with the same Idempotency-Key on 0008 or no answer; queued and re-sent later if it cannot be sent now. A redemption this terminal journaled is reversed only with its own card."
    )

    @OptionGroup var host: HostOptions
    @OptionGroup var cardOptions: CardOptions

    @Option(name: .long, help: "The redemption's confirmation number (txnConfirmationNumber).")
    var confirmation: String

    @Flag(name: .long, help: "Print the reversal's receipt on the configured receiptPrinter (kept for `amcash reprint` if it does not print).")
    var printReceipt = false

    func validate() throws {
        guard !confirmation.isEmpty else { throw ValidationError(RequestRefusal.missingConfirmationNumber.description) }
        guard isHostReference(confirmation, maximumLength: 40) else {
            throw ValidationError("--confirmation: \"\(confirmation.prefix(40))\" is not a confirmation number (1 to 40 letters, digits or dashes)")
        }
    }

    func run() async throws {
        let configuration = try HostSession.configuration(host)
        let card = try cardOptions.read(format: configuration.cardNumberFormat)
        let language = try cardOptions.language(default: configuration.language)
        let request = ReversalRequest(card: card, redemptionConfirmationNumber: confirmation, language: language)
        let report = try await HostSession.with(host, configuration: configuration) { session in
            try await session.recover()
            let reversal = await session.transactions.reverse(request)
            var report = CommandReport(
                traceId: reversal.traceId, operation: .reverse, idempotencyKey: reversal.entry?.idempotencyKey,
                environment: session.environmentLabel, card: card)
            report.record(reversal.result, language: language)
            if let refusal = reversal.refusal {
                report.outcome = Outcome.declined.rawValue
                report.failure = refusal
                // Not "nothing was redeemed": the redemption stands. A busy collector clears itself (N3).
                report.message =
                    (reversal.isCollectorBusy
                    ? LocalizedText(
                        english:
                            "Nothing was reversed: the redemption stands. Another transaction for this collector is in progress; try again in a moment.",
                        french:
                            "Rien n’a été annulé : l’échange tient toujours. Une autre transaction est en cours pour ce membre; réessayez dans un instant."
                    )
                    : LocalizedText(
                        english: "Nothing was reversed: the redemption stands.", french: "Rien n’a été annulé : l’échange tient toujours.")).text(
                        language)
            } else if reversal.isQueued {
                report.outcome = Outcome.unknown.rawValue
                report.failure = (report.failure.map { $0 + "; " } ?? "") + "the reversal is queued and will be re-sent (amcash journal --pending)"
            } else if reversal.isException {
                report.outcome = Outcome.unknown.rawValue
                report.failure = (report.failure.map { $0 + "; " } ?? "") + "listed as an exception for the supervisor (amcash journal --pending)"
            }
            if let reply = reversal.result.reply {
                report.record(balances: reply.balances, shown: configuration.showBalances)
                report.reversalConfirmationNumber = reply.reversalConfirmationNumber
                report.units = reply.unitsReversed?.count
                report.confirmationNumber = confirmation
            }
            if printReceipt, reversal.isReversed, let money = (try? session.journal.redemption(confirmationNumber: confirmation))??.money {
                let document = Receipt.reversal(
                    card: card, money: money, original: confirmation, reversalConfirmation: reversal.entry?.confirmationNumber,
                    context: CommandReceipts.context(configuration, language: language))
                CommandReceipts.print(document, traceId: reversal.traceId, configuration: configuration, journal: session.journal, command: "reverse")
            }
            if reversal.isReversed && reversal.entry?.confirmationNumber == nil {
                report.failure = (report.failure.map { $0 + "; " } ?? "") + "AIR MILES approved the reversal without a reversal confirmation number"
            }
            return report
        }
        report.print(json: host.json)
        throw ExitCode(report.exitStatus)
    }
}
