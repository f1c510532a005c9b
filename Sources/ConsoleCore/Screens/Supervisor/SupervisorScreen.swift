public import AMCashDomain

/// Kiosk mode's PIN entry.
public struct SupervisorEntry: Hashable, Sendable {
    /// The digits typed so far (never shown, never logged).
    public var pinText = ""
    /// The PIN is being checked (off the key loop: hashing takes a moment).
    public var checkingPin = false
    public var notice: LocalizedText?

    public init(pinText: String = "", checkingPin: Bool = false, notice: LocalizedText? = nil) {
        self.pinText = pinText
        self.checkingPin = checkingPin
        self.notice = notice
    }
}

/// Three wrong PINs in a row lock the supervisor screen: 30 s the first time, twice as long each
/// time after, at most an hour.
public func pinLockout(after lockouts: Int) -> Int { min(3600, 30 << min(lockouts, 7)) }

/// Keys on the supervisor screen and the answer of the PIN check.
enum SupervisorScreen {
    static func type(_ character: Character, _ model: inout Model, _ entry: inout SupervisorEntry) {
        if model.kiosk.pinLockSeconds == 0 && !entry.checkingPin && entry.pinText.count < 12 { entry.pinText.append(character) }
    }

    static func act(_ action: KeyAction, _ model: inout Model, _ entry: inout SupervisorEntry) -> [Effect] {
        switch action {
        case .delete:
            _ = entry.pinText.popLast()
        case .cancel:
            model.overlays.removeLast()
        case .submit:
            guard model.kiosk.pinLockSeconds == 0, !entry.checkingPin, !entry.pinText.isEmpty else { return [] }
            entry.checkingPin = true
            return [.checkSupervisorPin(entry.pinText)]
        default:
            break
        }
        return []
    }

    static func checked(_ matches: Bool, _ model: inout Model, _ entry: inout SupervisorEntry) -> [Effect] {
        entry.checkingPin = false
        entry.pinText = ""
        if matches {
            model.quit = true
            return []
        }
        model.kiosk.pinFailures += 1
        if model.kiosk.pinFailures >= 3 {
            model.kiosk.pinFailures = 0
            let seconds = pinLockout(after: model.kiosk.pinLockouts)
            model.kiosk.pinLockouts += 1
            model.kiosk.pinLockSeconds = seconds
            entry.notice = ConsoleText.pinLocked(seconds)
            return [.supervisorLockedOut(seconds: seconds, lockouts: model.kiosk.pinLockouts)]
        }
        entry.notice = ConsoleText.wrongPin
        return []
    }
}
