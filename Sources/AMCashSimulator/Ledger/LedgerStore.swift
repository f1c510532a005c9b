/// Where the ledger keeps its state between runs. Without one the ledger lives in memory.
protocol LedgerStore: Sendable {
    /// The saved state, or nil for a new ledger.
    func load() throws -> LedgerState?
    /// Saves the whole state durably before the answer that changed it is sent.
    func save(_ state: LedgerState) throws
}
