import CNcursesW
import ConsoleCore
import ConsoleUI
import CursesBackend
import Testing

/// Curses' key codes and characters as the console's keys.
@Suite struct KeyDecoderTests {
    @Test(arguments: [
        (Int32(10), TerminalInput.key(.enter)), (13, .key(.enter)), (27, .key(.escape)), (127, .key(.backspace)), (8, .key(.backspace)),
        (9, .key(.tab)), (3, .key(.interrupt)), (26, .ignored), (1, .key(.control("a"))), (14, .key(.control("n"))),
        (0, .ignored), (31, .ignored), (65, .key(.character("A"))), (233, .key(.character("é"))), (0x20AC, .key(.character("€"))),
    ])
    func charactersBecomeKeys(value: Int32, expected: TerminalInput) {
        #expect(KeyDecoder.character(value) == expected)
    }

    @Test func keyCodesBecomeKeys() {
        #expect(KeyDecoder.keyCode(KEY_UP) == .key(.up))
        #expect(KeyDecoder.keyCode(KEY_DOWN) == .key(.down))
        #expect(KeyDecoder.keyCode(KEY_NPAGE) == .key(.pageDown))
        #expect(KeyDecoder.keyCode(KEY_PPAGE) == .key(.pageUp))
        #expect(KeyDecoder.keyCode(KEY_BACKSPACE) == .key(.backspace))
        #expect(KeyDecoder.keyCode(KEY_ENTER) == .key(.enter))
        #expect(KeyDecoder.keyCode(KEY_RESIZE) == .resize)
        #expect(KeyDecoder.keyCode(amcash_key_f(1)) == .key(.function(1)))
        #expect(KeyDecoder.keyCode(amcash_key_f(10)) == .key(.function(10)))
        #expect(KeyDecoder.keyCode(KEY_HOME) == .ignored, "a key the console has no use for is ignored, not guessed")
    }
}
