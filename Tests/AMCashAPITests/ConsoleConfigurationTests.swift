import AMCashAPI
import AMCashWire
import Testing

@testable import AMCashConfiguration

/// The positions every configuration error points at, the console's configuration keys, and the
/// supervisor PIN that is stored only as a hash.
@Suite struct ConsoleConfigurationTests {
    @Test func positionsReachIntoInlineTablesArraysAndQuotedKeys() throws {
        let text = """
            # a theme
            [styles]
            "banner.training" = { fg = "black", bg = "yellow", mono = ["reverse", "bold"] }

            [offer]
            step_up = [
              "+",   # plus
              "Up",
            ]
            [styles.statusbar]
            fg = 'white'
            """
        let document = try TOMLDocument(path: "t.toml", text: text)
        #expect(document.position(of: ["styles", "banner.training"]) == SourcePosition(line: 3, column: 21))
        #expect(document.position(of: ["styles", "banner.training", "bg"]) == SourcePosition(line: 3, column: 42))
        #expect(document.position(of: ["styles", "banner.training", "mono", "#1"]) == SourcePosition(line: 3, column: 71))
        #expect(document.position(of: ["offer", "step_up", "#0"]) == SourcePosition(line: 7, column: 3))
        #expect(document.position(of: ["offer", "step_up", "#1"]) == SourcePosition(line: 8, column: 3))
        #expect(document.position(of: ["styles", "statusbar", "fg"]) == SourcePosition(line: 11, column: 6))
        #expect(document.keyError(at: ["styles", "banner.training"], "x").column == 1, "a key error points at the key")
        #expect(
            document.position(of: ["offer", "step_up", "#7"]) == SourcePosition(line: 6, column: 11),
            "an unknown element falls back to its array")
    }

    @Test func theConsoleKeysAreRead() throws {
        let hash = try SupervisorPinHash.make(pin: "246813", rounds: 10_000)
        let configuration = try TerminalConfigurationLoader.parse(
            """
            theme = "high-contrast"
            keymap = "numpad"
            ascii = true
            kiosk = true
            supervisorPinHash = "\(hash)"
            kioskIdleSeconds = 30
            """, path: "t.toml")
        #expect(configuration.theme == "high-contrast" && configuration.keymap == "numpad" && configuration.ascii == true)
        #expect(configuration.kiosk && configuration.kioskIdleSeconds == 30)
        #expect(configuration.supervisorPin?.matches("246813") == true)
    }

    @Test(arguments: [
        ("kiosk = true\n", "t.toml:1:9: kiosk mode needs supervisorPinHash"),
        ("supervisorPinHash = \"2468\"\n", "t.toml:1:21: supervisorPinHash must look like pbkdf2-sha256-pin6$ROUNDS$SALT$HASH"),
        ("supervisorPinHash = \"pbkdf2-sha256-pin6$5$00112233445566778899$00\"\n", "t.toml:1:21: supervisorPinHash rounds must be"),
        // An old hash (the scheme of 4-digit PINs) is refused with the fix, whatever its PIN was.
        (
            "supervisorPinHash = \"pbkdf2-sha256$10000$00112233445566778899$" + String(repeating: "ab", count: 32) + "\"\n",
            "t.toml:1:21: supervisorPinHash is an old hash, made when a PIN could be 4 digits; choose a PIN of 6 to 12 digits and put the line `amcash hash-pin` prints"
        ),
        ("kioskIdleSeconds = 2\n", "t.toml:1:20: kioskIdleSeconds must be a whole number of seconds from 5 to 3600"),
        ("theme = \"\"\n", "t.toml:1:9: theme must name a file"),
        ("ascii = \"yes\"\n", "t.toml:1:9: ascii must be true or false"),
    ])
    func aBadConsoleSettingSaysWhere(text: String, expected: String) {
        #expect(throws: ConfigurationError.self) { try TerminalConfigurationLoader.parse(text, path: "t.toml") }
        do {
            _ = try TerminalConfigurationLoader.parse(text, path: "t.toml")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func aPinHashReadsBackAndOnlyItsPinMatches() throws {
        let hash = try SupervisorPinHash.make(pin: "246813", rounds: 10_000)
        let stored = hash.description
        #expect(stored.hasPrefix("pbkdf2-sha256-pin6$10000$") && !stored.contains("246813"))
        let read = try SupervisorPinHash(parsing: stored)
        #expect(read == hash)
        #expect(read.matches("246813"))
        for wrong in ["246814", "", "2468130", "0000"] { #expect(!read.matches(wrong), "\(wrong)") }
        #expect(try SupervisorPinHash.make(pin: "246813", rounds: 10_000) != hash, "each hash has its own salt")
    }

    @Test func aPinIsFourToTwelveDigits() {
        for bad in ["123", "12a4", "1234567890123", "12 34"] {
            #expect(throws: SupervisorPinError.self, "\(bad)") { try SupervisorPinHash.make(pin: bad, rounds: 10_000) }
        }
    }
}
