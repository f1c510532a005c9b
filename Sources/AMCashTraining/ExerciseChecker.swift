public import AMCashDomain
public import AMCashJournal
public import AMCashSimulator
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
    /// The journal's ISSUE and RETURN rows, as the host answered them.
    public let earnings: [EarningFact]
    /// The ledger's Issuance rows for the collector (signed: a return is negative); nil when the host cannot say.
    public let ledgerEarnings: [SimulatedIssuance]?

    public init(
        redeems: [(state: TransactionState, money: Money?, language: Language?)], reversals: [TransactionState],
        netDebitMiles: Int, standingRedemptions: Int, earnings: [EarningFact] = [], ledgerEarnings: [SimulatedIssuance]? = nil
    ) {
        self.redeems = redeems
        self.reversals = reversals
        self.netDebitMiles = netDebitMiles
        self.standingRedemptions = standingRedemptions
        self.earnings = earnings
        self.ledgerEarnings = ledgerEarnings
    }

    /// Reads the facts: lifts the exercise's faults (the network is back), resolves what is open, then
    /// reads the journal and the ledger.
    public static func gather(journal: Journal, transactions: JournaledTransactions, prepared: PreparedExercise) async -> ExerciseFacts {
        await prepared.networkBack()
        // A row the console's own background pass is working on (a replay still waiting on the old fault's
        // lost answer) is skipped by this pass: wait for that pass to let it go (at most 20 s), or the verdict
        // would read a debit that is about to be given back.
        let deadline = ContinuousClock.now + .seconds(20)
        var passes = 0
        while passes < 3 || ContinuousClock.now < deadline, ((try? transactions.pendingCount()) ?? 0) > 0 {
            let report = try? await transactions.recover()
            passes += 1
            guard passes >= 3 else { continue }
            guard let report, report.skipped > 0 else { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        let entries = (try? journal.entries()) ?? []
        let redeems = entries.filter { $0.kind == .redeem && !$0.isVoid }.map { entry in
            (state: entry.state, money: entry.money ?? entry.requested, language: language(of: entry.body))
        }
        let reversals = entries.filter { $0.kind == .reverse && !$0.isVoid }.map(\.state)
        // An earning the network held back goes now, with its own key and body (store and forward).
        _ = try? await transactions.forwardEarnings(dueOnly: false)
        let earnings = ((try? journal.earnings()) ?? []).map(EarningFact.init)
        let ledger = await prepared.ledger()
        let ledgerEarnings = await prepared.issuances()
        // AM Cash the sale earned went into the balance: it is not a redemption's debit.
        let earnedCash =
            ledgerEarnings.map { rows in rows.filter { $0.status == IssuanceDecisions.statusIssued }.reduce(0) { $0 + $1.cashMiles } }
            ?? earnings.filter { $0.state == .issued }.reduce(0) { $0 + ($1.kind == "RETURN" ? -1 : 1) * ($1.miles ?? 0) }
        return ExerciseFacts(
            redeems: redeems, reversals: reversals,
            netDebitMiles: prepared.startingCash - (ledger?.cash ?? prepared.startingCash) + (ledger == nil ? 0 : earnedCash),
            standingRedemptions: ledger?.standing ?? 0, earnings: earnings, ledgerEarnings: ledgerEarnings)
    }

    /// The `instantMessage` of a journaled request body: the language it was sent in.
    static func language(of body: Data) -> Language? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let text = object["instantMessage"] as? String else {
            return nil
        }
        return Language(rawValue: text)
    }
}

/// One ISSUE or RETURN of the exercise's journal: what the host answered for it.
public struct EarningFact: Sendable, Hashable {
    /// `ISSUE` or `RETURN`.
    public let kind: String
    public let state: EarningState
    /// The miles the host answered (for a RETURN, taken back); nil until answered with miles.
    public let miles: Int?
    public let checkoutTransactionId: String
    public let originalCheckoutTransactionId: String?

}

extension EarningFact {
    init(_ entry: EarningEntry) {
        self.init(
            kind: entry.kind, state: entry.state, miles: entry.miles, checkoutTransactionId: entry.checkoutTransactionId,
            originalCheckoutTransactionId: entry.originalCheckoutTransactionId)
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
        case .earned(let miles): earned(miles, seen)
        case .earningPending: earningPending(seen)
        case .returned: returned(seen)
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

    /// The sale's ISSUE answered with exactly these miles, and (where the ledger can be read) recorded once.
    private static func earned(_ miles: Int, _ seen: Seen) -> ExerciseVerdict.Line {
        let issues = seen.facts.earnings.filter { $0.kind == "ISSUE" }
        let answered = issues.filter { $0.state == .issued }.reduce(0) { $0 + ($1.miles ?? 0) }
        let recorded = seen.facts.ledgerEarnings?.filter { $0.operation == "issue" }
        let once = recorded.map { rows in rows.count == issues.filter { $0.state != .refused }.count } ?? true
        let ledgerMiles = recorded?.reduce(0) { $0 + $1.miles }
        let right = !issues.isEmpty && answered == miles && (ledgerMiles ?? miles) == miles && once
        return line(
            right,
            right
                ? "The sale earned \(miles) miles, as AIR MILES recorded them."
                : "The sale should have earned \(miles) miles; the till's earnings were answered with \(answered)\(ledgerMiles.map { " and AIR MILES recorded \($0)" } ?? "")\(once ? "" : ", more than once").",
            right
                ? "La vente a rapporté \(miles) milles, comme AIR MILES les a inscrits."
                : "La vente devait rapporter \(miles) milles; les gains du terminal ont reçu la réponse \(answered)\(ledgerMiles.map { " et AIR MILES en a inscrit \($0)" } ?? "")\(once ? "" : ", plus d’une fois")."
        )
    }

    /// The ISSUE was answered 202 (pending) and sent once: never a second sale for the same miles.
    private static func earningPending(_ seen: Seen) -> ExerciseVerdict.Line {
        let issues = seen.facts.earnings.filter { $0.kind == "ISSUE" }
        let recorded = seen.facts.ledgerEarnings?.filter { $0.operation == "issue" }.count
        let right = issues.count == 1 && issues[0].state == .accepted && (recorded ?? 1) == 1
        return line(
            right,
            right
                ? "The miles were pending and the sale was sent once: they post to the collector's account later."
                : "Expected one sale whose miles AIR MILES answered as pending; the till sent \(issues.count) earning\(issues.count == 1 ? "" : "s")\(recorded.map { ", AIR MILES recorded \($0)" } ?? ""). Do not redo a sale whose miles are pending.",
            right
                ? "Les milles étaient en attente et la vente a été envoyée une fois : ils s’inscriront plus tard au compte de l’adhérent."
                : "Il fallait une vente dont AIR MILES a mis les milles en attente; le terminal a envoyé \(issues.count) gain\(issues.count == 1 ? "" : "s")\(recorded.map { ", AIR MILES en a inscrit \($0)" } ?? ""). Ne refaites pas une vente dont les milles sont en attente."
        )
    }

    /// A RETURN naming the sale was answered, and what the sale earned went back (on the ledger where it can be read).
    private static func returned(_ seen: Seen) -> ExerciseVerdict.Line {
        let sales = seen.facts.earnings.filter { $0.kind == "ISSUE" && $0.state == .issued }
        let returns = seen.facts.earnings.filter { fact in
            fact.kind == "RETURN" && fact.state == .issued && sales.contains { $0.checkoutTransactionId == fact.originalCheckoutTransactionId }
        }
        let earned = sales.reduce(0) { $0 + ($1.miles ?? 0) }
        let takenBack = returns.reduce(0) { $0 + ($1.miles ?? 0) }
        let ledgerNet = seen.facts.ledgerEarnings.map { rows in
            rows.filter { $0.operation == "issue" || $0.operation == "return" }.reduce(0) { $0 + $1.miles }
        }
        let right = !returns.isEmpty && takenBack == earned && (ledgerNet ?? 0) == 0
        return line(
            right,
            right
                ? "The sale was returned: AIR MILES took back the \(takenBack) miles it earned."
                : "The sale was not returned: \(returns.isEmpty ? "no return of it was answered" : "\(takenBack) of its \(earned) miles went back")\(ledgerNet.map { "; AIR MILES still holds \($0) earned miles" } ?? "").",
            right
                ? "La vente a été retournée : AIR MILES a repris les \(takenBack) milles qu’elle avait rapportés."
                : "La vente n’a pas été retournée : \(returns.isEmpty ? "aucun retour n’a reçu de réponse" : "\(takenBack) de ses \(earned) milles ont été repris")\(ledgerNet.map { "; AIR MILES garde \($0) milles obtenus" } ?? "")."
        )
    }
}
