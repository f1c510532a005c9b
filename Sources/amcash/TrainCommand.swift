import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashTraining
import ArgumentParser
import ConsoleAppearance
import ConsoleCore
import ConsoleUI
import CursesBackend
import Foundation
import Logging

/// `amcash train`: guided exercises in the real console, each against a simulator set up for it.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Practise at the till: guided exercises in CERT mode, checked and scored.",
        discussion: """
            Each exercise shows a customer's story, then the trainee works the till as usual against a simulator set up \
            for it (F1 shows a hint, F8 ends the exercise). The journal and the simulator's ledger are then checked and \
            the verdict shown, right and wrong, and why. Nothing of a real host or a real journal is touched. \
            Exercises come from exercises/ (the shipped ones, and your own in ~/.config/amcash/exercises/). \
            Without --exercise, the trainee resumes at the first exercise not yet passed. \
            The scorecard (amcash sim scorecard) is written to training.sqlite in the data directory.
            """)

    @Option(name: .long, parsing: .singleValue, help: "Run this exercise (a name from exercises/ or a .toml path); repeatable.")
    var exercise: [String] = []

    @Option(name: .long, help: "The trainee's name, on the scorecard (default: the login name).")
    var trainee: String?

    @Option(name: .long, help: "The scorecard file (default: training.sqlite in the data directory; in a classroom the room keeps it).")
    var scorecard: String?

    @Option(name: .long, help: "A training room's address (https://NAME:PORT of amcash sim --tls): the class shares its host and scorecard.")
    var classroom: String?

    @Option(name: .long, help: "With --classroom: the room's CA certificate (PEM), as amcash sim --tls prints it.")
    var ca: String?

    @Option(name: .long, help: "The colour theme (default: training).")
    var theme: String?

    @Option(name: .long, help: "The key bindings (default: default).")
    var keymap: String?

    @Option(name: .long, help: "The trainee's language: en or fr (default: en).")
    var language = "en"

    @Flag(name: .long, help: "Draw with ASCII only.")
    var ascii = false

    func run() async throws {
        let utf8 = try adoptTerminal(refusing: "amcash train needs a terminal.")
        let environment = ProcessInfo.processInfo.environment
        let folders = ConfigurationFolders.standard(environment: environment)
        let appearance = try Appearance.resolve(theme: theme ?? "training", keymap: keymap, environment: environment)
        let all = try ExerciseLoader.all(folders: folders)
        let name = trainee ?? environment["USER"] ?? "trainee"
        let dataDirectory = try HostSession.dataDirectory(environment: environment)
        bootstrapLogging(level: .warning, file: dataDirectory + "/amcash-train.log")
        let room: ClassroomExerciseHost?
        do { room = try classroom.map { ClassroomExerciseHost(base: try HostEndpoint($0), caFile: ca) } } catch {
            printError("amcash train: --classroom: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        // In a classroom the room keeps the scorecard; on its own the trainee's data directory does.
        let host: any ExerciseHost =
            try room ?? LocalExerciseHost(scorecard: Scorecard(path: HostSession.scorecardPath(scorecard, environment: environment)))
        var chosen: [Exercise] = []
        for wanted in exercise {
            if wanted.hasSuffix(".toml") {
                chosen.append(try ExerciseLoader.load(path: wanted))
            } else if let found = all.first(where: { $0.name == wanted }) {
                chosen.append(found)
            } else {
                printError("amcash train: no exercise \(wanted); there are \(all.map(\.name).joined(separator: ", "))")
                throw ExitCode(ExitStatus.usage)
            }
        }
        if chosen.isEmpty {
            // Resume: the first exercise this trainee has not passed, and the ones after it.
            let passed: Set<String>
            do { passed = try await host.passed(by: name) } catch {
                await room?.shutdown()
                printError("amcash train: the scorecard: \(error)")
                throw ExitCode(ExitStatus.declined)
            }
            chosen = Array(all.drop { passed.contains($0.name) })
            if chosen.isEmpty { chosen = all }
        }
        guard !chosen.isEmpty else {
            printError("amcash train: no exercises found in \(folders.folders(.exercises).joined(separator: ", "))")
            throw ExitCode(ExitStatus.usage)
        }
        let settings = ConsoleSettings(language: language.hasPrefix("fr") ? .french : .english, keymap: appearance.keymap)
        // The console's own rule; a trainee has no terminal.toml, so only --ascii and the terminal decide.
        let drawsASCII = AsciiText.isNeeded(flag: ascii, configured: nil, term: environment["TERM"], utf8: utf8)
        let run = TrainingRun(
            exercises: chosen, trainee: name, host: host, settings: settings, noColor: !(environment["NO_COLOR"] ?? "").isEmpty,
            ascii: drawsASCII)
        let outcomes: [(String, TrainingRun.Outcome)]
        do {
            outcomes = try await run.run(on: Terminal(theme: appearance.theme))
        } catch {
            await room?.shutdown()
            printError("amcash train: \(error)")
            throw ExitCode(ExitStatus.declined)
        }
        await room?.shutdown()
        for (exercise, outcome) in outcomes {
            print("\(exercise): \(outcome == .passed ? "passed" : outcome == .failed ? "not yet" : "left unfinished")")
        }
    }
}
