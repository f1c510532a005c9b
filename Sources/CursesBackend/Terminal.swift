import CNcursesW
public import ConsoleCore
import ConsoleUI
import Foundation

/// The terminal under curses: started once, stopped once, and put back as it was on every exit —
/// a normal quit, SIGTERM or SIGHUP (turned into a quit message), or a crash (a C signal handler).
/// All curses calls come from the one task that runs the console loop, one at a time.

public final class Terminal {
    public private(set) var colours: ColourMode = .none
    private var started = false

    public init() {}

    /// Takes the locale from the environment, as wide-character curses needs. setlocale is not
    /// thread-safe: call this first, before anything (the built-in simulator, the HTTP client) starts threads.
    public static func adoptLocale() {
        setlocale(LC_ALL, "")
    }

    /// Enters curses mode. `noColor` (NO_COLOR set and not empty) forces monochrome.
    /// `adoptLocale()` must have been called before any other thread started.
    public func start(noColor: Bool, escapeDelay: Int32 = 25) {
        amcash_save_terminal()
        amcash_install_crash_restore()
        initscr()
        raw()
        noecho()
        nonl()
        keypad(amcash_stdscr(), true)
        set_escdelay(escapeDelay)
        wtimeout(amcash_stdscr(), 30)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            let count = amcash_colors()
            colours = count >= 256 ? .colours256 : (count >= 16 ? .colours16 : .colours8)
            Palette.install()
        }
        started = true
    }

    /// Leaves curses mode and restores the terminal.
    public func stop() {
        guard started else { return }
        started = false
        endwin()
        amcash_restore_terminal()
    }

    public var size: (columns: Int, rows: Int) { (Int(amcash_cols()), Int(amcash_lines())) }

    /// Draws a whole frame; ncurses sends only the cells that changed.
    public func draw(_ model: Model) {
        werase(amcash_stdscr())
        var canvas = NcursesCanvas(columns: size.columns, rows: size.rows, colours: colours)
        view(model, into: &canvas)
        if let cursor = canvas.cursor {
            curs_set(1)
            move(Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        wrefresh(amcash_stdscr())
    }

    /// The next key, or nil when none came within 30 ms (or at once, when `wait` is false).
    public func nextKey(wait: Bool = true) -> TerminalInput? {
        wtimeout(amcash_stdscr(), wait ? 30 : 0)
        var value: Int32 = 0
        let result = amcash_get_wch(&value)
        if result == ERR { return nil }
        if result == amcash_key_code_yes() { return KeyDecoder.keyCode(value) }
        return KeyDecoder.character(value)
    }
}

/// How many colours the terminal has (none: monochrome, by NO_COLOR or by terminfo).
public enum ColourMode: Sendable { case none, colours8, colours16, colours256 }

/// A key, or the terminal's size changed.
public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resize
    case ignored
}

/// Turns curses' key codes into `Key`s.
enum KeyDecoder {
    static func keyCode(_ code: Int32) -> TerminalInput {
        switch code {
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE, KEY_DC: return .key(.backspace)
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_RESIZE: return .resize
        default:
            for number in 1...12 where code == amcash_key_f(Int32(number)) { return .key(.function(number)) }
            return .ignored
        }
    }

    static func character(_ value: Int32) -> TerminalInput {
        switch value {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 9: return .key(.tab)
        case 3: return .key(.interrupt)          // Ctrl-C in raw mode: never quits by itself
        case 0..<32: return .ignored               // Ctrl-Z and the other controls do nothing
        default:
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return .ignored }
            return .key(.character(Character(scalar)))
        }
    }
}
