public import AMCashDomain

/// One line of the history screen.
public struct HistoryLine: Hashable, Sendable {
    public let time: String
    public let kind: String
    public let maskedCard: String
    public let state: String
    public let money: Money?
    public let confirmationNumber: String?

    public init(time: String, kind: String, maskedCard: String, state: String, money: Money?, confirmationNumber: String?) {
        self.time = time
        self.kind = kind
        self.maskedCard = maskedCard
        self.state = state
        self.money = money
        self.confirmationNumber = confirmationNumber
    }
}

/// The history screen's pages: its title (and a blank line from 80 columns) above the lines.
public enum HistoryScreen {
    public static func rowsPerPage(_ model: Model) -> Int { Paging.rowsPerPage(model, heading: model.isCompact ? 1 : 2) }

    public static func pageCount(_ lines: [HistoryLine]?, _ model: Model) -> Int {
        Paging.pageCount(lines?.count ?? 0, perPage: rowsPerPage(model))
    }
}
