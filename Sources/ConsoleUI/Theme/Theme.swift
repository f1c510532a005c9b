/// A text attribute every terminal understands, with or without colour.
public enum TextAttribute: String, Sendable, Hashable, CaseIterable, Comparable {
    case bold, dim, underline, reverse, standout, italic, blink

    public static func < (lhs: TextAttribute, rhs: TextAttribute) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How one role looks, as a theme file writes it; a field left out comes from the role's dotted prefix.
public struct Style: Sendable, Hashable {
    public var foreground: Colour?
    public var background: Colour?
    /// Attributes with colour.
    public var attributes: Set<TextAttribute>?
    /// Attributes on a terminal without colour (NO_COLOR, monochrome); `attributes` if left out.
    public var mono: Set<TextAttribute>?

    public init(foreground: Colour? = nil, background: Colour? = nil, attributes: Set<TextAttribute>? = nil, mono: Set<TextAttribute>? = nil) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
        self.mono = mono
    }

    /// This style with `other`'s fields written over it (a child theme over its parent).
    public func overridden(by other: Style) -> Style {
        Style(
            foreground: other.foreground ?? foreground, background: other.background ?? background,
            attributes: other.attributes ?? attributes, mono: other.mono ?? mono)
    }
}

/// What a role looks like on one terminal: colour indexes (nil: the terminal's default) and attributes.
public struct Appearance: Sendable, Hashable {
    public let foreground: Int?
    public let background: Int?
    public let attributes: Set<TextAttribute>

    public init(foreground: Int?, background: Int?, attributes: Set<TextAttribute>) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

/// The console's colours and attributes by semantic role (`statusbar`, `banner.training`,
/// `result.approved` …), never by colour in code. A role takes each field from its most specific
/// style: `result.approved`, then `result`, then `normal`. Loaded from `themes/*.toml` (`ThemeLoader`);
/// `standard` is the built-in copy of `themes/default.toml`.
public struct Theme: Sendable, Equatable {
    public let styles: [String: Style]

    public init(styles: [String: Style]) {
        self.styles = styles
    }

    /// The names a theme may style: every role and every dotted prefix of one (`result`, `legend`).
    public static let roleNames: Set<String> = {
        var names: Set<String> = []
        for role in StyleRole.allCases {
            var parts = role.rawValue.split(separator: ".").map(String.init)
            while !parts.isEmpty {
                names.insert(parts.joined(separator: "."))
                parts.removeLast()
            }
        }
        return names
    }()

    /// The styles from most to least specific for a role: itself, its prefixes, then `normal`.
    func chain(for role: StyleRole) -> [Style] {
        var names: [String] = []
        var parts = role.rawValue.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            names.append(parts.joined(separator: "."))
            parts.removeLast()
        }
        if role != .normal { names.append(StyleRole.normal.rawValue) }
        return names.compactMap { styles[$0] }
    }

    /// How `role` looks on a terminal with `mode`.
    public func appearance(for role: StyleRole, colours mode: ColourMode) -> Appearance {
        let chain = chain(for: role)
        if mode == .none {
            let attributes = chain.lazy.compactMap { $0.mono ?? $0.attributes }.first ?? []
            return Appearance(foreground: nil, background: nil, attributes: attributes)
        }
        let foreground = chain.lazy.compactMap(\.foreground).first
        let background = chain.lazy.compactMap(\.background).first
        return Appearance(
            foreground: foreground?.index(for: mode), background: background?.index(for: mode),
            attributes: chain.lazy.compactMap(\.attributes).first ?? [])
    }

    /// The built-in theme; `themes/default.toml` says the same (a test keeps them equal).
    public static let standard = Theme(styles: [
        "normal": Style(),
        "statusbar": Style(foreground: .indexed(7), background: .indexed(4), attributes: [], mono: [.reverse]),
        "banner.training": Style(foreground: .indexed(0), background: .indexed(3), attributes: [.bold], mono: [.reverse, .bold]),
        "title": Style(foreground: .indexed(6), attributes: [.bold]),
        "field": Style(attributes: [.underline]),
        "field.focused": Style(attributes: [.underline, .bold]),
        "amount.redeem": Style(foreground: .indexed(6), attributes: [.bold]),
        "result": Style(attributes: [.bold]),
        "result.approved": Style(foreground: .indexed(2)),
        "result.declined": Style(foreground: .indexed(1)),
        "result.unknown": Style(foreground: .indexed(3)),
        "error": Style(foreground: .indexed(1), attributes: [.bold]),
        "hint": Style(attributes: [.dim]),
        "selected": Style(attributes: [.reverse]),
        "legend.key": Style(foreground: .indexed(0), background: .indexed(6), attributes: [], mono: [.reverse]),
    ])
}
