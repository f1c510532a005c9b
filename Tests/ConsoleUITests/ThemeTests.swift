import AMCashConfiguration
import ConsoleAppearance
import ConsoleCore
import ConsoleTestSupport
import ConsoleUI
import Foundation
import Testing

/// Theme files: the shipped ones load and stay readable without colour, roles fall back to their
/// dotted prefix, colours land on what the terminal has, and every mistake has its position.
@Suite struct ThemeTests {
    static let shipped = ["default", "high-contrast", "mono", "training"]
    /// The roles that carry a state; without colour each must still look unlike plain text.
    static let stateRoles: [StyleRole] = [.statusbar, .bannerTraining, .fieldFocused, .selected, .approved, .declined, .unknown, .error, .legendKey]

    @Test(arguments: shipped) func everyShippedThemeLoadsAndEveryStateStandsOutWithoutColour(name: String) throws {
        let theme = try ThemeLoader(folders: Fixtures.shippedFolders).load(name)
        let plain = theme.appearance(for: .normal, colours: .none)
        for role in Self.stateRoles {
            let mono = theme.appearance(for: role, colours: .none)
            #expect(mono.foreground == nil && mono.background == nil, "\(name): \(role.rawValue) has a colour in mono")
            #expect(mono.attributes != plain.attributes, "\(name): \(role.rawValue) looks like plain text without colour")
        }
        #expect(
            theme.appearance(for: .fieldFocused, colours: .none) != theme.appearance(for: .field, colours: .none),
            "\(name): the focused field must differ from the others without colour")
    }

    @Test func theBuiltInThemeIsTheShippedDefault() throws {
        #expect(try ThemeLoader(folders: Fixtures.shippedFolders).load("default") == Theme.standard)
    }

    @Test func theMonoThemeUsesNoColourEvenWhereColourIsAvailable() throws {
        let theme = try ThemeLoader(folders: Fixtures.shippedFolders).load("mono")
        for role in StyleRole.allCases {
            let appearance = theme.appearance(for: role, colours: .colours256)
            #expect(appearance.foreground == nil && appearance.background == nil, "mono: \(role.rawValue) has a colour")
        }
    }

    @Test func aRoleTakesEachFieldItLeavesOutFromItsDottedPrefix() {
        let theme = Theme(styles: [
            "normal": Style(foreground: .indexed(7)),
            "result": Style(background: .indexed(0), attributes: [.bold], mono: [.underline]),
            "result.approved": Style(foreground: .indexed(2)),
        ])
        #expect(theme.appearance(for: .approved, colours: .colours16) == Appearance(foreground: 2, background: 0, attributes: [.bold]))
        #expect(
            theme.appearance(for: .declined, colours: .colours16) == Appearance(foreground: 7, background: 0, attributes: [.bold]),
            "result.declined is not styled: all from result, then normal")
        #expect(theme.appearance(for: .approved, colours: .none) == Appearance(foreground: nil, background: nil, attributes: [.underline]))
        #expect(theme.appearance(for: .title, colours: .colours16) == Appearance(foreground: 7, background: nil, attributes: []))
    }

    @Test(arguments: [
        (Colour.rgb(red: 255, green: 0, blue: 0), ColourMode.colours256, 196),
        (.rgb(red: 255, green: 0, blue: 0), .colours16, 9),
        (.rgb(red: 255, green: 0, blue: 0), .colours8, 1),
        (.rgb(red: 0x80, green: 0x80, blue: 0x80), .colours256, 244),
        (.rgb(red: 0x80, green: 0x80, blue: 0x80), .colours16, 8),
        (.indexed(12), .colours256, 12),
        (.indexed(12), .colours8, 4),
        (.indexed(208), .colours16, 3),
    ])
    func aColourIsShownAsTheNearestTheTerminalHas(colour: Colour, mode: ColourMode, index: Int) {
        #expect(colour.index(for: mode) == index)
    }

    @Test func noColourModeGivesNoColourIndex() {
        #expect(Colour.indexed(1).index(for: .none) == nil)
        #expect(Colour.terminalDefault.index(for: .colours256) == nil)
    }

    static func errors(_ files: [String: String], loading name: String) throws -> [String] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-themes-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/themes", withIntermediateDirectories: true)
        for (file, text) in files { try text.write(toFile: root + "/themes/\(file).toml", atomically: true, encoding: .utf8) }
        do {
            _ = try ThemeLoader(folders: ConfigurationFolders(directories: [root, Fixtures.repository])).load(name)
            return []
        } catch {
            return error.errors.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line):\($0.column): \($0.message)" }
        }
    }

    @Test(arguments: [
        ("inherits = \"default\"\n[styles]\n\"result.aproved\" = { fg = \"green\" }\n", "store.toml:3:1: unknown role \"result.aproved\""),
        ("[styles]\nstatusbar = { fg = \"purplish\" }\n", "store.toml:2:20: \"purplish\" is not a colour"),
        ("[styles]\nstatusbar = { bg = 300 }\n", "store.toml:2:20: colour 300 is out of range"),
        ("[styles]\nstatusbar = { fg = \"#12345\" }\n", "store.toml:2:20: \"#12345\" is not a colour"),
        ("[styles]\nstatusbar = { attrs = [\"bold\", \"shiny\"] }\n", "store.toml:2:32: unknown attribute \"shiny\""),
        ("[styles]\nstatusbar = { size = 3 }\n", "store.toml:2:15: unknown setting \"size\" for statusbar"),
        ("[styles.statusbar]\nfg = \"blue\"\nglow = true\n", "store.toml:3:1: unknown setting \"glow\""),
        ("[palette]\nbrand = \"#0055zz\"\n", "store.toml:2:9: \"#0055zz\" is not a colour"),
        ("colour = \"red\"\n", "store.toml:1:1: unknown key \"colour\""),
        ("inherits = \"nowhere\"\n", "store.toml:1:12: no theme named \"nowhere\""),
        ("[styles]\nstatusbar = { fg = \"red\"\n", "store.toml:2:"),
    ])
    func everyMistakeIsReportedWithItsPosition(text: String, expected: String) throws {
        let errors = try Self.errors(["store": text], loading: "store")
        #expect(errors.contains { $0.hasPrefix(expected) }, "wanted \(expected)…, got \(errors)")
    }

    @Test func anInheritanceCycleIsAnError() throws {
        let errors = try Self.errors(["a": "inherits = \"b\"\n", "b": "inherits = \"c\"\n", "c": "inherits = \"a\"\n"], loading: "a")
        #expect(errors == ["c.toml:1:12: inheritance cycle: a.toml → b.toml → c.toml → a.toml"])
    }

    @Test func aUserThemeInheritsAShippedOneAndUsesItsPalette() throws {
        let errors = try Self.errors(
            ["store": "inherits = \"high-contrast\"\n[palette]\nbrand = \"#0055aa\"\n[styles]\nstatusbar = { bg = \"brand\" }\n"],
            loading: "store")
        #expect(errors.isEmpty, "\(errors)")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-user-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/themes", withIntermediateDirectories: true)
        try "inherits = \"default\"\n[styles]\nstatusbar = { bg = \"red\" }\n".write(
            toFile: root + "/themes/default.toml", atomically: true, encoding: .utf8)
        let theme = try ThemeLoader(folders: ConfigurationFolders(directories: [root, Fixtures.repository])).load("default")
        #expect(
            theme.appearance(for: .statusbar, colours: .colours8) == Appearance(foreground: 7, background: 1, attributes: []),
            "the user's default.toml changes the background and keeps the shipped foreground")
    }
}
