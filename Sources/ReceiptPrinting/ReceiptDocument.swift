/// A receipt rendered once from its data, before any printer is chosen: lines with roles, so a
/// writer can make the title bold, align the amounts to the paper's width, print the confirmation
/// number as a barcode and cut, or (for a text file) write the lines the console always wrote.
public struct ReceiptDocument: Sendable, Hashable, Codable {
    /// One line of a receipt and what it is.
    public enum Line: Sendable, Hashable, Codable {
        /// The receipt's name, first: bold and double height on a printer.
        case title(String)
        /// The CERT banner ("*** TRAINING - NO VALUE ***"): a receipt that must not pass for money.
        case trainingBanner(String)
        /// Plain text.
        case text(String)
        /// A label and its value ("Card: " and "****1234"), the value aligned right on a printer.
        case field(label: String, value: String)
        /// A label and an amount of money or miles, aligned right on a printer.
        case amount(label: String, value: String)
        /// The confirmation number as a barcode (Code 128 or QR, by setting); no text line of its own.
        case barcode(String)
        /// The end of the receipt: feed and cut on a printer, the dashed rule in the text file.
        case cut
    }

    public var lines: [Line]

    public init(lines: [Line]) { self.lines = lines }

    /// The receipt as lines of text, as the console shows it and the text file holds it (no barcode, no rule).
    public var textLines: [String] {
        lines.compactMap { line in
            switch line {
            case .title(let text), .trainingBanner(let text), .text(let text): text
            case .field(let label, let value), .amount(let label, let value): label + value
            case .barcode, .cut: nil
            }
        }
    }

    /// The confirmation number the barcode carries (nil: none).
    public var barcodeData: String? {
        for case .barcode(let data) in lines { return data }
        return nil
    }
}
