import AMCashConfiguration
import AMCashDomain
import AMCashWire
import ConsoleAppearance
import ConsoleCore
import ConsoleTestSupport
import Foundation
import Testing

/// `update` with the shipped keymap files (and a user's own) as the console loads them.
@Suite struct KeymapFileUpdateTests {
    @Test func theWholeRedemptionRunsOnTheNumpadKeymap() {
        let store = UpdateStore.atTheOffer(settings: Fixtures.settings(keymap: Fixtures.keymap("numpad")))
        store.press(.character("/")) { $0.screen = .offer(Given.offer(0)) }  // / is none
        store.press(.character("*")) { $0.screen = .offer(Given.offer(4)) }  // * is the maximum
        store.press(.character("-")) { $0.screen = .offer(Given.offer(3)) }
        store.press(.enter) { $0.screen = .confirm(Given.offer(3), Given.choice(3)) }
        let request = RedemptionRequest(card: Fixtures.card, basket: Money(cents: 4335), amount: Money(dollars: 30))
        store.press(.enter, effects: [.redeem(request)]) { $0.screen = .redeeming(Given.offer(3), Given.choice(3)) }
        // The host approves $30: three units.
        let approval = Given.approval(traceId: "000000000001")
        store.send(.redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000001"), effects: [approval.effect]) {
            $0.screen = .result(approval.result)
        }
        var shown = approval.result
        shown.showingReceipt = true
        store.press(.character("*")) { $0.screen = .result(shown) }  // * shows the receipt
        store.press(.enter) { $0.screen = .ready(ReadyForm()) }
    }

    @Test func aReboundKeyNoLongerDoesItsDefaultAction() {
        let store = UpdateStore.atTheOffer(settings: Fixtures.settings(keymap: Fixtures.keymap("vi")))
        store.press(.character("m"))  // vi has no m; the offer stays at the maximum it starts at
        store.press(.character("j")) { $0.screen = .offer(Given.offer(3)) }  // j steps down in vi
        store.press(.character("q")) { $0.screen = .ready(ReadyForm()) }  // q goes back in vi
    }

    @Test func ctrlCNamesTheQuitKeyOfTheActiveKeymapOutsideAKiosk() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-quit-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/keymaps", withIntermediateDirectories: true)
        try "inherits = \"default\"\n[global]\nquit = [\"F12\"]\n".write(toFile: root + "/keymaps/till.toml", atomically: true, encoding: .utf8)
        let keymap = try KeymapLoader(folders: ConfigurationFolders(directories: [root, Fixtures.repository])).load("till")
        let store = UpdateStore.console(Model(settings: Fixtures.settings(keymap: keymap)))
        store.press(.interrupt) { $0.screen = .ready(ReadyForm(notice: ConsoleText.quitHint("F12"))) }
        store.press(.function(12)) { $0.quit = true }
    }

    @Test func inTrainingTheFinishKeyComesBeforeAScreensUseOfIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-finish-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/keymaps", withIntermediateDirectories: true)
        try "inherits = \"default\"\n[offer]\nmaximum = [\"F8\"]\n".write(toFile: root + "/keymaps/till.toml", atomically: true, encoding: .utf8)
        let keymap = try KeymapLoader(folders: ConfigurationFolders(directories: [root, Fixtures.repository])).load("till")
        let till = UpdateStore.atTheOffer(settings: Fixtures.settings(keymap: keymap))
        till.press(.character("0")) { $0.screen = .offer(Given.offer(0)) }
        till.press(.function(8)) { $0.screen = .offer(Given.offer(4)) }  // at a till F8 is the store's maximum
        var model = till.model
        model.training = TrainingState(
            exercise: ExerciseCard(
                title: LocalizedText(english: "X", french: "X"), story: LocalizedText(english: "S", french: "S"),
                hint: LocalizedText(english: "H", french: "H"), asksDiscountQuestion: false, position: 1, count: 1, trainee: "Ana"))
        model.training?.phase = .working
        let trainee = UpdateStore.console(model, time: till.time)
        // In training F8 finishes the exercise: the offer stays as it was.
        trainee.press(.function(8), effects: [.checkExercise(discountGiven: nil)]) { $0.training?.phase = .checking }
    }
}
