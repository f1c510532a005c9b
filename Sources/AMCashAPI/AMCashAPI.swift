// The AIR MILES Cash wire contract (openapi.yaml) and the client that speaks it land here
// (see the contract issue). Until then this module only fixes its place in the dependency order.
import AMCashDomain

/// The environments the console can talk to; the base URLs come from configuration.
public enum HostEnvironment: String, Sendable, CaseIterable {
    /// Certification: production-quality code with test data, used for integration and training.
    case cert = "CERT"
    /// Production: live collectors.
    case prod = "PROD"
}
