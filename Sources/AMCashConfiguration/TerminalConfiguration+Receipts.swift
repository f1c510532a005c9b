import Foundation
public import ReceiptPrinting
import TOMLKit

/// The receipt printer's keys in terminal.toml: where (`receiptPrinter`, or the older `receiptPath`),
/// in what (`receiptFormat`), how wide (`receiptColumns`), in which code page (`receiptCodePage`),
/// with which barcode (`receiptBarcode`) and, for a serial printer, at what speed (`receiptBaud`).
public struct ReceiptConfiguration: Sendable, Hashable {
    /// nil: the console's default, receipts.txt in the data directory.
    public var destination: ReceiptDestination?
    /// nil: escpos for a device or tcp://, text for a file.
    public var format: ReceiptFormat?
    public var columns = ReceiptColumns.standard
    public var codePage = ReceiptCodePage.cp863
    public var barcode = ReceiptBarcode.code128
    public var baud: Int?

    public init() {}

    /// The printer's settings; `override` (`--receipts`) replaces the destination, `defaultPath` is used when none is set.
    public func settings(override: String? = nil, defaultPath: String, asciiText: Bool) throws(ReceiptSettingError) -> ReceiptPrinterSettings {
        var chosen = destination ?? .file(defaultPath)
        if let override { chosen = try ReceiptDestination(parsing: override) }
        return ReceiptPrinterSettings(
            destination: chosen, format: format, columns: columns, codePage: codePage, barcode: barcode, baud: baud, asciiText: asciiText)
    }
}

extension TerminalConfigurationLoader {
    static let receiptKeys: [(key: String, meaning: String)] = [
        (
            "receiptPrinter",
            "where receipts print: a file (appended to; default receipts.txt in the data directory), a device (/dev/usb/lp0, /dev/ttyS0) or tcp://HOST:9100"
        ),
        ("receiptFormat", "text or escpos (default: escpos for a device or tcp://, text for a file)"),
        ("receiptColumns", "the paper's width in characters: 32, 42 (default) or 48"),
        ("receiptCodePage", "the printer's code page for ESC/POS: CP863 (default, Canadian French) or CP858"),
        ("receiptBarcode", "the confirmation number's barcode on ESC/POS receipts: code128 (default) or qr"),
        ("receiptBaud", "a serial printer's speed: 1200 to 115200 (9600, 19200, 38400 …); only with a /dev/tty… receiptPrinter"),
    ]

    static func receiptConfiguration(_ document: TOMLDocument) throws(ConfigurationError) -> ReceiptConfiguration {
        var receipt = ReceiptConfiguration()
        func string(_ key: String) throws(ConfigurationError) -> String? {
            guard let value = document.root[key] else { return nil }
            guard let text = value.string else { throw document.error(at: key, "\(key) must be a quoted string") }
            return text
        }
        if document.root.contains(key: "receiptPrinter") && document.root.contains(key: "receiptPath") {
            throw document.error(at: "receiptPath", "receiptPath is the older name of receiptPrinter; keep only receiptPrinter")
        }
        for key in ["receiptPrinter", "receiptPath"] {
            guard let text = try string(key) else { continue }
            do { receipt.destination = try ReceiptDestination(parsing: text) } catch {
                throw document.error(at: key, error.description.replacingOccurrences(of: "receiptPrinter", with: key))
            }
        }
        if let text = try string("receiptFormat") {
            guard let format = ReceiptFormat(rawValue: text.lowercased()) else {
                throw document.error(at: "receiptFormat", "receiptFormat must be \"text\" or \"escpos\", got \"\(text)\"")
            }
            receipt.format = format
        }
        if let value = document.root["receiptColumns"] {
            guard let columns = value.int, ReceiptColumns.allowed.contains(columns) else {
                throw document.error(at: "receiptColumns", "receiptColumns must be 32, 42 or 48 (the paper's width in characters)")
            }
            receipt.columns = columns
        }
        if let text = try string("receiptCodePage") {
            guard let page = ReceiptCodePage(rawValue: text.uppercased()) else {
                throw document.error(at: "receiptCodePage", "receiptCodePage must be \"CP863\" (Canadian French) or \"CP858\", got \"\(text)\"")
            }
            receipt.codePage = page
        }
        if let text = try string("receiptBarcode") {
            guard let barcode = ReceiptBarcode(rawValue: text.lowercased()) else {
                throw document.error(at: "receiptBarcode", "receiptBarcode must be \"code128\" or \"qr\", got \"\(text)\"")
            }
            receipt.barcode = barcode
        }
        if let value = document.root["receiptBaud"] {
            guard let baud = value.int, ReceiptPrinterSettings.allowedBauds.contains(baud) else {
                throw document.error(
                    at: "receiptBaud", "receiptBaud must be one of \(ReceiptPrinterSettings.allowedBauds.map(String.init).joined(separator: ", "))")
            }
            guard case .device(let path) = receipt.destination, path.hasPrefix("/dev/tty") else {
                throw document.error(at: "receiptBaud", "receiptBaud is for a serial printer: set receiptPrinter to its device, such as /dev/ttyS0")
            }
            receipt.baud = baud
        }
        return receipt
    }
}
