import Foundation
import Testing

/// `amcash lint` as a store's IT person runs it: the shipped files pass, and each kind of mistake
/// prints `file:line:column: message` and exits 1.
@Suite struct LintCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func theShippedThemesAndKeymapsPass() async throws {
        let run = try await CommandLineTests.amcash(["lint", Self.repository + "/themes", Self.repository + "/keymaps"])
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        #expect(run.output.contains("7 files checked, no errors"), "\(run.output)")
    }

    @Test func withNoPathItChecksWhatTheConsoleWouldUse() async throws {
        let run = try await CommandLineTests.amcash(["lint"])
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        #expect(run.output.contains("files checked, no errors"), "\(run.output)")
    }

    @Test func everyErrorInEveryFileIsListedWithItsPosition() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-lint-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder + "/themes", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/keymaps", withIntermediateDirectories: true)
        try "inherits = \"default\"\n[styles]\nstatusbar = { fg = \"purplish\" }\n\"result.aproved\" = { fg = \"green\" }\n"
            .write(toFile: folder + "/themes/store.toml", atomically: true, encoding: .utf8)
        try "inherits = \"default\"\n[offer]\nstep_up = [\"+\", \"Hyper\"]\n".write(
            toFile: folder + "/keymaps/till.toml", atomically: true, encoding: .utf8)
        try "kiosk = true\ntheme = \"store\"\n".write(toFile: folder + "/terminal.toml", atomically: true, encoding: .utf8)
        let run = try await CommandLineTests.amcash(["lint", folder])
        #expect(run.status == 1, "\(run.output)\(run.errors)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(
            lines.contains {
                $0.hasSuffix(
                    "themes/store.toml:3:20: \"purplish\" is not a colour: write a terminal colour (black, red, green, yellow, blue, magenta, cyan, white, bright-red …, default), a number 0 to 255, or #rrggbb"
                )
            })
        #expect(lines.contains { $0.contains("themes/store.toml:4:1: unknown role \"result.aproved\"") })
        #expect(lines.contains { $0.contains("keymaps/till.toml:3:17: unknown key \"Hyper\"") })
        #expect(lines.contains { $0.contains("terminal.toml:1:9: kiosk mode needs supervisorPinHash") })
        #expect(lines.last == "amcash lint: 3 files checked, 4 errors", "\(run.output)")
    }

    @Test func aMissingPathIsAUsageError() async throws {
        let run = try await CommandLineTests.amcash(["lint", "/nonexistent/theme.toml"])
        #expect(run.status == 2)
        #expect(run.errors.contains("no such file or folder"))
    }

    @Test func aThemeOutsideTheFoldersIsCheckedByItsPath() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-theme-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "[styles]\nstatusbar = { bg = 300 }\n".write(toFile: folder + "/broken.toml", atomically: true, encoding: .utf8)
        let run = try await CommandLineTests.amcash(["lint", folder + "/broken.toml"])
        #expect(run.status == 1)
        #expect(run.output.contains("broken.toml:2:20: colour 300 is out of range"))
    }

    @Test func hashPinRefusesWhatIsNotAPin() async throws {
        let run = try await CommandLineTests.amcash(["hash-pin"], input: "12ab\n")
        #expect(run.status == 2)
        #expect(run.errors.contains("6 to 12 digits"))
        #expect(run.output.isEmpty)
    }
}
