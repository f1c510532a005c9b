import NIOConcurrencyHelpers

/// Which collectors have a transaction in progress at the host, across AM Cash and Issuance: the
/// documentation warns that a parallel transaction for the same collector fails. AM Cash calls for one
/// collector may overlap each other (the ledger serialises them, as before); an Issuance call overlaps
/// nothing for its collector, and no AM Cash call starts while an Issuance call is in progress.
/// Simulators sharing a PostgreSQL ledger also ask `shared`, which knows the others' calls.
final class CollectorActivity: Sendable {
    private struct Count: Sendable {
        var amcash = 0
        var issuance = 0
    }
    private let state = NIOLockedValueBox<[String: Count]>([:])
    private let shared: PostgresCollectorLocks?

    init(shared: PostgresCollectorLocks? = nil) {
        self.shared = shared
    }

    /// Starts an AM Cash call; false when an Issuance call for the collector is in progress, here or
    /// at another simulator of the same ledger.
    func beginAMCash(_ number: String) async -> Bool {
        let here = state.withLockedValue { counts in
            guard counts[number, default: Count()].issuance == 0 else { return false }
            counts[number, default: Count()].amcash += 1
            return true
        }
        guard here, let shared else { return here }
        if await shared.take(number, exclusive: false) { return true }
        endHere(number, issuance: false)
        return false
    }

    func endAMCash(_ number: String) {
        endHere(number, issuance: false)
        release(number, exclusive: false)
    }

    /// Starts an Issuance call; false when any call for the collector is in progress, here or at
    /// another simulator of the same ledger.
    func beginIssuance(_ number: String) async -> Bool {
        let here = state.withLockedValue { counts in
            let count = counts[number, default: Count()]
            guard count.amcash == 0, count.issuance == 0 else { return false }
            counts[number, default: Count()].issuance = 1
            return true
        }
        guard here, let shared else { return here }
        if await shared.take(number, exclusive: true) { return true }
        endHere(number, issuance: true)
        return false
    }

    func endIssuance(_ number: String) {
        endHere(number, issuance: true)
        release(number, exclusive: true)
    }

    private func endHere(_ number: String, issuance: Bool) {
        state.withLockedValue { counts in
            if issuance { counts[number, default: Count()].issuance = 0 } else { counts[number, default: Count()].amcash -= 1 }
            if counts[number]?.amcash == 0, counts[number]?.issuance == 0 { counts[number] = nil }
        }
    }

    /// The other simulators learn of the end a moment later (the lock is let go in the background):
    /// the call's answer does not wait for it.
    private func release(_ number: String, exclusive: Bool) {
        guard let shared else { return }
        Task { await shared.release(number, exclusive: exclusive) }
    }
}
