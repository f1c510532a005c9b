import AMCashDomain
import AMCashWire
import ConsoleCore
import ConsoleTestSupport
import Foundation
import Testing

/// `update` reads every key through the active keymap, and kiosk mode keeps the console on screen.
@Suite struct KioskAndKeymapUpdateTests {
    /// From the offer: confirms $40; the REDEEM is with the host.
    static func redeeming(_ store: UpdateStore) {
        store.press(.enter) { $0.screen = .confirm(Given.offer(), Given.choice(4)) }
        let request = RedemptionRequest(card: Fixtures.card, basket: Given.basket, amount: Money(dollars: 40))
        store.press(.character("y"), effects: [.redeem(request)]) { $0.screen = .redeeming(Given.offer(), Given.choice(4)) }
    }

    @Test func keysWaitWhileTheHostIsAsked() {
        let store = UpdateStore.atTheOffer()
        Self.redeeming(store)
        // No key may take the screen from under the host's answer.
        for key: Key in [.function(1), .function(3), .function(10), .escape] { store.press(key) }
    }

    @Test func aKioskIgnoresCtrlCAndItsQuitKeyAsksForThePin() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings(kiosk: true)))
        store.press(.interrupt)  // Ctrl-C does nothing at all in a kiosk
        store.press(.function(10)) { $0.overlays = [.supervisor(SupervisorEntry())] }
        store.type("1234\n", effects: [.checkSupervisorPin("1234")]) {
            $0.overlays = [.supervisor(SupervisorEntry(pinText: "1234", checkingPin: true))]
        }
        store.send(.supervisorPinChecked(true)) {
            $0.overlays = [.supervisor(SupervisorEntry())]
            $0.quit = true
        }
    }

    @Test func wrongPinsAreCountedAndThreeLockTheScreenForAWhile() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings(kiosk: true)))
        store.press(.function(10)) { $0.overlays = [.supervisor(SupervisorEntry())] }
        for attempt in 1...3 {
            store.type("9999\n", effects: [.checkSupervisorPin("9999")]) {
                $0.overlays = [.supervisor(SupervisorEntry(pinText: "9999", checkingPin: true, notice: attempt > 1 ? ConsoleText.wrongPin : nil))]
            }
            // The lockout is written down.
            store.send(.supervisorPinChecked(false), effects: attempt < 3 ? [] : [.supervisorLockedOut(seconds: 30, lockouts: 1)]) {
                $0.overlays = [.supervisor(SupervisorEntry(notice: attempt < 3 ? ConsoleText.wrongPin : ConsoleText.pinLocked(30)))]
                $0.kiosk.pinFailures = attempt < 3 ? attempt : 0
                if attempt == 3 {
                    $0.kiosk.pinLockouts = 1
                    $0.kiosk.pinLockSeconds = 30
                }
            }
        }
        store.type("1234\n")  // locked: no PIN is checked, none is typed
        store.send(Array(repeating: .tick(clock: "13:33"), count: 30)) {
            $0.status.clock = "13:33"
            $0.status.secondsSinceEcho = 30
            $0.kiosk.idleSeconds = 30
            $0.kiosk.pinLockSeconds = 0
            $0.overlays = [.supervisor(SupervisorEntry())]
        }
        // After 30 s a PIN may be tried again.
        store.type("1234\n", effects: [.checkSupervisorPin("1234")]) {
            $0.kiosk.idleSeconds = 0
            $0.overlays = [.supervisor(SupervisorEntry(pinText: "1234", checkingPin: true))]
        }
        store.send(.supervisorPinChecked(false)) {
            $0.overlays = [.supervisor(SupervisorEntry(notice: ConsoleText.wrongPin))]
            $0.kiosk.pinFailures = 1
        }
        store.type("9999\n", effects: [.checkSupervisorPin("9999")]) {
            $0.overlays = [.supervisor(SupervisorEntry(pinText: "9999", checkingPin: true, notice: ConsoleText.wrongPin))]
        }
        store.send(.supervisorPinChecked(false)) {
            $0.overlays = [.supervisor(SupervisorEntry(notice: ConsoleText.wrongPin))]
            $0.kiosk.pinFailures = 2
        }
        store.type("9999\n", effects: [.checkSupervisorPin("9999")]) {
            $0.overlays = [.supervisor(SupervisorEntry(pinText: "9999", checkingPin: true, notice: ConsoleText.wrongPin))]
        }
        // Each lockout lasts twice as long.
        store.send(.supervisorPinChecked(false), effects: [.supervisorLockedOut(seconds: 60, lockouts: 2)]) {
            $0.overlays = [.supervisor(SupervisorEntry(notice: ConsoleText.pinLocked(60)))]
            $0.kiosk.pinFailures = 0
            $0.kiosk.pinLockouts = 2
            $0.kiosk.pinLockSeconds = 60
        }
    }

    @Test func aLockoutSurvivesARestart() {
        var settings = Fixtures.settings(kiosk: true)
        settings.pinLockoutRemaining = 45
        settings.pinLockouts = 2
        let store = UpdateStore.console(Model(settings: settings))
        #expect(store.model.kiosk.pinLockSeconds == 45 && store.model.kiosk.pinLockouts == 2)
        store.press(.function(10)) { $0.overlays = [.supervisor(SupervisorEntry())] }
        store.type("1234\n")  // still locked after the restart
        #expect(pinLockout(after: store.model.kiosk.pinLockouts) == 120)
    }

    @Test func aCardScannedOnThePinScreenIsNotTriedAsAPin() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings(kiosk: true)))
        store.press(.function(10)) { $0.overlays = [.supervisor(SupervisorEntry())] }
        // The digits the burst left in the PIN field are dropped; no wrong PIN is counted.
        store.scan("81000000001")
    }

    @Test func escLeavesThePinScreenForWhereTheCashierWas() {
        let store = UpdateStore.console(Model(settings: Fixtures.settings(kiosk: true)))
        store.type("43.35") { $0.screen = .ready(ReadyForm(basketText: "43.35")) }
        store.press(.function(10)) { $0.overlays = [.supervisor(SupervisorEntry())] }
        store.type("12") { $0.overlays = [.supervisor(SupervisorEntry(pinText: "12"))] }
        store.press(.escape) { $0.overlays = [] }
    }

    /// `seconds` ticks (13:33) on the offer, stated: the idle and echo counts go up, and the first tick asks
    /// CALCULATE what the amount on screen earns (not answered yet). Where a kiosk and a till part, they part after this.
    static func tickOnTheOffer(_ store: UpdateStore, seconds: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let request = Given.offer().earningRequest
        store.send(Array(repeating: .tick(clock: "13:33"), count: seconds), effects: [.calculate(request)], sourceLocation: sourceLocation) {
            $0.status.clock = "13:33"
            $0.status.secondsSinceEcho = seconds
            $0.kiosk.idleSeconds = seconds
            var offer = Given.offer()
            offer.preview = EarningPreview(request: request, miles: nil)
            $0.screen = .offer(offer)
        }
    }

    @Test func anIdleKioskClearsTheCollectorFromTheScreen() {
        let store = UpdateStore.atTheOffer(settings: Fixtures.settings(kiosk: true, idleSeconds: 20))
        // Not yet idle (the first tick asks what the sale earns).
        Self.tickOnTheOffer(store, seconds: 19)
        store.send(.tick(clock: "13:33")) {
            $0.status.secondsSinceEcho = 20
            $0.kiosk.idleSeconds = 20
            $0.screen = .ready(ReadyForm())
        }
    }

    @Test func outsideAKioskAnIdleOfferStays() {
        let store = UpdateStore.atTheOffer()
        // Ten minutes of ticks: no echo on the offer (only on the ready screen), and the offer stays. The
        // first asks once what the sale earns (CALCULATE), for the amount on screen.
        Self.tickOnTheOffer(store, seconds: 600)
    }

    @Test func idleNeverClearsAScreenWaitingForTheHost() {
        let store = UpdateStore.atTheOffer(settings: Fixtures.settings(kiosk: true, idleSeconds: 5))
        Self.redeeming(store)
        // The answer must still find its screen.
        store.send(Array(repeating: .tick(clock: "13:33"), count: 10)) {
            $0.status.clock = "13:33"
            $0.status.secondsSinceEcho = 10
            $0.kiosk.idleSeconds = 10
        }
    }
}
