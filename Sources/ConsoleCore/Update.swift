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
    case .quitRequested:
        model.quit = true
        return [.quit]
    }
}

// MARK: - Keys

private func handleKey(_ model: inout Model, _ press: KeyPress) -> [Effect] {
    let gap = model.lastKeyAt.map { press.at - $0 }
    model.lastKeyAt = press.at
    let fast = gap.map { $0 <= model.settings.scannerGap } ?? false

    // Global keys.
    switch press.key {
    case .function(1):
        guard model.screen != .help else { model.screen = model.returnScreen; return [] }
        model.returnScreen = model.screen
        model.screen = .help
        return []
    case .function(2):
        model.language = model.language.other
        return []
    case .function(3) where [.ready, .offer, .result, .history, .reverseResult].contains(model.screen):
        startNewSale(&model)
        model.screen = .reverseList
        model.reversible = []
        return [.loadReversible]
    case .function(4) where [.ready, .offer, .result, .reverseList, .reverseResult].contains(model.screen):
        model.returnScreen = model.screen
        model.screen = .history
        return [.loadHistory]
    case .function(10):
        model.quit = true
        return [.quit]
    case .interrupt:
        model.notice = ConsoleText.quitHint
        return []
    default:
        break
    }

    switch model.screen {
    case .ready: return readyKey(&model, press.key, fast: fast)
    case .lookingUp:
        if press.key == .escape {
            model.screen = .ready
            return [.cancelInquiry]
        }
        return []
    case .offer: return offerKey(&model, press.key)
    case .confirm:
        // A scanner's burst never confirms a dialog.
        if fast { return [] }
        switch press.key {
        case .enter, .character("y"), .character("Y"), .character("o"), .character("O"):
            guard let request = redemptionRequest(model) else { model.screen = .offer; return [] }
            model.screen = .redeeming
            return [.redeem(request)]
        case .escape, .character("n"), .character("N"):
            model.screen = .offer
            return []
        default:
            return []
        }
    case .redeeming, .reversing:
        return []
    case .result, .reverseResult:
        if fast { return [] }
        switch press.key {
        case .enter, .escape: startNewSale(&model)
        case .character("r"), .character("R"): if !model.receipt.isEmpty { model.showingReceipt.toggle() }
        default: break
        }
        return []
    case .reverseList:
        switch press.key {
        case .up: model.selected = max(0, model.selected - 1)
        case .down: model.selected = min(max(0, model.reverseMatches.count - 1), model.selected + 1)
        case .enter where !fast && !model.reverseMatches.isEmpty: model.screen = .reverseConfirm
        case .character(let character) where character.isLetter || character.isNumber:
            // Typing a confirmation number narrows the list to the redemptions it matches.
            if model.reverseQuery.count < 40 { model.reverseQuery.append(character) }
            model.selected = 0
        case .backspace:
            _ = model.reverseQuery.popLast()
            model.selected = 0
        case .escape: startNewSale(&model)
        default: break
        }
        return []
    case .reverseConfirm:
        if fast { return [] }
        switch press.key {
        case .enter, .character("y"), .character("Y"), .character("o"), .character("O"):
            let matches = model.reverseMatches
            guard matches.indices.contains(model.selected) else { return [] }
            model.screen = .reversing
            return [.reverse(matches[model.selected], model.language)]
        case .escape, .character("n"), .character("N"):
            model.screen = .reverseList
            return []
        default:
            return []
        }
    case .history, .help:
        if press.key == .escape || press.key == .enter { model.screen = model.returnScreen }
        return []
    }
}

private func readyKey(_ model: inout Model, _ key: Key, fast: Bool) -> [Effect] {
    switch key {
    case .character(let character) where character.isNumber || character == "." || character == "," || character == " " || character == "-"
                                          || character == ";" || character == "=" || character == "%" || character == "?" || character == "^"
                                          || character.isLetter:
        if !fast { resetBurst(&model) }
        model.burst.append(character)
        if model.focus == .basket {
            guard character.isNumber || character == "." || character == "," else { return [] }
            if model.basketText.count < 12 {
                model.basketText.append(character == "," ? "." : character)
                model.burstAppended += 1
            }
        } else if model.cardText.count < 80 {
            model.cardText.append(character)
            model.burstAppended += 1
        }
        model.notice = nil
        return []
    case .backspace:
        if model.focus == .basket { _ = model.basketText.popLast() } else { _ = model.cardText.popLast() }
        resetBurst(&model)
        return []
    case .tab, .down, .up:
        model.focus = model.focus == .basket ? .card : .basket
        resetBurst(&model)
        return []
    case .escape:
        startNewSale(&model)
        return []
    case .enter:
        let burst = model.burst
        let burstField = model.burstField
        let appended = model.burstAppended
        defer { resetBurst(&model) }
        if fast && burst.count >= model.settings.scannerMinimumLength {
            // A scan: take the burst out of the field it fell into and read it as the card.
            if burstField == .basket {
                model.basketText = String(model.basketText.dropLast(appended))
            } else {
                model.cardText = String(model.cardText.dropLast(appended))
            }
            return cardRead(&model, raw: burst, scanned: true)
        }
        if model.focus == .basket {
            model.focus = .card
            return []
        }
        return cardRead(&model, raw: model.cardText, scanned: false)
    default:
        return []
    }
}

/// A card arrived (scanned, swiped or keyed): with a basket, look it up.
private func cardRead(_ model: inout Model, raw: String, scanned: Bool) -> [Effect] {
    let reader = CardReader(format: model.settings.cardFormat)
    let read: CardRead
    do {
        if scanned {
            read = (raw.hasPrefix(";") || raw.hasPrefix("%")) ? try reader.swiped(raw) : try reader.scanned(raw)
        } else {
            read = try reader.keyed(raw)
        }
    } catch {
        model.notice = error.message
        return []
    }
    guard let basket = try? Money(parsing: model.basketText), basket.cents > 0 else {
        model.card = read
        model.cardText = read.number.masked
        model.focus = .basket
        model.notice = ConsoleText.badBasket
        return []
    }
    model.card = read
    model.basket = basket
    model.cardText = read.number.masked
    model.notice = nil
    model.screen = .lookingUp
    return [.inquire(InquiryRequest(card: read, basket: basket, language: model.language))]
}

private func offerKey(_ model: inout Model, _ key: Key) -> [Effect] {
    switch key {
    case .character("+"), .up, .right: model.choice?.stepUp()
    case .character("-"), .down, .left: model.choice?.stepDown()
    case .character("m"), .character("M"), .pageUp: model.choice?.selectMaximum()
    case .character("0"), .character("n"), .character("N"), .pageDown: model.choice?.selectNone()
    case .enter:
        guard let choice = model.choice, choice.isRedemption, model.card?.canRedeem == true else { return [] }
        model.screen = .confirm
    case .escape:
        startNewSale(&model)
    default:
        break
    }
    return []
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
    return RedemptionRequest(card: card, basket: basket, amount: choice.money, language: model.language)
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
    model.language = model.settings.language
    resetBurst(&model)
}
