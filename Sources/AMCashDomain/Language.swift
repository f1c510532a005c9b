/// The two languages of the program; every string a cashier or collector sees exists in both.
/// The raw value is what the host expects in `instantMessage`.
public enum Language: String, Sendable, CaseIterable, Codable {
    case english = "en-CA"
    case french = "fr-CA"

    /// The other language, for the key that switches it per transaction.
    public var other: Language { self == .english ? .french : .english }
}

/// One message in both languages. Building one needs both texts, so a translation cannot be forgotten.
public struct LocalizedText: Sendable, Hashable {
    public let english: String
    public let french: String

    public init(english: String, french: String) {
        self.english = english
        self.french = french
    }

    public func text(_ language: Language) -> String {
        language == .english ? english : french
    }
}
