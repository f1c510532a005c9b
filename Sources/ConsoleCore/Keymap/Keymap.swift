/// Which key does what, per context: the console reads every key through it, and the legend and the
/// help screen are generated from it, so they can never disagree. Loaded from `keymaps/*.toml`
/// (`KeymapLoader`); `standard` is the built-in copy of `keymaps/default.toml`, used when no file is found.
public struct Keymap: Sendable, Equatable {
    /// The keys of each action, in the order written (the first is the one the legend shows).
    public let bindings: [KeyContext: [KeyAction: [Key]]]
    private let actions: [KeyContext: [Key: KeyAction]]

    /// A keymap from its bindings. The loader has checked them; a key bound twice in one context
    /// keeps its first action here.
    public init(_ bindings: [KeyContext: [KeyAction: [Key]]]) {
        self.bindings = bindings
        var actions: [KeyContext: [Key: KeyAction]] = [:]
        for (context, table) in bindings {
            for action in context.actions {
                for key in table[action] ?? [] where actions[context]?[key] == nil {
                    actions[context, default: [:]][key] = action
                }
            }
        }
        self.actions = actions
    }

    /// What `key` does in `context`, without looking at `global`.
    public func action(for key: Key, in context: KeyContext) -> KeyAction? {
        actions[context]?[key]
    }

    /// The keys bound to `action` in `context`, in the order the file gave them.
    public func keys(for action: KeyAction, in context: KeyContext) -> [Key] {
        bindings[context]?[action] ?? []
    }

    /// The key the legend shows for an action, or nil when it has none.
    public func primaryKey(for action: KeyAction, in context: KeyContext) -> String? {
        keys(for: action, in: context).first.map(KeyName.display)
    }

    /// The built-in bindings; `keymaps/default.toml` says the same (a test keeps them equal).
    public static let standard = Keymap([
        .global: [
            .help: [.function(1)], .language: [.function(2)], .reverse: [.function(3)], .returnSale: [.function(5)],
            .history: [.function(4)],
            .quit: [.function(10)], .finish: [.function(8)],
        ],
        .card: [.submit: [.enter], .nextField: [.tab, .down, .up], .delete: [.backspace], .clear: [.escape]],
        .lookup: [.cancel: [.escape]],
        .offer: [
            .stepUp: [.character("+"), .up, .right], .stepDown: [.character("-"), .down, .left],
            .maximum: [.character("M"), .character("m"), .pageUp],
            .none: [.character("0"), .character("N"), .character("n"), .pageDown], .confirm: [.enter], .cancel: [.escape],
        ],
        .confirm: [
            .yes: [.character("Y"), .character("y"), .character("O"), .character("o"), .enter],
            .no: [.character("N"), .character("n"), .escape],
        ],
        .result: [.newSale: [.enter, .escape], .receipt: [.character("R"), .character("r")]],
        .reverse: [.select: [.enter], .previous: [.up], .next: [.down], .delete: [.backspace], .cancel: [.escape]],
        .items: [
            .toggle: [.character(" ")], .returnChosen: [.enter], .returnAll: [.character("A"), .character("a")], .previous: [.up],
            .next: [.down], .cancel: [.escape],
        ],
        .dialog: [.close: [.escape, .enter], .previous: [.pageUp, .up], .next: [.pageDown, .down]],
        .supervisor: [.submit: [.enter], .delete: [.backspace], .cancel: [.escape]],
    ])
}
