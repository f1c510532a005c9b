import AMCashConfiguration
import ConsoleAppearance
import ConsoleCore
import ConsoleTestSupport
import Foundation
import Testing

/// Keymap files: the shipped ones load, the built-in default is the shipped default, and every
/// mistake a store could make is an error with its file, line and column.
@Suite struct KeymapTests {
    static let shipped = ["default", "numpad", "vi"]

    @Test(arguments: shipped) func everyShippedKeymapLoadsAndBindsEveryAction(name: String) throws {
        let keymap = try KeymapLoader(folders: Fixtures.shippedFolders).load(name)
        for context in KeyContext.allCases {
            for action in context.actions {
                #expect(!keymap.keys(for: action, in: context).isEmpty, "\(name): \(context.rawValue).\(action.rawValue) has no key")
            }
        }
    }

    @Test func theBuiltInKeymapIsTheShippedDefault() throws {
        #expect(try KeymapLoader(folders: Fixtures.shippedFolders).load("default") == Keymap.standard)
    }

    @Test func withNoDefaultFileTheBuiltInOneIsUsed() throws {
        let empty = ConfigurationFolders(directories: [FileManager.default.temporaryDirectory.appendingPathComponent("amcash-none-\(UUID())").path])
        #expect(try KeymapLoader(folders: empty).load("default") == Keymap.standard)
    }

    @Test func theNumpadKeymapReachesEveryActionFromTheKeypadEnterEscBackspaceAndFKeys() {
        let keypad: Set<Key> = Set(
            "0123456789.+-*/".map { Key.character($0) }
                + [.enter, .escape, .backspace] + (1...12).map { Key.function($0) })
        let keymap = Fixtures.keymap("numpad")
        for context in KeyContext.allCases {
            for action in context.actions {
                #expect(
                    keymap.keys(for: action, in: context).contains { keypad.contains($0) },
                    "numpad: \(context.rawValue).\(action.rawValue) needs a key off the keypad")
            }
        }
    }

    @Test func aKeyNameReadsBackAsItIsShown() {
        for key: Key in [
            .enter, .escape, .backspace, .tab, .up, .down, .left, .right, .pageUp, .pageDown, .function(1), .function(12),
            .control("n"), .character("+"), .character("y"), .character(" "),
        ] {
            #expect((try? KeyName.key(KeyName.display(key)).get()) == key, "\(KeyName.display(key))")
        }
        #expect((try? KeyName.key("escape").get()) == .escape, "named keys are read in any case")
        #expect((try? KeyName.key("Y").get()) != (try? KeyName.key("y").get()), "single characters keep their case")
    }

    /// Writes `files` (name → text) into a fresh keymaps/ folder and lints `name`.
    static func errors(_ files: [String: String], loading name: String) throws -> [String] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-keymaps-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/keymaps", withIntermediateDirectories: true)
        for (file, text) in files { try text.write(toFile: root + "/keymaps/\(file).toml", atomically: true, encoding: .utf8) }
        let folders = ConfigurationFolders(directories: [root, Fixtures.repository])
        do {
            _ = try KeymapLoader(folders: folders).load(name)
            return []
        } catch {
            // Positions are what matter: drop the temporary folder from the file names.
            return error.errors.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line):\($0.column): \($0.message)" }
        }
    }

    @Test(arguments: [
        ("inherits = \"default\"\n[offer]\njump = [\"J\"]\n", "store.toml:3:1: unknown action \"jump\" in [offer]"),
        ("inherits = \"default\"\n[offer]\nstep_up = [\"+\", \"Hyper\"]\n", "store.toml:3:17: unknown key \"Hyper\""),
        (
            "inherits = \"default\"\n[offer]\nstep_up = [\"+\"]\nstep_down = [\"+\"]\n",
            "store.toml:4:14: \"+\" is bound to step_down in [offer] and to step_up in [offer]"
        ),
        ("inherits = \"default\"\n[offer]\nmaximum = [\"F1\"]\n", "store.toml:3:12: \"F1\" is bound to maximum in [offer] and to help in [global]"),
        ("inherits = \"default\"\n[card]\nclear = [\"Esc\", \"5\"]\n", "store.toml:3:17: \"5\" cannot be bound in [card]"),
        ("inherits = \"default\"\n[global]\nhelp = [\"?\"]\n", "store.toml:3:9: \"?\" cannot be bound in [global]"),
        ("inherits = \"default\"\n[dialog]\nclose = [\"Ctrl-C\"]\n", "store.toml:3:10: Ctrl-C cannot be bound"),
        ("inherits = \"default\"\n[checkout]\nclose = [\"q\"]\n", "store.toml:2:1: unknown context [checkout]"),
        ("inherits = \"nowhere\"\n", "store.toml:1:12: no keymap named \"nowhere\""),
        ("inherits = \"default\"\n[offer]\nstep_up = [\n  \"+\",\n  \"Hyperr\",\n]\n", "store.toml:5:3: unknown key \"Hyperr\""),
        ("[global]\nhelp = [\"F1\"]\n", "store.toml:1:1: card.submit has no key"),
        ("inherits = \"default\"\n[offer\n", "store.toml:2:"),
    ])
    func everyMistakeIsReportedWithItsPosition(text: String, expected: String) throws {
        let errors = try Self.errors(["store": text], loading: "store")
        #expect(errors.contains { $0.hasPrefix(expected) }, "wanted \(expected)…, got \(errors)")
    }

    @Test func anInheritanceCycleIsAnError() throws {
        let errors = try Self.errors(["a": "inherits = \"b\"\n", "b": "inherits = \"a\"\n"], loading: "a")
        #expect(errors == ["b.toml:1:12: inheritance cycle: a.toml → b.toml → a.toml"])
    }

    @Test func aUserKeymapOfTheSameNameInheritsTheShippedOne() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-user-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/keymaps", withIntermediateDirectories: true)
        try "inherits = \"numpad\"\n[offer]\nmaximum = [\"*\", \"F9\"]\n".write(
            toFile: root + "/keymaps/numpad.toml", atomically: true, encoding: .utf8)
        let keymap = try KeymapLoader(folders: ConfigurationFolders(directories: [root, Fixtures.repository])).load("numpad")
        #expect(keymap.keys(for: .maximum, in: .offer) == [.character("*"), .function(9)])
        #expect(keymap.keys(for: .none, in: .offer).first == .character("/"), "the rest comes from the shipped numpad")
    }

    /// `finish` (amcash train) only acts in training, where it comes first: a store that uses its key on
    /// a screen keeps its keymap loading; in [global] it is still a conflict.
    @Test func theFinishKeyOnlyConflictsInGlobal() throws {
        #expect(try Self.errors(["store": "inherits = \"default\"\n[offer]\nmaximum = [\"M\", \"F8\"]\n"], loading: "store").isEmpty)
        let global = try Self.errors(["store": "inherits = \"default\"\n[global]\nhistory = [\"F8\"]\n"], loading: "store")
        #expect(global.contains { $0.hasPrefix("store.toml:3:12:") && $0.contains("finish in [global]") }, "\(global)")
    }
}
