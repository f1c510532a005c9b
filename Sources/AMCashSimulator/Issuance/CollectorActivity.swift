import NIOConcurrencyHelpers

/// Which collectors have a transaction in progress at the host, across AM Cash and Issuance: the
/// documentation warns that a parallel transaction for the same collector fails. AM Cash calls for one
/// collector may overlap each other (the ledger serialises them, as before); an Issuance call overlaps
/// nothing for its collector, and no AM Cash call starts while an Issuance call is in progress.
final class CollectorActivity: Sendable {
    private struct Count: Sendable {
        var amcash = 0
        var issuance = 0
    }
    private let state = NIOLockedValueBox<[String: Count]>([:])

    /// Starts an AM Cash call; false when an Issuance call for the collector is in progress.
    func beginAMCash(_ number: String) -> Bool {
        state.withLockedValue { counts in
            guard counts[number, default: Count()].issuance == 0 else { return false }
            counts[number, default: Count()].amcash += 1
            return true
        }
    }

    func endAMCash(_ number: String) {
        state.withLockedValue { counts in
            counts[number, default: Count()].amcash -= 1
            if counts[number]?.amcash == 0, counts[number]?.issuance == 0 { counts[number] = nil }
        }
    }

    /// Starts an Issuance call; false when any call for the collector is in progress.
    func beginIssuance(_ number: String) -> Bool {
        state.withLockedValue { counts in
            let count = counts[number, default: Count()]
            guard count.amcash == 0, count.issuance == 0 else { return false }
            counts[number, default: Count()].issuance = 1
            return true
        }
    }

    func endIssuance(_ number: String) {
        state.withLockedValue { counts in
            counts[number, default: Count()].issuance = 0
            if counts[number]?.amcash == 0 { counts[number] = nil }
        }
    }
}
