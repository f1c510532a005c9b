public import AMCashConfiguration
public import AMCashDomain
public import AMCashSimulator
import Foundation
import TOMLKit

/// One training exercise, as a TOML file in `exercises/`: the customer's story in both languages, the
/// host set up for it (the collector's account and the faults), and what must be true afterwards in
/// the terminal's journal and the simulator's ledger.
public struct Exercise: Sendable {
    public let name: String
    public let title: LocalizedText
    public let story: LocalizedText
    public let hint: LocalizedText
    /// The collector the trainee serves, as the simulator holds the account at the start.
    public let collector: TestCollector
    /// Faults of the host for the whole exercise (`redeem:drop`: every REDEEM's answer is lost).
    public let faults: [FaultRule]
    /// Ends with "Did you give the discount?".
    public let asksDiscountQuestion: Bool
    public let expectations: [Expectation]
}

/// What the journal and the ledger must show after an exercise.
public enum Expectation: Sendable, Hashable {
    /// Exactly one REDEEM approved and shown, of this amount; the ledger's debit is its miles.
    case approved(Money)
    /// No debit stands: the ledger nets to zero for the collector, and no approval was shown.
    case nothingRedeemed
    /// No REDEEM was sent at all (a keyed card, an account that cannot redeem).
    case noRedeemSent
    /// A redemption was made and reversed: a REVERSE reversed it, and the ledger nets to zero.
    case reversed
    /// The trainee's answer to "Did you give the discount?".
    case discountGiven(Bool)
    /// Every REDEEM went in this language (the customer's).
    case language(Language)
    /// The sale earned exactly these miles (Issuance): the till's ISSUE was answered with them, and the
    /// ledger recorded them once.
    case earned(Int)
    /// The sale's earning was answered pending (202): the till said "pending" and sent it once, not again.
    case earningPending
    /// The sale came back: a RETURN naming it was answered, and the ledger took back what it earned.
    case returned

    /// The kind of mistake when it fails, for the scorecard.
    public var mistake: String {
        switch self {
        case .approved: "wrong-redemption"
        case .nothingRedeemed: "debit-stands"
        case .noRedeemSent: "redeem-sent"
        case .reversed: "not-reversed"
        case .discountGiven: "discount-answer"
        case .language: "language"
        case .earned: "not-earned"
        case .earningPending: "earning-not-pending"
        case .returned: "not-returned"
        }
    }
}

/// Reads exercise files, with every mistake reported at its line and column.
public enum ExerciseLoader {
    static let topKeys: Set<String> = ["title", "titleFr", "story", "storyFr", "hint", "hintFr", "discountQuestion", "collector", "expect"]
    static let collectorKeys: Set<String> = ["number", "cashMiles", "dreamMiles", "redeemedTodayUnits", "behaviour", "faults", "earning"]
    static let expectKeys: Set<String> = [
        "approved", "nothingRedeemed", "noRedeemSent", "reversed", "discountGiven", "language", "earned", "earningPending", "returned",
    ]

    /// Every exercise the folders hold, by name, in name order (user folders win over shipped ones).
    public static func all(folders: ConfigurationFolders) throws(ConfigurationErrors) -> [Exercise] {
        var exercises: [Exercise] = []
        var errors: [ConfigurationError] = []
        for (name, path) in folders.available(.exercises).sorted(by: { $0.key < $1.key }) {
            do { exercises.append(try load(path: path, name: name)) } catch { errors.append(error) }
        }
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return exercises
    }

    public static func load(path: String, name: String? = nil) throws(ConfigurationError) -> Exercise {
        let text = try ConfigurationFileText.read(path, what: "exercise")
        return try parse(text, path: path, name: name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }

    public static func parse(_ text: String, path: String, name: String) throws(ConfigurationError) -> Exercise {
        let root = TOMLReader(try TOMLDocument(path: path, text: text))
        for key in root.table.keys.sorted() where !topKeys.contains(key) {
            throw root.document.keyError(at: [key], "unknown key \(key); an exercise has \(topKeys.sorted().joined(separator: ", "))")
        }
        let title = try localized(root, "title")
        let collector = try collector(root, name: name, title: title)
        let faults = try faults(root)
        let expectations = try expectations(root)
        let asks = try root.bool("discountQuestion") ?? expectations.contains { if case .discountGiven = $0 { true } else { false } }
        return Exercise(
            name: name, title: title, story: try localized(root, "story"), hint: try localized(root, "hint"), collector: collector,
            faults: faults, asksDiscountQuestion: asks, expectations: expectations)
    }

    /// `key` and `keyFr`: both languages, or neither.
    private static func localized(_ root: TOMLReader, _ key: String) throws(ConfigurationError) -> LocalizedText {
        guard let english = try root.text(key) else { throw root.error(nil, "the exercise needs \(key) (and \(key)Fr)") }
        guard let french = try root.text(key + "Fr") else { throw root.error(nil, "the exercise needs \(key)Fr, the French of \(key)") }
        return LocalizedText(english: english, french: french)
    }

    /// The `[collector]` table: the test collector the exercise's simulator is set up with.
    private static func collector(_ root: TOMLReader, name: String, title: LocalizedText) throws(ConfigurationError) -> TestCollector {
        guard let table = try root.table("collector") else { throw root.error(nil, "the exercise needs a [collector] table") }
        try table.onlyKeys(collectorKeys, in: " in [collector]")
        let miles = 0...1_000_000_000
        return TestCollector(
            number: try table.cardNumber("number") ?? "81000000001", situation: name, summary: title.english, summaryFrench: title.french,
            cashMiles: try table.int("cashMiles", in: miles) ?? 0, dreamMiles: try table.int("dreamMiles", in: miles) ?? 0,
            redeemedTodayUnits: try table.int("redeemedTodayUnits", in: miles) ?? 0,
            behaviour: try table.choice("behaviour", TestCollector.Behaviour.self) ?? .normal,
            earning: try table.choice("earning", TestCollector.EarningBehaviour.self))
    }

    /// `collector.faults`: what the exercise's network does to its collector's calls.
    private static func faults(_ root: TOMLReader) throws(ConfigurationError) -> [FaultRule] {
        guard let table = try root.table("collector"), let texts = try table.strings("faults") else { return [] }
        var faults: [FaultRule] = []
        for text in texts {
            do { faults.append(try FaultRule(parsing: text)) } catch { throw table.error("faults", "collector.faults: \(error.description)") }
        }
        return faults
    }

    /// The `[expect]` table: what the journal and the ledger must show, checked after the exercise.
    private static func expectations(_ root: TOMLReader) throws(ConfigurationError) -> [Expectation] {
        guard let expect = try root.table("expect"), !expect.table.keys.isEmpty else {
            throw root.error(nil, "the exercise needs an [expect] table: what the journal and the ledger must show")
        }
        var expectations: [Expectation] = []
        for key in expect.table.keys.sorted() {
            switch key {
            case "approved":
                guard let text = try expect.text(key), let money = try? Money(parsing: text), money.cents > 0, money.cents % 1000 == 0 else {
                    throw expect.error(key, "expect.approved must be a dollar amount in $10 steps in quotes, e.g. \"20.00\"")
                }
                expectations.append(.approved(money))
            case "nothingRedeemed", "noRedeemSent", "reversed", "earningPending", "returned":
                guard try expect.bool(key) == true else { throw expect.error(key, "expect.\(key) can only be true (leave it out otherwise)") }
                let flag: Expectation =
                    switch key {
                    case "reversed": .reversed
                    case "noRedeemSent": .noRedeemSent
                    case "earningPending": .earningPending
                    case "returned": .returned
                    default: .nothingRedeemed
                    }
                expectations.append(flag)
            case "earned":
                guard let miles = try expect.int(key, in: 0...1_000_000) else {
                    throw expect.error(key, "expect.earned must be a whole number of miles, e.g. 4")
                }
                expectations.append(.earned(miles))
            case "discountGiven":
                expectations.append(.discountGiven(try expect.bool(key)!))
            case "language":
                switch try expect.text(key) {
                case "fr", "fr-CA": expectations.append(.language(.french))
                case "en", "en-CA": expectations.append(.language(.english))
                default: throw expect.error(key, "expect.language must be \"en\" or \"fr\"")
                }
            default:
                throw expect.document.keyError(
                    at: ["expect", key], "unknown key \(key) in [expect]; it has \(expectKeys.sorted().joined(separator: ", "))")
            }
        }
        return expectations
    }
}
