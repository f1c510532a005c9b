public import ConsoleCore
import AMCashAPI
import AMCashDomain

/// Draws the whole screen from the model: status line, training banner, the screen's body and the
/// key legend. Pure: no state, no I/O. Works from 80×24 up, and in a compact layout down to 40×12.
public func view(_ model: Model, into canvas: inout some Canvas) {
    let language = model.language
    func text(_ localized: LocalizedText) -> String { localized.text(language) }
    guard canvas.columns >= 40, canvas.rows >= 12 else {
        canvas.put(text(ConsoleText.tooSmall), row: 0, column: 0, role: .error)
        return
    }
    let compact = canvas.columns < 80 || canvas.rows < 24
    var layout = Layout(canvas: canvas, compact: compact)
    layout.legendLines = Legend.lines(model, width: canvas.columns, compact: compact)
    layout.statusLine(model)
    layout.body(model)
    layout.legend(model)
    canvas = layout.canvas
}

/// Lays out one frame.
private struct Layout<C: Canvas> {
    var canvas: C
    let compact: Bool
    var row = 0
    /// The key legend at the bottom: one line on a narrow screen, up to two from 80 columns.
    var legendLines: [[Legend.Entry]] = []
    /// The first row the legend takes; the body stops above it.
    var bodyEnd: Int { canvas.rows - max(1, legendLines.count) }

    init(canvas: C, compact: Bool) {
        self.canvas = canvas
        self.compact = compact
    }

    var width: Int { canvas.columns }

    mutating func statusLine(_ model: Model) {
        let language = model.language
        let identity = model.settings.identity
        let connection: LocalizedText = switch model.connection {
        case .up: ConsoleText.connectionUp
        case .down: ConsoleText.connectionDown
        case .unknown: ConsoleText.connectionUnknown
        }
        let environment = model.settings.environment.rawValue
        let pending = "\(ConsoleText.pending.text(language)) \(model.pending)"
        let status = compact
            ? " \(environment) \(identity.deviceId) \(connection.text(language)) \(model.pending > 0 ? "P\(model.pending) " : "")\(model.clock)"
            : " \(ConsoleText.title.text(language)) | \(environment) | \(identity.sponsorCode) \(identity.storeId) \(identity.deviceId) | \(connection.text(language)) | \(pending) | \(model.clock)"
        canvas.fill(row: 0, role: .statusbar)
        canvas.put(status, row: 0, column: 0, role: .statusbar)
        row = 1
        if model.settings.isTraining {
            let banner = compact ? ConsoleText.trainingCompact.text(language) : "*** " + ConsoleText.training.text(language) + " ***"
            canvas.fill(row: row, role: .bannerTraining)
            canvas.put(banner, row: row, column: max(0, (width - banner.count) / 2), role: .bannerTraining)
            row += 1
        }
        if model.resolving {
            line(ConsoleText.resolving.text(language), role: .hint)
        }
        if !compact { row += 1 }
    }

    mutating func line(_ text: String, role: StyleRole = .normal, indent: Int = 1) {
        guard row < bodyEnd else { return }
        canvas.put(text, row: row, column: indent, role: role)
        row += 1
    }

    mutating func wrapped(_ text: String, role: StyleRole = .normal) {
        var current = ""
        for word in text.split(separator: " ") {
            if current.count + word.count + 1 > width - 2 && !current.isEmpty {
                line(current, role: role)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { line(current, role: role) }
    }

    mutating func blank() { if !compact { row += 1 } }

    mutating func labelled(_ label: String, _ value: String, role: StyleRole = .value, labelWidth: Int) {
        guard row < bodyEnd else { return }
        if compact {
            // Narrow screens: the value on the label's line if it fits, else on its own line below.
            canvas.put(label, row: row, column: 1, role: .label)
            if label.count + 2 + value.count <= width - 1 {
                canvas.put(value, row: row, column: label.count + 2, role: role)
                row += 1
            } else {
                row += 1
                line(value, role: role, indent: 2)
            }
            return
        }
        let shownLabel = label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
        canvas.put(shownLabel, row: row, column: 1, role: .label)
        canvas.put(value, row: row, column: 1 + shownLabel.count + 1, role: role)
        row += 1
    }

    mutating func body(_ model: Model) {
        let language = model.language
        func text(_ localized: LocalizedText) -> String { localized.text(language) }
        switch model.screen {
        case .ready:
            let labelWidth = 36
            let basketLabel = text(ConsoleText.basket) + ":"
            let cardLabel = text(ConsoleText.card) + ":"
            let fieldWidth = compact ? width - 3 : 24
            if compact {
                line(basketLabel, role: .label)
                let basketRow = row
                canvas.put("[" + model.basketText.padding(toLength: fieldWidth - 2, withPad: " ", startingAt: 0) + "]", row: row, column: 1,
                           role: model.focus == .basket ? .fieldFocused : .field)
                row += 1
                var preTaxRow = row
                if model.settings.askPreTaxAmount {
                    line(text(ConsoleText.preTax) + ":", role: .label)
                    preTaxRow = row
                    canvas.put("[" + model.preTaxText.padding(toLength: fieldWidth - 2, withPad: " ", startingAt: 0) + "]", row: row,
                               column: 1, role: model.focus == .preTax ? .fieldFocused : .field)
                    row += 1
                }
                line(cardLabel, role: .label)
                let cardRow = row
                canvas.put("[" + model.cardText.padding(toLength: fieldWidth - 2, withPad: " ", startingAt: 0) + "]", row: row, column: 1,
                           role: model.focus == .card ? .fieldFocused : .field)
                row += 1
                placeCursor(model, basketRow: basketRow, preTaxRow: preTaxRow, cardRow: cardRow, column: 2)
            } else {
                let basketRow = row
                canvas.put(basketLabel, row: row, column: 1, role: .label)
                canvas.put("[" + model.basketText.padding(toLength: fieldWidth, withPad: " ", startingAt: 0) + "]", row: row,
                           column: 1 + labelWidth, role: model.focus == .basket ? .fieldFocused : .field)
                row += 1
                let preTaxRow = row
                if model.settings.askPreTaxAmount {
                    canvas.put(text(ConsoleText.preTax) + ":", row: row, column: 1, role: .label)
                    canvas.put("[" + model.preTaxText.padding(toLength: fieldWidth, withPad: " ", startingAt: 0) + "]", row: row,
                               column: 1 + labelWidth, role: model.focus == .preTax ? .fieldFocused : .field)
                    row += 1
                }
                let cardRow = row
                canvas.put(cardLabel, row: row, column: 1, role: .label)
                canvas.put("[" + model.cardText.padding(toLength: fieldWidth, withPad: " ", startingAt: 0) + "]", row: row,
                           column: 1 + labelWidth, role: model.focus == .card ? .fieldFocused : .field)
                row += 1
                placeCursor(model, basketRow: basketRow, preTaxRow: preTaxRow, cardRow: cardRow, column: 2 + labelWidth)
            }
            blank()
            wrapped(text(ConsoleText.scanPrompt), role: .hint)
            if let notice = model.notice { wrapped(text(notice), role: .error) }
        case .lookingUp:
            wrapped(text(ConsoleText.lookingUp), role: .title)
            if let card = model.card { line(card.number.masked + " (" + text(ConsoleText.entryMode(card.entryMode)) + ")", role: .value) }
            if let basket = model.basket { line(basket.formatted(language), role: .value) }
            blank()
            if let key = model.settings.keymap.primaryKey(for: .cancel, in: .lookup) { wrapped(text(ConsoleText.cancelsTheWait(key)), role: .hint) }
        case .offer, .confirm:
            offer(model)
        case .redeeming:
            wrapped(text(ConsoleText.redeeming), role: .title)
            if let choice = model.choice { line(choice.money.formatted(language) + " — " + "\(choice.miles.value) " + text(ConsoleText.miles), role: .amountRedeem) }
        case .result where model.showingReceipt, .reverseResult where model.showingReceipt:
            for receiptLine in model.receipt { line(receiptLine, role: .value, indent: compact ? 1 : 4) }
        case .result:
            result(model)
        case .reverseList, .reverseConfirm:
            line(text(ConsoleText.reverseTitle), role: .title)
            if !model.reversible.isEmpty {
                let prompt = text(ConsoleText.typeConfirmation) + ": "
                labelled(prompt, "[" + model.reverseQuery + "]", role: .fieldFocused, labelWidth: prompt.count)
            }
            blank()
            if model.reversible.isEmpty { wrapped(text(ConsoleText.noReversible), role: .hint) }
            if !model.reversible.isEmpty && model.reverseMatches.isEmpty { wrapped(text(ConsoleText.noMatch), role: .error) }
            for (index, item) in model.reverseMatches.enumerated() {
                let marker = index == model.selected ? "> " : "  "
                let entry = compact
                    ? "\(marker)\(item.time) \(item.card.number.lastFour) \(item.money.formatted(language))"
                    : "\(marker)\(item.time)  \(item.maskedCard)  \(item.money.formatted(language).padding(toLength: 10, withPad: " ", startingAt: 0))  \(item.confirmationNumber)"
                if index == model.selected { canvas.placeCursor(row: row, column: 1) }
                line(entry, role: index == model.selected ? .selected : .normal)
            }
            if model.screen == .reverseConfirm, model.reverseMatches.indices.contains(model.selected) {
                blank()
                wrapped(text(ConsoleText.reverseQuestion), role: .title)
                wrapped(text(ConsoleText.reverseScanPrompt), role: .hint)
                if let notice = model.notice { wrapped(text(notice), role: .error) }
                line(Legend.answers(model), role: .hint)
            }
        case .reversing:
            wrapped(text(ConsoleText.reversing), role: .title)
        case .reverseResult:
            switch model.reversal {
            case .reversed(let confirmation, let original)?:
                line(text(ConsoleText.reversed), role: .approved)
                labelled(text(ConsoleText.confirmation) + ":", confirmation ?? "-", labelWidth: 24)
                labelled(text(ConsoleText.reversedRedemption) + ":", original, role: .normal, labelWidth: 24)
                line(text(ConsoleText.receiptWritten), role: .hint)
            case .queued(let original)?:
                line(text(ConsoleText.reversalQueued), role: .unknown)
                labelled(text(ConsoleText.reversedRedemption) + ":", original, role: .normal, labelWidth: 24)
            case .exception(let original, let reason)?:
                line(text(ConsoleText.reversalException), role: .declined)
                labelled(text(ConsoleText.reversedRedemption) + ":", original, role: .normal, labelWidth: 24)
                wrapped(reason, role: .hint)
            case nil:
                break
            }
        case .history:
            line(text(ConsoleText.historyTitle), role: .title)
            blank()
            if model.history.isEmpty { wrapped(text(ConsoleText.noHistory), role: .hint) }
            for entry in model.history {
                let amount = entry.money?.formatted(language) ?? "-"
                let kind = text(ConsoleText.historyKind(entry.kind)), state = text(ConsoleText.historyState(entry.state))
                line(compact ? "\(entry.time) \(kind.prefix(3)) \(state.prefix(8)) \(amount)"
                             : "\(entry.time)  \(kind.padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.maskedCard)  \(state.padding(toLength: 12, withPad: " ", startingAt: 0)) \(amount.padding(toLength: 10, withPad: " ", startingAt: 0)) \(entry.confirmationNumber ?? "")")
            }
        case .supervisor:
            wrapped(text(ConsoleText.supervisorTitle), role: .title)
            blank()
            let label = text(ConsoleText.supervisorPin) + ": "
            // The PIN shows as one star a digit; the cursor rests after the last.
            let stars = String(repeating: "*", count: model.pinText.count)
            canvas.put(label, row: row, column: 1, role: .label)
            canvas.put("[" + stars.padding(toLength: 12, withPad: " ", startingAt: 0) + "]", row: row, column: 1 + label.count, role: .fieldFocused)
            canvas.placeCursor(row: row, column: 2 + label.count + stars.count)
            row += 1
            blank()
            if model.checkingPin { line(text(ConsoleText.checkingPin), role: .hint) }
            if let notice = model.notice { wrapped(text(notice), role: .error) }
        case .help:
            line(text(ConsoleText.helpTitle), role: .title)
            for (keys, label) in Legend.help(model) {
                let keyWidth = compact ? 10 : 22
                let shownKeys = keys.count > keyWidth ? String(keys.prefix(keyWidth - 1)) + "…" : keys.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
                line(shownKeys + " " + label.text(language))
            }
            if model.settings.isTraining && !model.settings.testCollectors.isEmpty {
                blank()
                line(text(ConsoleText.testCollectors), role: .title)
                for collector in model.settings.testCollectors {
                    line(compact ? "\(collector.number) \(collector.situation)" : "\(collector.number)  \(collector.situation.padding(toLength: 17, withPad: " ", startingAt: 0)) \(collector.summary)")
                }
            }
        }
    }

    mutating func placeCursor(_ model: Model, basketRow: Int, preTaxRow: Int, cardRow: Int, column: Int) {
        switch model.focus {
        case .basket: canvas.placeCursor(row: basketRow, column: column + model.basketText.count)
        case .preTax: canvas.placeCursor(row: preTaxRow, column: column + model.preTaxText.count)
        case .card: canvas.placeCursor(row: cardRow, column: column + model.cardText.count)
        }
    }

    mutating func offer(_ model: Model) {
        let language = model.language
        func text(_ localized: LocalizedText) -> String { localized.text(language) }
        // Wide enough for the longest label in this language (French ones are longer), at most 36.
        let labels = [ConsoleText.card, ConsoleText.basket, ConsoleText.amCash, ConsoleText.canRedeem, ConsoleText.todayLeft, ConsoleText.redeemAmount]
        let labelWidth = max(26, min(36, (labels.map { text($0).count }.max() ?? 0) + 2))
        if let card = model.card {
            labelled(text(ConsoleText.card) + ":", card.number.masked + " (" + text(ConsoleText.entryMode(card.entryMode)) + ")", labelWidth: labelWidth)
        }
        if let basket = model.basket { labelled(text(ConsoleText.basket) + ":", basket.formatted(language), labelWidth: labelWidth) }
        if let inquiry = model.inquiry {
            if model.settings.showBalances, inquiry.answer.meaning.showsBalance, let cash = inquiry.balances.cash {
                let dream = inquiry.balances.dream.map { "   \(text(ConsoleText.dream)) \($0.formatted(language)) \(text(ConsoleText.miles))" } ?? ""
                labelled(text(ConsoleText.amCash) + ":", "\(cash.formatted(language)) \(text(ConsoleText.miles))" + (compact ? "" : dream),
                         labelWidth: labelWidth)
                if compact, let dreamMiles = inquiry.balances.dream {
                    labelled(text(ConsoleText.dream) + ":", "\(dreamMiles.formatted(language)) \(text(ConsoleText.miles))", labelWidth: labelWidth)
                }
            } else {
                line(text(ConsoleText.balanceHidden), role: .hint)
            }
            if let units = inquiry.availableOfferUnits, model.card?.canRedeem == true {
                labelled(text(ConsoleText.canRedeem) + ":", inquiry.unitValue.money(for: units).formatted(language), labelWidth: labelWidth)
            }
            if let daily = inquiry.dailyOfferLimit, !compact {
                labelled(text(ConsoleText.todayLeft) + ":", "\(daily.count) × \(inquiry.unitValue.money.formatted(language))", role: .normal,
                         labelWidth: labelWidth)
            }
        }
        blank()
        if let choice = model.choice, choice.canRedeem {
            let amount = "\(choice.money.formatted(language))  (\(choice.miles.value) \(text(ConsoleText.miles)))"
            labelled(text(ConsoleText.redeemAmount) + ":", "< " + amount + " >", role: .amountRedeem, labelWidth: labelWidth)
            canvas.placeCursor(row: row - 1, column: 1 + (compact ? text(ConsoleText.redeemAmount).count + 3 : labelWidth + 1))
            if !compact {
                line(Money(cents: 0).formatted(language) + " – " + choice.limits.unitValue.money(for: choice.maximum).formatted(language), role: .hint, indent: 1 + labelWidth + 1)
            }
        } else if model.card?.canRedeem == false {
            wrapped(text(ConsoleText.keyedBalanceOnly), role: .error)
        } else if model.inquiry != nil {
            wrapped(text(ConsoleText.nothingToRedeem), role: .hint)
        }
        if let offerText = model.inquiry?.offer?.text, !compact { line(offerText.text(language), role: .hint) }
        if let notice = model.notice { wrapped(text(notice), role: .error) }
        if model.screen == .confirm, let choice = model.choice {
            blank()
            wrapped(text(ConsoleText.confirmQuestion) + " " + choice.money.formatted(language), role: .title)
            line(Legend.answers(model), role: .hint)
        }
    }

    mutating func result(_ model: Model) {
        let language = model.language
        func text(_ localized: LocalizedText) -> String { localized.text(language) }
        let labelWidth = 26
        switch model.redemption {
        case .approved(let approval, let balances)?:
            line("*** " + text(ConsoleText.approved) + " ***", role: .approved)
            blank()
            labelled(text(ConsoleText.confirmation) + ":", approval.confirmationNumber, role: .approved, labelWidth: labelWidth)
            labelled(text(ConsoleText.discount) + ":", approval.discount.formatted(language) + "  (\(approval.miles.value) \(text(ConsoleText.miles)))",
                     role: .amountRedeem, labelWidth: labelWidth)
            if model.settings.showBalances, let cash = balances.cash {
                labelled(text(ConsoleText.newBalance) + ":", "\(cash.formatted(language)) \(text(ConsoleText.miles))", labelWidth: labelWidth)
            }
            line(text(ConsoleText.receiptWritten), role: .hint)
        case .declined(let meaning, _)?:
            line("*** " + text(ConsoleText.declined) + " ***", role: .declined)
            blank()
            wrapped(meaning.code.rawValue + " " + meaning.message.text(language), role: .declined)
            wrapped(meaning.action.text.text(language), role: .hint)
        case .notSent(let message)?:
            line("*** " + text(ConsoleText.declined) + " ***", role: .declined)
            blank()
            wrapped(message.text(language), role: .declined)
            wrapped(CashierAction.otherTender.text.text(language), role: .hint)
        case .unknown(let traceId)?:
            line("*** " + text(ConsoleText.unknown) + " ***", role: .unknown)
            blank()
            wrapped(text(ConsoleText.unknownAdvice), role: .unknown)
            labelled(text(ConsoleText.traceNumber) + ":", traceId, role: .hint, labelWidth: labelWidth)
        case nil:
            break
        }
    }

    mutating func legend(_ model: Model) {
        let language = model.language
        let lines = legendLines.isEmpty ? [[]] : legendLines
        for (index, entries) in lines.enumerated() {
            let legendRow = canvas.rows - lines.count + index
            canvas.fill(row: legendRow, role: .legendText)
            var column = 0
            for entry in entries {
                let labelText = entry.label.text(language)
                canvas.put(entry.key, row: legendRow, column: column, role: .legendKey)
                canvas.put(labelText, row: legendRow, column: column + entry.key.count + 1, role: .legendText)
                column += entry.key.count + 1 + labelText.count + 1 + (compact ? 0 : 1)
            }
        }
    }
}

/// The key legend and the help screen, generated from the active keymap so they cannot disagree with it.
enum Legend {
    struct Entry {
        let action: KeyAction
        let key: String
        let label: LocalizedText
    }

    /// The actions each context shows on the legend line (the help screen shows them all).
    static func shown(in context: KeyContext, _ model: Model) -> [KeyAction] {
        switch context {
        case .card: [.nextField]
        case .reverse: [.select, .cancel]
        case .result: model.receipt.isEmpty ? [.newSale] : [.newSale, .receipt]
        case .supervisor: [.submit, .cancel]
        case .global: model.screen == .supervisor ? [.language] : context.actions
        default: context.actions
        }
    }

    static func entries(_ model: Model) -> [Entry] {
        guard let context = model.screen.keyContext else { return [] }
        return [context, .global].flatMap { context in
            shown(in: context, model).compactMap { action in
                model.settings.keymap.primaryKey(for: action, in: context).map {
                    Entry(action: action, key: $0, label: action.label(in: context, kiosk: model.settings.kiosk))
                }
            }
        }
    }

    /// The legend packed into lines: on a narrow screen one line, Help first, as many keys as fit;
    /// from 80 columns a second line when the screen's keys and the global ones do not fit on one,
    /// so no key a cashier needs on that screen (Reverse, History, Quit on the offer) drops off.
    static func lines(_ model: Model, width: Int, compact: Bool) -> [[Entry]] {
        var entries = Legend.entries(model)
        if compact, let help = entries.firstIndex(where: { $0.action == .help }) {
            entries.insert(entries.remove(at: help), at: 0)
        }
        let maximumLines = compact ? 1 : 2
        var lines: [[Entry]] = [[]]
        var column = 0
        for entry in entries {
            let needed = entry.key.count + 1 + entry.label.text(model.language).count + 1
            if column + needed > width {
                guard lines.count < maximumLines else { break }
                lines.append([])
                column = 0
            }
            lines[lines.count - 1].append(entry)
            column += needed + (compact ? 0 : 1)
        }
        return lines
    }

    /// Every key of the screen under the help screen, then the global keys.
    static func help(_ model: Model) -> [(keys: String, label: LocalizedText)] {
        let under = model.returnScreens.last?.keyContext ?? .card
        return [under, .global].flatMap { context in
            context.actions.compactMap { action in
                let keys = model.settings.keymap.keys(for: action, in: context).map(KeyName.display)
                guard !keys.isEmpty else { return nil }
                return (keys.joined(separator: " / "), action.label(in: context, kiosk: model.settings.kiosk))
            }
        }
    }

    /// "Y Yes   N No", as the active keymap has it, for the question on a confirm screen.
    static func answers(_ model: Model) -> String {
        let keymap = model.settings.keymap
        return [KeyAction.yes, .no].compactMap { action in
            keymap.primaryKey(for: action, in: .confirm).map { $0 + " " + action.label(in: .confirm, kiosk: false).text(model.language) }
        }.joined(separator: "   ")
    }
}
