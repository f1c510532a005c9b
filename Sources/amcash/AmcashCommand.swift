import ArgumentParser
import Foundation
import AMCashDomain
import CursesBackend

/// The `amcash` command: the cashier console by default, and one-shot subcommands for integrators,
/// trainers and the end of the day.
@main
struct AmcashCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "amcash",
        abstract: "Redeem AIR MILES Cash at the till.",
        discussion: """
            With no subcommand, amcash opens the cashier console. With no configuration it runs in \
            CERT (training) mode against a built-in simulator of the AIR MILES host.
            Subcommands marked (planned) are listed so scripts can be written against them; they \
            are not in this build yet and exit with status 2.
            """,
        version: version,
        subcommands: [
            ConsoleCommand.self,
            EchoCommand.self, InquireCommand.self, RedeemCommand.self, ReverseCommand.self,
            SimulatorCommand.self, JournalCommand.self, ReconcileCommand.self, LintCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self
    )
}

/// A subcommand named in `--help` before it is built: says so clearly and exits 2.
protocol PlannedCommand: ParsableCommand {}

extension PlannedCommand {
    func run() throws {
        let name = Self.configuration.commandName ?? "this command"
        printError("amcash \(name) is planned and not in this build yet.")
        throw ExitCode(2)
    }
}

/// Writes a line to standard error, where messages for the person at the keyboard go.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
