public import ConsoleCore

/// What the console needs of a terminal: curses implements it (`CursesBackend.Terminal`), and tests
/// implement it with a screen in memory and scripted keys.
///
/// `readInput` is called from the loop's input thread only; `start`, `stop`, `size` and `draw` from
/// the loop. An implementation whose library is not thread-safe (curses) serialises them itself.
public protocol TerminalDevice: AnyObject, Sendable {
    func start(noColor: Bool)
    func stop()
    var size: (columns: Int, rows: Int) { get }
    func draw(_ model: Model)
    /// Waits up to `milliseconds` for input and returns what arrived (keys in the order typed, a
    /// resize), or an empty list when nothing did. Returns nil once the terminal has no more input
    /// (a test's script is over, the terminal is gone).
    func readInput(milliseconds: Int32) -> [TerminalInput]?
}

/// A key, or the terminal's size changed.
public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resize
    case ignored
}
