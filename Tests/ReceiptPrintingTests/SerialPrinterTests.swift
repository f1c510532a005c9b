import Foundation
import ReceiptPrinterIO
import ReceiptPrinting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A serial printer, played by a pseudo-terminal: the device is set raw at `receiptBaud`, the status
/// request goes out, no answer comes (the deadline passes once), and the receipt's bytes arrive whole.
struct SerialPrinterTests {
    @Test func aSerialPrinterIsSetToItsSpeedAndGetsTheReceipt() throws {
        // posix_openpt, unlockpt and ptsname by hand (Swift's Glibc leaves them out): TIOCSPTLCK, TIOCGPTN.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0, "no pseudo-terminals here")
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        try #require(ioctl(master, UInt(0x4004_5431), &unlock) == 0 && ioctl(master, UInt(0x8004_5430), &number) == 0)
        let path = "/dev/pts/\(number)"
        // Held open so the line's settings stay while the printer opens and closes it.
        let held = open(path, O_RDWR | O_NOCTTY)
        defer { close(held) }
        let document = ReceiptDocument(lines: [.title("ÉCHANGE"), .amount(label: "Rabais: ", value: "30,00 $"), .barcode("RD1"), .cut])
        let printer = ReceiptPrinter(
            settings: ReceiptPrinterSettings(destination: .device(path), baud: 19200, deadlineMilliseconds: 200))
        #expect(printer.settings.format == .escpos)
        #expect(printer.print(document) == nil, "no status answer: printed without asking again")

        var settings = termios()
        #expect(tcgetattr(held, &settings) == 0 && cfgetospeed(&settings) == speed_t(B19200))
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO) == 0, "raw: nothing echoed or edited")

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        while poll(&entry, 1, 200) == 1 {
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        let job = printer.settings.bytes(document)
        #expect(Array(received.prefix(3)) == [0x10, 0x04, 0x01], "the status request first")
        #expect(Array(received.dropFirst(3)) == job, "then the receipt, byte for byte")
    }
}
