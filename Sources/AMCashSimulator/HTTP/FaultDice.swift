import AMCashDomain
import NIOConcurrencyHelpers

/// Draws the faults for each request from the plan, with the plan's seed. A lock, not an actor:
/// every request passes here.
final class FaultDice: Sendable {
    private struct State {
        var plan: FaultPlan
        var generator: SplitMix64
        var requests: [String: Int] = [:]
    }
    private let state: NIOLockedValueBox<State>

    init(plan: FaultPlan) {
        state = NIOLockedValueBox(State(plan: plan, generator: SplitMix64(seed: plan.seed)))
    }

    /// Requests seen per endpoint, faults or not (the trainer's and the tests' view of the traffic).
    var requests: [String: Int] { state.withLockedValue { $0.requests } }

    /// Replaces the plan (and restarts its seeded draws), while the simulator runs.
    func replace(with plan: FaultPlan) {
        state.withLockedValue { state in
            state.plan = plan
            state.generator = SplitMix64(seed: plan.seed)
        }
    }

    func count(_ endpoint: String) { state.withLockedValue { $0.requests[endpoint, default: 0] += 1 } }

    /// The faults that strike this request.
    func draw(endpoint: String, collector: String?) -> [FaultRule.Kind] {
        state.withLockedValue { state in
            var struck: [FaultRule.Kind] = []
            for rule in state.plan.rules where rule.applies(endpoint: endpoint, collector: collector) {
                let roll = Int(state.generator.next() % 1000)
                if roll < rule.perMille { struck.append(rule.kind) }
            }
            return struck
        }
    }
}
