import AMCashDomain
public import ConsoleCore
import Foundation

/// Random runs of the console for property tests: keys at a person's pace and a scanner's, a card
/// scanned or typed, host answers, ticks and resizes, from a seed (SplitMix64), so a failure replays.
public enum RandomRuns {
    public static let card = "81000000001"

    /// One random run: what happened and what `update` answered, step by step.
    public struct Step: Sendable {
        public let before: Model
        public let message: Msg
        public let after: Model
        public let effects: [Effect]
    }

    public static func run(seed: UInt64, steps: Int, settings: ConsoleSettings) -> [Step] {
        var random = SplitMix64(seed: seed)
        var model = Model(settings: settings)
        var time: Int64 = 0
        var trace: [Step] = []
        func feed(_ message: Msg) {
            let before = model
            let effects = update(&model, message)
            trace.append(Step(before: before, message: message, after: model, effects: effects))
        }
        let keys: [Key] =
            [
                .enter, .escape, .backspace, .tab, .up, .down, .pageUp, .pageDown, .interrupt,
                .function(1), .function(2), .function(3), .function(4), .function(5), .function(10),
            ]
            + "0123456789.ynYNrRmM+-*/".map { Key.character($0) }
        let answers: [Msg] = [
            .inquired(.answered(Fixtures.plentyInquiry)), .inquired(.answered(Fixtures.inactiveInquiry)),
            .inquired(.notSent(.timedOut)), .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000001"),
            .redeemed(.unknown(.timedOut), traceId: "000000000002"), .redeemed(.notSent(.timedOut), traceId: "000000000003"),
            .reversibleLoaded([Fixtures.reversible]), .reversed(.reversed(confirmation: "RV1", original: "RD0000000001")),
            .reversed(.queued(original: "RD0000000001")), .returnableLoaded([Fixtures.returnable, Fixtures.returnablePending]),
            .saleReturned(.earned(miles: 1, confirmationNumber: "IR1", lines: [])), .saleReturned(.pending(reason: "host away")),
            .historyLoaded([]), .supervisorPinChecked(false), .drawn, .echoed(false),
        ]
        while trace.count < steps && !model.quit {  // the loop ends on quit
            switch random.next() % 10 {
            case 0, 1, 2, 3:
                // A key at a person's pace, or (one time in four) close enough to the last to look like a scanner.
                time += random.next() % 4 == 0 ? 5 : 150 + Int64(random.next() % 400)
                let key = keys[Int(random.next() % UInt64(keys.count))]
                // Outside a kiosk the quit key ends the run; one in ten is enough to test it.
                if key == .function(10) && !settings.kiosk && random.next() % 10 != 0 { continue }
                feed(.key(KeyPress(key, at: time)))
            case 4:
                // A scanner's burst, or the same number typed by hand.
                let fast = random.next() % 2 == 0
                time += 500
                for character in card {
                    time += fast ? 5 : 200
                    feed(.key(KeyPress(.character(character), at: time)))
                }
                time += fast ? 5 : 200
                feed(.key(KeyPress(.enter, at: time)))
            case 5:
                // A basket total, and Enter to go on to the card field.
                time += 300
                for character in "43.35\n" {
                    time += 200
                    feed(.key(KeyPress(character == "\n" ? .enter : .character(character), at: time)))
                }
            case 6:
                feed(answers[Int(random.next() % UInt64(answers.count))])
            case 7:
                // The host offers, the cashier confirms and answers yes: the way to a REDEEM.
                feed(.inquired(.answered(Fixtures.plentyInquiry)))
                for key in [Key.enter, .character("y")] {
                    time += 300
                    feed(.key(KeyPress(key, at: time)))
                }
            case 8:
                feed(.tick(clock: "13:32"))
            default:
                feed(.resized(columns: 40 + Int(random.next() % 90), rows: 12 + Int(random.next() % 30)))
            }
        }
        return trace
    }

    /// A random seed, printed, or `AMCASH_PROPERTY_SEED` to replay one.
    public static func seed(for suite: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["AMCASH_PROPERTY_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("\(suite) seed \(seed) (set AMCASH_PROPERTY_SEED to replay)")
        return seed
    }
}
