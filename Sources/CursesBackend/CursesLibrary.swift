import CNcursesW
import ConsoleUI

/// The linked ncursesw library; the only module that calls curses. The run loop lands with the console.
public enum CursesLibrary {
    /// The ncurses version string, e.g. "ncurses 6.4.20221231"; proves the system library links.
    public static var version: String {
        guard let text = curses_version() else { return "ncurses (unknown version)" }
        return String(cString: text)
    }
}
