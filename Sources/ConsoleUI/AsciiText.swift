import AMCashDomain

/// Text for terminals that cannot show Unicode: `AsciiFold` (the receipts' fold too), and the one
/// rule for when the console draws that way.
public enum AsciiText {

    /// The one rule for when the console (and training) draws in ASCII only: `--ascii`, else the
    /// configuration's `ascii` key, else a Linux console (TERM=linux) or a locale that is not UTF-8.
    public static func isNeeded(flag: Bool, configured: Bool?, term: String?, utf8: Bool) -> Bool {
        flag || (configured ?? (term == "linux" || !utf8))
    }

    /// `text` in ASCII only (`AsciiFold`).
    public static func fold(_ text: String) -> String { AsciiFold.fold(text) }
}
