import AMCashDomain
import ConsoleCore

/// The key legend, generated from the active keymap so it cannot disagree with it.
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
        case .items: [.toggle, .returnChosen, .returnAll, .cancel]
        case .result where model.training?.coversTheTill == true: [.newSale]
        case .result: model.screen.receipt.isEmpty ? [.newSale] : [.newSale, .receipt]
        case .supervisor: [.submit, .cancel]
        case .dialog where model.training?.coversTheTill == true: [.close]
        case .dialog:
            // Page keys only where there are pages to turn.
            pageCount(model) > 1 ? [.close, .next, .previous] : [.close]
        case .global:
            if model.training?.coversTheTill == true {
                [.language]
            } else {
                model.kind == .supervisor ? [.language] : context.actions.filter { !$0.isTrainingOnly || model.training != nil }
            }
        default: context.actions
        }
    }

    /// The pages of the help or history on top.
    static func pageCount(_ model: Model) -> Int {
        switch model.overlays.last {
        case .help: HelpScreen.pageCount(model)
        case .history(let lines, _): HistoryScreen.pageCount(lines, model)
        default: 1
        }
    }

    static func entries(_ model: Model) -> [Entry] {
        guard let context = model.keyContext else { return [] }
        return [context, .global].flatMap { context in
            shown(in: context, model).compactMap { action in
                key(for: action, in: context, model).map { Entry(action: action, key: $0, label: label(action, in: context, model)) }
            }
        }
    }

    /// The key the legend shows: the keymap's first, except that a training screen's "Start" shows Enter
    /// when Enter is one of its keys (Esc reads as "back", not "begin").
    static func key(for action: KeyAction, in context: KeyContext, _ model: Model) -> String? {
        let keys = model.settings.keymap.keys(for: action, in: context)
        if model.training?.coversTheTill == true, action == .close, keys.contains(.enter) { return KeyName.display(.enter) }
        return keys.first.map(KeyName.display)
    }

    /// What a key does here: on a training screen, Enter starts the exercise or goes on to the next.
    static func label(_ action: KeyAction, in context: KeyContext, _ model: Model) -> LocalizedText {
        if model.training?.coversTheTill == true {
            if action == .close { return ConsoleText.keyStart }
            if action == .newSale { return ConsoleText.keyNextExercise }
        }
        // R on a receipt with pages still to come turns to the next one.
        if action == .receipt, let shown = model.screen.receiptPage(model), shown.page + 1 < shown.pages { return ConsoleText.keyNextPage }
        return action.label(in: context, kiosk: model.settings.kiosk)
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

    /// "Y Yes   N No", as the active keymap has it, for the question on a confirm screen.
    /// The checklist's own keys, for a narrow screen whose legend has no room for them: "Space Tick  A Return all".
    static func checklist(_ model: Model) -> String {
        let keymap = model.settings.keymap
        return [KeyAction.toggle, .returnAll].compactMap { action in
            keymap.primaryKey(for: action, in: .items).map { $0 + " " + action.label(in: .items, kiosk: false).text(model.language) }
        }.joined(separator: "  ")
    }

    static func answers(_ model: Model) -> String {
        let keymap = model.settings.keymap
        return [KeyAction.yes, .no].compactMap { action in
            keymap.primaryKey(for: action, in: .confirm).map { $0 + " " + action.label(in: .confirm, kiosk: false).text(model.language) }
        }.joined(separator: "   ")
    }
}

extension Layout {
    mutating func legend() {
        let lines = legendLines.isEmpty ? [[]] : legendLines
        for (index, entries) in lines.enumerated() {
            let legendRow = canvas.rows - lines.count + index
            canvas.fill(row: legendRow, role: .legendText)
            var column = 0
            for entry in entries {
                let labelText = text(entry.label)
                canvas.put(entry.key, row: legendRow, column: column, role: .legendKey)
                canvas.put(labelText, row: legendRow, column: column + entry.key.count + 1, role: .legendText)
                column += entry.key.count + 1 + labelText.count + 1 + (compact ? 0 : 1)
            }
        }
    }
}
