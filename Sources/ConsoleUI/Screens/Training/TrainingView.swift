import AMCashDomain
import ConsoleCore

extension Layout {
    /// A training exercise's screens over the till: the story before it, the closing question, the
    /// check running, and the verdict with each check right or wrong and why.
    mutating func training(_ training: TrainingState, _ model: Model) {
        let exercise = training.exercise
        let heading = "\(text(ConsoleText.exerciseOf)) \(exercise.position)/\(exercise.count): \(text(exercise.title))"
        wrapped(heading, role: .title)
        if !exercise.trainee.isEmpty && !compact { line(text(ConsoleText.traineeLabel) + ": " + exercise.trainee, role: .label) }
        blank()
        switch training.phase {
        case .story:
            wrapped(text(exercise.story))
            blank()
            if let key = model.settings.keymap.primaryKey(for: .finish, in: .global) {
                wrapped(text(ConsoleText.storyStart(key)), role: .hint)
            }
        case .question:
            wrapped(text(ConsoleText.discountQuestion), role: .title)
            line(Legend.answers(model), role: .hint)
        case .checking:
            wrapped(text(ConsoleText.checkingExercise), role: .hint)
        case .verdict(let verdict):
            line(text(verdict.passed ? ConsoleText.exercisePassed : ConsoleText.exerciseFailed), role: verdict.passed ? .approved : .declined)
            blank()
            for check in verdict.lines {
                wrapped((check.passed ? "[OK] " : "[X] ") + text(check.text), role: check.passed ? .normal : .declined)
            }
        case .working:
            break
        }
    }
}
