import CNcursesW
import ConsoleCore
public import ConsoleUI
import Foundation

/// The terminal under curses: started once, stopped once, and put back as it was on every exit —
/// a normal quit, SIGTERM or SIGHUP (turned into a quit message), or a crash (a C signal handler).
/// Curses is not thread-safe: the loop draws and the input thread reads keys, so every curses call
/// here is made under one lock, and the input thread waits for a key outside it (in `poll`).
public final class Terminal: TerminalDevice, @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var colours: ColourMode = .none
    private var started = false
    private let theme: Theme
    private let clock: @Sendable () -> Int64
    private var styles: CursesStyles?

    /// A terminal that draws with `theme` and stamps keys with `clock` (milliseconds, monotonic).
    public init(theme: Theme = .standard, clock: @escaping @Sendable () -> Int64 = MonotonicMilliseconds.now) {
        self.theme = theme
        self.clock = clock
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
    public func start(noColor: Bool) { lock.withLock { begin(noColor: noColor, escapeDelay: 25) } }

    private func begin(noColor: Bool, escapeDelay: Int32) {
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
    public func stop() { lock.withLock { end() } }

    private func end() {
        guard started else { return }
        started = false
        endwin()
        amcash_restore_terminal()
    }

    public var size: (columns: Int, rows: Int) { lock.withLock { currentSize } }

    private var currentSize: (columns: Int, rows: Int) { (Int(amcash_cols()), Int(amcash_lines())) }

    /// Writes `frame`'s cells, a run of one role at a time; ncurses sends only the cells that changed.
    public func present(_ frame: Frame) { lock.withLock { write(frame) } }

    private func write(_ frame: Frame) {
        guard let styles else { return }  // not started
        werase(amcash_stdscr())
        let size = currentSize
        let rows = min(frame.rows, size.rows)
        for row in 0..<rows {
            // Never write the last cell of the last row: it scrolls some terminals.
            let room = min(frame.columns, size.columns) - (row == size.rows - 1 ? 1 : 0)
            for run in frame.runs(row: row) where run.column < room {
                let attributes = styles.attributes(for: run.role)
                attron(attributes)
                mvaddstr(Int32(row), Int32(run.column), String(run.text.prefix(room - run.column)))
                attroff(attributes)
            }
        }
        if let cursor = frame.cursor, cursor.row < size.rows, cursor.column < size.columns {
            curs_set(1)
            move(Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        wrefresh(amcash_stdscr())
    }

    /// Waits (outside the lock) until the keyboard has something or `milliseconds` pass, then reads
    /// every key already typed. A resize shows up as curses' KEY_RESIZE within one wait.
    public func readInput(milliseconds: Int32) -> (inputs: [TerminalInput], at: Int64)? {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, milliseconds)
        if descriptor.revents & Int16(POLLHUP | POLLNVAL) != 0 { return nil }
        let at = clock()
        return lock.withLock {
            guard started else { return ([], at) }
            wtimeout(amcash_stdscr(), 0)
            var inputs: [TerminalInput] = []
            var value: Int32 = 0
            while inputs.count < 512 {
                let result = amcash_get_wch(&value)
                if result == ERR { break }
                inputs.append(result == amcash_key_code_yes() ? KeyDecoder.keyCode(value) : KeyDecoder.character(value))
            }
            return (inputs, at)
        }
    }
}

/// Turns curses' key codes into `Key`s.
public enum KeyDecoder {
    public static func keyCode(_ code: Int32) -> TerminalInput {
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

    public static func character(_ value: Int32) -> TerminalInput {
        switch value {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 9: return .key(.tab)
        case 3: return .key(.interrupt)  // Ctrl-C in raw mode: never quits by itself
        case 26: return .ignored  // Ctrl-Z in raw mode: never suspends
        case 1...26:  // the other Ctrl letters, for keymaps
            return .key(.control(Character(Unicode.Scalar(UInt8(96 + value)))))
        case 0..<32: return .ignored
        default:
            guard let scalar = Unicode.Scalar(UInt32(value)) else { return .ignored }
            return .key(.character(Character(scalar)))
        }
    }
}
