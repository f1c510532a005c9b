/// A text field drawn as `[text      ]`, in the focused role when it has the cursor.
extension Layout {
    /// Draws the field at (row, column) with `width` cells inside the brackets; returns the column the
    /// cursor rests on when the field has it (after the text).
    @discardableResult
    mutating func field(_ text: String, row: Int, column: Int, width: Int, focused: Bool) -> Int {
        canvas.put(
            "[" + text.padding(toLength: width, withPad: " ", startingAt: 0) + "]", row: row, column: column,
            role: focused ? .fieldFocused : .field)
        return column + 1 + text.count
    }
}
