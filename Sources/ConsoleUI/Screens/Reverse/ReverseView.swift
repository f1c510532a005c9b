import AMCashDomain
import ConsoleCore

extension Layout {
    /// Today's reversible redemptions, the confirmation-number search above them; when `asking`, the
    /// question and the request to read the card again below. A busy day's list longer than the screen pages with the
    /// selection (`pagedItemList`), the title saying "page N of M"; the question keeps its rows under it.
    mutating func reverseList(_ list: ReverseList, asking: Bool, notice: LocalizedText?, _ model: Model) {
        let items = list.items ?? []
        let titleRow = row
        searchHeader(ConsoleText.reverseTitle, prompt: ConsoleText.typeConfirmation, query: list.query, searchable: !items.isEmpty)
        let matches = list.matches
        if items.isEmpty { wrapped(text(ConsoleText.noReversible), role: .hint) }
        if !items.isEmpty && matches.isEmpty { wrapped(text(ConsoleText.noMatch), role: .error) }
        let question =
            asking
            ? (compact ? 0 : 1) + rowsOf(text(ConsoleText.reverseQuestion)) + rowsOf(text(ConsoleText.reverseScanPrompt))
                + (notice.map { rowsOf(text($0)) } ?? 0) + 1
            : 0
        pagedItemList(
            matches.map { item in
                compact
                    ? "\(item.time) \(item.card.number.lastFour) \(item.money.formatted(language))"
                    : "\(item.time)  \(item.maskedCard)  \(item.money.formatted(language).padding(toLength: 10, withPad: " ", startingAt: 0))  \(item.confirmationNumber)"
            }, selected: list.selected, keeping: question, title: (titleRow, text(ConsoleText.reverseTitle)))
        if asking {
            blank()
            wrapped(text(ConsoleText.reverseQuestion), role: .title)
            wrapped(text(ConsoleText.reverseScanPrompt), role: .hint)
            if let notice { wrapped(text(notice), role: .error) }
            line(Legend.answers(model), role: .hint)
        }
    }

    mutating func reverseResult(_ result: ReversalResult, _ model: Model) {
        if result.showingReceipt { return receipt(result.receipt) }
        switch result.outcome {
        case .reversed(let confirmation, let original):
            line(text(ConsoleText.reversed), role: .approved)
            labelled(text(ConsoleText.confirmation) + ":", confirmation ?? "-", labelWidth: 24)
            labelled(text(ConsoleText.reversedRedemption) + ":", original, role: .normal, labelWidth: 24)
            line(text(ConsoleText.receiptLine(model.status)), role: .hint)
        case .queued(let original):
            line(text(ConsoleText.reversalQueued), role: .unknown)
            labelled(text(ConsoleText.reversedRedemption) + ":", original, role: .normal, labelWidth: 24)
        case .exception(let original, let reason):
            line(text(ConsoleText.reversalException), role: .declined)
            labelled(text(ConsoleText.reversedRedemption) + ":", original, role: .normal, labelWidth: 24)
            wrapped(reason, role: .hint)
        case .collectorBusy(let original):
            line(text(ConsoleText.reversalCollectorBusy), role: .unknown)
            labelled(text(ConsoleText.redemptionStands) + ":", original, role: .normal, labelWidth: 24)
            wrapped(text(ConsoleText.reversalCollectorBusyHint), role: .hint)
        }
    }
}
