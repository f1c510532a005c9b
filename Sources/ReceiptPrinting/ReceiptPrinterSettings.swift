/// Where receipts go, as `receiptPrinter` names it: a file (appended to, today's behaviour), a
/// device (`/dev/usb/lp0`, a serial `/dev/ttyS0`), or a network printer (`tcp://HOST:9100`).
public enum ReceiptDestination: Sendable, Hashable {
    case file(String)
    case device(String)
    case tcp(host: String, port: Int)

    /// `tcp://HOST[:PORT]` (port 9100 by default), a path under /dev/, or any other path (a file).
    public init(parsing text: String) throws(ReceiptSettingError) {
        let trimmed = text.trimmingCharacters(in: " ")
        guard !trimmed.isEmpty else { throw ReceiptSettingError("receiptPrinter must name a file, a device or tcp://HOST:PORT, got an empty string") }
        if trimmed.lowercased().hasPrefix("tcp://") {
            let rest = String(trimmed.dropFirst(6))
            var host = rest
            var port = 9100
            if rest.hasPrefix("[") {  // [IPv6]:port
                guard let close = rest.firstIndex(of: "]") else { throw ReceiptSettingError("receiptPrinter: \"\(text)\" has no closing ]") }
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let after = rest[rest.index(after: close)...]
                if after.hasPrefix(":") {
                    port = try Self.port(String(after.dropFirst()), in: text)
                } else if !after.isEmpty {
                    throw ReceiptSettingError("receiptPrinter: \"\(text)\" must be tcp://HOST:PORT")
                }
            } else if let colon = rest.lastIndex(of: ":") {
                host = String(rest[..<colon])
                port = try Self.port(String(rest[rest.index(after: colon)...]), in: text)
            }
            guard !host.isEmpty, !host.contains("/"), !host.contains(" ") else {
                throw ReceiptSettingError("receiptPrinter: \"\(text)\" must be tcp://HOST:PORT, with a host name or address")
            }
            self = .tcp(host: host, port: port)
        } else if trimmed.contains("://") {
            throw ReceiptSettingError("receiptPrinter: \"\(text)\" is not a file, a device or tcp://HOST:PORT (only tcp:// is a network printer)")
        } else if trimmed.hasPrefix("/dev/") {
            self = .device(trimmed)
        } else {
            self = .file(trimmed)
        }
    }

    private static func port(_ text: String, in whole: String) throws(ReceiptSettingError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw ReceiptSettingError("receiptPrinter: \"\(whole)\" has port \"\(text)\"; a port is a number from 1 to 65535")
        }
        return port
    }

    /// ESC/POS for a device or a network printer, text for a file.
    public var defaultFormat: ReceiptFormat {
        if case .file = self { return .text }
        return .escpos
    }

    /// Whether the connection can answer a status request (DLE EOT).
    public var answersStatus: Bool {
        if case .file = self { return false }
        return true
    }

    /// How the status line and the logs name it.
    public var description: String {
        switch self {
        case .file(let path), .device(let path): path
        case .tcp(let host, let port): "tcp://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
    }
}

/// What goes to the printer: lines of text (today's file) or ESC/POS commands.
public enum ReceiptFormat: String, Sendable, Hashable, CaseIterable {
    case text
    case escpos
}

/// A receipt setting that cannot be used, said in words (the configuration adds file:line:column).
public struct ReceiptSettingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything that decides how a receipt reaches paper, from terminal.toml's receipt keys.
public struct ReceiptPrinterSettings: Sendable, Hashable {
    public var destination: ReceiptDestination
    public var format: ReceiptFormat
    public var columns: Int
    public var codePage: ReceiptCodePage
    public var barcode: ReceiptBarcode
    /// A serial printer's speed (`receiptBaud`); nil leaves the line as it is.
    public var baud: Int?
    /// Text receipts folded to ASCII (`--ascii`): a printer as likely to print mojibake for "é" as the screen.
    public var asciiText: Bool
    /// How long a network or device printer may take to connect, take the bytes or answer a status request.
    public var deadlineMilliseconds: Int

    public static let allowedBauds: [Int] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]

    public init(
        destination: ReceiptDestination, format: ReceiptFormat? = nil, columns: Int = ReceiptColumns.standard, codePage: ReceiptCodePage = .cp863,
        barcode: ReceiptBarcode = .code128, baud: Int? = nil, asciiText: Bool = false, deadlineMilliseconds: Int = 1500
    ) {
        self.destination = destination
        self.format = format ?? destination.defaultFormat
        self.columns = columns
        self.codePage = codePage
        self.barcode = barcode
        self.baud = baud
        self.asciiText = asciiText
        self.deadlineMilliseconds = deadlineMilliseconds
    }

    /// The bytes of `document` in this printer's format.
    public func bytes(_ document: ReceiptDocument) -> [UInt8] {
        switch format {
        case .text: Array(TextReceiptWriter.text(document, ascii: asciiText).utf8)
        case .escpos: EscPosWriter(columns: columns, codePage: codePage, barcode: barcode).bytes(document)
        }
    }
}

/// Why a receipt did not print, or what the printer said before it was sent.
public enum PrinterProblem: String, Error, Sendable, Hashable, Codable, CaseIterable {
    case paperOut
    case coverOpen
    case offline
    /// Nothing answered: the printer is off, unplugged or not on the network.
    case noAnswer
    /// The printer took part of the receipt and the connection ended.
    case connectionLost
    /// The file or device could not be opened or written.
    case cannotWrite

    /// The words of the status line after "printer: ".
    public func text(french: Bool) -> String {
        switch self {
        case .paperOut: french ? "plus de papier" : "out of paper"
        case .coverOpen: french ? "couvercle ouvert" : "cover open"
        case .offline: french ? "hors ligne" : "offline"
        case .noAnswer: french ? "ne répond pas" : "not answering"
        case .connectionLost: french ? "connexion perdue" : "connection lost"
        case .cannotWrite: french ? "impossible d'écrire" : "cannot write"
        }
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
