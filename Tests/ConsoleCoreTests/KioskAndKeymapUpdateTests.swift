import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import Foundation
import Testing

/// `update` reads every key through the active keymap, and kiosk mode keeps the console on screen.
@Suite struct KioskAndKeymapUpdateTests {
    @Test func keysWaitWhileTheHostIsAsked() {
        var model = Fixtures.offerModel()
        var time: Int64 = 0
        _ = Fixtures.press(.enter, &model, &time)
        _ = Fixtures.press(.character("y"), &model, &time)
        #expect(model.kind == .redeeming)
        for key: Key in [.function(1), .function(3), .function(10), .escape] { _ = Fixtures.press(key, &model, &time) }
        #expect(model.kind == .redeeming && !model.quit, "no key may take the screen from under the host's answer")
    }

    @Test func aKioskIgnoresCtrlCAndItsQuitKeyAsksForThePin() {
        var model = Model(settings: Fixtures.settings(kiosk: true))
        var time: Int64 = 0
        #expect(Fixtures.press(.interrupt, &model, &time).isEmpty)
        #expect(model.notice == nil && !model.quit, "Ctrl-C does nothing at all in a kiosk")
        #expect(Fixtures.press(.function(10), &model, &time).isEmpty)
        #expect(model.kind == .supervisor && !model.quit)
        let effects = Fixtures.type("1234\n", into: &model, startingAt: &time)
        #expect(effects == [.checkSupervisorPin("1234")])
        #expect(update(&model, .supervisorPinChecked(true)) == [.quit])
        #expect(model.quit)
    }

    @Test func wrongPinsAreCountedAndThreeLockTheScreenForAWhile() {
        var model = Model(settings: Fixtures.settings(kiosk: true))
        var time: Int64 = 0
        _ = Fixtures.press(.function(10), &model, &time)
        for attempt in 1...3 {
            _ = Fixtures.type("9999\n", into: &model, startingAt: &time)
            let effects = update(&model, .supervisorPinChecked(false))
            #expect(model.pinText.isEmpty && !model.quit)
            #expect(model.notice == (attempt < 3 ? ConsoleText.wrongPin : ConsoleText.pinLocked(30)))
            #expect(effects == (attempt < 3 ? [] : [.supervisorLockedOut(seconds: 30, lockouts: 1)]), "the lockout is written down")
        }
        #expect(Fixtures.type("1234\n", into: &model, startingAt: &time).isEmpty, "locked: no PIN is checked")
        for _ in 0..<30 { _ = update(&model, .tick(clock: "13:33")) }
        #expect(Fixtures.type("1234\n", into: &model, startingAt: &time) == [.checkSupervisorPin("1234")], "after 30 s a PIN may be tried again")
        _ = update(&model, .supervisorPinChecked(false))
        for _ in 1...2 {
            _ = Fixtures.type("9999\n", into: &model, startingAt: &time)
            _ = update(&model, .supervisorPinChecked(false))
        }
        #expect(model.kiosk.pinLockSeconds == 60 && model.notice == ConsoleText.pinLocked(60), "each lockout lasts twice as long")
    }

    @Test func aLockoutSurvivesARestart() {
        var settings = Fixtures.settings(kiosk: true)
        settings.pinLockoutRemaining = 45
        settings.pinLockouts = 2
        var model = Model(settings: settings)
        var time: Int64 = 0
        _ = Fixtures.press(.function(10), &model, &time)
        #expect(Fixtures.type("1234\n", into: &model, startingAt: &time).isEmpty, "still locked after the restart")
        #expect(pinLockout(after: model.kiosk.pinLockouts) == 120)
    }

    @Test func aCardScannedOnThePinScreenIsNotTriedAsAPin() {
        var model = Model(settings: Fixtures.settings(kiosk: true))
        var time: Int64 = 0
        _ = Fixtures.press(.function(10), &model, &time)
        #expect(Fixtures.scan("81000000001", into: &model, startingAt: &time).isEmpty)
        #expect(model.pinText.isEmpty && model.kiosk.pinFailures == 0 && model.kind == .supervisor)
    }

    @Test func escLeavesThePinScreenForWhereTheCashierWas() {
        var model = Model(settings: Fixtures.settings(kiosk: true))
        var time: Int64 = 0
        _ = Fixtures.type("43.35", into: &model, startingAt: &time)
        _ = Fixtures.press(.function(10), &model, &time)
        _ = Fixtures.type("12", into: &model, startingAt: &time)
        _ = Fixtures.press(.escape, &model, &time)
        #expect(model.kind == .ready && model.basketText == "43.35" && model.pinText.isEmpty)
    }

    @Test func anIdleKioskClearsTheCollectorFromTheScreen() {
        var model = Fixtures.offerModel(settings: Fixtures.settings(kiosk: true, idleSeconds: 20))
        for _ in 0..<19 { _ = update(&model, .tick(clock: "13:33")) }
        #expect(model.kind == .offer, "not yet idle")
        _ = update(&model, .tick(clock: "13:33"))
        #expect(model.kind == .ready && model.card == nil && model.inquiry == nil && model.basketText.isEmpty)
    }

    @Test func outsideAKioskAnIdleOfferStays() {
        var model = Fixtures.offerModel()
        for _ in 0..<600 { _ = update(&model, .tick(clock: "13:33")) }
        #expect(model.kind == .offer && model.card != nil)
    }

    @Test func idleNeverClearsAScreenWaitingForTheHost() {
        var model = Fixtures.offerModel(settings: Fixtures.settings(kiosk: true, idleSeconds: 5))
        var time: Int64 = 10_000
        _ = Fixtures.press(.enter, &model, &time)
        _ = Fixtures.press(.character("y"), &model, &time)
        for _ in 0..<10 { _ = update(&model, .tick(clock: "13:33")) }
        #expect(model.kind == .redeeming, "the answer must still find its screen")
    }
}
