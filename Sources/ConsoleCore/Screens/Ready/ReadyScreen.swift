public import AMCashDomain
import AMCashWire

/// The field the cursor is in on the ready screen.
public enum ReadyField: Hashable, Sendable { case basket, preTax, card }

/// The ready screen: the basket (and, where asked, pre-tax) total and the card, as typed.
public struct ReadyForm: Hashable, Sendable {
    public var focus: ReadyField = .basket
    public var basketText = ""
    /// The pre-tax total as typed (only when the configuration asks for it).
    public var preTaxText = ""
    /// The card field: what the cashier types, or the card read, masked.
    public var cardText = ""
    /// A card read before the amounts were complete: kept (the field shows it masked) and looked up as
    /// soon as they are, with the entry mode it was read with.
    public var card: CardRead?
    public var notice: LocalizedText?

    public init(
        focus: ReadyField = .basket, basketText: String = "", preTaxText: String = "", cardText: String = "",
        card: CardRead? = nil, notice: LocalizedText? = nil
    ) {
        self.focus = focus
        self.basketText = basketText
        self.preTaxText = preTaxText
        self.cardText = cardText
        self.card = card
        self.notice = notice
    }

    /// Whether nothing has been typed or read: the kiosk's idle clear has nothing to clear.
    var isBlank: Bool { basketText.isEmpty && preTaxText.isEmpty && cardText.isEmpty && card == nil && notice == nil }
}

/// The card and amounts of one sale, once the card is read and the amounts are valid.
public struct Sale: Hashable, Sendable {
    public let card: CardRead
    public let basket: Money
    public let preTax: Money?

    public init(card: CardRead, basket: Money, preTax: Money?) {
        self.card = card
        self.basket = basket
        self.preTax = preTax
    }
}

/// Keys on the ready screen.
enum ReadyScreen {
    /// `locked`: the totals came from the register and cannot be typed over.
    static func type(_ character: Character, into form: inout ReadyForm, _ scanner: inout ScannerBurst, fast: Bool, locked: Bool = false) {
        if !fast { scanner.restart(in: form.focus) }
        scanner.text.append(character)
        switch form.focus {
        case .basket, .preTax:
            guard !locked, character.isNumber || character == "." || character == "," else { return }
            let digit: Character = character == "," ? "." : character
            if form.focus == .basket, form.basketText.count < 12 {
                form.basketText.append(digit)
                scanner.appended += 1
            } else if form.focus == .preTax, form.preTaxText.count < 12 {
                form.preTaxText.append(digit)
                scanner.appended += 1
            }
        case .card:
            // Typing over a card already read starts a new number: the read card is dropped.
            if form.card != nil {
                form.card = nil
                form.cardText = ""
            }
            if form.cardText.count < 80 {
                form.cardText.append(character)
                scanner.appended += 1
            }
        }
        form.notice = nil
    }

    static func act(_ action: KeyAction, _ model: inout Model, _ form: inout ReadyForm) -> [Effect] {
        defer { model.scanner.restart(in: form.focus) }
        // A register's sale: its totals are the register's; the cashier reads the card or cancels.
        let fields = model.register == nil ? model.settings.readyFields : [.card]
        if model.register != nil { form.focus = .card }
        switch action {
        case .delete:
            switch form.focus {
            case .basket: _ = form.basketText.popLast()
            case .preTax: _ = form.preTaxText.popLast()
            case .card:
                if form.card != nil {
                    form.card = nil
                    form.cardText = ""
                } else {
                    _ = form.cardText.popLast()
                }
            }
        case .nextField:
            form.focus = fields[((fields.firstIndex(of: form.focus) ?? 0) + 1) % fields.count]
        case .clear:
            model.startNewSale()
            form = model.register.map(RegisterSaleScreen.form) ?? ReadyForm()
        case .submit:
            // A card read before the amounts: once the last amount is in, it is looked up.
            if form.focus != .card, form.card == nil || form.focus != fields[fields.count - 2] {
                form.focus = fields[min(fields.count - 1, (fields.firstIndex(of: form.focus) ?? 0) + 1)]
                return []
            }
            if let card = form.card { return lookUp(card, &model, &form) }
            return cardRead(&model, &form, raw: form.cardText, scanned: false)
        default:
            break
        }
        return []
    }

    /// A scan: take the burst out of the field it fell into and read it as the card.
    static func scanned(_ model: inout Model, _ form: inout ReadyForm) -> [Effect] {
        let burst = model.scanner.text
        let appended = model.scanner.appended
        switch model.scanner.field {
        case .basket: form.basketText = String(form.basketText.dropLast(appended))
        case .preTax: form.preTaxText = String(form.preTaxText.dropLast(appended))
        case .card, nil: form.cardText = String(form.cardText.dropLast(appended))
        }
        model.scanner.restart(in: form.focus)
        return cardRead(&model, &form, raw: burst, scanned: true)
    }

    /// A card arrived (scanned, swiped or keyed): with the amounts, look it up.
    static func cardRead(_ model: inout Model, _ form: inout ReadyForm, raw: String, scanned: Bool) -> [Effect] {
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
            form.notice = error.message
            return []
        }
        return lookUp(read, &model, &form)
    }

    /// The card is read: with valid amounts, INQUIRE; otherwise keep the card, send the cursor to the
    /// amount still missing and say what it is.
    static func lookUp(_ read: CardRead, _ model: inout Model, _ form: inout ReadyForm) -> [Effect] {
        form.card = read
        form.cardText = read.number.masked
        func missing(_ field: ReadyField, _ notice: LocalizedText) -> [Effect] {
            form.focus = field
            form.notice = notice
            return []
        }
        guard let basket = try? Money(parsing: form.basketText), basket.cents > 0 else { return missing(.basket, ConsoleText.badBasket) }
        var preTax: Money?
        if model.settings.askPreTaxAmount {
            guard let typed = try? Money(parsing: form.preTaxText), typed.cents > 0 else { return missing(.preTax, ConsoleText.badPreTax) }
            preTax = typed
        }
        form.notice = nil
        model.screen = .lookingUp(Sale(card: read, basket: basket, preTax: preTax), form: form)
        return [.inquire(InquiryRequest(card: read, basket: basket, language: model.language))]
    }
}
