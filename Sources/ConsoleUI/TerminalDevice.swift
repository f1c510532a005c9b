import AMCashDomain
public import ConsoleCore

/// What the console needs of a terminal: curses implements it (`CursesBackend.Terminal`), and tests
/// use `MemoryTerminal` (ConsoleTestSupport), a screen in memory with scripted keys. It receives
/// frames, never the model: the loop renders once for each change, and the device only shows cells.
///
/// `readInput` is called from the loop's input thread only; `start`, `stop`, `size` and `present`
/// from the loop. An implementation whose library is not thread-safe (curses) serialises them itself.
public protocol TerminalDevice: AnyObject, Sendable {
    func start(noColor: Bool)
    func stop()
    var size: (columns: Int, rows: Int) { get }
    /// Shows `frame` (a terminal writes only the cells that changed).
    func present(_ frame: Frame)
    /// Waits up to `milliseconds` for input and returns what arrived (keys in the order typed, a
    /// resize) and when, in the device's milliseconds (a scanner's burst is told by its timing); an
    /// empty list when nothing did. Returns nil once the terminal has no more input (a test's script
    /// is over, the terminal is gone).
    func readInput(milliseconds: Int32) -> (inputs: [TerminalInput], at: Int64)?
}

/// A key, or the terminal's size changed.
public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resize
    case ignored
}

/// Milliseconds on a monotonic clock since the first call in this process: the key timestamps of a
/// real terminal (a clock the wall's changes never move).
public enum MonotonicMilliseconds {
    private static let origin = ContinuousClock.now

    public static func now() -> Int64 {
        (ContinuousClock.now - origin).wholeMilliseconds
    }
}
