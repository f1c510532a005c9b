import AMCashAPI
import AMCashConfiguration
import AMCashJournal
import AMCashWire
import ArgumentParser
import Foundation

/// The `amcash` command: the cashier console by default, and one-shot subcommands for integrators,
/// trainers and the end of the day.
@main
struct AmcashCommand: AsyncParsableCommand {
    static let version = BuildInfo.versionLine

    static let configuration = CommandConfiguration(
        commandName: "amcash",
        abstract: "Redeem AIR MILES Cash at the till.",
        discussion: """
            With no subcommand, amcash opens the cashier console. With no configuration it runs in \
            CERT (training) mode against a built-in simulator of the AIR MILES host.
            Exit status: 0 approved or done, 1 declined or not sent, 2 usage or configuration error, \
            3 outcome unknown. amcash lint exits 1 when any file has an error.
            """,
        version: version,
        subcommands: [
            ConsoleCommand.self,
            EchoCommand.self, InquireCommand.self, RedeemCommand.self, ReverseCommand.self,
            CalculateCommand.self, IssueCommand.self, ReturnCommand.self,
            SimulatorCommand.self, JournalCommand.self, ReconcileCommand.self, BackOfficeCommand.self, LintCommand.self,
            HashPinCommand.self, TrainCommand.self, PrinterEmulatorCommand.self, ReprintCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self
    )

    /// Runs the command line; usage and configuration errors exit with status 2 (not 64).
    static func main() async {
        ProcessHardening.apply()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            printError("amcash: \(error)")
            Foundation.exit(ExitStatus.usage)
        } catch let error as ConfigurationErrors {
            printError(error.errors.map { "amcash: \($0)" }.joined(separator: "\n"))
            Foundation.exit(ExitStatus.usage)
        } catch let error as CredentialsError {
            printError("amcash: \(error)")
            Foundation.exit(ExitStatus.usage)
        } catch let error as JournalError {
            printError("amcash: \(error)")
            Foundation.exit(ExitStatus.usage)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}

/// The exit statuses every subcommand uses.
enum ExitStatus {
    static let approved: Int32 = 0
    static let declined: Int32 = 1
    static let usage: Int32 = 2
    static let unknown: Int32 = 3
}

/// Writes a line to standard error, where messages for the person at the keyboard go.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
