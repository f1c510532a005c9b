public import AMCashDomain

/// One line of the help screen.
public enum HelpLine: Hashable, Sendable {
    /// The keys bound to an action (as the keymap names them) and what it does.
    case keys(String, LocalizedText)
    case blank
    case heading(LocalizedText)
    /// A test card (CERT mode).
    case testCard(TestCollectorLine)
    /// Training: one line of the exercise's hint, wrapped to the screen so the pages count it right.
    case hint(String)
}

/// The help screen: every key of the screen under it, then the global keys, then (in training) the
/// test cards, in pages that fit the terminal; nothing is cut.
public enum HelpScreen {
    /// All the lines, before paging.
    public static func lines(_ model: Model) -> [HelpLine] {
        let under = model.overlays.dropLast().last?.keyContext ?? model.screen.keyContext ?? .card
        var lines: [HelpLine] = []
        if let exercise = model.training?.exercise {
            lines.append(.heading(ConsoleText.hintTitle))
            lines += TextWrap.lines(exercise.hint.text(model.language), width: model.columns - 2).map(HelpLine.hint)
            if !model.isCompact { lines.append(.blank) }
        }
        lines += [under, .global].flatMap { context in
            context.actions.filter { !$0.isTrainingOnly || model.training != nil }.compactMap { action -> HelpLine? in
                let keys = model.settings.keymap.keys(for: action, in: context).map(KeyName.display)
                guard !keys.isEmpty else { return nil }
                return .keys(keys.joined(separator: " / "), action.label(in: context, kiosk: model.settings.kiosk))
            }
        }
        if model.settings.isTraining && !model.settings.testCollectors.isEmpty {
            if !model.isCompact { lines.append(.blank) }
            lines.append(.heading(ConsoleText.testCollectors))
            lines += model.settings.testCollectors.map(HelpLine.testCard)
        }
        return lines
    }

    public static func pageCount(_ model: Model) -> Int {
        Paging.pageCount(lines(model).count, perPage: Paging.rowsPerPage(model, heading: 1))
    }

    /// The lines of one page (the last page when `page` is past it: the terminal may have shrunk).
    public static func page(_ page: Int, of model: Model) -> (lines: [HelpLine], page: Int, pages: Int) {
        Paging.page(page, of: lines(model), perPage: Paging.rowsPerPage(model, heading: 1))
    }
}

/// Pages of a long list (help, history) that fit the terminal, so nothing is cut off.
public enum Paging {
    /// The rows a page may use: the screen less the status line, the training banner, the recovery
    /// line, the printer's line (a printer not ready, receipts waiting), the blank under them (from 80
    /// columns), the page's own `heading` rows and the legend (two lines from 80 columns).
    public static func rowsPerPage(_ model: Model, heading: Int) -> Int {
        let printer = model.status.printer != nil || model.status.unprintedReceipts > 0
        let top = 1 + (model.settings.isTraining ? 1 : 0) + (model.status.resolving ? 1 : 0) + (printer ? 1 : 0) + (model.isCompact ? 0 : 1)
        let legend = model.isCompact ? 1 : 2
        return max(1, model.rows - top - legend - heading)
    }

    public static func pageCount(_ count: Int, perPage: Int) -> Int { max(1, (count + perPage - 1) / perPage) }

    public static func page<T>(_ page: Int, of all: [T], perPage: Int) -> (lines: [T], page: Int, pages: Int) {
        let pages = pageCount(all.count, perPage: perPage)
        let shown = min(max(0, page), pages - 1)
        return (Array(all.dropFirst(shown * perPage).prefix(perPage)), shown, pages)
    }

    static func turn(_ action: KeyAction, _ page: Int, pages: Int) -> Int {
        let current = min(page, pages - 1)
        switch action {
        case .next: return min(pages - 1, current + 1)
        case .previous: return max(0, current - 1)
        default: return current
        }
    }
}
