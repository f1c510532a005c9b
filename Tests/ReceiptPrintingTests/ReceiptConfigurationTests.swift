import AMCashConfiguration
import ReceiptPrinting
import Testing

/// terminal.toml's receipt keys: read into the printer's settings, and every bad value named with
/// its file, line and column (what `amcash lint` prints).
struct ReceiptConfigurationTests {
    @Test func theReceiptKeysAreRead() throws {
        let configuration = try TerminalConfigurationLoader.parse(
            """
            receiptPrinter = "/dev/ttyS0"
            receiptBaud = 19200
            receiptColumns = 32
            receiptCodePage = "cp858"
            receiptBarcode = "qr"
            """, path: "t.toml")
        let settings = try configuration.receipt.settings(defaultPath: "/data/receipts.txt", asciiText: false)
        #expect(settings.destination == .device("/dev/ttyS0") && settings.format == .escpos && settings.baud == 19200)
        #expect(settings.columns == 32 && settings.codePage == .cp858 && settings.barcode == .qr)
    }

    @Test func theDefaultsAreTodaysTextFile() throws {
        let settings = try TerminalConfiguration.builtIn.receipt.settings(defaultPath: "/data/receipts.txt", asciiText: true)
        #expect(settings.destination == .file("/data/receipts.txt") && settings.format == .text && settings.asciiText)
        #expect(settings.columns == 42 && settings.codePage == .cp863 && settings.barcode == .code128)
        let network = try TerminalConfigurationLoader.parse("receiptPrinter = \"tcp://10.0.0.9\"\n", path: "t.toml")
        #expect(try network.receipt.settings(defaultPath: "x", asciiText: false).format == .escpos)
        let older = try TerminalConfigurationLoader.parse("receiptPath = \"/srv/r.txt\"\nreceiptFormat = \"escpos\"\n", path: "t.toml")
        let olderSettings = try older.receipt.settings(defaultPath: "x", asciiText: false)
        #expect(olderSettings.destination == .file("/srv/r.txt") && olderSettings.format == .escpos)
        let overridden = try older.receipt.settings(override: "tcp://127.0.0.1:9101", defaultPath: "x", asciiText: false)
        #expect(overridden.destination == .tcp(host: "127.0.0.1", port: 9101))
    }

    @Test(arguments: [
        ("receiptColumns = 40\n", "t.toml:1:18: receiptColumns must be 32, 42 or 48"),
        ("receiptCodePage = \"CP437\"\n", "t.toml:1:19: receiptCodePage must be \"CP863\""),
        ("receiptBarcode = \"ean13\"\n", "t.toml:1:18: receiptBarcode must be \"code128\" or \"qr\""),
        ("receiptFormat = \"pdf\"\n", "t.toml:1:17: receiptFormat must be \"text\" or \"escpos\""),
        ("receiptPrinter = \"tcp://printer:99999\"\n", "t.toml:1:18: receiptPrinter: \"tcp://printer:99999\" has port"),
        ("receiptPrinter = \"http://printer\"\n", "t.toml:1:18: receiptPrinter: \"http://printer\" is not a file"),
        ("receiptPrinter = \"/dev/usb/lp0\"\nreceiptBaud = 9600\n", "t.toml:2:15: receiptBaud is for a serial printer"),
        ("receiptPrinter = \"/dev/ttyS0\"\nreceiptBaud = 9601\n", "t.toml:2:15: receiptBaud must be one of"),
        ("receiptPrinter = \"a\"\nreceiptPath = \"b\"\n", "t.toml:2:15: receiptPath is the older name of receiptPrinter"),
        ("receiptColumns = \"42\"\n", "t.toml:1:18: receiptColumns must be 32, 42 or 48"),
    ])
    func aBadReceiptSettingSaysWhere(text: String, expected: String) {
        do {
            _ = try TerminalConfigurationLoader.parse(text, path: "t.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func everyReceiptKeyIsDocumented() {
        let keys = Set(TerminalConfigurationLoader.keys.map(\.key))
        for key in ["receiptPrinter", "receiptFormat", "receiptColumns", "receiptCodePage", "receiptBarcode", "receiptBaud"] {
            #expect(keys.contains(key), "\(key)")
        }
    }
}
