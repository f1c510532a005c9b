/// The environments the console can talk to.
public enum HostEnvironment: String, Sendable, CaseIterable, Codable {
    /// Certification: production-quality code with test data, used for integration and training.
    case cert = "CERT"
    /// Production: live collectors.
    case prod = "PROD"
}
