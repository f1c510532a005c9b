import AMCashDomain
import AMCashWire

/// The only place the console's state changes. No I/O, no clock, no randomness: the same model and
/// message always give the same new model and the same effects. Each screen's keys live in its own
/// file under Screens/; this routes a message to the screen it is for.
public func update(_ model: inout Model, _ msg: Msg) -> [Effect] {
    let register = model.register
    let kind = model.screen.kind
    var effects = route(&model, msg)
    // A register's sale tells the register where it is: closed when the console moves on, its step otherwise.
    if let register {
        if model.register?.saleId != register.saleId {
            effects.append(.registerSaleClosed(saleId: register.saleId))
        } else if model.screen.kind != kind, model.screen.kind == .offer || model.screen.kind == .ready {
            effects.append(.registerSaleMoved(saleId: register.saleId, model.screen.kind == .offer ? .offer : .waitingForCard))
        }
    }
    return effects
}

private func route(_ model: inout Model, _ msg: Msg) -> [Effect] {
    switch msg {
    case .key(let press):
        return handleKey(&model, press)
    case .tick(let clock):
        return tick(&model, clock: clock)
    case .clock(let clock):
        model.status.clock = clock
    case .resized(let columns, let rows):
        model.columns = columns
        model.rows = rows
    case .inquired(let result):
        // The answer is for the sale under any overlay the cashier opened while waiting.
        guard case .lookingUp(let sale, _) = model.screen else { return [] }
        return OfferScreen.inquired(&model, sale, result)
    case .redeemed(let result, let traceId):
        guard case .redeeming(let offer, _) = model.screen else { return [] }
        return OfferScreen.redeemed(&model, offer.sale, result, traceId: traceId)
    case .calculated(let request, let outcome):
        return OfferScreen.calculated(&model, request, outcome)
    case .earned(let request, let outcome, let receipt, let traceId):
        return OfferScreen.earned(&model, request, outcome, receipt: receipt, traceId: traceId)
    case .reversibleLoaded(let items):
        guard case .reverseList(var list) = model.screen else { return [] }
        list.items = items
        list.selected = 0
        model.screen = .reverseList(list)
    case .reversed(let outcome):
        guard case .reversing(_, let item) = model.screen else { return [] }
        return ReverseScreen.reversed(&model, item, outcome)
    case .returnableLoaded(let items):
        guard case .returnList(var list) = model.screen else { return [] }
        list.items = items
        list.selected = 0
        model.screen = .returnList(list)
    case .returnableFound(let answer):
        guard case .returnList(let list) = model.screen else { return [] }
        ReturnScreen.found(&model, list, answer)
    case .saleReturned(let outcome):
        guard case .returning(_, let sale) = model.screen else { return [] }
        return ReturnScreen.returned(&model, sale, outcome)
    case .historyLoaded(let lines):
        if let index = model.overlays.lastIndex(where: { $0.kind == .history }) { model.overlays[index] = .history(lines, page: 0) }
    case .echoed(let up):
        model.status.connection = up ? .up : .down
    case .pendingCount(let count):
        model.status.pending = count
    case .recovering(let busy):
        model.status.resolving = busy
    case .printerState(let problem, let unprinted):
        model.status.printer = problem
        model.status.unprintedReceipts = unprinted
    case .drawn:
        guard model.overlays.isEmpty, case .result(var result) = model.screen, result.approvalToMark != nil || result.saleToMarkSeen != nil
        else { return [] }
        let effects = result.saleToMarkSeen.map { [Effect.markSaleSeen(traceId: $0)] } ?? []
        let shown = result.approvalToMark.map { [Effect.markShown(traceId: $0)] } ?? []
        result.approvalToMark = nil
        result.saleToMarkSeen = nil
        model.screen = .result(result)
        return effects + shown
    case .quitRequested:
        model.quit = true
    case .supervisorPinChecked(let matches):
        return withSupervisor(&model) { model, entry in SupervisorScreen.checked(matches, &model, &entry) }
    case .exerciseChecked(let verdict):
        TrainingScreen.checked(verdict, &model)
    case .registerSaleArrived(let origin):
        RegisterSaleScreen.arrived(origin, &model)
    case .registerSaleCancelled(let saleId):
        RegisterSaleScreen.cancelled(saleId, &model)
    case .registerAcknowledged(let saleId):
        return RegisterSaleScreen.acknowledged(saleId, &model)
    case .registerApprovalVoided(let saleId):
        RegisterSaleScreen.voided(saleId, &model)
    case .approvalNotShown(let confirmationNumber):
        guard case .result(let result) = model.screen, case .approved(let approval, _) = result.outcome,
            approval.confirmationNumber == confirmationNumber
        else { return [] }
        let text = LocalizedText(
            english: "This approval was not recorded as shown in time: the redemption was voided. Do not give the discount.",
            french: "Cet échange n'a pas été enregistré comme affiché à temps : il a été annulé. Ne donnez pas le rabais.")
        // The sale still earns (on the whole sale now): its miles line stays, and follows the ISSUE.
        model.screen = .result(RedemptionResult(outcome: .notSent(text), receipt: [], approvalToMark: nil, earning: result.earning))
    case .registerReversalRequested(let saleId, let confirmationNumber):
        return RegisterSaleScreen.reversalRequested(saleId, confirmationNumber, &model)
    }
    return []
}

private func tick(_ model: inout Model, clock: String) -> [Effect] {
    model.status.clock = clock
    model.status.secondsSinceEcho += 1
    model.kiosk.idleSeconds += 1
    if model.kiosk.pinLockSeconds > 0 {
        model.kiosk.pinLockSeconds -= 1
        if model.kiosk.pinLockSeconds == 0 {
            _ = withSupervisor(&model) { _, entry in
                entry.notice = nil
                return []
            }
        }
    }
    clearIfIdle(&model)
    if model.status.secondsSinceEcho >= model.settings.echoInterval && model.kind == .ready {
        model.status.secondsSinceEcho = 0
        return [.echo]
    }
    return OfferScreen.previewIfChanged(&model)
}

/// Kiosk mode: after the idle time, nothing of a collector stays on screen (unless a call is with
/// the host: its answer must still find its screen).
private func clearIfIdle(_ model: inout Model) {
    guard model.settings.kiosk, model.kiosk.idleSeconds >= model.settings.kioskIdleSeconds, !model.screen.kind.waitsOnHost else { return }
    if case .ready(let form) = model.screen, form.isBlank, model.overlays.isEmpty { return }
    model.startNewSale()
}

// MARK: - Keys

/// Reads a key through the keymap: the screen's context first, then `global`, then (on screens
/// that take typing) into the field. A scanner's burst ending in Enter is a card whatever Enter is bound to.
private func handleKey(_ model: inout Model, _ press: KeyPress) -> [Effect] {
    let gap = model.scanner.lastKeyAt.map { press.at - $0 }
    model.scanner.lastKeyAt = press.at
    model.kiosk.idleSeconds = 0
    let fast = gap.map { $0 <= model.settings.scannerGap } ?? false
    let keymap = model.settings.keymap

    if press.key == .interrupt {
        // Ctrl-C never quits; outside a kiosk the console says which key does.
        if !model.settings.kiosk, let key = keymap.primaryKey(for: .quit, in: .global) { showNotice(ConsoleText.quitHint(key), &model) }
        return []
    }
    // While the host is asked, keys wait: nothing may take the screen from under the answer.
    // (The finish key of a training exercise waits too; it is global, and there is no context.)
    guard let context = model.keyContext else { return [] }
    // In training the finish key comes first: a store's keymap may use the same key on a screen.
    if model.training != nil, let action = keymap.action(for: press.key, in: .global), action.isTrainingOnly,
        let effects = TrainingScreen.handle(action, in: .global, &model)
    {
        return effects
    }
    if context == .card, press.key == .enter, fast, model.scanner.text.count >= model.settings.scannerMinimumLength {
        return withReady(&model) { model, form in ReadyScreen.scanned(&model, &form) }
    }
    // A reversal reads the card again: a scan or a swipe on the question, never a typed number.
    if model.overlays.isEmpty, case .reverseConfirm(let list, let item, _) = model.screen {
        if case .character(let character) = press.key {
            if !fast { model.scanner.text = "" }
            if model.scanner.text.count < 120 { model.scanner.text.append(character) }
        } else if press.key == .enter, fast, model.scanner.text.count >= model.settings.scannerMinimumLength {
            let raw = model.scanner.text
            model.scanner.restart(in: nil)
            return ReverseScreen.cardRead(raw, &model, list, item)
        }
    }
    if let action = keymap.action(for: press.key, in: context) {
        if let effects = TrainingScreen.handle(action, in: context, &model) { return effects }
        return perform(action, in: context, &model, fast: fast)
    }
    if let action = keymap.action(for: press.key, in: .global) {
        if let effects = TrainingScreen.handle(action, in: .global, &model) { return effects }
        return performGlobal(action, &model)
    }
    if model.training?.coversTheTill == true { return [] }
    guard case .character(let character) = press.key, context.typesIntoField(character) else { return [] }
    switch context {
    case .card:
        return withReady(&model) { model, form in
            ReadyScreen.type(character, into: &form, &model.scanner, fast: fast, locked: model.register != nil)
            return []
        }
    case .reverse:
        if case .reverseList(let list) = model.screen { ReverseScreen.type(character, &model, list) }
        if case .returnList(let list) = model.screen { ReturnScreen.type(character, &model, list) }
    case .supervisor:
        return withSupervisor(&model) { model, entry in
            SupervisorScreen.type(character, &model, &entry)
            return []
        }
    default:
        break
    }
    return []
}

private func performGlobal(_ action: KeyAction, _ model: inout Model) -> [Effect] {
    let kind = model.kind
    switch action {
    case .language:
        model.language = model.language.other
    case .help where kind == .help:
        model.overlays.removeLast()
    case .help where kind != .supervisor:
        model.overlays.append(.help(page: 0))
    case .reverse where [.ready, .offer, .result, .history, .reverseResult, .returnList, .returnResult].contains(kind):
        model.startNewSale()
        model.screen = .reverseList(ReverseList())
        return [.loadReversible]
    case .returnSale where [.ready, .offer, .result, .history, .reverseList, .reverseResult, .returnResult].contains(kind):
        model.startNewSale()
        model.screen = .returnList(ReturnList())
        return [.loadReturnable]
    case .history where [.ready, .offer, .result, .reverseList, .reverseResult, .returnList, .returnResult].contains(kind):
        model.overlays.append(.history(nil, page: 0))
        return [.loadHistory]
    case .quit where model.settings.kiosk:
        guard kind != .supervisor else { return [] }
        model.overlays.append(.supervisor(SupervisorEntry()))
    case .quit:
        model.quit = true
    default:
        break
    }
    return []
}

private func perform(_ action: KeyAction, in context: KeyContext, _ model: inout Model, fast: Bool) -> [Effect] {
    // An earning receipt's barcode scanned on the return list: its Enter finds that sale (a question still follows).
    if fast, action == .select, model.overlays.isEmpty, case .returnList(let list) = model.screen,
        list.query.count >= model.settings.scannerMinimumLength
    {
        return ReturnScreen.scanned(&model, list)
    }
    if fast && commits(action, in: context) && !selectsAScannedReceipt(action, model) {
        // A scanner's burst ends in Enter: it never answers a question, ends a sale or submits a PIN.
        // Digits it left in the PIN field are dropped rather than counted as a wrong PIN.
        if context == .supervisor {
            _ = withSupervisor(&model) { _, entry in
                entry.pinText = ""
                return []
            }
        }
        return []
    }
    if let overlay = model.overlays.last {
        switch (overlay, action) {
        case (.help, .close), (.history, .close):
            model.overlays.removeLast()
        case (.help(let page), .next), (.help(let page), .previous):
            model.overlays[model.overlays.count - 1] = .help(page: Paging.turn(action, page, pages: HelpScreen.pageCount(model)))
        case (.history(let lines, let page), .next), (.history(let lines, let page), .previous):
            let pages = HistoryScreen.pageCount(lines, model)
            model.overlays[model.overlays.count - 1] = .history(lines, page: Paging.turn(action, page, pages: pages))
        case (.supervisor, _):
            return withSupervisor(&model) { model, entry in SupervisorScreen.act(action, &model, &entry) }
        default:
            break
        }
        return []
    }
    switch model.screen {
    case .ready:
        return withReady(&model) { model, form in ReadyScreen.act(action, &model, &form) }
    case .lookingUp(_, let form) where action == .cancel:
        model.screen = .ready(form)
        return [.cancel(.inquiry)]
    case .offer(let offer):
        return OfferScreen.act(action, &model, offer)
    case .confirm(let offer, let choice):
        return OfferScreen.answer(action == .yes, &model, offer, choice)
    case .result, .reverseResult, .returnResult:
        return ResultScreen.act(action, &model)
    case .reverseList(let list):
        return ReverseScreen.act(action, &model, list)
    case .reverseConfirm(let list, let item, _):
        return ReverseScreen.answer(action == .yes, &model, list, item)
    case .returnList(let list):
        return ReturnScreen.act(action, &model, list)
    case .returnItems(let list, let checklist):
        ReturnScreen.choose(action, &model, list, checklist)
        return []
    case .returnConfirm(let list, let sale):
        return ReturnScreen.answer(action == .yes, &model, list, sale)
    case .lookingUp, .redeeming, .reversing, .returning:
        return []
    }
}

/// A receipt's barcode scanned on the reverse list: its Enter selects that one redemption (the question
/// that follows still needs the cashier's yes and the card read again).
private func selectsAScannedReceipt(_ action: KeyAction, _ model: Model) -> Bool {
    guard action == .select, model.overlays.isEmpty, case .reverseList(let list) = model.screen else { return false }
    return list.scannedItem != nil
}

/// Actions that answer a question, end a sale or submit a PIN: never taken from a scanner's burst.
private func commits(_ action: KeyAction, in context: KeyContext) -> Bool {
    switch context {
    case .confirm, .result: true
    case .reverse: action == .select
    case .items: action == .returnChosen || action == .returnAll
    case .supervisor: action == .submit
    default: false
    }
}

/// Ctrl-C's hint goes where the visible screen shows its notices.
private func showNotice(_ notice: LocalizedText, _ model: inout Model) {
    guard model.overlays.isEmpty else { return }
    switch model.screen {
    case .ready(var form):
        form.notice = notice
        model.screen = .ready(form)
    case .offer(var offer):
        offer.notice = notice
        model.screen = .offer(offer)
    case .confirm(var offer, let choice):
        offer.notice = notice
        model.screen = .confirm(offer, choice)
    case .reverseConfirm(let list, let item, _):
        model.screen = .reverseConfirm(list, item, notice: notice)
    default:
        break
    }
}

/// Runs `body` on the ready form and writes it back, unless `body` moved to another screen.
private func withReady(_ model: inout Model, _ body: (inout Model, inout ReadyForm) -> [Effect]) -> [Effect] {
    guard model.overlays.isEmpty, case .ready(var form) = model.screen else { return [] }
    let effects = body(&model, &form)
    if case .ready = model.screen { model.screen = .ready(form) }
    return effects
}

/// Runs `body` on the supervisor entry on top and writes it back, unless `body` closed it.
private func withSupervisor(_ model: inout Model, _ body: (inout Model, inout SupervisorEntry) -> [Effect]) -> [Effect] {
    guard case .supervisor(var entry) = model.overlays.last else { return [] }
    let count = model.overlays.count
    let effects = body(&model, &entry)
    if model.overlays.count == count, case .supervisor = model.overlays.last { model.overlays[count - 1] = .supervisor(entry) }
    return effects
}
