import AMCashSimulator
import ArgumentParser
import Foundation

/// `amcash sim scorecard`: the class, per trainee.
struct ScorecardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard", abstract: "Print the training scorecard: per trainee, exercises passed, attempts, time, mistakes.")

    /// `--json` and `--scorecard` are the simulator's own options (its `--json` lists the collectors
    /// too), so the command reads them from its parent: `amcash sim scorecard --json`.
    @ParentCommand var simulator: SimulatorCommand

    func run() async throws {
        let json = simulator.json
        let path = try HostSession.scorecardPath(simulator.scorecard, environment: ProcessInfo.processInfo.environment)
        guard FileManager.default.fileExists(atPath: path) else {
            printError("amcash sim scorecard: no scorecard at \(path) (amcash train writes it)")
            throw ExitCode(ExitStatus.usage)
        }
        let scores = try Scorecard(path: path).summary()
        if json {
            print(try commandJSON(scores))
            return
        }
        print("trainee              passed  attempts  time      unfinished  mistakes")
        for score in scores {
            let time = String(format: "%d:%02d", score.seconds / 60, score.seconds % 60)
            let mistakes = score.mistakes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print(
                score.trainee.padding(toLength: 20, withPad: " ", startingAt: 0) + " "
                    + String(score.passed).leftPadded(6) + "  " + String(score.attempts).leftPadded(8) + "  "
                    + time.padding(toLength: 8, withPad: " ", startingAt: 0) + "  " + String(score.unfinished).leftPadded(10) + "  "
                    + (mistakes.isEmpty ? "-" : mistakes))
        }
    }
}
