import AMCashDomain
import ConsoleCore
import ConsoleTestSupport
import Testing

/// The training screens over the till: what their keys do, and what they leave to the till.
@Suite struct TrainingUpdateTests {
    static func story() -> Model {
        var model = Model(settings: Fixtures.settings)
        model.training = TrainingState(
            exercise: ExerciseCard(
                title: LocalizedText(english: "T", french: "T"), story: LocalizedText(english: "S", french: "S"),
                hint: LocalizedText(english: "H", french: "H"), asksDiscountQuestion: true, position: 1, count: 1, trainee: "Ana"))
        return model
    }

    @Test func theLanguageKeyWorksOnTheStoryAsTheLegendSays() {
        var model = Self.story()
        var time: Int64 = 0
        #expect(Fixtures.press(.function(2), &model, &time).isEmpty)
        #expect(model.language == .french, "F2 is on the story's legend")
        _ = Fixtures.press(.function(3), &model, &time)
        _ = Fixtures.press(.function(1), &model, &time)
        #expect(model.kind == .ready && model.overlays.isEmpty && model.training?.phase == .story, "the till's other keys wait under the story")
    }

    @Test func theClosingQuestionsAnswerIsWhatIsChecked() {
        var model = Self.story()
        var time: Int64 = 0
        _ = Fixtures.press(.enter, &model, &time)
        #expect(model.training?.phase == .working)
        _ = Fixtures.press(.function(8), &model, &time)
        #expect(model.training?.phase == .question)
        #expect(Fixtures.press(.character("n"), &model, &time) == [.checkExercise(discountGiven: false)])
        _ = update(&model, .exerciseChecked(ExerciseVerdict(lines: [])))
        #expect(Fixtures.press(.enter, &model, &time) == [.quit] && model.quit)
    }
}
