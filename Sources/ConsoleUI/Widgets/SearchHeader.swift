import AMCashDomain

/// The top of a list the cashier narrows by typing an id (return, reverse): the title, and the typed id
/// in its field once there is something to search.
extension Layout {
    mutating func searchHeader(_ title: LocalizedText, prompt: LocalizedText, query: String, searchable: Bool) {
        line(text(title), role: .title)
        if searchable {
            let prompt = text(prompt) + ": "
            labelled(prompt, "[" + query + "]", role: .fieldFocused, labelWidth: prompt.count)
        }
        blank()
    }
}
