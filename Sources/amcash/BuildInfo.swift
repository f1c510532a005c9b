/// What `amcash --version` prints: the version (the one place it is kept: `scripts/package` reads it
/// for the Debian package), and the commit and date of the build. A developer's build says `dev`;
/// `scripts/package` writes the commit and the date into this file for the release build it makes.
enum BuildInfo {
    static let version = "0.3.0"
    static let commit = "dev"
    static let date = "dev"

    /// `0.3.0 (commit 1a2b3c4, built 2026-12-06)`, or `0.3.0 (dev build)`.
    static var versionLine: String {
        commit == "dev" ? "\(version) (dev build)" : "\(version) (commit \(commit), built \(date))"
    }
}
