import Foundation
import ReceiptPrinterIO
import ReceiptPrinting
import Testing

/// A receipt over a real TCP socket to the printer emulator: printed, refused for paper or cover,
/// dropped half way, sent to a port where no printer listens. Each answer comes within the deadline.
@Suite(.serialized)
struct PrinterTransportTests {
    static let document = ReceiptDocument(lines: [
        .title("ÉCHANGE ARGENT AIR MILES"), .text("LOY1 0001 001  14:05"), .amount(label: "Rabais: ", value: "30,00 $"),
        .field(label: "Confirmation: ", value: "RD0000000042"), .barcode("RD0000000042"), .cut,
    ])

    static func printer(port: Int, format: ReceiptFormat = .escpos) -> ReceiptPrinter {
        ReceiptPrinter(settings: ReceiptPrinterSettings(destination: .tcp(host: "127.0.0.1", port: port), format: format, deadlineMilliseconds: 500))
    }

    static func emulator(_ state: PrinterEmulator.State = .ready, dropAfter: Int? = nil) throws -> PrinterEmulator {
        let emulator = PrinterEmulator(state: state, dropAfter: dropAfter)
        try emulator.start(port: 0)
        return emulator
    }

    @Test func aReadyPrinterPrintsTheReceiptTheEmulatorRendersIt() throws {
        let emulator = try Self.emulator()
        defer { emulator.stop() }
        let printer = Self.printer(port: emulator.port)
        #expect(printer.condition() == .ready)
        #expect(printer.print(Self.document) == nil)
        let jobs = emulator.waitForJobs(1)
        var expected = EscPosInterpreter()
        _ = expected.feed(printer.settings.bytes(Self.document))
        #expect(jobs.last == expected.text)
        #expect(jobs.last?.contains("[C] [B][2H]ÉCHANGE ARGENT AIR MILES[/2H][/B]") == true, "\(jobs)")
        #expect(jobs.last?.contains("[CODE128 RD0000000042]") == true && jobs.last?.contains("cut") == true)
    }

    @Test(arguments: [(PrinterEmulator.State.paperOut, PrinterProblem.paperOut), (.coverOpen, .coverOpen), (.offline, .offline)])
    func aPrinterThatCannotPrintSaysWhyAndGetsNothing(state: PrinterEmulator.State, problem: PrinterProblem) throws {
        let emulator = try Self.emulator(state)
        defer { emulator.stop() }
        let printer = Self.printer(port: emulator.port)
        #expect(printer.condition() == .problem(problem))
        #expect(printer.print(Self.document) == problem)
        #expect(emulator.waitForJobs(1, seconds: 0.3).isEmpty, "nothing was sent to a printer that cannot print")
        emulator.state = .ready
        #expect(printer.print(Self.document) == nil, "back: it prints")
        #expect(emulator.waitForJobs(1).count == 1)
    }

    @Test func aPrinterThatDropsTheConnectionHalfWayIsNotCountedAsPrinted() throws {
        let emulator = try Self.emulator(dropAfter: 40)
        defer { emulator.stop() }
        let start = Date()
        #expect(Self.printer(port: emulator.port).print(Self.document) == .connectionLost)
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func aPrinterThatNeverAnswersStatusStillPrints() throws {
        let emulator = try Self.emulator(.silent)
        defer { emulator.stop() }
        let printer = Self.printer(port: emulator.port)
        #expect(printer.condition() == .unknown)
        #expect(printer.print(Self.document) == nil)
        #expect(emulator.waitForJobs(1).count == 1)
    }

    @Test func aPrinterThatIsOffIsGivenUpOnWithinTheDeadline() throws {
        let emulator = try Self.emulator()
        let port = emulator.port
        emulator.stop()  // nothing listens there now
        let start = Date()
        #expect(Self.printer(port: port).print(Self.document) == .noAnswer)
        #expect(Self.printer(port: port).condition() == .problem(.noAnswer))
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func aFileIsAppendedToPrivately() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-receipts-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let printer = ReceiptPrinter(settings: ReceiptPrinterSettings(destination: .file(path)))
        #expect(printer.settings.format == .text && printer.condition() == .unknown)
        #expect(printer.print(Self.document) == nil && printer.print(Self.document) == nil)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == String(repeating: TextReceiptWriter.text(Self.document, ascii: false), count: 2))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "a receipt names a collector")
        let unwritable = ReceiptPrinter(settings: ReceiptPrinterSettings(destination: .file("/nonexistent-folder/receipts.txt")))
        #expect(unwritable.print(Self.document) == .cannotWrite)
    }

    @Test func aDeviceThatIsNotThereIsNotAnswering() {
        let printer = ReceiptPrinter(settings: ReceiptPrinterSettings(destination: .device("/dev/usb/lp-amcash-none"), deadlineMilliseconds: 200))
        #expect(printer.print(Self.document) == .noAnswer)
    }
}
