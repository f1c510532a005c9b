/// The receipt as the text file has always held it: its lines, then a rule of 40 dashes. Optionally
/// folded to ASCII for a printer or terminal that would print mojibake for "é".
public enum TextReceiptWriter {
    public static func text(_ document: ReceiptDocument, ascii: Bool) -> String {
        let lines = ascii ? document.textLines.map(ReceiptCodePage.foldToASCII) : document.textLines
        return lines.joined(separator: "\n") + "\n" + String(repeating: "-", count: 40) + "\n"
    }
}
