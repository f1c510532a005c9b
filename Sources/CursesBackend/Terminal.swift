import CNcursesW
public import ConsoleCore
public import ConsoleUI
import Foundation

/// The terminal under curses: started once, stopped once, and put back as it was on every exit —
/// a normal quit, SIGTERM or SIGHUP (turned into a quit message), or a crash (a C signal handler).
/// All curses calls come from the one task that runs the console loop, one at a time.

public final class Terminal {
    public private(set) var colours: ColourMode = .none
    private var started = false
    private let theme: Theme
    private let ascii: Bool
    private var styles: CursesStyles?

    /// A terminal that draws with `theme`, and with ASCII only when `ascii`.
    public init(theme: Theme = .standard, ascii: Bool = false) {
        self.theme = theme
        self.ascii = ascii
    }

    /// Takes the locale from the environment, as wide-character curses needs, and says whether it is
    /// UTF-8 (if not, the console draws ASCII only). setlocale is not thread-safe: call this first,
    /// before anything (the built-in simulator, the HTTP client) starts threads.
    @discardableResult
    public static func adoptLocale() -> Bool {
        setlocale(LC_ALL, "")
        let codeset = nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? ""
        return codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
    }

    /// Enters curses mode. `noColor` (NO_COLOR set and not empty) forces monochrome; otherwise the
    /// colours come from terminfo: 256, 16, 8 or none.
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
            colours = count >= 256 ? .colours256 : (count >= 16 ? .colours16 : (count >= 8 ? .colours8 : .none))
        }
        let styles = CursesStyles(theme: theme, colours: colours)
        self.styles = styles
        wbkgdset(amcash_stdscr(), chtype(UInt32(bitPattern: styles.background)))
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
        guard let styles else { return }    // not started
        werase(amcash_stdscr())
        var canvas = NcursesCanvas(columns: size.columns, rows: size.rows, styles: styles, ascii: ascii)
        view(model, into: &canvas)
        if let cursor = canvas.cursor {
            curs_set(1)
            move(Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        wrefresh(amcash_stdscr())
    }

    /// Waits until a key is typed, `wake` becomes readable, or `milliseconds` pass.
    public func waitForInput(orWake wake: Int32, milliseconds: Int32) {
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
        if wake >= 0 { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
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
        case 26: return .ignored                  // Ctrl-Z in raw mode: never suspends
        case 1...26:                              // the other Ctrl letters, for keymaps
            return .key(.control(Character(Unicode.Scalar(UInt8(96 + value)))))
        case 0..<32: return .ignored
        default:
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return .ignored }
            return .key(.character(Character(scalar)))
        }
    }
}
