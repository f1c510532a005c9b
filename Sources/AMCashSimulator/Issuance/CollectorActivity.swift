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

    /// Runs `call` as an AM Cash call for the collector (`issuance` false) or an Issuance call; nil when the
    /// collector is busy, here or at another simulator of the same ledger (then `call` did not run). The
    /// call's end is known to the other simulators before its answer leaves: a till that sends the sale's
    /// ISSUE the moment its REDEEM is answered is not told 0094 by the simulator behind the next address.
    func during<T>(_ number: String, issuance: Bool, _ call: () async throws -> T) async throws -> T? {
        guard let grant = await begin(number, issuance: issuance) else { return nil }
        let result: T
        do {
            result = try await call()
        } catch {
            await end(number, issuance: issuance, grant)
            throw error
        }
        await end(number, issuance: issuance, grant)
        return result
    }

    /// Starts a call; nil when it conflicts: an Issuance call for the collector is in progress (an AM Cash
    /// call), or any call is (an Issuance call), here or at another simulator of the same ledger.
    private func begin(_ number: String, issuance: Bool) async -> PostgresCollectorLocks.Grant? {
        let here = state.withLockedValue { counts in
            let count = counts[number, default: Count()]
            guard count.issuance == 0, !issuance || count.amcash == 0 else { return false }
            if issuance { counts[number, default: Count()].issuance = 1 } else { counts[number, default: Count()].amcash += 1 }
            return true
        }
        guard here else { return nil }
        guard let shared else { return .unchecked }
        // Apart from the request's task: a request cancelled mid-query must not lose the connection (and
        // with it every lock of this simulator), nor leave a lock taken that nobody releases.
        let grant = await Task { await shared.take(number, exclusive: issuance) }.value
        guard grant != .refused else {
            endHere(number, issuance: issuance)
            return nil
        }
        return grant
    }

    private func end(_ number: String, issuance: Bool, _ grant: PostgresCollectorLocks.Grant) async {
        endHere(number, issuance: issuance)
        guard let shared, case .held(let generation) = grant else { return }
        await Task { await shared.release(number, exclusive: issuance, generation: generation) }.value
    }

    private func endHere(_ number: String, issuance: Bool) {
        state.withLockedValue { counts in
            if issuance { counts[number, default: Count()].issuance = 0 } else { counts[number, default: Count()].amcash -= 1 }
            if counts[number]?.amcash == 0, counts[number]?.issuance == 0 { counts[number] = nil }
        }
    }
}
