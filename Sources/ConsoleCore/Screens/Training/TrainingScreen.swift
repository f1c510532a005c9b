public import AMCashDomain

/// What the console shows of a training exercise (`amcash train`): its story, its hint, and whether it
/// ends with the closing question.
public struct ExerciseCard: Hashable, Sendable {
    public let title: LocalizedText
    /// The customer's story and what the trainee is asked to do.
    public let story: LocalizedText
    /// Shown at the top of help (F1) during the exercise.
    public let hint: LocalizedText
    /// Ends with "Did you give the discount?" (a sale whose outcome the trainee must judge).
    public let asksDiscountQuestion: Bool
    /// "3 of 12".
    public let position: Int
    public let count: Int
    public let trainee: String

    public init(
        title: LocalizedText, story: LocalizedText, hint: LocalizedText, asksDiscountQuestion: Bool,
        position: Int, count: Int, trainee: String
    ) {
        self.title = title
        self.story = story
        self.hint = hint
        self.asksDiscountQuestion = asksDiscountQuestion
        self.position = position
        self.count = count
        self.trainee = trainee
    }
}

/// The trainer's verdict on one attempt, from the journal and the simulator's ledger: each check
/// right or wrong, and why, in both languages.
public struct ExerciseVerdict: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public let passed: Bool
        public let text: LocalizedText

        public init(passed: Bool, text: LocalizedText) {
            self.passed = passed
            self.text = text
        }
    }

    public let lines: [Line]
    public var passed: Bool { lines.allSatisfy(\.passed) }

    public init(lines: [Line]) { self.lines = lines }
}

/// Where a training exercise is: its story on screen, the trainee at the till, the closing question,
/// the check running, or the verdict.
public enum TrainingPhase: Hashable, Sendable {
    case story
    case working
    case question
    case checking
    case verdict(ExerciseVerdict)
}

/// The exercise under way, over the ordinary console.
public struct TrainingState: Hashable, Sendable {
    public let exercise: ExerciseCard
    public var phase: TrainingPhase = .story

    public init(exercise: ExerciseCard) { self.exercise = exercise }

    /// The key context of the training screen on top, or nil while the trainee works the till.
    var keyContext: KeyContext? {
        switch phase {
        case .story: .dialog
        case .working: nil
        case .question: .confirm
        case .checking: nil
        case .verdict: .result
        }
    }

    /// Whether the training screen covers the till (everything but `.working`).
    public var coversTheTill: Bool { phase != .working }
}

/// Keys of the training screens and the finish key.
enum TrainingScreen {
    /// Returns nil when the key is not the training screen's (the till handles it).
    static func handle(_ action: KeyAction, in context: KeyContext, _ model: inout Model) -> [Effect]? {
        guard var training = model.training else { return nil }
        switch (training.phase, context, action) {
        case (.story, .dialog, .close):
            training.phase = .working
        case (.working, .global, .finish):
            // Only from a screen where nothing is with the host: an answer must find its screen.
            guard !model.screen.kind.waitsOnHost else { return [] }
            if training.exercise.asksDiscountQuestion {
                training.phase = .question
            } else {
                training.phase = .checking
                model.training = training
                return [.checkExercise(discountGiven: nil)]
            }
        case (.question, .confirm, .yes), (.question, .confirm, .no):
            training.phase = .checking
            model.training = training
            return [.checkExercise(discountGiven: action == .yes)]
        case (.verdict, .result, .newSale):
            // The exercise is over: the runner starts the next one.
            model.quit = true
            return []
        default:
            // Over the till, only the language key (on every training screen's legend) reaches it.
            return training.coversTheTill && action != .language ? [] : nil
        }
        model.training = training
        return []
    }

    static func checked(_ verdict: ExerciseVerdict, _ model: inout Model) {
        guard var training = model.training, training.phase == .checking else { return }
        training.phase = .verdict(verdict)
        model.training = training
        model.overlays = []
    }
}
