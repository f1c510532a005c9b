import AMCashAPI
import AMCashDomain

/// The only place the console's state changes. No I/O, no clock, no randomness: the same model and
/// message always give the same new model and the same effects.
public func update(_ model: inout Model, _ msg: Msg) -> [Effect] {
    switch msg {
    case .key(let press):
        return handleKey(&model, press)
    case .tick(let clock):
        model.clock = clock
        model.secondsSinceEcho += 1
        model.idleSeconds += 1
        if model.pinLockSeconds > 0 {
            model.pinLockSeconds -= 1
            if model.pinLockSeconds == 0 && model.screen == .supervisor { model.notice = nil }
        }
        clearIfIdle(&model)
        if model.secondsSinceEcho >= model.settings.echoInterval && model.screen == .ready {
            model.secondsSinceEcho = 0
            return [.echo]
        }
        return []
    case .resized(let columns, let rows):
        model.columns = columns
        model.rows = rows
        return []
    case .inquired(let result):
        guard model.screen == .lookingUp else { return [] }
        return inquired(&model, result)
    case .redeemed(let result, let traceId):
        guard model.screen == .redeeming else { return [] }
        return redeemed(&model, result, traceId: traceId)
    case .reversibleLoaded(let items):
        model.reversible = items
        model.selected = 0
        return []
    case .reversed(let outcome):
        guard model.screen == .reversing else { return [] }
        model.reversal = outcome
        model.screen = .reverseResult
        if case .reversed(let confirmation, let original) = outcome, let item = model.reversible.first(where: { $0.confirmationNumber == original }) {
            model.receipt = Receipt.reversal(item, reversalConfirmation: confirmation, model: model)
            return [.printReceipt(model.receipt)]
        }
        return []
    case .historyLoaded(let lines):
        model.history = lines
        return []
    case .echoed(let up):
        model.connection = up ? .up : .down
        return []
    case .pendingCount(let count):
        model.pending = count
        return []
    case .recovering(let busy):
        model.resolving = busy
        return []
    case .receiptWritten:
        return []
    case .drawn:
        guard let traceId = model.approvalToMark, model.screen == .result else { return [] }
        model.approvalToMark = nil
        return [.markShown(traceId: traceId)]
    case .quitRequested:
        model.quit = true
        return [.quit]
    case .supervisorPinChecked(let matches):
        return supervisorPinChecked(&model, matches)
    }
}

// MARK: - Keys

/// Reads a key through the keymap: the screen's context first, then `global`, then (on screens
/// that take typing) into the field. A scanner's burst ending in Enter is a card whatever Enter is bound to.
private func handleKey(_ model: inout Model, _ press: KeyPress) -> [Effect] {
    let gap = model.lastKeyAt.map { press.at - $0 }
    model.lastKeyAt = press.at
    model.idleSeconds = 0
    let fast = gap.map { $0 <= model.settings.scannerGap } ?? false
    let keymap = model.settings.keymap

    if press.key == .interrupt {
        // Ctrl-C never quits; outside a kiosk the console says which key does.
        if !model.settings.kiosk, let key = keymap.primaryKey(for: .quit, in: .global) { model.notice = ConsoleText.quitHint(key) }
        return []
    }
    // While the host is asked, keys wait: nothing may take the screen from under the answer.
    guard let context = model.screen.keyContext else { return [] }
    if context == .card, press.key == .enter, fast, model.burst.count >= model.settings.scannerMinimumLength {
        return scanned(&model)
    }
    // A reversal reads the card again: a scan or a swipe on the question, never a typed number.
    if model.screen == .reverseConfirm {
        if case .character(let character) = press.key {
            if !fast { model.burst = "" }
            if model.burst.count < 120 { model.burst.append(character) }
        } else if press.key == .enter, fast, model.burst.count >= model.settings.scannerMinimumLength {
            return reversalCardRead(&model)
        }
    }
    if let action = keymap.action(for: press.key, in: context) {
        return perform(action, in: context, &model, fast: fast)
    }
    if let action = keymap.action(for: press.key, in: .global) {
        return performGlobal(action, &model)
    }
    guard case .character(let character) = press.key, context.typesIntoField(character) else { return [] }
    switch context {
    case .card: typeIntoCardField(&model, character, fast: fast)
    case .reverse:
        // Typing a confirmation number narrows the list to the redemptions it matches.
        if model.reverseQuery.count < 40 { model.reverseQuery.append(character) }
        model.selected = 0
    case .supervisor:
        if model.pinLockSeconds == 0 && !model.checkingPin && model.pinText.count < 12 { model.pinText.append(character) }
    default: break
    }
    return []
}

private func performGlobal(_ action: KeyAction, _ model: inout Model) -> [Effect] {
    let screen = model.screen
    switch action {
    case .language:
        model.language = model.language.other
    case .help where screen == .help:
        closeOverlay(&model)
    case .help where screen != .supervisor:
        model.returnScreens.append(screen)
        model.screen = .help
    case .reverse where [.ready, .offer, .result, .history, .reverseResult].contains(screen):
        startNewSale(&model)
        model.screen = .reverseList
        model.reversible = []
        return [.loadReversible]
    case .history where [.ready, .offer, .result, .reverseList, .reverseResult].contains(screen):
        model.returnScreens.append(screen)
        model.screen = .history
        return [.loadHistory]
    case .quit where model.settings.kiosk:
        guard screen != .supervisor else { return [] }
        model.returnScreens.append(screen)
        model.screen = .supervisor
        model.pinText = ""
        model.notice = nil
    case .quit:
        model.quit = true
        return [.quit]
    default:
        break
    }
    return []
}

private func perform(_ action: KeyAction, in context: KeyContext, _ model: inout Model, fast: Bool) -> [Effect] {
    if fast && commits(action, in: context) {
        // A scanner's burst ends in Enter: it never answers a question, ends a sale or submits a PIN.
        // Digits it left in the PIN field are dropped rather than counted as a wrong PIN.
        if context == .supervisor { model.pinText = "" }
        return []
    }
    switch (context, action) {
    case (.card, _): return cardAction(action, &model)
    case (.lookup, .cancel):
        model.screen = .ready
        return [.cancelInquiry]
    case (.offer, _): return offerAction(action, &model)
    case (.confirm, _):
        return confirmAction(action == .yes, &model)
    case (.result, .newSale):
        startNewSale(&model)
    case (.result, .receipt):
        if !model.receipt.isEmpty { model.showingReceipt.toggle() }
    case (.reverse, .previous): model.selected = max(0, model.selected - 1)
    case (.reverse, .next): model.selected = min(max(0, model.reverseMatches.count - 1), model.selected + 1)
    case (.reverse, .select) where !model.reverseMatches.isEmpty: model.screen = .reverseConfirm
    case (.reverse, .delete):
        _ = model.reverseQuery.popLast()
        model.selected = 0
    case (.reverse, .cancel): startNewSale(&model)
    case (.dialog, .close): closeOverlay(&model)
    case (.supervisor, _): return supervisorAction(action, &model)
    default: break
    }
    return []
}

/// Actions that answer a question, end a sale or submit a PIN: never taken from a scanner's burst.
private func commits(_ action: KeyAction, in context: KeyContext) -> Bool {
    switch context {
    case .confirm, .result: true
    case .reverse: action == .select
    case .supervisor: action == .submit
    default: false
    }
}

private func typeIntoCardField(_ model: inout Model, _ character: Character, fast: Bool) {
    if !fast { resetBurst(&model) }
    model.burst.append(character)
    if model.focus == .basket || model.focus == .preTax {
        guard character.isNumber || character == "." || character == "," else { return }
        let digit = character == "," ? "." : character
        if model.focus == .basket, model.basketText.count < 12 {
            model.basketText.append(digit)
            model.burstAppended += 1
        } else if model.focus == .preTax, model.preTaxText.count < 12 {
            model.preTaxText.append(digit)
            model.burstAppended += 1
        }
    } else if model.cardText.count < 80 {
        model.cardText.append(character)
        model.burstAppended += 1
    }
    model.notice = nil
}

private func cardAction(_ action: KeyAction, _ model: inout Model) -> [Effect] {
    defer { resetBurst(&model) }
    switch action {
    case .delete:
        switch model.focus {
        case .basket: _ = model.basketText.popLast()
        case .preTax: _ = model.preTaxText.popLast()
        case .card: _ = model.cardText.popLast()
        }
    case .nextField:
        let fields = model.settings.readyFields
        model.focus = fields[((fields.firstIndex(of: model.focus) ?? 0) + 1) % fields.count]
    case .clear:
        startNewSale(&model)
    case .submit:
        if model.focus != .card {
            let fields = model.settings.readyFields
            model.focus = fields[min(fields.count - 1, (fields.firstIndex(of: model.focus) ?? 0) + 1)]
            return []
        }
        return cardRead(&model, raw: model.cardText, scanned: false)
    default:
        break
    }
    return []
}

/// A scan: take the burst out of the field it fell into and read it as the card.
private func scanned(_ model: inout Model) -> [Effect] {
    let burst = model.burst
    switch model.burstField {
    case .basket: model.basketText = String(model.basketText.dropLast(model.burstAppended))
    case .preTax: model.preTaxText = String(model.preTaxText.dropLast(model.burstAppended))
    case .card, nil: model.cardText = String(model.cardText.dropLast(model.burstAppended))
    }
    resetBurst(&model)
    return cardRead(&model, raw: burst, scanned: true)
}

/// The card read again on the reversal question: its last four digits must be the redemption's;
/// the REVERSE carries this read (its number and how it was read).
private func reversalCardRead(_ model: inout Model) -> [Effect] {
    let raw = model.burst
    resetBurst(&model)
    let matches = model.reverseMatches
    guard matches.indices.contains(model.selected) else { return [] }
    let item = matches[model.selected]
    let reader = CardReader(format: model.settings.cardFormat)
    let read: CardRead
    do {
        let swiped = raw.hasPrefix(";") || raw.hasPrefix("%")
        guard swiped || model.settings.isScan(raw) else {
            model.notice = ConsoleText.reverseNeedsCard
            return []
        }
        read = swiped ? try reader.swiped(raw) : try reader.scanned(raw)
    } catch {
        model.notice = error.message
        return []
    }
    guard read.number.lastFour == item.card.number.lastFour else {
        model.notice = ConsoleText.reverseWrongCard(item.maskedCard)
        return []
    }
    model.notice = nil
    model.screen = .reversing
    let reread = ReversibleItem(journalId: item.journalId, confirmationNumber: item.confirmationNumber, card: read,
                                maskedCard: item.maskedCard, money: item.money, time: item.time)
    return [.reverse(reread, model.language)]
}

/// A card arrived (scanned, swiped or keyed): with a basket, look it up.
private func cardRead(_ model: inout Model, raw: String, scanned: Bool) -> [Effect] {
    let reader = CardReader(format: model.settings.cardFormat)
    let read: CardRead
    do {
        let swiped = raw.hasPrefix(";") || raw.hasPrefix("%")
        if scanned && (swiped || model.settings.isScan(raw)) {
            read = swiped ? try reader.swiped(raw) : try reader.scanned(raw)
        } else {
            read = try reader.keyed(raw)
        }
    } catch {
        model.notice = error.message
        return []
    }
    /// An amount field still to fill: keep the card, send the cursor there, say what is missing.
    func missing(_ field: ReadyField, _ notice: LocalizedText) -> [Effect] {
        model.card = read
        model.cardText = read.number.masked
        model.focus = field
        model.notice = notice
        return []
    }
    guard let basket = try? Money(parsing: model.basketText), basket.cents > 0 else { return missing(.basket, ConsoleText.badBasket) }
    var preTax: Money?
    if model.settings.askPreTaxAmount {
        guard let typed = try? Money(parsing: model.preTaxText), typed.cents > 0 else { return missing(.preTax, ConsoleText.badPreTax) }
        preTax = typed
    }
    model.card = read
    model.basket = basket
    model.preTax = preTax
    model.cardText = read.number.masked
    model.notice = nil
    model.screen = .lookingUp
    return [.inquire(InquiryRequest(card: read, basket: basket, language: model.language))]
}

private func offerAction(_ action: KeyAction, _ model: inout Model) -> [Effect] {
    switch action {
    case .stepUp: model.choice?.stepUp()
    case .stepDown: model.choice?.stepDown()
    case .maximum: model.choice?.selectMaximum()
    case .none: model.choice?.selectNone()
    case .confirm:
        guard let choice = model.choice, choice.isRedemption, model.card?.canRedeem == true else { return [] }
        model.screen = .confirm
    case .cancel:
        startNewSale(&model)
    default:
        break
    }
    return []
}

/// Yes or no on the redemption or the reversal question.
private func confirmAction(_ yes: Bool, _ model: inout Model) -> [Effect] {
    if model.screen == .reverseConfirm {
        guard yes else { model.screen = .reverseList; model.notice = nil; return [] }
        // Yes alone is not enough: the card must be read again (the reversal sends how it was read).
        model.notice = ConsoleText.reverseNeedsCard
        return []
    }
    guard yes else { model.screen = .offer; return [] }
    guard let request = redemptionRequest(model) else { model.screen = .offer; return [] }
    model.screen = .redeeming
    return [.redeem(request)]
}

private func supervisorAction(_ action: KeyAction, _ model: inout Model) -> [Effect] {
    switch action {
    case .delete:
        _ = model.pinText.popLast()
    case .cancel:
        model.pinText = ""
        model.notice = nil
        closeOverlay(&model)
    case .submit:
        guard model.pinLockSeconds == 0, !model.checkingPin, !model.pinText.isEmpty else { return [] }
        model.checkingPin = true
        return [.checkSupervisorPin(model.pinText)]
    default:
        break
    }
    return []
}

/// Three wrong PINs in a row lock the supervisor screen: 30 s the first time, twice as long each
/// time after, at most an hour.
public func pinLockout(after lockouts: Int) -> Int { min(3600, 30 << min(lockouts, 7)) }

private func supervisorPinChecked(_ model: inout Model, _ matches: Bool) -> [Effect] {
    model.checkingPin = false
    model.pinText = ""
    guard model.screen == .supervisor else { return [] }
    if matches {
        model.quit = true
        return [.quit]
    }
    model.pinFailures += 1
    if model.pinFailures >= 3 {
        model.pinFailures = 0
        let seconds = pinLockout(after: model.pinLockouts)
        model.pinLockouts += 1
        model.pinLockSeconds = seconds
        model.notice = ConsoleText.pinLocked(seconds)
        return [.supervisorLockedOut(seconds: seconds, lockouts: model.pinLockouts)]
    }
    model.notice = ConsoleText.wrongPin
    return []
}

/// Kiosk mode: after the idle time, nothing of a collector stays on screen.
private func clearIfIdle(_ model: inout Model) {
    guard model.settings.kiosk, model.idleSeconds >= model.settings.kioskIdleSeconds else { return }
    guard ![.lookingUp, .redeeming, .reversing].contains(model.screen) else { return }
    let blank = model.screen == .ready && model.basketText.isEmpty && model.cardText.isEmpty && model.card == nil && model.notice == nil
    if !blank { startNewSale(&model) }
}

private func closeOverlay(_ model: inout Model) {
    model.screen = model.returnScreens.popLast() ?? .ready
}

// MARK: - Answers

private func inquired(_ model: inout Model, _ result: HostResult<InquiryReply>) -> [Effect] {
    model.screen = .offer
    switch result {
    case .answered(let reply):
        model.inquiry = reply
        model.connection = .up
        if let basket = model.basket, let limits = reply.limits(basket: basket), model.card?.canRedeem == true {
            model.choice = RedemptionChoice(limits: limits)
        } else {
            model.choice = nil
        }
        if reply.answer.outcome != .approved {
            model.notice = LocalizedText(english: reply.answer.meaning.message.english + " " + reply.answer.meaning.action.text.english,
                                         french: reply.answer.meaning.message.french + " " + reply.answer.meaning.action.text.french)
        }
    case .notSent(let failure), .unknown(let failure):
        model.inquiry = nil
        model.choice = nil
        model.connection = .down
        model.notice = LocalizedText(english: failure.message.english + " " + CashierAction.otherTender.text.english,
                                     french: failure.message.french + " " + CashierAction.otherTender.text.french)
    }
    return []
}

private func redeemed(_ model: inout Model, _ result: HostResult<RedemptionReply>, traceId: String) -> [Effect] {
    model.screen = .result
    switch result {
    case .answered(let reply):
        if let approval = reply.approval, reply.answer.outcome == .approved {
            model.redemption = .approved(approval, reply.balances)
            model.approvalToMark = traceId
            model.receipt = Receipt.redemption(approval, balances: reply.balances, traceId: traceId, model: model)
            return [.printReceipt(model.receipt)]
        }
        if reply.answer.outcome == .unknown {
            model.redemption = .unknown(traceId: traceId)
        } else {
            model.redemption = .declined(reply.answer.meaning, hostMessage: reply.answer.hostMessage)
        }
    case .notSent(let failure):
        model.redemption = .notSent(failure.message)
    case .unknown:
        model.redemption = .unknown(traceId: traceId)
    }
    return []
}

// MARK: - Helpers

private func redemptionRequest(_ model: Model) -> RedemptionRequest? {
    guard let card = model.card, card.canRedeem, let basket = model.basket, let choice = model.choice, choice.isRedemption else { return nil }
    return RedemptionRequest(card: card, basket: basket, amount: choice.money, preTaxAmount: model.preTax, language: model.language)
}

/// Starts a new possible burst in the field that has the cursor.
private func resetBurst(_ model: inout Model) {
    model.burst = ""
    model.burstField = model.focus
    model.burstAppended = 0
}

private func startNewSale(_ model: inout Model) {
    model.screen = .ready
    model.focus = .basket
    model.basketText = ""
    model.preTaxText = ""
    model.preTax = nil
    model.cardText = ""
    model.notice = nil
    model.basket = nil
    model.card = nil
    model.inquiry = nil
    model.choice = nil
    model.redemption = nil
    model.reversal = nil
    model.reverseQuery = ""
    model.receipt = []
    model.showingReceipt = false
    model.returnScreens = []
    model.pinText = ""
    model.checkingPin = false
    model.language = model.settings.language
    resetBurst(&model)
}
