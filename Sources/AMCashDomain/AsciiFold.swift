/// The one ASCII fold of amcash, for screens that cannot show Unicode (`--ascii`, TERM=linux, a
/// non-UTF-8 locale) and receipt printers without the text's code page: box drawing and symbols
/// become ASCII look-alikes and accented letters lose their accents, so nothing turns into mojibake
/// and the words stay the same. Anything without a look-alike becomes `?`.
public enum AsciiFold {
    /// `text` in ASCII only.
    public static func fold(_ text: String) -> String {
        guard !text.allSatisfy(\.isASCII) else { return text }
        var folded = ""
        for character in text {
            if character.isASCII {
                folded.append(character)
            } else {
                folded += replacements[character] ?? "?"
            }
        }
        return folded
    }

    static let replacements: [Character: String] = [
        "—": "-", "–": "-", "−": "-", "×": "x", "…": "...", "•": "*", "·": "*", "’": "'", "‘": "'", "“": "\"", "”": "\"",
        "«": "<<", "»": ">>", "\u{00A0}": " ", "\u{202F}": " ", "°": "o", "№": "No", "€": "EUR",
        "─": "-", "━": "-", "│": "|", "┃": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+",
        "═": "=", "║": "|", "╔": "+", "╗": "+", "╚": "+", "╝": "+", "▶": ">", "◀": "<", "→": "->", "←": "<-", "↑": "^", "↓": "v",
        "✓": "v", "✔": "v", "✗": "x", "✘": "x", "█": "#", "░": ".", "▒": ":", "▓": "#",
        "à": "a", "â": "a", "ä": "a", "á": "a", "ç": "c", "é": "e", "è": "e", "ê": "e", "ë": "e", "î": "i", "ï": "i", "í": "i",
        "ô": "o", "ö": "o", "ó": "o", "ù": "u", "û": "u", "ü": "u", "ú": "u", "ÿ": "y", "ñ": "n", "œ": "oe", "æ": "ae",
        "À": "A", "Â": "A", "Ä": "A", "Á": "A", "Ç": "C", "É": "E", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I", "Í": "I",
        "Ô": "O", "Ö": "O", "Ó": "O", "Ù": "U", "Û": "U", "Ü": "U", "Ú": "U", "Ÿ": "Y", "Ñ": "N", "Œ": "OE", "Æ": "AE",
    ]
}
