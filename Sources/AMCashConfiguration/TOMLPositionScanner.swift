/// Finds where every key's value starts in a TOML text, so that a bad value can be reported as
/// `file:line:column`. TOMLKit gives positions for syntax errors only. The text has already parsed,
/// so this scanner only has to follow valid TOML: tables, arrays of tables, dotted and quoted keys,
/// inline tables and arrays (each element is recorded as a `#0`, `#1`, … component).
struct TOMLPositionScanner {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1
    private(set) var positions: [[String]: SourcePosition] = [:]
    /// Where each key itself is written (a table's header for a table).
    private(set) var keyPositions: [[String]: SourcePosition] = [:]
    private var arrayTableCounts: [[String]: Int] = [:]

    init(_ text: String) {
        characters = Array(text)
    }

    static func scan(_ text: String) -> TOMLPositionScanner {
        var scanner = TOMLPositionScanner(text)
        scanner.scanDocument()
        return scanner
    }

    private var atEnd: Bool { index >= characters.count }
    private var current: Character? { atEnd ? nil : characters[index] }
    private var here: SourcePosition { SourcePosition(line: line, column: column) }

    private mutating func advance() {
        guard !atEnd else { return }
        if characters[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func skipSpaces() {
        while let character = current, character == " " || character == "\t" { advance() }
    }

    /// Skips blanks, line ends and comments (between values of a multi-line array or between lines).
    private mutating func skipBlankLinesAndComments() {
        while let character = current {
            if character == " " || character == "\t" || character == "\n" || character == "\r" {
                advance()
            } else if character == "#" {
                while let next = current, next != "\n" { advance() }
            } else {
                return
            }
        }
    }

    private mutating func skipRestOfLine() {
        while let character = current, character != "\n" { advance() }
    }

    private mutating func scanDocument() {
        var table: [String] = []
        while true {
            skipBlankLinesAndComments()
            guard let character = current else { return }
            let start = index
            if character == "[" {
                let headerPosition = here
                advance()
                let isArrayOfTables = current == "["
                if isArrayOfTables { advance() }
                let name = scanKey()
                if isArrayOfTables {
                    let count = arrayTableCounts[name, default: 0]
                    arrayTableCounts[name] = count + 1
                    if positions[name] == nil { positions[name] = headerPosition }
                    table = name + ["#\(count)"]
                } else {
                    table = name
                }
                positions[table] = headerPosition
                if keyPositions[name] == nil { keyPositions[name] = headerPosition }
                skipRestOfLine()
            } else {
                let keyPosition = here
                let key = scanKey()
                keyPositions[table + key] = keyPosition
                skipSpaces()
                if current == "=" { advance() }
                skipSpaces()
                scanValue(at: table + key)
                skipRestOfLine()
            }
            if index == start { advance() }  // never loop on text this scanner does not follow
        }
    }

    /// A bare, quoted or dotted key; stops before `=`, `]` or the end of the line.
    private mutating func scanKey() -> [String] {
        var components: [String] = []
        while true {
            skipSpaces()
            guard let character = current else { return components }
            if character == "\"" || character == "'" {
                components.append(scanQuoted(character))
            } else {
                var bare = ""
                while let next = current, next.isLetter || next.isNumber || next == "_" || next == "-" {
                    bare.append(next)
                    advance()
                }
                guard !bare.isEmpty else { return components }
                components.append(bare)
            }
            skipSpaces()
            guard current == "." else { return components }
            advance()
        }
    }

    /// A one-line quoted string; returns its text (escapes kept as written, enough for key names).
    private mutating func scanQuoted(_ quote: Character) -> String {
        advance()
        var text = ""
        while let character = current, character != quote, character != "\n" {
            if character == "\\" && quote == "\"" {
                advance()
                if let escaped = current { text.append(escaped) }
                advance()
                continue
            }
            text.append(character)
            advance()
        }
        advance()
        return text
    }

    private mutating func scanValue(at path: [String]) {
        positions[path] = here
        guard let character = current else { return }
        switch character {
        case "[":
            advance()
            var element = 0
            while true {
                skipBlankLinesAndComments()
                guard let next = current else { return }
                if next == "]" {
                    advance()
                    return
                }
                let start = index
                scanValue(at: path + ["#\(element)"])
                skipBlankLinesAndComments()
                if current == "," { advance() }
                element += 1
                if index == start { advance() }
            }
        case "{":
            advance()
            while true {
                skipSpaces()
                guard let next = current, next != "\n" else { return }
                if next == "}" {
                    advance()
                    return
                }
                let start = index
                let keyPosition = here
                let key = scanKey()
                keyPositions[path + key] = keyPosition
                skipSpaces()
                if current == "=" { advance() }
                skipSpaces()
                scanValue(at: path + key)
                skipSpaces()
                if current == "," { advance() }
                if index == start { advance() }
            }
        case "\"", "'":
            if isTripleQuote(character) {
                skipMultilineString(character)
            } else {
                _ = scanQuoted(character)
            }
        default:
            while let next = current, next != ",", next != "]", next != "}", next != "\n", next != "#" { advance() }
        }
    }

    private func isTripleQuote(_ quote: Character) -> Bool {
        index + 2 < characters.count && characters[index + 1] == quote && characters[index + 2] == quote
    }

    private mutating func skipMultilineString(_ quote: Character) {
        advance()
        advance()
        advance()
        while !atEnd {
            if current == "\\" && quote == "\"" {
                advance()
                advance()
                continue
            }
            if current == quote && isTripleQuote(quote) {
                advance()
                advance()
                advance()
                // A closing run may hold up to two more quotes that belong to the string.
                while current == quote { advance() }
                return
            }
            advance()
        }
    }
}
