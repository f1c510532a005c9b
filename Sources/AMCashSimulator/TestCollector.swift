import AMCashAPI
public import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation
import TOMLKit

/// One collector account of the simulator, set up to show a trainee one situation.
public struct TestCollector: Sendable, Hashable, Codable {
    /// The card number (11 digits, as AIR MILES issues them).
    public let number: String
    /// A short name for the situation (`plenty`, `one-unit`, …).
    public let situation: String
    /// What the trainee will see.
    public let summary: String
    /// The same in French, for a French-speaking trainee's help screen (`summaryFr` in a collectors file).
    public let summaryFrench: String?
    public let cashMiles: Int
    public let dreamMiles: Int
    /// Units already redeemed today when the simulator starts (near the limit, limit reached).
    public let redeemedTodayUnits: Int
    public let behaviour: Behaviour
    /// Faults for this collector's requests, as `--fault` writes them without the scope (`drop`, `delay=3000@50`).
    public let faults: [String]
    /// How the host answers this collector's earnings (Issuance); nil is `normal`.
    public let earning: EarningBehaviour?
    /// The share of earned miles that goes to AM Cash (the rest to Dream), 0 to 100; nil is 100.
    public let earnedCashPercent: Int?

    /// How the simulated Issuance host treats a collector's ISSUE.
    public enum EarningBehaviour: String, Sendable, Hashable, Codable, CaseIterable {
        case normal
        /// Every ISSUE is answered 202 (pending) and posts a few seconds later.
        case pending
        /// Every ISSUE and RETURN is answered 400.
        case refused
    }

    /// How the host treats the account beyond its balances.
    public enum Behaviour: String, Sendable, Hashable, Codable, CaseIterable {
        case normal
        /// 0002: the account is inactive.
        case inactive
        /// 0001 / 0005: balances are never shown.
        case balanceHidden = "balance-hidden"
        /// 0006: the account cannot redeem.
        case unableToRedeem = "unable-to-redeem"
        /// 0005: balances are never shown and the account cannot redeem.
        case balanceHiddenUnableToRedeem = "balance-hidden-unable"
        /// 0025: the host does not know the number.
        case invalidNumber = "invalid-number"
        /// 0008: every request times out at the host.
        case timesOut = "times-out"
        /// Answers, but only after `SimulatorOptions.slowDelay`.
        case slow
    }

    public init(
        number: String, situation: String, summary: String, summaryFrench: String? = nil, cashMiles: Int, dreamMiles: Int,
        redeemedTodayUnits: Int = 0, behaviour: Behaviour = .normal, faults: [String] = [], earning: EarningBehaviour? = nil,
        earnedCashPercent: Int? = nil
    ) {
        self.number = number
        self.situation = situation
        self.summary = summary
        self.summaryFrench = summaryFrench
        self.cashMiles = cashMiles
        self.dreamMiles = dreamMiles
        self.redeemedTodayUnits = redeemedTodayUnits
        self.behaviour = behaviour
        self.faults = faults
        self.earning = earning
        self.earnedCashPercent = earnedCashPercent
    }

    /// This collector's faults as rules scoped to its number.
    public func faultRules() throws(FaultRuleError) -> [FaultRule] {
        try faults.map { text throws(FaultRuleError) in try FaultRule(parsing: number + ":" + text) }
    }

    /// The last four digits, as screens show the card.
    public var masked: String { (try? CollectorNumber(digits: number, format: CollectorNumberFormat(lengths: 1...19)).masked) ?? "••••" }
}

/// The simulator's own set of test collectors: one per situation a cashier must learn.
public enum TestCollectors {
    public static let standard: [TestCollector] = [
        TestCollector(
            number: "81000000001", situation: "plenty", summary: "plenty of miles: redeem up to the basket or the limit",
            summaryFrench: "beaucoup de milles : échange jusqu’au total ou à la limite",
            cashMiles: 50_000, dreamMiles: 12_000),
        TestCollector(
            number: "81000000002", situation: "one-unit", summary: "exactly one unit (95 miles = $10)",
            summaryFrench: "une seule unité exactement (95 milles = 10 $)",
            cashMiles: 95, dreamMiles: 300),
        TestCollector(
            number: "81000000003", situation: "below-one-unit", summary: "60 miles: less than one unit, nothing to redeem (0051)",
            summaryFrench: "60 milles : moins d’une unité, aucun échange (0051)",
            cashMiles: 60, dreamMiles: 1_000),
        TestCollector(
            number: "81000000004", situation: "near-limit", summary: "73 of 75 units redeemed today: $20 left",
            summaryFrench: "73 unités sur 75 échangées aujourd’hui : reste 20 $",
            cashMiles: 20_000, dreamMiles: 0, redeemedTodayUnits: 73),
        TestCollector(
            number: "81000000005", situation: "limit-reached", summary: "75 of 75 units redeemed today (0065)",
            summaryFrench: "75 unités sur 75 échangées aujourd’hui (0065)",
            cashMiles: 20_000, dreamMiles: 500, redeemedTodayUnits: 75),
        TestCollector(
            number: "81000000006", situation: "inactive", summary: "inactive account (0002)",
            summaryFrench: "compte inactif (0002)",
            cashMiles: 5_000, dreamMiles: 0, behaviour: .inactive),
        TestCollector(
            number: "81000000007", situation: "balance-hidden", summary: "balance not shown, redemption allowed (0001)",
            summaryFrench: "solde non affiché, échange permis (0001)",
            cashMiles: 5_000, dreamMiles: 2_000, behaviour: .balanceHidden),
        TestCollector(
            number: "81000000008", situation: "unable-to-redeem", summary: "unable to redeem (0006)",
            summaryFrench: "échange impossible (0006)",
            cashMiles: 5_000, dreamMiles: 2_000, behaviour: .unableToRedeem),
        TestCollector(
            number: "81000000009", situation: "invalid-number", summary: "a number the host does not know (0025)",
            summaryFrench: "un numéro inconnu de l’hôte (0025)",
            cashMiles: 0, dreamMiles: 0, behaviour: .invalidNumber),
        TestCollector(
            number: "81000000010", situation: "times-out", summary: "every request times out at the host (0008)",
            summaryFrench: "chaque demande expire chez l’hôte (0008)",
            cashMiles: 5_000, dreamMiles: 0, behaviour: .timesOut),
        TestCollector(
            number: "81000000011", situation: "slow", summary: "the host answers slowly (about 5 seconds)",
            summaryFrench: "l’hôte répond lentement (environ 5 secondes)",
            cashMiles: 5_000, dreamMiles: 0, behaviour: .slow),
        TestCollector(
            number: "81000000012", situation: "hidden-and-unable", summary: "balance not shown and unable to redeem (0005)",
            summaryFrench: "solde non affiché et échange impossible (0005)",
            cashMiles: 5_000, dreamMiles: 2_000, behaviour: .balanceHiddenUnableToRedeem),
        TestCollector(
            number: "81000000013", situation: "earns-split", summary: "earns 1 mile per $20: 60% AM Cash, 40% Dream",
            summaryFrench: "gagne 1 mille par 20 $ : 60 % Argent, 40 % Rêves",
            cashMiles: 1_000, dreamMiles: 1_000, earnedCashPercent: 60),
        TestCollector(
            number: "81000000014", situation: "earns-dream", summary: "earns into Dream only (cannot redeem what it earns here)",
            summaryFrench: "gagne en Rêves seulement",
            cashMiles: 0, dreamMiles: 2_000, earnedCashPercent: 0),
        TestCollector(
            number: "81000000015", situation: "earning-pending", summary: "earnings answered 202: miles pending, posted 5 s later",
            summaryFrench: "gains répondus 202 : milles en attente, portés 5 s plus tard",
            cashMiles: 500, dreamMiles: 0, earning: .pending),
        TestCollector(
            number: "81000000016", situation: "earning-refused", summary: "earnings refused: the host answers 400",
            summaryFrench: "gains refusés : l’hôte répond 400",
            cashMiles: 500, dreamMiles: 0, earning: .refused),
    ]

    /// Reads a set of test collectors from TOML:
    ///
    ///     [[collector]]
    ///     number = "81234567890"
    ///     situation = "plenty"
    ///     summary = "lots of miles"
    ///     summaryFr = "beaucoup de milles"  # optional: the summary in French
    ///     cashMiles = 5000
    ///     dreamMiles = 100
    ///     redeemedTodayUnits = 0       # optional
    ///     behaviour = "normal"         # optional: normal, inactive, balance-hidden, unable-to-redeem,
    ///                                  # balance-hidden-unable, invalid-number, times-out, slow
    ///     faults = ["delay=3000@50"]   # optional: faults for this card, as --fault writes them
    ///     earning = "normal"           # optional: normal, pending (202, posted later), refused (400)
    ///     earnedCashPercent = 100      # optional: the share of earned miles that goes to AM Cash
    public static func load(path: String) throws(ConfigurationError) -> [TestCollector] {
        try parse(try ConfigurationFileText.read(path, what: "collectors file"), path: path)
    }

    /// The keys a `[[collector]]` table may have: a trainer's typo is refused at its place, not ignored.
    private static let collectorKeys: Set<String> = [
        "number", "situation", "summary", "summaryFr", "cashMiles", "dreamMiles", "redeemedTodayUnits", "behaviour", "faults",
        "earning", "earnedCashPercent",
    ]

    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> [TestCollector] {
        let root = TOMLReader(try TOMLDocument(path: path, text: text))
        guard let entries = try root.tables("collector"), !entries.isEmpty else {
            throw root.error("collector", "the file needs at least one [[collector]] table")
        }
        var collectors: [TestCollector] = []
        var seen = Set<String>()
        for table in entries {
            try table.onlyKeys(collectorKeys, in: " in a [[collector]]")
            guard let card = try table.cardNumber("number") else {
                throw table.error(nil, "\(table.name(of: "number")) must be 1 to 19 digits in quotes")
            }
            guard seen.insert(card).inserted else { throw table.error("number", "\(table.name(of: "number")) \(card) appears twice") }
            var faults: [String] = []
            for text in try table.strings("faults") ?? [] {
                guard (try? FaultRule(parsing: card + ":" + text)) != nil else {
                    throw table.error(
                        "faults",
                        "\(table.name(of: "faults")): \"\(text)\" is not a fault (delay=MS, drop, 5xx, outage, timeout, 409, optionally @PERCENT)")
                }
                faults.append(text)
            }
            let miles = 0...1_000_000_000_000
            collectors.append(
                TestCollector(
                    number: card, situation: try table.string("situation") ?? "custom", summary: try table.string("summary") ?? "",
                    summaryFrench: try table.string("summaryFr"), cashMiles: try table.int("cashMiles", in: miles) ?? 0,
                    dreamMiles: try table.int("dreamMiles", in: miles) ?? 0, redeemedTodayUnits: try table.int("redeemedTodayUnits", in: miles) ?? 0,
                    behaviour: try table.choice("behaviour", TestCollector.Behaviour.self) ?? .normal, faults: faults,
                    earning: try table.choice("earning", TestCollector.EarningBehaviour.self).flatMap { $0 == .normal ? nil : $0 },
                    earnedCashPercent: try table.int("earnedCashPercent", in: 0...100).flatMap { $0 == 100 ? nil : $0 }))
        }
        return collectors
    }
}
