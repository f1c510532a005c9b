import CNcursesW
import ConsoleUI

/// Draws on the curses screen. Each role has colours when the terminal has them and monochrome
/// attributes always, so every state reads the same without colour.
struct NcursesCanvas: Canvas {
    let columns: Int
    let rows: Int
    let colours: ColourMode
    private(set) var cursor: (row: Int, column: Int)?

    init(columns: Int, rows: Int, colours: ColourMode) {
        self.columns = columns
        self.rows = rows
        self.colours = colours
    }

    mutating func put(_ text: String, row: Int, column: Int, role: StyleRole) {
        guard row >= 0, row < rows, column < columns else { return }
        let room = columns - column - (row == rows - 1 ? 1 : 0)   // never write the last cell: it scrolls some terminals
        guard room > 0 else { return }
        let clipped = String(text.prefix(room))
        let attributes = Palette.attributes(for: role, colours: colours)
        attron(attributes)
        mvaddstr(Int32(row), Int32(column), clipped)
        attroff(attributes)
    }

    mutating func fill(row: Int, role: StyleRole) {
        put(String(repeating: " ", count: columns), row: row, column: 0, role: role)
    }

    mutating func placeCursor(row: Int, column: Int) { cursor = (row, column) }
}

/// The default colours of the roles (themes replace them); monochrome attributes for every role.
enum Palette {
    static let pairs: [(StyleRole, Int16, Int16)] = [
        (.statusbar, Int16(COLOR_WHITE), Int16(COLOR_BLUE)),
        (.bannerTraining, Int16(COLOR_BLACK), Int16(COLOR_YELLOW)),
        (.approved, Int16(COLOR_GREEN), -1),
        (.declined, Int16(COLOR_RED), -1),
        (.unknown, Int16(COLOR_YELLOW), -1),
        (.error, Int16(COLOR_RED), -1),
        (.amountRedeem, Int16(COLOR_CYAN), -1),
        (.legendKey, Int16(COLOR_BLACK), Int16(COLOR_CYAN)),
        (.title, Int16(COLOR_CYAN), -1),
    ]

    static func install() {
        for (index, pair) in pairs.enumerated() { init_pair(Int16(index + 1), pair.1, pair.2) }
    }

    static func attributes(for role: StyleRole, colours: ColourMode) -> Int32 {
        var attributes = Int32(amcash_a_normal())
        switch role {
        case .statusbar, .bannerTraining, .legendKey, .selected: attributes |= amcash_a_reverse()
        case .approved, .declined, .unknown, .title, .amountRedeem, .error: attributes |= amcash_a_bold()
        case .fieldFocused: attributes |= amcash_a_underline() | amcash_a_bold()
        case .field: attributes |= amcash_a_underline()
        case .hint: attributes |= amcash_a_dim()
        default: break
        }
        if colours != .none, let index = pairs.firstIndex(where: { $0.0 == role }) {
            // Colour replaces reverse video on bars; it repeats what the words say everywhere else.
            if [.statusbar, .bannerTraining, .legendKey].contains(role) { attributes &= ~amcash_a_reverse() }
            attributes |= amcash_color_pair(Int32(index + 1))
        }
        return attributes
    }
}
