import ReceiptPrinting

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open connection to a printer (a TCP socket or a device), every wait bounded by a deadline, so a
/// printer that is off or stuck is given up on instead of holding the sale.
final class PrinterLink {
    let descriptor: Int32
    /// Whether anything can be read back (a status answer); a write-only device cannot.
    let canRead: Bool
    let deadlineMilliseconds: Int32
    /// Set when a status request went unanswered: the printer does not answer them, so none is asked again.
    private var statusSilent = false
    /// A socket's end of file means the printer went away; a device's means only that it sends no status.
    let isSocket: Bool

    private init(descriptor: Int32, canRead: Bool, isSocket: Bool, deadlineMilliseconds: Int) {
        self.descriptor = descriptor
        self.canRead = canRead
        self.isSocket = isSocket
        self.deadlineMilliseconds = Int32(clamping: deadlineMilliseconds)
    }

    deinit { close(descriptor) }

    /// A TCP connection to `host:port`, given up after the deadline.
    static func connect(host: String, port: Int, deadlineMilliseconds: Int) throws(PrinterProblem) -> PrinterLink {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw .noAnswer }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let socketDescriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard socketDescriptor >= 0 else { continue }
            let link = PrinterLink(descriptor: socketDescriptor, canRead: true, isSocket: true, deadlineMilliseconds: deadlineMilliseconds)
            link.setNonBlocking()
            if Glibc.connect(socketDescriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return link }
            guard errno == EINPROGRESS, link.wait(for: Int16(POLLOUT), milliseconds: link.deadlineMilliseconds) else { continue }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(socketDescriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 else { continue }
            return link
        }
        throw .noAnswer
    }

    /// A printer device: USB (/dev/usb/lp0) or serial (/dev/ttyS0, set to `baud`, raw).
    static func open(device path: String, baud: Int?, deadlineMilliseconds: Int) throws(PrinterProblem) -> PrinterLink {
        var descriptor = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        var canRead = true
        if descriptor < 0 {
            descriptor = Glibc.open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK)
            canRead = false
        }
        guard descriptor >= 0 else { throw errno == ENOENT || errno == ENODEV || errno == ENXIO ? .noAnswer : .cannotWrite }
        let link = PrinterLink(descriptor: descriptor, canRead: canRead, isSocket: false, deadlineMilliseconds: deadlineMilliseconds)
        if isatty(descriptor) == 1 { try link.configureSerial(baud: baud) }
        return link
    }

    private func configureSerial(baud: Int?) throws(PrinterProblem) {
        var settings = termios()
        guard tcgetattr(descriptor, &settings) == 0 else { throw .cannotWrite }
        cfmakeraw(&settings)
        if let baud {
            let speeds: [Int: speed_t] = [
                1200: speed_t(B1200), 2400: speed_t(B2400), 4800: speed_t(B4800), 9600: speed_t(B9600), 19200: speed_t(B19200),
                38400: speed_t(B38400), 57600: speed_t(B57600), 115200: speed_t(B115200),
            ]
            guard let speed = speeds[baud] else { throw .cannotWrite }
            cfsetispeed(&settings, speed)
            cfsetospeed(&settings, speed)
        }
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        guard tcsetattr(descriptor, TCSANOW, &settings) == 0 else { throw .cannotWrite }
    }

    private func setNonBlocking() {
        let flags = fcntl(descriptor, F_GETFL, 0)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    }

    /// Waits until the descriptor is ready for `events`; false on the deadline, a hang-up or an error.
    func wait(for events: Int16, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let ready = poll(&entry, 1, milliseconds)
        return ready == 1 && entry.revents & events != 0
    }

    /// Sends every byte, or fails: `.connectionLost` when the other end went away part way, `.noAnswer`
    /// when it stopped taking bytes for a whole deadline.
    func write(_ bytes: [UInt8]) throws(PrinterProblem) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { buffer in
                #if canImport(Glibc)
                    send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
                #else
                    send(descriptor, buffer.baseAddress, buffer.count, 0)
                #endif
            }
            if count < 0 && errno == ENOTSOCK {
                let written = bytes[sent...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if written > 0 {
                    sent += written
                    continue
                }
                if written < 0 && (errno == EAGAIN || errno == EINTR) {
                    guard wait(for: Int16(POLLOUT), milliseconds: deadlineMilliseconds) else { throw .noAnswer }
                    continue
                }
                throw .cannotWrite
            }
            if count > 0 {
                sent += count
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                guard wait(for: Int16(POLLOUT), milliseconds: deadlineMilliseconds) else { throw sent == 0 ? .noAnswer : .connectionLost }
            } else {
                // Reset or closed by the other end: whatever it took, the receipt is not known to be on paper.
                throw .connectionLost
            }
        }
    }

    /// What a status request DLE EOT n was answered, nil when nothing came within the deadline.
    /// Throws `.connectionLost` when the other end closed.
    func status(_ request: UInt8) throws(PrinterProblem) -> UInt8? {
        guard canRead, !statusSilent else { return nil }
        drain()
        try write([0x10, 0x04, request])
        guard wait(for: Int16(POLLIN), milliseconds: deadlineMilliseconds) else {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if isSocket && poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLHUP | POLLERR) != 0 { throw .connectionLost }
            statusSilent = true
            return nil
        }
        var byte: UInt8 = 0
        let count = read(descriptor, &byte, 1)
        if count == 1 { return byte }
        if isSocket && (count == 0 || (count < 0 && errno != EAGAIN)) { throw .connectionLost }
        return nil
    }

    /// Drops bytes that arrived earlier (a late answer), so the next answer is the next request's.
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while wait(for: Int16(POLLIN), milliseconds: 0) {
            if read(descriptor, &buffer, buffer.count) <= 0 { return }
        }
    }
}
