import AMCashDomain
import ConsoleCore

extension Layout {
    /// The basket (and pre-tax) total and the card field: label beside field from 80 columns, above it
    /// on a narrow screen. The cursor rests at the end of the focused field.
    mutating func ready(_ form: ReadyForm, _ model: Model) {
        let labelWidth = 36
        let fieldWidth = compact ? width - 3 : 24
        var fields: [(ReadyField, LocalizedText, String)] = [(.basket, ConsoleText.basket, form.basketText)]
        if model.settings.askPreTaxAmount { fields.append((.preTax, ConsoleText.preTax, form.preTaxText)) }
        fields.append((.card, ConsoleText.card, form.cardText))
        for (field, label, value) in fields {
            if compact {
                line(text(label) + ":", role: .label)
                let cursor = self.field(value, row: row, column: 1, width: fieldWidth - 2, focused: form.focus == field)
                if form.focus == field { canvas.placeCursor(row: row, column: cursor) }
            } else {
                canvas.put(text(label) + ":", row: row, column: 1, role: .label)
                let cursor = self.field(value, row: row, column: 1 + labelWidth, width: fieldWidth, focused: form.focus == field)
                if form.focus == field { canvas.placeCursor(row: row, column: cursor) }
            }
            row += 1
        }
        blank()
        wrapped(text(ConsoleText.scanPrompt), role: .hint)
        if let notice = form.notice { wrapped(text(notice), role: .error) }
    }

    mutating func lookingUp(_ sale: Sale, _ model: Model) {
        wrapped(text(ConsoleText.lookingUp), role: .title)
        line(card(sale.card), role: .value)
        line(sale.basket.formatted(language), role: .value)
        blank()
        if let key = model.settings.keymap.primaryKey(for: .cancel, in: .lookup) { wrapped(text(ConsoleText.cancelsTheWait(key)), role: .hint) }
    }
}
