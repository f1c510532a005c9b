import ArgumentParser
import Logging

/// Where the host is and how to talk about it: the options every host-calling subcommand shares.
struct HostOptions: ParsableArguments {
    @Option(name: .long, help: "The terminal configuration file (default: $AMCASH_CONFIG, then ~/.config/amcash/terminal.toml).")
    var config: String?

    @Option(name: .customLong("base-url"), help: "The AIR MILES API base URL; overrides hostBaseURL.")
    var baseURL: String?

    @Option(name: .customLong("token-url"), help: "The OAuth token URL; overrides tokenURL.")
    var tokenURL: String?

    @Flag(name: .long, help: "Print one JSON object instead of a summary.")
    var json = false

    @Option(name: .customLong("log-level"), help: "Log to standard error from this level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }
}
