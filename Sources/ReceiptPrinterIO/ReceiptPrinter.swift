public import ReceiptPrinting

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the printer said when asked (DLE EOT), or that it could not be asked.
public enum PrinterCondition: Sendable, Hashable {
    /// It answered and can print.
    case ready
    /// The connection cannot ask (a file, a write-only device) or the printer does not answer status requests.
    case unknown
    case problem(PrinterProblem)
}

/// The till's receipt printer: a document goes out in the configured format over the configured
/// transport (a file appended to, a device, a TCP socket), after asking the printer's status where
/// the connection allows. Never blocks longer than its deadlines, and says why a receipt did not print,
/// so the console can keep it for a reprint and tell the cashier.
public struct ReceiptPrinter: Sendable {
    public let settings: ReceiptPrinterSettings

    public init(settings: ReceiptPrinterSettings) { self.settings = settings }

    /// Sends `document`; nil when it printed (or was written to the file), else why not.
    public func print(_ document: ReceiptDocument) -> PrinterProblem? {
        let bytes = settings.bytes(document)
        switch settings.destination {
        case .file(let path):
            return Self.append(bytes, to: path) ? nil : .cannotWrite
        case .device, .tcp:
            do {
                let link = try open()
                if case .problem(let problem) = try Self.condition(of: link) { return problem }
                try link.write(bytes)
                // Asked again after the job: a printer that took the bytes answers; one that dropped the
                // connection half way, or ran out of paper during the receipt, says so.
                if case .problem(let problem) = try Self.condition(of: link) { return problem }
                return nil
            } catch {
                return error
            }
        }
    }

    /// Asks the printer's state without printing (the status line's check).
    public func condition() -> PrinterCondition {
        guard settings.destination.answersStatus else { return .unknown }
        do { return try Self.condition(of: open()) } catch { return .problem(error) }
    }

    private func open() throws(PrinterProblem) -> PrinterLink {
        switch settings.destination {
        case .file: throw .cannotWrite
        case .device(let path): try PrinterLink.open(device: path, baud: settings.baud, deadlineMilliseconds: settings.deadlineMilliseconds)
        case .tcp(let host, let port): try PrinterLink.connect(host: host, port: port, deadlineMilliseconds: settings.deadlineMilliseconds)
        }
    }

    /// DLE EOT 1 (printer), then 2 (why offline) and 4 (paper sensor).
    static func condition(of link: PrinterLink) throws(PrinterProblem) -> PrinterCondition {
        guard let printer = try link.status(1) else { return .unknown }
        if let paper = try link.status(4), paper & 0x60 == 0x60 { return .problem(.paperOut) }
        if printer & 0x08 != 0 {
            let cause = try link.status(2) ?? 0
            if cause & 0x04 != 0 { return .problem(.coverOpen) }
            if cause & 0x20 != 0 { return .problem(.paperOut) }
            return .problem(.offline)
        }
        return .ready
    }

    /// Appends to a file, created 0600 (a receipt names a collector); an existing regular file of a looser
    /// mode is tightened to 0600, as every file amcash writes is.
    static func append(_ bytes: [UInt8], to path: String) -> Bool {
        let descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_mode & 0o077 != 0 {
            _ = fchmod(descriptor, 0o600)
        }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }
}
