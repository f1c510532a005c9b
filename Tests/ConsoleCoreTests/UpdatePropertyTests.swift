import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import Foundation
import Testing

/// Properties of `update` over random runs of keys (typed, and scanners' bursts), host answers,
/// ticks and resizes. The seed is printed; `AMCASH_PROPERTY_SEED` replays a run.
@Suite struct UpdatePropertyTests {
    static func seed() -> UInt64 { RandomRuns.seed(for: "UpdatePropertyTests") }
    static func run(seed: UInt64, steps: Int, settings: ConsoleSettings) -> [RandomRuns.Step] {
        RandomRuns.run(seed: seed, steps: steps, settings: settings)
    }

    @Test func noKeySequenceRedeemsAKeyedCard() {
        let seed = Self.seed()
        var redeems = 0
        for run in 0..<500 {
            for step in Self.run(seed: seed &+ UInt64(run), steps: 200, settings: Fixtures.settings) {
                for case .redeem(let request) in step.effects {
                    redeems += 1
                    #expect(request.card.entryMode != .manual, "seed \(seed) run \(run): a REDEEM for a keyed card")
                    #expect(step.before.kind == .confirm, "seed \(seed) run \(run): a REDEEM sent from \(step.before.kind), not from the question")
                }
            }
        }
        #expect(redeems > 0, "seed \(seed): no run reached a REDEEM, so the property was not exercised")
    }

    @Test func noEffectIsEmittedWhileARedeemIsWithTheHost() {
        let seed = Self.seed()
        var waited = 0
        for run in 0..<500 {
            for step in Self.run(seed: seed &+ UInt64(run), steps: 200, settings: Fixtures.settings(kiosk: run % 2 == 0))
            where step.before.kind == .redeeming {
                guard case .key = step.message else { continue }
                waited += 1
                #expect(step.effects.isEmpty, "seed \(seed) run \(run): \(step.effects) while the REDEEM is with the host")
                #expect(
                    step.after.screen == step.before.screen && step.after.overlays.isEmpty && !step.after.quit,
                    "seed \(seed) run \(run): a key took the screen from under the host's answer")
            }
        }
        #expect(waited > 0, "seed \(seed): no key arrived during a REDEEM, so the property was not exercised")
    }

    /// REDEEM to its end, then ISSUE, never both at once for one collector: an ISSUE leaves only with the
    /// REDEEM's answer, or from the offer's Enter when nothing is redeemed; never with a REDEEM, never twice.
    @Test func anIssueIsSentOnlyAfterTheRedeemEndedOrInsteadOfIt() {
        let seed = Self.seed()
        var issues = 0
        for run in 0..<500 {
            for step in Self.run(seed: seed &+ UInt64(run), steps: 200, settings: Fixtures.settings) {
                let earns = step.effects.filter { if case .earn = $0 { true } else { false } }
                guard !earns.isEmpty else { continue }
                issues += earns.count
                #expect(earns.count == 1, "seed \(seed) run \(run): \(earns.count) ISSUEs in one step")
                let redeems = step.effects.contains {
                    switch $0 {
                    case .redeem, .redeemForRegister: true
                    default: false
                    }
                }
                #expect(!redeems, "seed \(seed) run \(run): an ISSUE sent with a REDEEM")
                switch (step.before.screen.kind, step.message) {
                case (.redeeming, .redeemed): break
                case (.offer, .key): break
                default: Issue.record("seed \(seed) run \(run): an ISSUE sent from \(step.before.screen.kind) on \(step.message)")
                }
            }
        }
        #expect(issues > 0, "seed \(seed): no run reached an ISSUE, so the property was not exercised")
    }
}
