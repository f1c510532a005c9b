/// A key as the console understands it, whatever terminal produced it.
public enum Key: Hashable, Sendable {
    case character(Character)
    case enter, escape, backspace, tab, up, down, left, right, pageUp, pageDown
    case function(Int)
    /// Ctrl and a letter, `a`…`z` (lowercase). Ctrl-C comes as `interrupt`; Ctrl-Z and the letters
    /// that are other keys on a terminal (Ctrl-H, I, J, M) never arrive as this.
    case control(Character)
    /// Ctrl-C: never quits by itself (kiosks); the console says which key quits.
    case interrupt
}

/// A key and when it arrived (milliseconds on a monotonic clock), so a scanner's burst can be told
/// from a person's typing.
public struct KeyPress: Hashable, Sendable {
    public let key: Key
    public let at: Int64

    public init(_ key: Key, at: Int64) {
        self.key = key
        self.at = at
    }
}
