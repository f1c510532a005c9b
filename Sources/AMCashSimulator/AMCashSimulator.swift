// The CERT simulator (a Hummingbird server for the same contract) lands here; see the simulator issue.
public import AMCashDomain
import AMCashAPI

/// Marks the simulator module's place in the dependency order until the server lands.
public enum AMCashSimulator {
    /// The daily limit the simulator enforces unless told otherwise: 75 units = $750.
    public static let defaultDailyLimit = Units(75)
}
