import AMCashDomain
public import ConsoleCore

/// Draws the whole screen from the model: status line, training banner, the screen's body and the
/// key legend. Pure: no state, no I/O. Works from 80×24 up, and in a compact layout down to 40×12.
/// Each screen's drawing is in Screens/<Screen>/; what repeats is in Widgets/.
public func view(_ model: Model, into canvas: inout some Canvas) {
    guard canvas.columns >= 40, canvas.rows >= 12 else {
        canvas.put(ConsoleText.tooSmall.text(model.language), row: 0, column: 0, role: .error)
        return
    }
    let compact = canvas.columns < 80 || canvas.rows < 24
    var layout = Layout(canvas: canvas, compact: compact, language: model.language)
    layout.legendLines = Legend.lines(model, width: canvas.columns, compact: compact)
    layout.statusLine(model)
    if let training = model.training, training.coversTheTill {
        layout.training(training, model)
    } else if let overlay = model.overlays.last {
        switch overlay {
        case .help(let page): layout.help(model, page: page)
        case .history(let lines, let page): layout.history(lines ?? [], page: page, model)
        case .supervisor(let entry): layout.supervisor(entry)
        }
    } else {
        // A sale the store's register pushed says so, and what the register last did that the cashier must know.
        if let register = model.register { layout.wrapped(layout.text(ConsoleText.fromRegister(register.saleId)), role: .label) }
        if let notice = model.registerNotice { layout.wrapped(layout.text(notice), role: .error) }
        switch model.screen {
        case .ready(let form): layout.ready(form, model)
        case .lookingUp(let sale, _): layout.lookingUp(sale, model)
        case .offer(let offer): layout.offer(offer, question: nil, model)
        case .confirm(let offer, let choice): layout.offer(offer, question: choice, model)
        case .redeeming(_, let choice): layout.redeeming(choice)
        case .result(let result): layout.result(result, model)
        case .reverseList(let list): layout.reverseList(list, asking: false, notice: nil, model)
        case .reverseConfirm(let list, _, let notice): layout.reverseList(list, asking: true, notice: notice, model)
        case .reversing: layout.wrapped(layout.text(ConsoleText.reversing), role: .title)
        case .reverseResult(let result): layout.reverseResult(result, model)
        case .returnList(let list): layout.returnList(list, model)
        case .returnItems(_, let checklist): layout.returnItems(checklist, model)
        case .returnConfirm(_, let sale): layout.returnConfirm(sale, model)
        case .returning: layout.wrapped(layout.text(ConsoleText.returning), role: .title)
        case .returnResult(let result): layout.returnResult(result, model)
        }
    }
    layout.legend()
    canvas = layout.canvas
}

/// Lays out one frame: a cursor moving down the body, and the ways of writing a line.
struct Layout<C: Canvas> {
    var canvas: C
    let compact: Bool
    let language: Language
    var row = 0
    /// The key legend at the bottom: one line on a narrow screen, up to two from 80 columns.
    var legendLines: [[Legend.Entry]] = []
    /// The first row the legend takes; the body stops above it.
    var bodyEnd: Int { canvas.rows - max(1, legendLines.count) }

    init(canvas: C, compact: Bool, language: Language) {
        self.canvas = canvas
        self.compact = compact
        self.language = language
    }

    var width: Int { canvas.columns }

    func text(_ localized: LocalizedText) -> String { localized.text(language) }

    mutating func statusLine(_ model: Model) {
        let identity = model.settings.identity
        let status = model.status
        let connection: LocalizedText =
            switch status.connection {
            case .up: ConsoleText.connectionUp
            case .down: ConsoleText.connectionDown
            case .unknown: ConsoleText.connectionUnknown
            }
        let environment = model.settings.environment.rawValue
        let pending = "\(text(ConsoleText.pending)) \(status.pending)"
        let statusText =
            compact
            ? " \(environment) \(identity.deviceId) \(text(connection)) \(status.pending > 0 ? "P\(status.pending) " : "")\(status.clock)"
            : " \(text(ConsoleText.title)) | \(environment) | \(identity.sponsorCode) \(identity.storeId) \(identity.deviceId) | \(text(connection)) | \(pending) | \(status.clock)"
        canvas.fill(row: 0, role: .statusbar)
        canvas.put(statusText, row: 0, column: 0, role: .statusbar)
        row = 1
        if model.settings.isTraining {
            let banner = compact ? text(ConsoleText.trainingCompact) : "*** " + text(ConsoleText.training) + " ***"
            canvas.fill(row: row, role: .bannerTraining)
            canvas.put(banner, row: row, column: max(0, (width - banner.count) / 2), role: .bannerTraining)
            row += 1
        }
        if status.resolving {
            line(text(ConsoleText.resolving), role: .hint)
        }
        if status.printer != nil || status.unprintedReceipts > 0 {
            line(text(ConsoleText.printerState(status.printer, unprinted: status.unprintedReceipts)), role: .hint)
        }
        if !compact { row += 1 }
    }

    mutating func line(_ text: String, role: StyleRole = .normal, indent: Int = 1) {
        guard row < bodyEnd else { return }
        canvas.put(text, row: row, column: indent, role: role)
        row += 1
    }

    mutating func wrapped(_ text: String, role: StyleRole = .normal) {
        for wrappedLine in TextWrap.lines(text, width: width - 2) { line(wrappedLine, role: role) }
    }

    mutating func blank() { if !compact { row += 1 } }

    /// A label and its value: side by side in columns from 80 wide; on a narrow screen the value on
    /// the label's line if it fits, else on its own line below.
    mutating func labelled(_ label: String, _ value: String, role: StyleRole = .value, labelWidth: Int) {
        guard row < bodyEnd else { return }
        if compact {
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

    /// A card as screens show it: masked, and how it was read, in words.
    func card(_ card: CardRead) -> String { card.number.masked + " (" + text(ConsoleText.entryMode(card.entryMode)) + ")" }
}
