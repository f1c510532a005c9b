/// ESC/POS bytes read back into what a printer would put on paper, as text: styles marked
/// (`[B]` bold, `[2H]` double height, `[2W]` double width, `[U]` underline, `[C]`/`[R]` centred or
/// right-aligned lines), barcodes shown with the data they carry, cuts shown as a rule. The
/// printer emulator renders with it, and the tests compare its text with goldens. Fed a byte at a
/// time, so a status request (DLE EOT) is seen the moment it arrives and can be answered.
public struct EscPosInterpreter: Sendable {
    struct Style: Equatable {
        var bold = false
        var doubleHeight = false
        var doubleWidth = false
        var underline = false
    }

    /// The lines rendered so far (a line still being printed is not among them).
    public private(set) var lines: [String] = []
    /// Bytes that were not a command this interpreter knows, shown in the text as `[?…]`.
    public private(set) var unknownCommands = 0
    private var pending: [UInt8] = []
    private var current = ""
    private var marked = Style()
    private var style = Style()
    private var alignment: UInt8 = 0
    private var codePage: ReceiptCodePage? = .cp863
    private var codePageNumber: UInt8 = 4

    public init() {}

    /// The rendered text: every line, and a line still being printed.
    public var text: String {
        var all = lines
        if !current.isEmpty { all.append(current + closing(marked)) }
        return all.map { $0 + "\n" }.joined()
    }

    /// Reads one byte; returns n when a status request DLE EOT n is complete, for the caller to answer.
    public mutating func feed(_ byte: UInt8) -> UInt8? {
        if pending.isEmpty {
            switch byte {
            case 0x0A:
                endLine()
                return nil
            case 0x0D, 0x7F:
                return nil
            case 0x09:
                put(" ")
                return nil
            case 0x10, 0x1B, 0x1D:
                pending = [byte]
                return nil
            case 0x00..<0x20:
                return nil
            default:
                put(character(byte))
                return nil
            }
        }
        pending.append(byte)
        guard let length = Self.commandLength(pending), pending.count >= length else { return nil }
        let command = pending
        pending = []
        return apply(command)
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var requests: [UInt8] = []
        for byte in bytes { if let request = feed(byte) { requests.append(request) } }
        return requests
    }

    /// The length of the command that starts `bytes`, or nil while more bytes are needed to know it.
    static func commandLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        switch bytes[0] {
        case 0x1B:
            switch bytes[1] {
            case 0x40, 0x69, 0x6D, 0x3C: return 2
            case 0x70: return 5
            case 0x2A:  // ESC * m nL nH: bit image, 1 byte per column (or 3 in 24-dot modes)
                guard bytes.count >= 5 else { return nil }
                let columns = Int(bytes[3]) + Int(bytes[4]) * 256
                return 5 + columns * (bytes[2] >= 32 ? 3 : 1)
            default: return 3
            }
        case 0x1D:
            switch bytes[1] {
            case 0x56:
                guard bytes.count >= 3 else { return nil }
                return bytes[2] >= 65 ? 4 : 3
            case 0x6B:
                guard bytes.count >= 3 else { return nil }
                if bytes[2] <= 6 {
                    guard let end = bytes[3...].firstIndex(of: 0) else { return nil }
                    return end + 1
                }
                guard bytes.count >= 4 else { return nil }
                return 4 + Int(bytes[3])
            case 0x28:
                guard bytes.count >= 5 else { return nil }
                return 5 + Int(bytes[3]) + Int(bytes[4]) * 256
            case 0x4C, 0x57: return 4
            default: return 3
            }
        case 0x10:
            return bytes[1] == 0x14 ? 5 : 3
        default:
            return 1
        }
    }

    private mutating func apply(_ command: [UInt8]) -> UInt8? {
        switch (command[0], command[1]) {
        case (0x10, 0x04):
            return command[2]
        case (0x10, _):
            return nil
        case (0x1B, 0x40):
            if !current.isEmpty { endLine() }
            style = Style()
            alignment = 0
            selectCodePage(4)
        case (0x1B, 0x74):
            selectCodePage(command[2])
        case (0x1B, 0x21):
            let n = command[2]
            style.bold = n & 0x08 != 0
            style.doubleHeight = n & 0x10 != 0
            style.doubleWidth = n & 0x20 != 0
            style.underline = n & 0x80 != 0
        case (0x1B, 0x45), (0x1B, 0x47):
            style.bold = command[2] & 1 != 0
        case (0x1B, 0x2D):
            style.underline = command[2] & 3 != 0
        case (0x1B, 0x61):
            alignment = command[2] % 48
        case (0x1B, 0x64), (0x1B, 0x4A):
            if !current.isEmpty { endLine() }
        case (0x1B, 0x69), (0x1B, 0x6D), (0x1D, 0x56):
            if !current.isEmpty { endLine() }
            lines.append("=============== cut ===============")
        case (0x1B, 0x4D), (0x1B, 0x70), (0x1B, 0x20), (0x1B, 0x33), (0x1B, 0x52), (0x1B, 0x7B), (0x1B, 0x3C), (0x1B, 0x2A):
            break
        case (0x1D, 0x21):
            let n = command[2]
            style.doubleWidth = n & 0x70 != 0
            style.doubleHeight = n & 0x07 != 0
        case (0x1D, 0x68), (0x1D, 0x77), (0x1D, 0x66), (0x1D, 0x48), (0x1D, 0x42), (0x1D, 0x4C), (0x1D, 0x57), (0x1D, 0x72):
            break
        case (0x1D, 0x6B):
            barcode(command)
        case (0x1D, 0x28):
            qrCode(command)
        default:
            unknownCommands += 1
            put("[?" + command.prefix(2).map { hex($0) }.joined(separator: " ") + "]")
        }
        return nil
    }

    private mutating func barcode(_ command: [UInt8]) {
        let kind = command[2]
        var data: [UInt8]
        if kind <= 6 {
            data = Array(command[3..<(command.count - 1)])
        } else {
            data = Array(command[4...])
        }
        let names: [UInt8: String] = [
            0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR", 65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8",
            69: "CODE39", 70: "ITF", 71: "CODABAR", 72: "CODE93", 73: "CODE128",
        ]
        if kind == 73, data.count >= 2, data[0] == UInt8(ascii: "{") { data.removeFirst(2) }  // the code set
        if !current.isEmpty { endLine() }
        current = alignmentMark() + "[\(names[kind] ?? "BARCODE \(kind)") \(String(decoding: data, as: UTF8.self))]"
        endLine()
    }

    private mutating func qrCode(_ command: [UInt8]) {
        // GS ( k pL pH cn fn …: only "store the data" (cn 49, fn 80) carries text; "print" (fn 81) prints it.
        guard command.count >= 7, command[2] == 0x6B, command[5] == 0x31 else { return }
        switch command[6] {
        case 0x50: qrData = command.count > 8 ? Array(command[8...]) : []
        case 0x51:
            if !current.isEmpty { endLine() }
            current = alignmentMark() + "[QR \(String(decoding: qrData, as: UTF8.self))]"
            endLine()
        default: break
        }
    }

    private var qrData: [UInt8] = []

    private mutating func selectCodePage(_ number: UInt8) {
        codePageNumber = number
        codePage = ReceiptCodePage.allCases.first { $0.escPosNumber == number }
    }

    private func character(_ byte: UInt8) -> Character {
        guard byte >= 0x80 else { return Character(Unicode.Scalar(byte)) }
        return codePage?.decode(byte) ?? "?"
    }

    private mutating func put(_ text: some StringProtocol) {
        if current.isEmpty { current = alignmentMark() }
        if style != marked {
            current += closing(marked, unless: style) + opening(style, unless: marked)
            marked = style
        }
        current += text
    }

    private mutating func put(_ character: Character) { put(String(character)) }

    private mutating func endLine() {
        lines.append(current + closing(marked))
        current = ""
        marked = Style()
    }

    private func alignmentMark() -> String {
        switch alignment {
        case 1: "[C] "
        case 2: "[R] "
        default: ""
        }
    }

    private func opening(_ style: Style, unless old: Style = Style()) -> String {
        (style.bold && !old.bold ? "[B]" : "") + (style.doubleHeight && !old.doubleHeight ? "[2H]" : "")
            + (style.doubleWidth && !old.doubleWidth ? "[2W]" : "") + (style.underline && !old.underline ? "[U]" : "")
    }

    private func closing(_ style: Style, unless new: Style = Style()) -> String {
        (style.underline && !new.underline ? "[/U]" : "") + (style.doubleWidth && !new.doubleWidth ? "[/2W]" : "")
            + (style.doubleHeight && !new.doubleHeight ? "[/2H]" : "") + (style.bold && !new.bold ? "[/B]" : "")
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
