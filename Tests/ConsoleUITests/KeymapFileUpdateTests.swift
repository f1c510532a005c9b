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
        var model = Fixtures.offerModel(settings: Fixtures.settings(keymap: Fixtures.keymap("numpad")))
        var time: Int64 = 10_000
        #expect(selected(model) == Units(4))
        _ = Fixtures.press(.character("/"), &model, &time)
        #expect(selected(model) == Units(0), "/ is none")
        _ = Fixtures.press(.character("*"), &model, &time)
        #expect(selected(model) == Units(4), "* is the maximum")
        _ = Fixtures.press(.character("-"), &model, &time)
        #expect(selected(model) == Units(3))
        _ = Fixtures.press(.enter, &model, &time)
        #expect(model.kind == .confirm)
        let effects = Fixtures.press(.enter, &model, &time)
        #expect(effects == [.redeem(RedemptionRequest(card: Fixtures.card, basket: Money(cents: 4335), amount: Money(dollars: 30)))])
        _ = update(&model, .redeemed(.answered(Fixtures.approvedRedemption), traceId: "000000000001"))
        _ = Fixtures.press(.character("*"), &model, &time)
        #expect(showingReceipt(model), "* shows the receipt")
        _ = Fixtures.press(.enter, &model, &time)
        #expect(model.kind == .ready)
    }

    @Test func aReboundKeyNoLongerDoesItsDefaultAction() {
        var model = Fixtures.offerModel(settings: Fixtures.settings(keymap: Fixtures.keymap("vi")))
        var time: Int64 = 10_000
        _ = Fixtures.press(.character("m"), &model, &time)
        #expect(selected(model) == Units(4), "vi has no m; the offer starts at the maximum")
        _ = Fixtures.press(.character("j"), &model, &time)
        #expect(selected(model) == Units(3), "j steps down in vi")
        _ = Fixtures.press(.character("q"), &model, &time)
        #expect(model.kind == .ready, "q goes back in vi")
    }

    @Test func ctrlCNamesTheQuitKeyOfTheActiveKeymapOutsideAKiosk() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-quit-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/keymaps", withIntermediateDirectories: true)
        try "inherits = \"default\"\n[global]\nquit = [\"F12\"]\n".write(toFile: root + "/keymaps/till.toml", atomically: true, encoding: .utf8)
        let keymap = try KeymapLoader(folders: ConfigurationFolders(directories: [root, Fixtures.repository])).load("till")
        var model = Model(settings: Fixtures.settings(keymap: keymap))
        var time: Int64 = 0
        _ = Fixtures.press(.interrupt, &model, &time)
        #expect(readyNotice(model) == ConsoleText.quitHint("F12") && !model.quit)
        #expect(Fixtures.press(.function(12), &model, &time) == [.quit])
    }

    @Test func inTrainingTheFinishKeyComesBeforeAScreensUseOfIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-finish-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/keymaps", withIntermediateDirectories: true)
        try "inherits = \"default\"\n[offer]\nmaximum = [\"F8\"]\n".write(toFile: root + "/keymaps/till.toml", atomically: true, encoding: .utf8)
        let keymap = try KeymapLoader(folders: ConfigurationFolders(directories: [root, Fixtures.repository])).load("till")
        var till = Fixtures.offerModel(settings: Fixtures.settings(keymap: keymap))
        var time: Int64 = 10_000
        _ = Fixtures.press(.character("0"), &till, &time)
        _ = Fixtures.press(.function(8), &till, &time)
        #expect(selected(till) == Units(4), "at a till F8 is the store's maximum")
        var trainee = till
        trainee.training = TrainingState(
            exercise: ExerciseCard(
                title: LocalizedText(english: "X", french: "X"), story: LocalizedText(english: "S", french: "S"),
                hint: LocalizedText(english: "H", french: "H"), asksDiscountQuestion: false, position: 1, count: 1, trainee: "Ana"))
        trainee.training?.phase = .working
        #expect(Fixtures.press(.function(8), &trainee, &time) == [.checkExercise(discountGiven: nil)])
        #expect(trainee.training?.phase == .checking)
    }
}

/// The amount chosen on the offer (or on its question) on screen; nil on another screen.
private func selected(_ model: Model) -> Units? {
    switch model.screen {
    case .offer(let offer), .confirm(let offer, _): offer.choice?.selected
    default: nil
    }
}

/// Whether the redemption's result shows its receipt.
private func showingReceipt(_ model: Model) -> Bool { if case .result(let result) = model.screen { result.showingReceipt } else { false } }

/// The notice of the ready screen; nil on another screen.
private func readyNotice(_ model: Model) -> LocalizedText? { if case .ready(let form) = model.screen { form.notice } else { nil } }
