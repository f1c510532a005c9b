import ConsoleCore

extension Layout {
    /// Kiosk mode: the PIN as one star a digit, the cursor after the last.
    mutating func supervisor(_ entry: SupervisorEntry) {
        wrapped(text(ConsoleText.supervisorTitle), role: .title)
        blank()
        let label = text(ConsoleText.supervisorPin) + ": "
        let stars = String(repeating: "*", count: entry.pinText.count)
        canvas.put(label, row: row, column: 1, role: .label)
        let cursor = field(stars, row: row, column: 1 + label.count, width: 12, focused: true)
        canvas.placeCursor(row: row, column: cursor)
        row += 1
        blank()
        if entry.checkingPin { line(text(ConsoleText.checkingPin), role: .hint) }
        if let notice = entry.notice { wrapped(text(notice), role: .error) }
    }
}
