import AMCashDomain
import ConsoleCore

extension Layout {
    /// The offer: the card, the basket, the balances (unless hidden), what this sale can redeem and the
    /// daily limit, then the amount stepper; with `question`, "Apply this discount?" below.
    mutating func offer(_ offer: Offer, question: RedemptionChoice?, _ model: Model) {
        // Wide enough for the longest label in this language (French ones are longer), at most 36.
        let labels = [
            ConsoleText.card, ConsoleText.basket, ConsoleText.amCash, ConsoleText.canRedeem, ConsoleText.todayLeft, ConsoleText.redeemAmount,
        ]
        let labelWidth = max(26, min(36, (labels.map { text($0).count }.max() ?? 0) + 2))
        let sale = offer.sale
        labelled(text(ConsoleText.card) + ":", card(sale.card), labelWidth: labelWidth)
        labelled(text(ConsoleText.basket) + ":", sale.basket.formatted(language), labelWidth: labelWidth)
        if let inquiry = offer.inquiry {
            if model.settings.showBalances, inquiry.answer.meaning.showsBalance, let cash = inquiry.balances.cash {
                let dream = inquiry.balances.dream.map { "   \(text(ConsoleText.dream)) \($0.formatted(language)) \(text(ConsoleText.miles))" } ?? ""
                labelled(
                    text(ConsoleText.amCash) + ":", "\(cash.formatted(language)) \(text(ConsoleText.miles))" + (compact ? "" : dream),
                    labelWidth: labelWidth)
                if compact, let dreamMiles = inquiry.balances.dream {
                    labelled(text(ConsoleText.dream) + ":", "\(dreamMiles.formatted(language)) \(text(ConsoleText.miles))", labelWidth: labelWidth)
                }
            } else {
                line(text(ConsoleText.balanceHidden), role: .hint)
            }
            // What is left of today's limit is not in the API: `availableOfferUnits` is already capped by it
            // (and by the basket and the balance), and is what the cashier can redeem now.
            if let units = inquiry.availableOfferUnits, sale.card.canRedeem {
                labelled(text(ConsoleText.canRedeem) + ":", inquiry.unitValue.money(for: units).formatted(language), labelWidth: labelWidth)
            }
            if let daily = inquiry.dailyOfferLimit, !compact {
                labelled(
                    text(ConsoleText.todayLeft) + ":", "\(daily.count) × \(inquiry.unitValue.money.formatted(language))", role: .normal,
                    labelWidth: labelWidth)
            }
        }
        blank()
        if let choice = offer.choice, choice.canRedeem {
            amountStepper(choice, labelWidth: labelWidth)
        } else if !sale.card.canRedeem {
            wrapped(text(ConsoleText.keyedBalanceOnly), role: .error)
        } else if offer.inquiry != nil {
            wrapped(text(ConsoleText.nothingToRedeem), role: .hint)
        }
        if let miles = offer.previewMiles { wrapped(text(ConsoleText.saleEarns(miles)), role: .hint) }
        if let offerText = offer.inquiry?.offer?.text, !compact { line(offerText.text(language), role: .hint) }
        if let notice = offer.notice { wrapped(text(notice), role: .error) }
        if let choice = question {
            blank()
            wrapped(text(ConsoleText.confirmQuestion) + " " + choice.money.formatted(language), role: .title)
            line(Legend.answers(model), role: .hint)
        }
    }

    mutating func redeeming(_ choice: RedemptionChoice) {
        wrapped(text(ConsoleText.redeeming), role: .title)
        line(choice.money.formatted(language) + " — " + "\(choice.miles.value) " + text(ConsoleText.miles), role: .amountRedeem)
    }
}
