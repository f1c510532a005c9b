import CNcursesW
import ConsoleUI

/// A theme turned into curses attributes for one terminal: a colour pair for each distinct pair of
/// colours the roles use (pairs are installed once, at start), and the attribute bits of each role.
struct CursesStyles {
    private var attributesByRole: [StyleRole: Int32] = [:]
    /// The background every cell starts from (the `normal` role), so a dark theme fills the screen.
    private(set) var background: Int32 = 0

    /// Builds the styles; with colours, installs their pairs (curses must be started).
    init(theme: Theme, colours: ColourMode) {
        var pairs: [ColourPair: Int16] = [:]
        for role in StyleRole.allCases {
            let appearance = theme.appearance(for: role, colours: colours)
            var bits = Int32(amcash_a_normal())
            for attribute in appearance.attributes { bits |= Self.bits(attribute) }
            if appearance.foreground != nil || appearance.background != nil {
                let pair = ColourPair(foreground: Int16(appearance.foreground ?? -1), background: Int16(appearance.background ?? -1))
                let number =
                    pairs[pair]
                    ?? {
                        let next = Int16(pairs.count + 1)
                        init_pair(next, pair.foreground, pair.background)
                        pairs[pair] = next
                        return next
                    }()
                bits |= amcash_color_pair(Int32(number))
            }
            attributesByRole[role] = bits
        }
        background = attributesByRole[.normal] ?? 0
    }

    func attributes(for role: StyleRole) -> Int32 { attributesByRole[role] ?? 0 }

    private struct ColourPair: Hashable {
        let foreground: Int16
        let background: Int16
    }

    static func bits(_ attribute: TextAttribute) -> Int32 {
        switch attribute {
        case .bold: amcash_a_bold()
        case .dim: amcash_a_dim()
        case .underline: amcash_a_underline()
        case .reverse: amcash_a_reverse()
        case .standout: amcash_a_standout()
        case .italic: amcash_a_italic()
        case .blink: amcash_a_blink()
        }
    }
}
