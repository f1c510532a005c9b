import AMCashDomain
import ConsoleCore
import ConsoleTestSupport
import Testing

/// The training screens over the till: what their keys do, and what they leave to the till.
@Suite struct TrainingUpdateTests {
    static func story() -> UpdateStore {
        var model = Model(settings: Fixtures.settings)
        model.training = TrainingState(
            exercise: ExerciseCard(
                title: LocalizedText(english: "T", french: "T"), story: LocalizedText(english: "S", french: "S"),
                hint: LocalizedText(english: "H", french: "H"), asksDiscountQuestion: true, position: 1, count: 1, trainee: "Ana"))
        return UpdateStore.console(model)
    }

    @Test func theLanguageKeyWorksOnTheStoryAsTheLegendSays() {
        let store = Self.story()
        store.press(.function(2)) { $0.language = .french }  // F2 is on the story's legend
        // The till's other keys wait under the story: no reverse list, no help.
        store.press(.function(3))
        store.press(.function(1))
    }

    @Test func theClosingQuestionsAnswerIsWhatIsChecked() {
        let store = Self.story()
        store.press(.enter) { $0.training?.phase = .working }
        store.press(.function(8)) { $0.training?.phase = .question }
        store.press(.character("n"), effects: [.checkExercise(discountGiven: false)]) { $0.training?.phase = .checking }
        store.send(.exerciseChecked(ExerciseVerdict(lines: []))) { $0.training?.phase = .verdict(ExerciseVerdict(lines: [])) }
        store.press(.enter) { $0.quit = true }
    }
}
