/// A list with one selected line: `> ` before it, the selected role, and the cursor on it.
extension Layout {
    mutating func itemList(_ entries: [String], selected: Int) {
        for (index, entry) in entries.enumerated() {
            if index == selected { canvas.placeCursor(row: row, column: 1) }
            line((index == selected ? "> " : "  ") + entry, role: index == selected ? .selected : .normal)
        }
    }
}
