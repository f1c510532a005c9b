/// A `Duration` in the units amcash counts in, written once: logs, the journal and the configuration
/// count whole milliseconds, NIO wants nanoseconds, and reports and metrics want seconds.
extension Duration {
    /// Whole milliseconds, truncated.
    public var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Whole nanoseconds, truncated (NIO's `TimeAmount`).
    public var wholeNanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }

    /// Seconds with their fraction: for reports, metrics and leases, never for money.
    public var secondsWithFraction: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
