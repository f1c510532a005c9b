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
        // The question's rows under the list. On a small screen a notice (what went wrong with the card read again)
        // stands in for the request to read the card when both would leave the list no row, so the answers stay on screen.
        let noticeRows = notice.map { rowsOf(text($0)) } ?? 0
        let questionRows = (compact ? 0 : 1) + rowsOf(text(ConsoleText.reverseQuestion)) + noticeRows + 1
        let promptRows = rowsOf(text(ConsoleText.reverseScanPrompt))
        let showsPrompt = noticeRows == 0 || bodyEnd - row - questionRows - promptRows >= 1
        let question = asking ? questionRows + (showsPrompt ? promptRows : 0) : 0
        pagedItemList(
            matches.map { item in
                compact
                    ? "\(item.time) \(item.card.number.lastFour) \(item.money.formatted(language))"
                    : "\(item.time)  \(item.maskedCard)  \(item.money.formatted(language).padding(toLength: 10, withPad: " ", startingAt: 0))  \(item.confirmationNumber)"
            }, selected: list.selected, keeping: question, title: (titleRow, text(ConsoleText.reverseTitle)))
        if asking {
            blank()
            wrapped(text(ConsoleText.reverseQuestion), role: .title)
            if showsPrompt { wrapped(text(ConsoleText.reverseScanPrompt), role: .hint) }
            if let notice { wrapped(text(notice), role: .error) }
            line(Legend.answers(model), role: .hint)
        }
    }

    mutating func reverseResult(_ result: ReversalResult, _ model: Model) {
        if result.showingReceipt { return receipt(result.receipt, page: result.receiptPage, model) }
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
