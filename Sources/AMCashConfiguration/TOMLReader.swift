import Foundation
public import TOMLKit

/// The one typed reader of amcash's TOML files (the terminal configuration, training exercises,
/// test collectors): each value is read as the type the file must hold, or refused with the file,
/// line and column of the value and a message naming the key and what it must be. Readers of one
/// file differ only in their keys and rules, never in how a string or a number is read.
public struct TOMLReader {
    public let document: TOMLDocument
    public let table: TOMLTable
    /// Where the table is (`[]` for the root, `["collector"]`, `["collector", "#1"]` for an array's
    /// second table): errors point into it.
    public let path: [String]
    /// How messages name a key of this table: "" (the root), "collector." or "collector #2: ".
    private let prefix: String

    /// A reader of the document's root table.
    public init(_ document: TOMLDocument) {
        self.init(document: document, table: document.root, path: [], prefix: "")
    }

    private init(document: TOMLDocument, table: TOMLTable, path: [String], prefix: String) {
        self.document = document
        self.table = table
        self.path = path
        self.prefix = prefix
    }

    /// The key as messages name it (`collector.number`).
    public func name(of key: String) -> String { prefix + key }

    /// An error about `key`'s value (the table itself when nil).
    public func error(_ key: String?, _ message: String) -> ConfigurationError {
        document.error(at: key.map { path + [$0] } ?? path, message)
    }

    /// Refuses a key this table does not have, at the key itself.
    public func onlyKeys(_ allowed: Set<String>, in what: String) throws(ConfigurationError) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw document.keyError(at: path + [key], "unknown key \(key)\(what); it has \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// The table under `key`, if there is one (a value of another type is an error).
    public func table(_ key: String) throws(ConfigurationError) -> TOMLReader? {
        guard let value = table[key] else { return nil }
        guard let inner = value.table else { throw error(key, "\(name(of: key)) must be a table") }
        return TOMLReader(document: document, table: inner, path: path + [key], prefix: prefix + key + ".")
    }

    /// The tables of an array of tables (`[[collector]]`), each named "collector #N" in messages.
    public func tables(_ key: String) throws(ConfigurationError) -> [TOMLReader]? {
        guard let value = table[key] else { return nil }
        guard let items = value.array else { throw error(key, "\(name(of: key)) must be a list of tables ([[\(key)]])") }
        var readers: [TOMLReader] = []
        for (index, item) in items.enumerated() {
            guard let inner = item.table else { throw error(key, "\(name(of: key)) #\(index + 1) is not a table") }
            readers.append(TOMLReader(document: document, table: inner, path: path + [key, "#\(index)"], prefix: "\(key) #\(index + 1): "))
        }
        return readers
    }

    /// A quoted string, as written.
    public func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else { throw error(key, "\(name(of: key)) must be a quoted string") }
        return text
    }

    /// A quoted string with something in it, without its surrounding spaces.
    public func text(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw error(key, "\(name(of: key)) must be a quoted, non-empty string")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw error(key, "\(name(of: key)) must be true or false") }
        return flag
    }

    /// A whole number in `range`; `unit` names what it counts in the message ("milliseconds").
    public func int(_ key: String, in range: ClosedRange<Int>, unit: String? = nil) throws(ConfigurationError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let number = value.int, range.contains(number) else {
            let counted = unit.map { " of \($0)" } ?? ""
            throw error(
                key, "\(name(of: key)) must be a whole number\(counted) from \(Self.show(range.lowerBound)) to \(Self.show(range.upperBound))")
        }
        return number
    }

    /// A list of quoted strings.
    public func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let items = value.array else { throw error(key, "\(name(of: key)) must be a list of strings") }
        var strings: [String] = []
        for item in items {
            guard let text = item.string else { throw error(key, "\(name(of: key)) must be a list of strings") }
            strings.append(text)
        }
        return strings
    }

    /// One of a fixed set of words (`behaviour = "inactive"`).
    public func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ type: Choice.Type) throws(ConfigurationError) -> Choice?
    where Choice.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let chosen = Choice(rawValue: text) else {
            throw error(key, "\(name(of: key)) must be one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return chosen
    }

    /// A card number: 1 to 19 digits, quoted (a number would lose its leading zeros).
    public func cardNumber(_ key: String) throws(ConfigurationError) -> String? {
        guard table[key] != nil else { return nil }
        guard let card = try? string(key), (1...19).contains(card.count), card.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw error(key, "\(name(of: key)) must be 1 to 19 digits in quotes")
        }
        return card
    }

    /// Large bounds are grouped (1,000,000,000); small ones are written as a person types them (600000).
    static func show(_ number: Int) -> String {
        guard number >= 1_000_000 else { return String(number) }
        var digits = String(number)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        return digits + grouped
    }
}
