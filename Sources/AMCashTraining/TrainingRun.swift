import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
public import ConsoleCore
public import ConsoleRuntime
public import ConsoleUI
import Foundation
import Logging

/// `amcash train`: the real console, in CERT mode, against a simulator set up for each exercise in
/// turn, with a journal of its own in a temporary folder. Nothing of a real host or a real journal is
/// touched. Each exercise: its story, the trainee at the till, the closing question if it has one,
/// the check from the journal and the ledger, the verdict; then the next.
public struct TrainingRun: Sendable {
    public let exercises: [Exercise]
    public let trainee: String
    /// A simulator of the exercise's own, or the training room's.
    public let host: any ExerciseHost
    /// The console's settings (keymap, language, kiosk…); the run makes them CERT.
    public let settings: ConsoleSettings
    public let noColor: Bool
    /// Frames in ASCII only (`AsciiText.isNeeded`, the console's rule).
    public let ascii: Bool

    public init(
        exercises: [Exercise], trainee: String, host: any ExerciseHost, settings: ConsoleSettings, noColor: Bool, ascii: Bool = false
    ) {
        self.exercises = exercises
        self.trainee = trainee
        self.host = host
        self.settings = settings
        self.noColor = noColor
        self.ascii = ascii
    }

    /// How one exercise ended.
    public enum Outcome: Sendable, Equatable {
        case passed, failed
        /// The trainee left (the quit key, SIGTERM): the attempt stays open on the scorecard.
        case left
    }

    /// Runs the exercises on `device` (started once for all of them) until the last is done or the
    /// trainee leaves. Returns each exercise's outcome, in order.
    public func run(on device: any TerminalDevice) async throws -> [(String, Outcome)] {
        device.start(noColor: noColor)
        defer { device.stop() }
        var outcomes: [(String, Outcome)] = []
        for (index, exercise) in exercises.enumerated() {
            let outcome = try await runOne(exercise, position: index + 1, on: device)
            outcomes.append((exercise.name, outcome))
            if outcome == .left { break }
        }
        return outcomes
    }

    func runOne(_ exercise: Exercise, position: Int, on device: any TerminalDevice) async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-train-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prepared = try await host.prepare(exercise, trainee: trainee)
        do {
            return try await run(exercise, prepared: prepared, folder: folder, position: position, on: device)
        } catch {
            await prepared.close()
            throw error
        }
    }

    private func run(_ exercise: Exercise, prepared: PreparedExercise, folder: String, position: Int, on device: any TerminalDevice)
        async throws -> Outcome
    {
        let client = HostClient(
            settings: prepared.settings, credentials: prepared.credentials, timeouts: .standard, logger: Logger(label: "amcash.train.host"))
        let journal = try Journal(path: folder + "/journal.sqlite")
        let builder = RequestBuilder(identity: settings.identity)
        let transactions = JournaledTransactions(
            journal: journal, host: client, builder: builder,
            leases: .covering(connect: HostTimeouts.standard.connect, read: HostTimeouts.standard.read))
        let base = ConsoleEffects(
            journal: journal, transactions: transactions, host: client, builder: builder, receiptPath: folder + "/receipts.txt",
            asciiReceipts: false, supervisorPin: nil, lockoutFile: KioskLockoutFile(path: folder + "/kiosk-lockout"))
        let effects = TrainingEffects(base: base, exercise: exercise, journal: journal, transactions: transactions, prepared: prepared)

        var settings = self.settings
        settings.environment = .cert
        settings.builtInSimulator = true
        settings.kiosk = false
        settings.testCollectors = [TestCollectorLine(number: prepared.collector, situation: exercise.name, summary: exercise.title)]
        // A training room gives the attempt a card number of its own: the story names that one.
        let story = LocalizedText(
            english: exercise.story.english.replacingOccurrences(of: exercise.collector.number, with: prepared.collector),
            french: exercise.story.french.replacingOccurrences(of: exercise.collector.number, with: prepared.collector))
        var model = Model(settings: settings)
        model.training = TrainingState(
            exercise: ExerciseCard(
                title: exercise.title, story: story, hint: exercise.hint,
                asksDiscountQuestion: exercise.asksDiscountQuestion, position: position, count: exercises.count, trainee: trainee))
        let program = ConsoleProgram(
            model: model, performer: effects, device: device, journal: journal, transactions: transactions, ascii: ascii)
        let last = await program.run(noColor: noColor, startingEffects: [.echo], ownsDevice: false)
        await client.shutdown()
        await prepared.close()
        guard case .verdict(let verdict)? = last.training?.phase else { return .left }
        return verdict.passed ? .passed : .failed
    }
}

/// The console's effects, plus the exercise's check: it reads the journal and the ledger, writes the
/// verdict on the scorecard, and answers `exerciseChecked`.
struct TrainingEffects: EffectPerformer {
    let base: ConsoleEffects
    let exercise: Exercise
    let journal: Journal
    let transactions: JournaledTransactions
    let prepared: PreparedExercise

    func perform(_ effect: Effect, send: @escaping @Sendable (Msg) -> Void) async {
        guard case .checkExercise(let discountGiven) = effect else { return await base.perform(effect, send: send) }
        let facts = await ExerciseFacts.gather(journal: journal, transactions: transactions, prepared: prepared)
        let (verdict, mistakes) = ExerciseChecker.verdict(exercise, facts: facts, discountGiven: discountGiven)
        do { try await prepared.finish(verdict.passed, mistakes) } catch {
            Logger(label: "amcash.train").error("the scorecard could not be written: \(error)")
        }
        send(.exerciseChecked(verdict))
        send(.pendingCount((try? journal.statusPendingCount()) ?? 0))
    }
}
