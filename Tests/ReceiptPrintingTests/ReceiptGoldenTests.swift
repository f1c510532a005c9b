import AMCashDomain
import AMCashWire
import ConsoleCore
import Foundation
import ReceiptPrinting
import Testing

/// The receipts as a printer would print them: each document written as ESC/POS, read back by the
/// emulator's interpreter, and compared with the reviewed text in Goldens/ (both languages, training,
/// every paper width). `AMCASH_RECORD_GOLDENS=1 swift test --filter ReceiptGoldenTests` rewrites them.
struct ReceiptGoldenTests {
    static var goldens: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens") }
    static let record = ProcessInfo.processInfo.environment["AMCASH_RECORD_GOLDENS"] == "1"

    static func context(_ language: Language, training: Bool = false) -> ReceiptContext {
        ReceiptContext(language: language, showBalances: true, isTraining: training, identity: .training, clock: "14:05")
    }

    static let card = CardRead(number: try! CollectorNumber(digits: "81000000042"), entryMode: .scan)

    static func redemption(_ language: Language, training: Bool = false) -> ReceiptDocument {
        let approval = RedemptionApproval(unitsRedeemed: Units(3), unitValue: .standard, confirmationNumber: "RD0000000042")
        return Receipt.redemption(
            approval, balances: Balances(cash: Miles(1_285), dream: Miles(40), availableCash: Miles(1_285)), card: card, traceId: "000042",
            context: context(language, training: training))
    }

    static func reversal(_ language: Language) -> ReceiptDocument {
        Receipt.reversal(
            card: card, money: Money(dollars: 30), original: "RD0000000042", reversalConfirmation: "RV0000000007", context: context(language))
    }

    static func documents() -> [(String, ReceiptDocument)] {
        Language.allCases.flatMap { language in
            [
                ("redemption-\(language.rawValue)", redemption(language)), ("reversal-\(language.rawValue)", reversal(language)),
                ("training-\(language.rawValue)", redemption(language, training: true)),
            ]
        }
    }

    static func compare(_ data: Data, file: String) throws {
        let url = goldens.appendingPathComponent(file)
        if record {
            try data.write(to: url)
            return
        }
        let expected = try Data(contentsOf: url)
        #expect(data == expected, "\(file) differs; AMCASH_RECORD_GOLDENS=1 rewrites it (review the diff)")
    }

    static func rendered(_ bytes: [UInt8]) -> String {
        var interpreter = EscPosInterpreter()
        _ = interpreter.feed(bytes)
        #expect(interpreter.unknownCommands == 0, "every command the writer sends is one the emulator knows")
        return interpreter.text
    }

    @Test(arguments: [32, 42, 48])
    func everyReceiptPrintsAsItsReviewedGolden(columns: Int) throws {
        for (name, document) in Self.documents() {
            let bytes = EscPosWriter(columns: columns).bytes(document)
            let text = Self.rendered(bytes)
            try Self.compare(Data(text.utf8), file: "escpos-\(name)-\(columns).txt")
            for line in text.split(separator: "\n") where !line.hasPrefix("[") && !line.hasPrefix("=") {
                #expect(line.count <= columns, "\(name) at \(columns): \"\(line)\" is wider than the paper")
            }
        }
    }

    /// The bytes scripts/escpos-crosscheck.py compares with python-escpos.
    @Test func theCrossCheckedBytesAreWhatTheWriterWrites() throws {
        try Self.compare(Data(EscPosWriter(columns: 42).bytes(Self.redemption(.french))), file: "escpos-redemption-fr-CA-42.bin")
        try Self.compare(
            Data(EscPosWriter(columns: 32, codePage: .cp858, barcode: .qr).bytes(Self.reversal(.french))),
            file: "escpos-reversal-fr-CA-32-cp858-qr.bin")
    }

    @Test func frenchPrintsInTheCodePageNeverAsUTF8() {
        for page in ReceiptCodePage.allCases {
            let bytes = EscPosWriter(codePage: page).bytes(Self.redemption(.french))
            #expect(Array(bytes[0..<5]) == [0x1B, 0x40, 0x1B, 0x74, page.escPosNumber], "initialise, then select \(page.rawValue)")
            #expect(!bytes.containsSequence(Array("É".utf8)) && !bytes.containsSequence(Array("é".utf8)), "\(page): no UTF-8")
            let text = Self.rendered(bytes)
            #expect(
                text.contains("ÉCHANGE ARGENT AIR MILES") && text.contains("Milles échangés:") && text.contains("N° de trace:"), "\(page): \(text)")
        }
    }

    @Test func aCodePageEncodesWhatItHoldsAndFoldsTheRest() {
        #expect(ReceiptCodePage.cp863.encode("É") == [0x90] && ReceiptCodePage.cp858.encode("É") == [0x90])
        #expect(ReceiptCodePage.cp863.encode("À") == [0x8E] && ReceiptCodePage.cp858.encode("À") == [0xB7])
        #expect(ReceiptCodePage.cp863.encode("€") == Array("EUR".utf8) && ReceiptCodePage.cp858.encode("€") == [0xD5])
        #expect(ReceiptCodePage.cp863.encode("Ñ—œ") == Array("N-oe".utf8), "what CP863 lacks is folded as the ASCII mode does")
        #expect(ReceiptCodePage.cp863.encode("中") == Array("?".utf8))
        #expect(ReceiptCodePage.cp863.encode("a\u{1B}b") == Array("a b".utf8), "no control byte from text reaches the printer")
        for page in ReceiptCodePage.allCases {
            for byte in UInt8(0x80)...0xFF {
                #expect(page.encode(String(page.decode(byte))) == [byte], "\(page.rawValue) byte \(byte) round-trips")
            }
        }
    }

    @Test func theTextFormatIsTheReceiptFileOfBefore() {
        let text = TextReceiptWriter.text(Self.redemption(.french), ascii: false)
        #expect(
            text == """
                ÉCHANGE ARGENT AIR MILES
                LOY1 0001 001  14:05
                Carte: *******0042
                Rabais: 30,00\u{00A0}$
                Milles échangés: 285
                Solde Argent AM: 1285
                Solde Rêves: 40
                Confirmation: RD0000000042
                N° de trace: 000042
                ----------------------------------------

                """)
        #expect(TextReceiptWriter.text(Self.redemption(.french), ascii: true).allSatisfy { $0.isASCII })
    }

    @Test func amountsLineUpOnTheRightEdge() {
        let writer = EscPosWriter(columns: 32)
        #expect(writer.aligned(label: "Rabais: ", value: "30,00 $") == ["Rabais:" + String(repeating: " ", count: 18) + "30,00 $"])
        let long = writer.aligned(label: "A label far too long for the paper: ", value: "RD0000000042")
        #expect(long.allSatisfy { $0.count <= 32 } && long.last?.hasSuffix("RD0000000042") == true && long.last?.count == 32)
    }

    @Test func theBarcodeCarriesTheConfirmationNumber() {
        var code128 = EscPosInterpreter()
        _ = code128.feed(EscPosWriter(barcode: .code128).bytes(Self.redemption(.english)))
        #expect(code128.text.contains("[C] [CODE128 RD0000000042]"))
        var qr = EscPosInterpreter()
        _ = qr.feed(EscPosWriter(barcode: .qr).bytes(Self.redemption(.english)))
        #expect(qr.text.contains("[C] [QR RD0000000042]"))
        #expect(Self.redemption(.english).barcodeData == "RD0000000042")
    }

    @Test func aStatusRequestIsSeenTheMomentItArrives() {
        var interpreter = EscPosInterpreter()
        #expect(interpreter.feed(Array("ab".utf8) + [0x10, 0x04]) == [])
        #expect(interpreter.feed(0x04) == 4)
        #expect(interpreter.text == "ab\n")
    }

    @Test func destinationsAreReadFromTheirNames() throws {
        #expect(try ReceiptDestination(parsing: "tcp://10.0.0.5:9100") == .tcp(host: "10.0.0.5", port: 9100))
        #expect(try ReceiptDestination(parsing: "tcp://printer") == .tcp(host: "printer", port: 9100))
        #expect(try ReceiptDestination(parsing: "tcp://[::1]:9101") == .tcp(host: "::1", port: 9101))
        #expect(try ReceiptDestination(parsing: "/dev/usb/lp0") == .device("/dev/usb/lp0"))
        #expect(try ReceiptDestination(parsing: "receipts.txt") == .file("receipts.txt"))
        #expect(ReceiptDestination.file("r.txt").defaultFormat == .text && ReceiptDestination.device("/dev/usb/lp0").defaultFormat == .escpos)
        for bad in ["tcp://:9100", "tcp://host:0", "tcp://host:99999", "http://printer", ""] {
            #expect(throws: ReceiptSettingError.self, "\(bad)") { try ReceiptDestination(parsing: bad) }
        }
    }
}

extension Array where Element == UInt8 {
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
