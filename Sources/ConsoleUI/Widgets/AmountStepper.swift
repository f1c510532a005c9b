import AMCashDomain
import ConsoleCore

/// The amount a cashier steps in $10 units: `< $30.00  (285 miles) >`, and from 80 columns the range
/// below it. The cursor rests on the amount.
extension Layout {
    mutating func amountStepper(_ choice: RedemptionChoice, labelWidth: Int) {
        let amount = "\(choice.money.formatted(language))  (\(choice.miles.value) \(text(ConsoleText.miles)))"
        labelled(text(ConsoleText.redeemAmount) + ":", "< " + amount + " >", role: .amountRedeem, labelWidth: labelWidth)
        canvas.placeCursor(row: row - 1, column: 1 + (compact ? text(ConsoleText.redeemAmount).count + 3 : labelWidth + 1))
        if !compact {
            let range = Money(cents: 0).formatted(language) + " – " + choice.limits.unitValue.money(for: choice.maximum).formatted(language)
            line(range, role: .hint, indent: 1 + labelWidth + 1)
        }
    }
}
