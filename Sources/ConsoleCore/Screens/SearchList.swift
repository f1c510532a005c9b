/// A list the cashier narrows by typing an id (the return list by transaction id, the reverse list by
/// confirmation number). Both take the same keys, so one piece of code moves, types and deletes on both.
protocol SearchList: Sendable {
    associatedtype Item
    /// The longest id the cashier can type.
    static var queryLimit: Int { get }
    var selected: Int { get set }
    var query: String { get set }
    var matches: [Item] { get }
    var selectedItem: Item? { get }
}

extension SearchList {
    /// A key on the list: the arrows move the highlight, Delete takes back the last character typed, Cancel
    /// leaves for a new sale, and Select asks about the highlighted item (`confirm`); `show` puts the
    /// list back on the screen.
    func act(_ action: KeyAction, _ model: inout Model, show: (Self) -> Screen, confirm: (Self, Item) -> Screen) {
        var list = self
        switch action {
        case .previous: list.selected = max(0, list.selected - 1)
        case .next: list.selected = min(max(0, list.matches.count - 1), list.selected + 1)
        case .select:
            guard let item = list.selectedItem else { return }
            model.screen = confirm(list, item)
            return
        case .delete:
            _ = list.query.popLast()
            list.selected = 0
        case .cancel:
            model.startNewSale()
            return
        default:
            return
        }
        model.screen = show(list)
    }

    /// Typing narrows the list to the items the query matches.
    func type(_ character: Character, _ model: inout Model, show: (Self) -> Screen) {
        var list = self
        if list.query.count < Self.queryLimit { list.query.append(character) }
        list.selected = 0
        model.screen = show(list)
    }
}
