import AMCashDomain
import ConsoleCore

extension Layout {
    /// APPROVED with the confirmation number and the discount to apply, NOT APPROVED with the reason
    /// and what to do, or NOT CONFIRMED with the advice and the trace; or the receipt (key R).
    mutating func result(_ result: RedemptionResult, _ model: Model) {
        if result.showingReceipt { return receipt(result.receipt, page: result.receiptPage, model) }
        let labelWidth = 26
        switch result.outcome {
        case .approved(let approval, let balances):
            line("*** " + text(ConsoleText.approved) + " ***", role: .approved)
            blank()
            labelled(text(ConsoleText.confirmation) + ":", approval.confirmationNumber, role: .approved, labelWidth: labelWidth)
            labelled(
                text(ConsoleText.discount) + ":", approval.discount.formatted(language) + "  (\(approval.miles.value) \(text(ConsoleText.miles)))",
                role: .amountRedeem, labelWidth: labelWidth)
            if model.settings.showBalances, let cash = balances.cash {
                labelled(text(ConsoleText.newBalance) + ":", "\(cash.formatted(language)) \(text(ConsoleText.miles))", labelWidth: labelWidth)
            }
            earned(result.earning, labelWidth: labelWidth)
            // While the ISSUE is with the host the receipt waits for its miles line.
            if case .sending = result.earning {
                line(text(ConsoleText.receiptAfterMiles), role: .hint)
            } else {
                line(text(ConsoleText.receiptLine(model.status)), role: .hint)
            }
        case .declined(let meaning, _):
            line("*** " + text(ConsoleText.declined) + " ***", role: .declined)
            blank()
            wrapped(meaning.code.rawValue + " " + meaning.message.text(language), role: .declined)
            wrapped(meaning.action.text.text(language), role: .hint)
            earned(result.earning, labelWidth: labelWidth)
        case .notSent(let message):
            line("*** " + text(ConsoleText.declined) + " ***", role: .declined)
            blank()
            wrapped(message.text(language), role: .declined)
            wrapped(CashierAction.otherTender.text.text(language), role: .hint)
            earned(result.earning, labelWidth: labelWidth)
        case .notRedeemed:
            line("*** " + text(ConsoleText.saleFinished) + " ***", role: .approved)
            blank()
            wrapped(text(ConsoleText.noRedemption), role: .hint)
            earned(result.earning, labelWidth: labelWidth)
        case .unknown(let traceId):
            line("*** " + text(ConsoleText.unknown) + " ***", role: .unknown)
            blank()
            wrapped(text(ConsoleText.unknownAdvice), role: .unknown)
            labelled(text(ConsoleText.traceNumber) + ":", traceId, role: .hint, labelWidth: labelWidth)
        }
    }

    /// "Miles earned: N" (the miles the host recorded) or "pending" (with the host, or stored and forwarded).
    mutating func earned(_ earning: SaleEarning?, labelWidth: Int) {
        guard let earning else { return }
        let value =
            switch earning {
            case .sending: text(ConsoleText.milesPending)
            case .done(let outcome): Receipt.earnedValue(outcome, language: language)
            }
        labelled(text(ConsoleText.milesEarned) + ":", value, role: .value, labelWidth: labelWidth)
    }

    /// The receipt as printed; a page of it under "Receipt (page N of M)" when it is longer than the screen.
    mutating func receipt(_ lines: [String], page: Int, _ model: Model) {
        let shown = ReceiptPages.page(page, of: lines, model)
        if shown.pages > 1 {
            line(text(ConsoleText.keyReceipt) + "  (" + text(ConsoleText.helpPage(shown.page + 1, of: shown.pages)) + ")", role: .title)
        }
        for receiptLine in shown.lines { line(receiptLine, role: .value, indent: ReceiptPages.indent(model)) }
    }
}
