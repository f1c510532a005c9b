import ConsoleCore
import ConsoleTestSupport
import Foundation
import Testing

/// The keys tables in `docs/console.md` are generated from the keymaps (`Keymap.standard` and the
/// shipped `numpad` and `vi` files), as the legend and the help screen are: this test fails when the
/// docs and the keys drift apart. `AMCASH_RECORD_GOLDENS=1 swift test --filter KeysTableDocTests`
/// rewrites the block between the markers; review the diff before committing.
@Suite struct KeysTableDocTests {
    static let begin = "<!-- keys:begin (generated from the keymaps by KeysTableDocTests; do not edit by hand) -->"
    static let end = "<!-- keys:end -->"
    static var document: String { Fixtures.repository + "/docs/console.md" }

    /// The shipped keymaps beside the built-in one, in the table's column order.
    static let keymaps: [(name: String, keymap: Keymap)] = [
        ("default", Keymap.standard), ("numpad", Fixtures.keymap("numpad")), ("vi", Fixtures.keymap("vi")),
    ]

    /// Where a context's keys act, in the words a cashier uses for the screens.
    static func place(_ context: KeyContext) -> String {
        switch context {
        case .global: "anywhere"
        case .card: "ready (basket and card fields)"
        case .lookup: "looking up"
        case .offer: "offer"
        case .confirm: "confirm (the yes/no questions)"
        case .result: "result (sale, reversal, return)"
        case .reverse: "reverse, return (the lists)"
        case .items: "return (the sale's items)"
        case .dialog: "help, history"
        case .supervisor: "kiosk: supervisor PIN"
        }
    }

    /// A key as a Markdown code span; a backtick or a pipe cannot break the table.
    static func code(_ key: Key) -> String {
        let name = KeyName.display(key)
        let text = name == "`" ? "`` ` ``" : "`\(name)`"
        return text.replacingOccurrences(of: "|", with: "\\|")
    }

    /// One row per context and action, in the order the legend lists them: the keys of each keymap.
    static func table(_ keymaps: [(name: String, keymap: Keymap)] = keymaps) -> String {
        var lines = ["| where | action | on screen | " + keymaps.map { "`\($0.name)`" }.joined(separator: " | ") + " |"]
        lines.append("|---|---|---|" + String(repeating: "---|", count: keymaps.count))
        for context in KeyContext.allCases {
            for action in context.actions {
                var label = action.label(in: context, kiosk: false).english
                if action == .quit { label += " (kiosk: \(action.label(in: context, kiosk: true).english))" }
                if action.isTrainingOnly { label += " (`amcash train` only)" }
                let keys = keymaps.map { entry in entry.keymap.keys(for: action, in: context).map(code).joined(separator: " ") }
                lines.append("| \(place(context)) | `\(context.rawValue).\(action.rawValue)` | \(label) | " + keys.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test func theKeysTablesInTheDocsAreTheKeymaps() throws {
        let text = try String(contentsOfFile: Self.document, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "docs/console.md has no \(Self.begin) marker")
        let stop = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex), "docs/console.md has no \(Self.end) marker")
        let generated = "\n" + Self.table() + "\n"
        if GoldenScreenTests.record {
            try (text[..<start.upperBound] + generated + text[stop.lowerBound...]).write(toFile: Self.document, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            String(text[start.upperBound..<stop.lowerBound]) == generated,
            "docs/console.md's keys table differs from the keymaps; AMCASH_RECORD_GOLDENS=1 swift test --filter KeysTableDocTests rewrites it (review the diff)"
        )
    }

    /// The table really follows the keymaps: a changed binding changes its row and only its row.
    @Test func aChangedBindingChangesItsRow() {
        var bindings = Keymap.standard.bindings
        bindings[.offer]?[.maximum] = [.character("*"), .character("|")]
        let before = Self.table([("default", Keymap.standard)]).split(separator: "\n")
        let after = Self.table([("default", Keymap(bindings))]).split(separator: "\n")
        #expect(before.contains("| offer | `offer.maximum` | Max | `M` `m` `PageUp` |"))
        #expect(after.contains("| offer | `offer.maximum` | Max | `*` `\\|` |"))
        #expect(zip(before, after).filter { $0 != $1 }.count == 1)
        #expect(before.count == after.count)
    }
}
