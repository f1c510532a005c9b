public import ConsoleCore

/// The semantic roles text is drawn in; a theme gives each a colour and attributes, and every role
/// stays readable without colour because the words already say what the colour repeats.
public enum StyleRole: String, Sendable, CaseIterable {
    case normal, statusbar
    case bannerTraining = "banner.training"
    case title, label, value, field
    case fieldFocused = "field.focused"
    case amountRedeem = "amount.redeem"
    case approved = "result.approved"
    case declined = "result.declined"
    case unknown = "result.unknown"
    case error, hint, selected
    case legendKey = "legend.key"
    case legendText = "legend.text"

    /// One letter for the role, for golden files of where styles fall (a space for `normal`).
    public var letter: Character {
        switch self {
        case .normal: " "
        case .statusbar: "s"
        case .bannerTraining: "b"
        case .title: "T"
        case .label: "l"
        case .value: "v"
        case .field: "f"
        case .fieldFocused: "F"
        case .amountRedeem: "$"
        case .approved: "A"
        case .declined: "D"
        case .unknown: "U"
        case .error: "E"
        case .hint: "h"
        case .selected: ">"
        case .legendKey: "K"
        case .legendText: "k"
        }
    }
}

/// Where a view draws: a grid of cells. `Frame` is the one the console uses: the loop renders the
/// model into a frame, and the terminal device presents it.
public protocol Canvas {
    var columns: Int { get }
    var rows: Int { get }
    /// Writes `text` from (row, column), cut at the right edge.
    mutating func put(_ text: String, row: Int, column: Int, role: StyleRole)
    /// Paints a whole row in `role` (for bars).
    mutating func fill(row: Int, role: StyleRole)
    /// Where the cursor rests: the focused field, so magnifiers and screen readers follow it.
    mutating func placeCursor(row: Int, column: Int)
}

/// One screen as the terminal shows it: each cell's character and style role, and where the cursor
/// rests. `render` makes one from the model; a `TerminalDevice` presents it (curses writes the cells,
/// a memory terminal keeps them for tests); golden files are its `text` and `rolesText`.
public struct Frame: Canvas, Sendable, Equatable {
    public let columns: Int
    public let rows: Int
    private var cells: [[Character]]
    private var roles: [[StyleRole]]
    public private(set) var cursor: (row: Int, column: Int)?
    /// Draw as an ASCII-only terminal would (`AsciiText`).
    public let ascii: Bool

    public init(columns: Int, rows: Int, ascii: Bool = false) {
        self.columns = columns
        self.rows = rows
        self.ascii = ascii
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
        roles = Array(repeating: Array(repeating: .normal, count: columns), count: rows)
    }

    public mutating func put(_ text: String, row: Int, column: Int, role: StyleRole) {
        guard (0..<rows).contains(row), column < columns else { return }
        var x = max(0, column)
        for character in ascii ? AsciiText.fold(text) : text {
            guard x < columns else { break }
            cells[row][x] = character
            roles[row][x] = role
            x += 1
        }
    }

    public mutating func fill(row: Int, role: StyleRole) {
        guard (0..<rows).contains(row) else { return }
        for x in 0..<columns { roles[row][x] = role }
    }

    public mutating func placeCursor(row: Int, column: Int) { cursor = (row, column) }

    /// The screen as lines of text, trailing spaces removed.
    public var text: String {
        cells.map { String($0).replacingTrailingSpaces() }.joined(separator: "\n") + "\n"
    }

    /// The roles of the screen, one `StyleRole.letter` a cell, trailing spaces removed.
    public var rolesText: String {
        roles.map { String($0.map(\.letter)).replacingTrailingSpaces() }.joined(separator: "\n") + "\n"
    }

    /// The role of one cell (tests check that colour only repeats what the text says).
    public func role(row: Int, column: Int) -> StyleRole { roles[row][column] }

    /// One row as runs of cells in one role, left to right: what a terminal writes with one attribute
    /// each. Every cell of the row is in exactly one run.
    public func runs(row: Int) -> [(column: Int, text: String, role: StyleRole)] {
        guard (0..<rows).contains(row), columns > 0 else { return [] }
        var runs: [(column: Int, text: String, role: StyleRole)] = []
        var start = 0
        for x in 1...columns where x == columns || roles[row][x] != roles[row][start] {
            runs.append((start, String(cells[row][start..<x]), roles[row][start]))
            start = x
        }
        return runs
    }

    public static func == (lhs: Frame, rhs: Frame) -> Bool {
        lhs.columns == rhs.columns && lhs.rows == rhs.rows && lhs.cells == rhs.cells && lhs.roles == rhs.roles
            && lhs.cursor?.row == rhs.cursor?.row && lhs.cursor?.column == rhs.cursor?.column && lhs.ascii == rhs.ascii
    }
}

/// The frame for `model` on a terminal of `columns` × `rows`, in ASCII only when `ascii`
/// (`AsciiText.isNeeded`). The loop calls it once for each change of the model.
public func render(_ model: Model, columns: Int, rows: Int, ascii: Bool) -> Frame {
    var frame = Frame(columns: columns, rows: rows, ascii: ascii)
    view(model, into: &frame)
    return frame
}

extension String {
    func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
