/// A pass over TOML text before toml++ sees it: toml++ recurses once per dotted-key part and per
/// nested array or inline table, and 30,000 dotted keys (`a.a.a…=1`, 60 KB) overflow its stack — a
/// segfault, not an error (toml++ has no limit for dotted keys). No configuration amcash reads needs
/// more than a few levels, so a file that goes deeper is refused here, with the place, in one loop
/// that does not recurse.
public enum TOMLDepthScan {
    /// The most parts a dotted key (or a table header) may have.
    public static let maximumKeyParts = 32
    /// The most arrays and inline tables (and header brackets) open at once.
    public static let maximumNesting = 32

    static func isBareKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_": true
        default: false
        }
    }

    /// Throws at the first place the text goes deeper than the limits.
    public static func check(_ text: String, path: String) throws(ConfigurationError) {
        var line = 1
        var column = 0
        var nesting = 0
        var dots = 0
        var iterator = text.unicodeScalars.makeIterator()
        // Scalars looked at ahead and not yet read: `pending[pendingHead...]` (no copying as they are read).
        var pending: [Unicode.Scalar] = []
        var pendingHead = 0
        func next() -> Unicode.Scalar? {
            let scalar: Unicode.Scalar?
            if pendingHead < pending.count {
                scalar = pending[pendingHead]
                pendingHead += 1
                if pendingHead == pending.count {
                    pending.removeAll(keepingCapacity: true)
                    pendingHead = 0
                }
            } else {
                scalar = iterator.next()
            }
            if let scalar {
                if scalar == "\n" {
                    line += 1
                    column = 0
                } else {
                    column += 1
                }
            }
            return scalar
        }
        /// The scalar `offset` places after the last one read, without reading it.
        func peek(at offset: Int = 0) -> Unicode.Scalar? {
            while pending.count - pendingHead <= offset, let scalar = iterator.next() { pending.append(scalar) }
            return pending.count - pendingHead > offset ? pending[pendingHead + offset] : nil
        }
        func peek(_ count: Int) -> [Unicode.Scalar] { (0..<count).compactMap { peek(at: $0) } }
        func fail(_ message: String) -> ConfigurationError {
            ConfigurationError(file: path, line: line, column: max(1, column), message: message)
        }
        /// Skips a string whose opening quote was just read; `multiline` strings end at three quotes.
        func skipString(quote: Unicode.Scalar, multiline: Bool) {
            let escapes = quote == "\""
            while let scalar = next() {
                if escapes && scalar == "\\" {
                    _ = next()
                    continue
                }
                if !multiline && scalar == "\n" { return }
                guard scalar == quote else { continue }
                if !multiline { return }
                if peek(2) == [quote, quote] {
                    _ = next()
                    _ = next()
                    return
                }
            }
        }
        /// Only spaces and tabs since the line began (a `[` there, outside any value, opens a table header).
        var atLineStart = true
        /// The brackets open (at most `maximumNesting`).
        var open: [Unicode.Scalar] = []
        while let scalar = next() {
            let header = atLineStart && nesting == 0 && scalar == "["
            atLineStart = scalar == "\n" || (atLineStart && (scalar == " " || scalar == "\t"))
            if header {
                // toml++ asserts (UB in a release build) when a header's key starts with anything but a key
                // character or a quote (`[{a]`): refused here, as toml++ itself would refuse it with `[]`.
                var ahead = peek(at: 0) == "[" ? 1 : 0
                while let blank = peek(at: ahead), blank == " " || blank == "\t" { ahead += 1 }
                guard let first = peek(at: ahead), first == "\"" || first == "'" || Self.isBareKeyCharacter(first) else {
                    throw fail("a table header must begin with a key (letters, digits, - or _, or a quoted key)")
                }
            }
            switch scalar {
            case "#":
                while let skipped = peek(at: 0), skipped != "\n" { _ = next() }
            case "\"", "'":
                let multiline = peek(2) == [scalar, scalar]
                if multiline {
                    _ = next()
                    _ = next()
                }
                skipString(quote: scalar, multiline: multiline)
            // A quoted key is part of a dotted key: the run of dots goes on.
            case "[", "{":
                nesting += 1
                dots = 0
                if nesting > maximumNesting {
                    throw fail("arrays and tables are nested more than \(maximumNesting) deep; no amcash file needs that")
                }
                open.append(scalar)
            case "]", "}":
                // A bracket that closes what is not open: toml++ asserts (UB in a release build) on a `}` where an
                // array expects a value (`x = [}`), so every mismatch is refused here.
                guard let last = open.popLast(), (last == "[") == (scalar == "]") else {
                    throw fail("\"\(scalar)\" closes nothing that is open here")
                }
                nesting = max(0, nesting - 1)
                dots = 0
            case ".":
                dots += 1
                if dots >= maximumKeyParts {
                    throw fail("a dotted key of more than \(maximumKeyParts) parts; no amcash file needs that")
                }
            case " ", "\t", "-", "_", "a"..."z", "A"..."Z", "0"..."9":
                break
            default:
                dots = 0
            }
        }
    }
}
