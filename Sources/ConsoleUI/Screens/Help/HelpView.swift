import ConsoleCore

extension Layout {
    /// One page of help: the keys of the screen under it, the global keys, and in training the test
    /// cards with what each shows, in the cashier's language. "page 1 of 2" when there is more.
    mutating func help(_ model: Model, page: Int) {
        let shown = HelpScreen.page(page, of: model)
        let pageText = shown.pages > 1 ? "  (" + text(ConsoleText.helpPage(shown.page + 1, of: shown.pages)) + ")" : ""
        line(text(ConsoleText.helpTitle) + pageText, role: .title)
        let keyWidth = compact ? 10 : 22
        for helpLine in shown.lines {
            switch helpLine {
            case .keys(let keys, let label):
                let shownKeys =
                    keys.count > keyWidth ? String(keys.prefix(keyWidth - 1)) + "…" : keys.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
                line(shownKeys + " " + text(label))
            case .blank:
                row += 1
            case .heading(let heading):
                line(text(heading), role: .title)
            case .hint(let hint):
                line(hint, role: .hint)
            case .testCard(let card):
                line(
                    compact
                        ? "\(card.number) \(card.situation)"
                        : "\(card.number)  \(card.situation.padding(toLength: 17, withPad: " ", startingAt: 0)) \(text(card.summary))")
            }
        }
    }
}
