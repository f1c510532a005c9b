/// Which barcode carries the confirmation number: Code 128 (what a hand scanner reads) or a QR code.
public enum ReceiptBarcode: String, Sendable, Hashable, CaseIterable, Codable {
    case code128
    case qr
}

/// The paper's width in characters of font A: 32 (58 mm), 42 (80 mm, the default) or 48 (80 mm, narrow font).
public enum ReceiptColumns {
    public static let allowed: Set<Int> = [32, 42, 48]
    public static let standard = 42
}

/// A receipt document as ESC/POS bytes, the command set of Epson TM printers and the printers that
/// copy them: initialise, select the code page, the title bold and double height, amounts aligned to
/// the paper's width, the confirmation number as a barcode, feed and cut. The bytes match what
/// python-escpos sends for the same commands (scripts/escpos-crosscheck.py checks them).
public struct EscPosWriter: Sendable {
    public var columns: Int
    public var codePage: ReceiptCodePage
    public var barcode: ReceiptBarcode

    public init(columns: Int = ReceiptColumns.standard, codePage: ReceiptCodePage = .cp863, barcode: ReceiptBarcode = .code128) {
        self.columns = columns
        self.codePage = codePage
        self.barcode = barcode
    }

    /// ESC @: forget any mode a previous job left.
    public static let initialize: [UInt8] = [0x1B, 0x40]
    /// ESC d 6, GS V 0: feed past the cutter, full cut.
    public static let feedAndCut: [UInt8] = [0x1B, 0x64, 0x06, 0x1D, 0x56, 0x00]
    static let normalStyle: [UInt8] = [0x1B, 0x21, 0x00, 0x1B, 0x45, 0x00]
    static let titleStyle: [UInt8] = [0x1B, 0x21, 0x10, 0x1B, 0x45, 0x01]
    static let alignLeft: [UInt8] = [0x1B, 0x61, 0x00]
    static let alignCenter: [UInt8] = [0x1B, 0x61, 0x01]

    /// ESC t n: the code page every following byte above 0x7F is read in.
    public var selectCodePage: [UInt8] { [0x1B, 0x74, codePage.escPosNumber] }

    public func bytes(_ document: ReceiptDocument) -> [UInt8] {
        var out = Self.initialize + selectCodePage
        for line in document.lines {
            switch line {
            case .title(let text):
                out += Self.alignCenter + Self.titleStyle
                for part in wrap(text) { out += codePage.encode(part) + [0x0A] }
                out += Self.normalStyle + Self.alignLeft
            case .trainingBanner(let text):
                out += Self.alignCenter + [0x1B, 0x45, 0x01]
                // On narrow paper the banner's stars go before its words are broken.
                let banner = text.count > columns ? text.trimmingCharacters(in: "*").trimmingCharacters(in: " ") : text
                for part in wrap(banner) { out += codePage.encode(part) + [0x0A] }
                out += [0x1B, 0x45, 0x00] + Self.alignLeft
            case .text(let text):
                for part in wrap(text) { out += codePage.encode(part) + [0x0A] }
            case .field(let label, let value), .amount(let label, let value):
                for part in aligned(label: label, value: value) { out += codePage.encode(part) + [0x0A] }
            case .barcode(let data):
                out += barcodeBytes(data)
            case .cut:
                out += Self.feedAndCut
            }
        }
        return out
    }

    /// The barcode command for `data`, centred, then left alignment again.
    public func barcodeBytes(_ data: String) -> [UInt8] {
        let payload = Array(ReceiptCodePage.foldToASCII(data).utf8.prefix(250))
        var out: [UInt8] = Self.alignCenter
        switch barcode {
        case .code128:
            // GS h height, GS w module width, GS f font, GS H HRI below, GS k 73 (Code 128) n "{B" data.
            let body: [UInt8] = Array("{B".utf8) + payload
            out += [0x1D, 0x68, 0x40, 0x1D, 0x77, 0x02, 0x1D, 0x66, 0x00, 0x1D, 0x48, 0x02]
            out += [0x1D, 0x6B, 0x49, UInt8(body.count)]
            out += body
        case .qr:
            let stored = payload.count + 3
            out += [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]  // model 2
            out += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x04]  // module size 4
            out += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x30]  // error correction L
            out += [0x1D, 0x28, 0x6B, UInt8(stored % 256), UInt8(stored / 256), 0x31, 0x50, 0x30]  // store the data
            out += payload
            out += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]  // print it
        }
        out += [0x0A]
        out += Self.alignLeft
        return out
    }

    /// A label and its value on one line, the value against the right edge; on two when they do not fit.
    public func aligned(label: String, value: String) -> [String] {
        let label = label.trimmingTrailingSpaces
        let gap = columns - label.count - value.count
        if gap >= 1 { return [label + String(repeating: " ", count: gap) + value] }
        return wrap(label) + wrap(value).map { String(repeating: " ", count: max(0, columns - $0.count)) + $0 }
    }

    /// `text` broken at spaces into lines of at most `columns` characters (a longer word is cut).
    func wrap(_ text: String) -> [String] {
        guard text.count > columns else { return [text] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            while word.count > columns {
                if !current.isEmpty {
                    lines.append(current)
                    current = ""
                }
                lines.append(String(word.prefix(columns)))
                word = String(word.dropFirst(columns))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= columns {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
