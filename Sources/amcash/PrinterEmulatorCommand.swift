import ArgumentParser
import Foundation
import ReceiptPrinterIO

/// `amcash printer-emulator`: a network receipt printer in software, so a trainer sees receipts
/// without paper and a till can be tried against "out of paper" or a printer that drops the line.
struct PrinterEmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printer-emulator", abstract: "A network ESC/POS receipt printer that prints to the terminal.",
        discussion: """
            Listens for ESC/POS over TCP (raw, like a printer's port 9100) and prints each job as text: \
            [B] bold, [2H] double height, [2W] double width, [U] underline, [C] a centred line, barcodes as \
            [CODE128 data] or [QR data], a cut as a rule. Answers status requests (DLE EOT) as a printer in the \
            state --state says. Point a till at it with receiptPrinter = "tcp://127.0.0.1:9100".
            """)

    @Option(name: .long, help: "The TCP port (0: any free port, printed at start).")
    var port = 9100

    @Option(name: .long, help: "The address to listen on (default loopback; 0.0.0.0 to let other machines print).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "What the printer answers: ready, paper-out, cover-open, offline, or silent (prints, never answers status).")
    var state = "ready"

    @Option(name: .long, help: "Drop each connection after this many bytes (a printer that goes away half way).")
    var dropAfter: Int?

    @Option(name: .long, help: "Also append each rendered job to this file.")
    var output: String?

    func validate() throws {
        guard PrinterEmulator.State(rawValue: state) != nil else {
            throw ValidationError(
                "--state must be one of \(PrinterEmulator.State.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(state)\"")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, got \(port)") }
        if let dropAfter, dropAfter < 0 { throw ValidationError("--drop-after must be 0 or more bytes") }
    }

    func run() throws {
        let output = self.output
        let emulator = PrinterEmulator(state: PrinterEmulator.State(rawValue: state) ?? .ready, dropAfter: dropAfter) { job in
            FileHandle.standardOutput.write(Data((job + "\n").utf8))
            if let output, let data = (job + "\n").data(using: .utf8) {
                if !FileManager.default.fileExists(atPath: output) {
                    _ = FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600])
                }
                if let handle = FileHandle(forWritingAtPath: output) {
                    handle.seekToEndOfFile()
                    handle.write(data)
                    try? handle.close()
                }
            }
        }
        do { try emulator.start(host: host, port: port) } catch {
            printError("amcash printer-emulator: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        FileHandle.standardError.write(Data("amcash printer-emulator: listening on tcp://\(host):\(emulator.port) (\(state)); Ctrl-C stops\n".utf8))
        while true { sleep(3600) }
    }
}
