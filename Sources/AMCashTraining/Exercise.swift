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

    /// The kind of mistake when it fails, for the scorecard.
    public var mistake: String {
        switch self {
        case .approved: "wrong-redemption"
        case .nothingRedeemed: "debit-stands"
        case .noRedeemSent: "redeem-sent"
        case .reversed: "not-reversed"
        case .discountGiven: "discount-answer"
        case .language: "language"
        }
    }
}

/// Reads exercise files, with every mistake reported at its line and column.
public enum ExerciseLoader {
    static let topKeys: Set<String> = ["title", "titleFr", "story", "storyFr", "hint", "hintFr", "discountQuestion", "collector", "expect"]
    static let collectorKeys: Set<String> = ["number", "cashMiles", "dreamMiles", "redeemedTodayUnits", "behaviour", "faults"]
    static let expectKeys: Set<String> = ["approved", "nothingRedeemed", "noRedeemSent", "reversed", "discountGiven", "language"]

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
        let document = try TOMLDocument(path: path, text: text)
        let root = document.root
        for key in root.keys where !topKeys.contains(key) {
            throw document.keyError(at: [key], "unknown key \(key); an exercise has \(topKeys.sorted().joined(separator: ", "))")
        }
        func string(_ table: TOMLTable, _ path: [String]) throws(ConfigurationError) -> String? {
            guard let value = table[path.last!] else { return nil }
            guard let text = value.string, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw document.error(at: path, "\(path.joined(separator: ".")) must be a quoted, non-empty string")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func localized(_ key: String) throws(ConfigurationError) -> LocalizedText {
            guard let english = try string(root, [key]) else { throw document.error(at: [], "the exercise needs \(key) (and \(key)Fr)") }
            guard let french = try string(root, [key + "Fr"]) else {
                throw document.error(at: [], "the exercise needs \(key)Fr, the French of \(key)")
            }
            return LocalizedText(english: english, french: french)
        }
        func bool(_ table: TOMLTable, _ path: [String]) throws(ConfigurationError) -> Bool? {
            guard let value = table[path.last!] else { return nil }
            guard let flag = value.bool else { throw document.error(at: path, "\(path.joined(separator: ".")) must be true or false") }
            return flag
        }
        func number(_ table: TOMLTable, _ path: [String]) throws(ConfigurationError) -> Int? {
            guard let value = table[path.last!] else { return nil }
            guard let int = value.int, (0...1_000_000_000).contains(int) else {
                throw document.error(at: path, "\(path.joined(separator: ".")) must be a whole number from 0 to 1,000,000,000")
            }
            return int
        }

        guard let collectorTable = root["collector"]?.table else { throw document.error(at: [], "the exercise needs a [collector] table") }
        for key in collectorTable.keys where !collectorKeys.contains(key) {
            throw document.keyError(
                at: ["collector", key], "unknown key \(key) in [collector]; it has \(collectorKeys.sorted().joined(separator: ", "))")
        }
        let cardNumber = try string(collectorTable, ["collector", "number"]) ?? "81000000001"
        guard (1...19).contains(cardNumber.count), cardNumber.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw document.error(at: ["collector", "number"], "collector.number must be 1 to 19 digits in quotes")
        }
        let behaviourText = try string(collectorTable, ["collector", "behaviour"]) ?? "normal"
        guard let behaviour = TestCollector.Behaviour(rawValue: behaviourText) else {
            throw document.error(
                at: ["collector", "behaviour"],
                "collector.behaviour must be one of \(TestCollector.Behaviour.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var faults: [FaultRule] = []
        if let list = collectorTable["faults"] {
            guard let items = list.array else { throw document.error(at: ["collector", "faults"], "collector.faults must be a list of strings") }
            for item in items {
                guard let text = item.string else { throw document.error(at: ["collector", "faults"], "collector.faults must be a list of strings") }
                do { faults.append(try FaultRule(parsing: text)) } catch {
                    throw document.error(at: ["collector", "faults"], "collector.faults: \(error.description)")
                }
            }
        }
        let title = try localized("title")
        let collector = TestCollector(
            number: cardNumber, situation: name, summary: title.english, summaryFrench: title.french,
            cashMiles: try number(collectorTable, ["collector", "cashMiles"]) ?? 0,
            dreamMiles: try number(collectorTable, ["collector", "dreamMiles"]) ?? 0,
            redeemedTodayUnits: try number(collectorTable, ["collector", "redeemedTodayUnits"]) ?? 0, behaviour: behaviour)

        guard let expect = root["expect"]?.table, !expect.keys.isEmpty else {
            throw document.error(at: [], "the exercise needs an [expect] table: what the journal and the ledger must show")
        }
        var expectations: [Expectation] = []
        for key in expect.keys.sorted() {
            let path = ["expect", key]
            switch key {
            case "approved":
                guard let text = try string(expect, path), let money = try? Money(parsing: text), money.cents > 0, money.cents % 1000 == 0 else {
                    throw document.error(at: path, "expect.approved must be a dollar amount in $10 steps in quotes, e.g. \"20.00\"")
                }
                expectations.append(.approved(money))
            case "nothingRedeemed", "noRedeemSent", "reversed":
                guard try bool(expect, path) == true else {
                    throw document.error(at: path, "expect.\(key) can only be true (leave it out otherwise)")
                }
                expectations.append(key == "reversed" ? .reversed : key == "noRedeemSent" ? .noRedeemSent : .nothingRedeemed)
            case "discountGiven":
                expectations.append(.discountGiven(try bool(expect, path)!))
            case "language":
                switch try string(expect, path) {
                case "fr", "fr-CA": expectations.append(.language(.french))
                case "en", "en-CA": expectations.append(.language(.english))
                default: throw document.error(at: path, "expect.language must be \"en\" or \"fr\"")
                }
            default:
                throw document.keyError(at: path, "unknown key \(key) in [expect]; it has \(expectKeys.sorted().joined(separator: ", "))")
            }
        }
        let asks = try bool(root, ["discountQuestion"]) ?? expectations.contains { if case .discountGiven = $0 { true } else { false } }
        return Exercise(
            name: name, title: title, story: try localized("story"), hint: try localized("hint"), collector: collector,
            faults: faults, asksDiscountQuestion: asks, expectations: expectations)
    }
}
