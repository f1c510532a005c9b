import AMCashDomain
import ConsoleCore

extension Layout {
    /// Today's sales that earned, the transaction-id search above them. A busy day's list longer than the screen pages
    /// with the selection (`pagedItemList`), the title saying "page N of M".
    mutating func returnList(_ list: ReturnList, _ model: Model) {
        let items = list.items ?? []
        let titleRow = row
        searchHeader(ConsoleText.returnTitle, prompt: ConsoleText.typeTransactionId, query: list.query, searchable: !items.isEmpty)
        let matches = list.matches
        if list.items != nil && items.isEmpty { wrapped(text(ConsoleText.noReturnable), role: .hint) }
        if let notice = list.notice {
            wrapped(text(notice), role: .error)
        } else if !items.isEmpty && matches.isEmpty {
            wrapped(text(ConsoleText.noReturnMatch), role: .error)
        }
        pagedItemList(
            matches.map { sale in
                compact
                    ? "\(sale.time) \(String(sale.maskedCard.suffix(4))) …\(String(sale.checkoutTransactionId.suffix(6))) \(milesText(sale.milesEarned))"
                    : "\(sale.time)  \(sale.maskedCard)  \(milesText(sale.milesEarned).padding(toLength: 14, withPad: " ", startingAt: 0))  \(sale.checkoutTransactionId)"
            }, selected: list.selected, title: (titleRow, text(ConsoleText.returnTitle)))
    }

    /// The sale's items not returned yet, each ticked or not; those already returned are listed after them. A sale with
    /// more items than the screen holds pages like help and history (`Paging`): the page is the selected item's, so it
    /// is always on screen, and the title says "page N of M".
    mutating func returnItems(_ checklist: ReturnChecklist, _ model: Model) {
        let sale = checklist.sale
        // A narrow legend has no room for the checklist's keys: they stand in for the hint.
        let hint = compact ? Legend.checklist(model) : text(ConsoleText.itemsQuestion)
        let entries = sale.remainingItemLabels(language).enumerated().map { index, label in
            (checklist.chosen.contains(index) ? "[x] " : "[ ] ") + label
        }
        let title = (row: row, text: text(ConsoleText.returnTitle) + (compact ? "" : "  " + sale.checkoutTransactionId))
        line(title.text, role: .title)
        if !compact {
            labelled(text(ConsoleText.milesEarned) + ":", milesText(sale.milesEarned) + "  " + sale.maskedCard, labelWidth: 22)
        }
        wrapped(hint, role: .hint)
        // The items already returned, in the rows the last page leaves; those that do not fit are counted.
        guard pagedItemList(entries, selected: checklist.selected, title: title) else { return }
        let returned = sale.returnedItemLabels(language)
        let room = bodyEnd - row
        let fit = returned.count <= room ? returned.count : max(0, room - 1)
        for label in returned.prefix(fit) {
            line("    " + label + " (" + text(ConsoleText.itemsAlreadyReturned) + ")", role: .hint)
        }
        if fit < returned.count { line("    " + text(ConsoleText.itemsMoreReturned(returned.count - fit)), role: .hint) }
    }

    /// "Return this whole sale?" or "Return these items?": the sale, the miles it earned, what goes back, and the yes/no keys.
    mutating func returnConfirm(_ sale: ReturnableSale, _ model: Model) {
        let labelWidth = 22
        line(text(ConsoleText.returnTitle), role: .title)
        if !compact || sale.chosenItems.isEmpty { blank() }
        labelled(text(ConsoleText.transactionId) + ":", sale.checkoutTransactionId, labelWidth: labelWidth)
        // A narrow screen keeps its rows for the items going back.
        if !compact || sale.chosenItems.isEmpty {
            labelled(text(ConsoleText.card) + ":", sale.maskedCard + "  " + sale.time, labelWidth: labelWidth)
            labelled(text(ConsoleText.milesEarned) + ":", milesText(sale.milesEarned), labelWidth: labelWidth)
        }
        if sale.chosenItems.isEmpty {
            blank()
            wrapped(text(ConsoleText.returnQuestion), role: .title)
            wrapped(text(ConsoleText.wholeSaleOnly), role: .hint)
        } else {
            let question = text(ConsoleText.itemsReturnQuestion(sale.chosenItems.count))
            chosenItems(sale, keeping: rowsOf(question) + (compact ? 0 : rowsOf(text(ConsoleText.itemsOnly))) + 1)
            wrapped(question, role: .title)
            if !compact { wrapped(text(ConsoleText.itemsOnly), role: .hint) }
        }
        line(Legend.answers(model), role: .hint)
    }

    /// "Items going back:" and one line per item, leaving `keeping` rows for what follows: the items that do not fit
    /// are counted ("… and 12 more"), so the question and its answers stay on screen.
    private mutating func chosenItems(_ sale: ReturnableSale, keeping: Int) {
        guard !sale.chosenItems.isEmpty else { return }
        line(text(ConsoleText.itemsChosen) + ":")
        let labels = sale.chosenItemLabels(language)
        let room = bodyEnd - row - keeping
        let fit = labels.count <= room ? labels.count : max(0, room - 1)
        for label in labels.prefix(fit) { line("  " + label) }
        if fit < labels.count { line("  " + text(ConsoleText.itemsMore(labels.count - fit))) }
    }

    /// The miles going back: the number the host took back, pending, or the refusal.
    mutating func returnResult(_ result: ReturnResult, _ model: Model) {
        if result.showingReceipt { return receipt(result.receipt, page: result.receiptPage, model) }
        let labelWidth = 22
        switch result.outcome {
        case .earned(let miles, let confirmation, _):
            line("*** " + text(ConsoleText.returned) + " ***", role: .approved)
            blank()
            labelled(text(ConsoleText.returnedSale) + ":", result.sale.checkoutTransactionId, role: .normal, labelWidth: labelWidth)
            labelled(text(ConsoleText.milesTakenBack) + ":", "\(miles)", labelWidth: labelWidth)
            if let confirmation { labelled(text(ConsoleText.confirmation) + ":", confirmation, labelWidth: labelWidth) }
            if !compact { chosenItems(result.sale, keeping: 1) }
            line(text(ConsoleText.receiptLine(model.status)), role: .hint)
        case .pending:
            line("*** " + text(ConsoleText.returnPending) + " ***", role: .unknown)
            blank()
            labelled(text(ConsoleText.returnedSale) + ":", result.sale.checkoutTransactionId, role: .normal, labelWidth: labelWidth)
            labelled(text(ConsoleText.milesTakenBack) + ":", text(ConsoleText.milesPending), labelWidth: labelWidth)
            if !compact { chosenItems(result.sale, keeping: rowsOf(text(ConsoleText.returnPendingAdvice)) + 1) }
            wrapped(text(ConsoleText.returnPendingAdvice), role: .hint)
            line(text(ConsoleText.receiptLine(model.status)), role: .hint)
        case .refused(let code, let message):
            line("*** " + text(ConsoleText.returnRefused) + " ***", role: .declined)
            blank()
            labelled(text(ConsoleText.returnedSale) + ":", result.sale.checkoutTransactionId, role: .normal, labelWidth: labelWidth)
            wrapped((code.map { $0 + " " } ?? "") + message, role: .hint)
        }
    }

    /// "12 miles", or "pending" while the host has not posted them.
    private func milesText(_ miles: Int?) -> String {
        miles.map { "\($0) " + text(ConsoleText.miles) } ?? text(ConsoleText.milesPending)
    }
}
