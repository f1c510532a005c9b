/// The names keys have in keymap files and on screen: a single character (`+`, `y`), or a named key
/// (`Enter`, `Esc`, `F1`, `Ctrl-N`). Named keys are read in any case; single characters as written.
public enum KeyName {
    static let named: [(name: String, key: Key)] = [
        ("Enter", .enter), ("Esc", .escape), ("Backspace", .backspace), ("Tab", .tab), ("Space", .character(" ")),
        ("Up", .up), ("Down", .down), ("Left", .left), ("Right", .right), ("PageUp", .pageUp), ("PageDown", .pageDown),
    ]
    static let aliases: [String: Key] = [
        "return": .enter, "escape": .escape, "pgup": .pageUp, "pgdn": .pageDown, "pagedn": .pageDown,
    ]
    /// Ctrl letters a terminal sends as another key, or that a kiosk must never act on.
    static let unbindableControls: [Character: String] = [
        "c": "Ctrl-C cannot be bound: it never does anything, so no one can interrupt the console",
        "z": "Ctrl-Z cannot be bound: it never does anything, so no one can suspend the console",
        "h": "Ctrl-H is Backspace on a terminal; write Backspace",
        "i": "Ctrl-I is Tab on a terminal; write Tab",
        "j": "Ctrl-J is Enter on a terminal; write Enter",
        "m": "Ctrl-M is Enter on a terminal; write Enter",
    ]

    /// What a keymap file may say, for error messages.
    public static let accepted =
        "a single character, Enter, Esc, Backspace, Tab, Space, Up, Down, Left, Right, PageUp, PageDown, F1 to F12, or Ctrl-A to Ctrl-Z"

    /// The key a name stands for; the error says why a name is not a key.
    public static func key(_ name: String) -> Result<Key, KeyNameError> {
        if name.count == 1, let character = name.first {
            guard !character.isWhitespace || character == " " else {
                return .failure(KeyNameError(message: "a whitespace key must be written Space, Tab or Enter"))
            }
            guard character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                return .failure(KeyNameError(message: "\"\(name)\" is a control character; write its name (\(accepted))"))
            }
            return .success(.character(character))
        }
        let lowered = name.lowercased()
        if let match = named.first(where: { $0.name.lowercased() == lowered }) { return .success(match.key) }
        if let alias = aliases[lowered] { return .success(alias) }
        if lowered.hasPrefix("f"), let number = Int(lowered.dropFirst()), (1...12).contains(number) { return .success(.function(number)) }
        if lowered.hasPrefix("ctrl-") || lowered.hasPrefix("ctrl+") || lowered.hasPrefix("c-") {
            let rest = lowered.hasPrefix("c-") ? lowered.dropFirst(2) : lowered.dropFirst(5)
            if rest.count == 1, let letter = rest.first, letter.isASCII, letter.isLetter {
                if let reason = unbindableControls[letter] { return .failure(KeyNameError(message: reason)) }
                return .success(.control(letter))
            }
        }
        return .failure(KeyNameError(message: "unknown key \"\(name)\"; a key is \(accepted)"))
    }

    /// How a key is written in files, the legend and the help screen.
    public static func display(_ key: Key) -> String {
        switch key {
        case .character(" "): return "Space"
        case .character(let character): return String(character)
        case .function(let number): return "F\(number)"
        case .control(let letter): return "Ctrl-" + letter.uppercased()
        case .interrupt: return "Ctrl-C"
        default: return named.first { $0.key == key }?.name ?? "?"
        }
    }
}

/// A name in a keymap file that is not a key, and why.
public struct KeyNameError: Error, Sendable, Equatable {
    public let message: String
}
