public import AMCashDomain

/// Where a key is pressed: each screen reads its keys from one context, then from `global`.
/// The contexts are the tables of a keymap file.
public enum KeyContext: String, Sendable, CaseIterable, Hashable {
    case global, card, lookup, offer, confirm, result, reverse, items, dialog, supervisor

    /// The actions a keymap may bind here, in the order the legend and the help screen list them.
    public var actions: [KeyAction] {
        switch self {
        case .global: [.help, .language, .reverse, .history, .returnSale, .quit, .finish]
        case .card: [.submit, .nextField, .delete, .clear]
        case .lookup: [.cancel]
        case .offer: [.stepUp, .stepDown, .maximum, .none, .confirm, .cancel]
        case .confirm: [.yes, .no]
        case .result: [.newSale, .receipt]
        case .reverse: [.select, .previous, .next, .delete, .cancel]
        case .items: [.toggle, .returnChosen, .returnAll, .previous, .next, .cancel]
        case .dialog: [.close, .previous, .next]
        case .supervisor: [.submit, .delete, .cancel]
        }
    }

    /// Printable keys this context types into a field instead of acting on, so a keymap may not bind them.
    public func typesIntoField(_ character: Character) -> Bool {
        switch self {
        case .global: true  // global keys work on every screen, including those that take typing
        case .card: character.isLetter || character.isNumber || ".,;=%?^- ]".contains(character)
        case .reverse: character.isLetter || character.isNumber
        case .supervisor: character.isNumber
        case .lookup, .offer, .confirm, .result, .items, .dialog: false
        }
    }

    /// Why a typed key cannot be bound here, for the error message.
    public var typingReason: String {
        switch self {
        case .global: "[global] keys work on every screen, including those where the cashier types; bind a named key (F1, Esc, Ctrl-N …)"
        case .card: "the card screen types letters, digits and . , ; = % ? ^ - ] into its fields (card data, amounts)"
        case .reverse: "the reverse and return screens type letters and digits into their search (confirmation number, transaction id)"
        case .supervisor: "the supervisor screen types digits into the PIN"
        default: ""
        }
    }
}

/// Something a key does. Its name is the key in a keymap file (`step_up = ["+", "Up"]`).
public enum KeyAction: String, Sendable, CaseIterable, Hashable {
    case help, language, reverse, history, quit
    /// The return screen: a sale brought back gives back the miles it earned.
    case returnSale = "return_sale"
    /// Training only: the trainee says the exercise is done.
    case finish
    case submit
    case nextField = "next_field"
    case delete, clear
    case cancel
    case stepUp = "step_up"
    case stepDown = "step_down"
    case maximum, none, confirm
    case yes, no
    case newSale = "new_sale"
    case receipt
    case select, previous, next
    /// The return checklist: tick an item, return the ticked ones, or all of them.
    case toggle
    case returnChosen = "return_chosen"
    case returnAll = "return_all"
    case close

    /// Acts only in `amcash train` (`finish`): left off a till's legend and help, and first in training,
    /// so a screen may bind its key too.
    public var isTrainingOnly: Bool { self == .finish }

    /// The words the legend and the help screen show for it.
    public func label(in context: KeyContext, kiosk: Bool) -> LocalizedText {
        switch self {
        case .submit where context == .supervisor: ConsoleText.keyConfirm
        case .help: ConsoleText.keyHelp
        case .language: ConsoleText.keyLanguage
        case .reverse: ConsoleText.keyReverse
        case .returnSale: ConsoleText.keyReturn
        case .history: ConsoleText.keyHistory
        case .quit: kiosk ? ConsoleText.keySupervisor : ConsoleText.keyQuit
        case .finish: ConsoleText.keyFinish
        case .submit: ConsoleText.keySubmit
        case .nextField: ConsoleText.keyNextField
        case .delete: ConsoleText.keyDelete
        case .clear: ConsoleText.keyClear
        case .cancel: ConsoleText.keyBack
        case .stepUp: ConsoleText.keyMore
        case .stepDown: ConsoleText.keyLess
        case .maximum: ConsoleText.keyMax
        case .none: ConsoleText.keyNone
        case .confirm: ConsoleText.keyConfirm
        case .yes: ConsoleText.keyYes
        case .no: ConsoleText.keyNo
        case .newSale: ConsoleText.keyNewSale
        case .receipt: ConsoleText.keyReceipt
        case .select: ConsoleText.keySelect
        case .previous where context == .dialog: ConsoleText.keyPreviousPage
        case .previous: ConsoleText.keyPrevious
        case .next where context == .dialog: ConsoleText.keyNextPage
        case .next: ConsoleText.keyNext
        case .toggle: ConsoleText.keyToggle
        case .returnChosen: ConsoleText.keyReturnChosen
        case .returnAll: ConsoleText.keyReturnAll
        case .close: ConsoleText.keyBack
        }
    }
}
