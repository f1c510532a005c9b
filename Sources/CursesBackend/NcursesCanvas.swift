import CNcursesW
import ConsoleUI

/// Draws on the curses screen, each role in the attributes its theme gives it on this terminal.
struct NcursesCanvas: Canvas {
    let columns: Int
    let rows: Int
    let styles: CursesStyles
    let ascii: Bool
    private(set) var cursor: (row: Int, column: Int)?

    init(columns: Int, rows: Int, styles: CursesStyles, ascii: Bool) {
        self.columns = columns
        self.rows = rows
        self.styles = styles
        self.ascii = ascii
    }

    mutating func put(_ text: String, row: Int, column: Int, role: StyleRole) {
        guard row >= 0, row < rows, column < columns else { return }
        let room = columns - column - (row == rows - 1 ? 1 : 0)  // never write the last cell: it scrolls some terminals
        guard room > 0 else { return }
        let clipped = String((ascii ? AsciiText.fold(text) : text).prefix(room))
        let attributes = styles.attributes(for: role)
        attron(attributes)
        mvaddstr(Int32(row), Int32(column), clipped)
        attroff(attributes)
    }

    mutating func fill(row: Int, role: StyleRole) {
        put(String(repeating: " ", count: columns), row: row, column: 0, role: role)
    }

    mutating func placeCursor(row: Int, column: Int) { cursor = (row, column) }
}

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
