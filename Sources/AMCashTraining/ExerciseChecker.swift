public import AMCashDomain
public import AMCashJournal
import AMCashWire
public import ConsoleCore
import Foundation

/// What an exercise left behind: the terminal's journal and the simulator's ledger, read after the
/// network has come back and recovery has run (so every row that nets to zero by itself has).
public struct ExerciseFacts: Sendable {
    /// REDEEM rows: state, amount, and the language their body was sent in.
    public let redeems: [(state: TransactionState, money: Money?, language: Language?)]
    public let reversals: [TransactionState]
    /// Miles the ledger holds less than at the start, for the exercise's collector.
    public let netDebitMiles: Int
    /// The ledger's redemptions for the collector still standing (not reversed or refunded).
    public let standingRedemptions: Int

    public init(
        redeems: [(state: TransactionState, money: Money?, language: Language?)], reversals: [TransactionState],
        netDebitMiles: Int, standingRedemptions: Int
    ) {
        self.redeems = redeems
        self.reversals = reversals
        self.netDebitMiles = netDebitMiles
        self.standingRedemptions = standingRedemptions
    }

    /// Reads the facts: lifts the exercise's faults (the network is back), resolves what is open, then
    /// reads the journal and the ledger.
    public static func gather(journal: Journal, transactions: JournaledTransactions, prepared: PreparedExercise) async -> ExerciseFacts {
        await prepared.networkBack()
        for _ in 0..<3 where ((try? transactions.pendingCount()) ?? 0) > 0 { _ = try? await transactions.recover() }
        let entries = (try? journal.entries()) ?? []
        let redeems = entries.filter { $0.kind == .redeem && !$0.isVoid }.map { entry in
            (state: entry.state, money: entry.money ?? entry.requested, language: language(of: entry.body))
        }
        let reversals = entries.filter { $0.kind == .reverse && !$0.isVoid }.map(\.state)
        let ledger = await prepared.ledger()
        return ExerciseFacts(
            redeems: redeems, reversals: reversals, netDebitMiles: prepared.startingCash - (ledger?.cash ?? prepared.startingCash),
            standingRedemptions: ledger?.standing ?? 0)
    }

    /// The `instantMessage` of a journaled request body: the language it was sent in.
    static func language(of body: Data) -> Language? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let text = object["instantMessage"] as? String else {
            return nil
        }
        return Language(rawValue: text)
    }
}

/// Checks an exercise's expectations against its facts: each one right or wrong, and why, in both languages.
public enum ExerciseChecker {
    public static func verdict(_ exercise: Exercise, facts: ExerciseFacts, discountGiven: Bool?) -> (ExerciseVerdict, mistakes: [String]) {
        let seen = Seen(facts: facts, discountGiven: discountGiven)
        var lines: [ExerciseVerdict.Line] = []
        var mistakes: [String] = []
        for expectation in exercise.expectations {
            let line = judge(expectation, seen)
            lines.append(line)
            if !line.passed { mistakes.append(expectation.mistake) }
        }
        return (ExerciseVerdict(lines: lines), mistakes)
    }

    /// What the checks read: the facts, the redemptions the till showed, the miles AIR MILES holds.
    struct Seen {
        let facts: ExerciseFacts
        let discountGiven: Bool?
        let shown: [(state: TransactionState, money: Money?, language: Language?)]
        let miles: Int

        init(facts: ExerciseFacts, discountGiven: Bool?) {
            self.facts = facts
            self.discountGiven = discountGiven
            shown = facts.redeems.filter { $0.state == .shown || $0.state == .reversing || $0.state == .reversed }
            miles = facts.netDebitMiles
        }
    }

    /// One expectation's line of the verdict, in both languages.
    static func judge(_ expectation: Expectation, _ seen: Seen) -> ExerciseVerdict.Line {
        switch expectation {
        case .approved(let money): approved(money, seen)
        case .nothingRedeemed: nothingRedeemed(seen)
        case .noRedeemSent: noRedeemSent(seen)
        case .reversed: reversed(seen)
        case .discountGiven(let expected): discountGiven(expected, seen)
        case .language(let wanted): language(wanted, seen)
        }
    }

    private static func line(_ passed: Bool, _ english: String, _ french: String) -> ExerciseVerdict.Line {
        .init(passed: passed, text: LocalizedText(english: english, french: french))
    }

    private static func approved(_ money: Money, _ seen: Seen) -> ExerciseVerdict.Line {
        let (shown, miles) = (seen.shown, seen.miles)
        let units = Int(money.cents / 1000)
        let right = shown.count == 1 && shown[0].money == money && miles == units * 95
        let got = shown.map { $0.money?.formatted(.english) ?? "?" }.joined(separator: ", ")
        let gotFr = shown.map { $0.money?.formatted(.french) ?? "?" }.joined(separator: ", ")
        return line(
            right,
            right
                ? "One redemption of \(money.formatted(.english)) was approved and shown; AIR MILES took \(miles) miles."
                : "Expected one redemption of \(money.formatted(.english)) approved and shown; the till showed \(shown.isEmpty ? "none" : got) and AIR MILES took \(miles) miles.",
            right
                ? "Un échange de \(money.formatted(.french)) a été approuvé et affiché; AIR MILES a pris \(miles) milles."
                : "Il fallait un échange de \(money.formatted(.french)) approuvé et affiché; le terminal a affiché \(shown.isEmpty ? "aucun" : gotFr) et AIR MILES a pris \(miles) milles."
        )
    }

    private static func nothingRedeemed(_ seen: Seen) -> ExerciseVerdict.Line {
        let miles = seen.miles
        let right = miles == 0 && seen.facts.standingRedemptions == 0 && seen.shown.isEmpty
        return line(
            right,
            right
                ? "No discount stands: the collector kept every mile."
                : "A discount stands: AIR MILES took \(miles) miles from the collector. This customer should not have been discounted.",
            right
                ? "Aucun rabais ne reste : l’adhérent a gardé tous ses milles."
                : "Un rabais reste : AIR MILES a pris \(miles) milles à l’adhérent. Ce client n’aurait pas dû recevoir de rabais.")
    }

    private static func noRedeemSent(_ seen: Seen) -> ExerciseVerdict.Line {
        let right = seen.facts.redeems.isEmpty
        return line(
            right,
            right
                ? "No redemption was sent: right for this card."
                : "A redemption was sent (\(seen.facts.redeems.count)); this card could not redeem.",
            right
                ? "Aucun échange n’a été envoyé : c’est juste pour cette carte."
                : "Un échange a été envoyé (\(seen.facts.redeems.count)); cette carte ne pouvait pas échanger.")
    }

    private static func reversed(_ seen: Seen) -> ExerciseVerdict.Line {
        let miles = seen.miles
        let right = seen.facts.reversals.contains(.reversed) && miles == 0 && seen.facts.standingRedemptions == 0
        return line(
            right,
            right
                ? "The redemption was reversed: the collector has every mile back."
                : "The redemption was not reversed: AIR MILES still holds \(miles) miles of the collector's.",
            right
                ? "L’échange a été annulé : l’adhérent a récupéré tous ses milles."
                : "L’échange n’a pas été annulé : AIR MILES garde \(miles) milles de l’adhérent.")
    }

    private static func discountGiven(_ expected: Bool, _ seen: Seen) -> ExerciseVerdict.Line {
        let right = seen.discountGiven == expected
        return line(
            right,
            expected
                ? (right ? "You gave the discount the till approved." : "The till approved the discount: the customer should have had it.")
                : (right
                    ? "You did not give a discount the till never confirmed."
                    : "The till did not confirm this discount: it must not be given (the miles come back on their own)."),
            expected
                ? (right
                    ? "Vous avez accordé le rabais approuvé par le terminal."
                    : "Le terminal a approuvé le rabais : le client devait l’avoir.")
                : (right
                    ? "Vous n’avez pas accordé un rabais que le terminal n’a jamais confirmé."
                    : "Le terminal n’a pas confirmé ce rabais : il ne faut pas l’accorder (les milles reviennent d’eux-mêmes)."))
    }

    private static func language(_ language: Language, _ seen: Seen) -> ExerciseVerdict.Line {
        let sent = seen.facts.redeems.compactMap(\.language)
        let right = !sent.isEmpty && sent.allSatisfy { $0 == language }
        let name = language == .french ? ("French", "français") : ("English", "anglais")
        return line(
            right,
            right
                ? "The sale went in \(name.0), the customer's language."
                : "The sale did not go in \(name.0): switch the language (F2) for this customer.",
            right
                ? "La vente s’est faite en \(name.1), la langue du client."
                : "La vente ne s’est pas faite en \(name.1) : changez de langue (F2) pour ce client.")
    }
}
