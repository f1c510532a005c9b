/// A `Duration` in the whole units amcash counts in, written once: logs, the journal and the
/// configuration count milliseconds, NIO wants nanoseconds. Integers only: the domain holds no
/// floating point (reports and metrics turn nanoseconds into seconds themselves).
extension Duration {
    /// Whole milliseconds, truncated.
    public var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Whole nanoseconds, truncated (NIO's `TimeAmount`).
    public var wholeNanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
