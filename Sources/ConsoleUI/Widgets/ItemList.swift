import ConsoleCore

/// A list with one selected line: `> ` before it, the selected role, and the cursor on it.
extension Layout {
    mutating func itemList(_ entries: [String], selected: Int) {
        for (index, entry) in entries.enumerated() {
            if index == selected { canvas.placeCursor(row: row, column: 1) }
            line((index == selected ? "> " : "  ") + entry, role: index == selected ? .selected : .normal)
        }
    }

    /// A list longer than the screen pages with its selection, as help and history page (`Paging`): only the page
    /// holding the selected entry is drawn, in the rows left above the legend less `keeping` (what the screen draws
    /// under the list), so the selection is always on screen. With more than one page, the title already drawn on
    /// `title.row` gets the page cue the other lists show, "(page N of M)". No model state: the page follows `selected`.
    /// Returns whether the page drawn is the last (a screen may draw more under the list's end).
    @discardableResult
    mutating func pagedItemList(_ entries: [String], selected: Int, keeping: Int = 0, title: (row: Int, text: String)) -> Bool {
        let perPage = max(1, bodyEnd - row - keeping)
        let shown = Paging.page(selected / perPage, of: entries, perPage: perPage)
        if shown.pages > 1 {
            let cue = "  (" + text(ConsoleText.helpPage(shown.page + 1, of: shown.pages)) + ")"
            canvas.put(title.text + cue, row: title.row, column: 1, role: .title)
        }
        itemList(shown.lines, selected: selected - shown.page * perPage)
        return shown.page == shown.pages - 1
    }

    /// The rows `text` takes wrapped.
    func rowsOf(_ text: String) -> Int { TextWrap.lines(text, width: width - 2).count }
}
