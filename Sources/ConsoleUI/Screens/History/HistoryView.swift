import ConsoleCore

extension Layout {
    /// Today's journal, newest first: time, kind and state in words, masked card, amount, confirmation.
    mutating func history(_ lines: [HistoryLine], page: Int, _ model: Model) {
        let shown = Paging.page(page, of: lines, perPage: HistoryScreen.rowsPerPage(model))
        let pageText = shown.pages > 1 ? "  (" + text(ConsoleText.helpPage(shown.page + 1, of: shown.pages)) + ")" : ""
        line(text(ConsoleText.historyTitle) + pageText, role: .title)
        blank()
        if lines.isEmpty { wrapped(text(ConsoleText.noHistory), role: .hint) }
        for entry in shown.lines {
            let amount = entry.money?.formatted(language) ?? "-"
            let kind = text(ConsoleText.historyKind(entry.kind))
            let state = text(ConsoleText.historyState(entry.state))
            line(
                compact
                    ? "\(entry.time) \(kind.prefix(3)) \(state.prefix(8)) \(amount)"
                    : "\(entry.time)  \(kind.padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.maskedCard)  \(state.padding(toLength: 12, withPad: " ", startingAt: 0)) \(amount.padding(toLength: 10, withPad: " ", startingAt: 0)) \(entry.confirmationNumber ?? "")"
            )
        }
    }
}
