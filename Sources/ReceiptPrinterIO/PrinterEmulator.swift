import Foundation
import ReceiptPrinting

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A network receipt printer in software (`amcash printer-emulator`): takes ESC/POS over TCP,
/// renders each job as marked-up text (EscPosInterpreter) and answers status requests (DLE EOT) as
/// a printer with paper, without paper, with its cover open or offline would; it can also drop a
/// connection after some bytes. A trainer sees the receipt without paper; the tests compare it with goldens.
public final class PrinterEmulator: @unchecked Sendable {
    /// What the emulated printer answers and does.
    public enum State: String, Sendable, CaseIterable {
        case ready
        case paperOut = "paper-out"
        case coverOpen = "cover-open"
        case offline
        /// Does not answer status requests (many cheap printers); prints.
        case silent
    }

    private let lock = NSLock()
    private var stateValue: State
    private var dropAfterValue: Int?
    private var jobs: [String] = []
    private var listener: Int32 = -1
    public private(set) var port: Int = 0
    private let onJob: @Sendable (String) -> Void

    /// - Parameters:
    ///   - dropAfter: close each connection after this many bytes (a printer that drops the connection half way).
    ///   - onJob: called with each connection's rendered text when it ends.
    public init(state: State = .ready, dropAfter: Int? = nil, onJob: @escaping @Sendable (String) -> Void = { _ in }) {
        self.stateValue = state
        self.dropAfterValue = dropAfter
        self.onJob = onJob
    }

    public var state: State {
        get { lock.withLock { stateValue } }
        set { lock.withLock { stateValue = newValue } }
    }

    public var dropAfter: Int? {
        get { lock.withLock { dropAfterValue } }
        set { lock.withLock { dropAfterValue = newValue } }
    }

    /// Every job rendered so far (connections that printed something), oldest first.
    public var receivedJobs: [String] { lock.withLock { jobs } }

    /// Listens on `host:port` (port 0: any free port, then read `port`).
    public func start(host: String = "127.0.0.1", port requested: Int = 9100) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw EmulatorError("cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(requested).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(descriptor)
            throw EmulatorError("--host must be an IPv4 address, got \"\(host)\"")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw EmulatorError("cannot listen on \(host):\(requested): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: actual.sin_port))
        lock.withLock { listener = descriptor }
        Thread.detachNewThread { [self] in acceptLoop(descriptor) }
    }

    /// Stops listening (connections under way finish).
    public func stop() {
        let descriptor = lock.withLock {
            let descriptor = listener
            listener = -1
            return descriptor
        }
        guard descriptor >= 0 else { return }
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    /// Waits until `count` jobs were rendered or `seconds` passed; the jobs so far.
    public func waitForJobs(_ count: Int, seconds: Double = 5) -> [String] {
        let end = Date().addingTimeInterval(seconds)
        while receivedJobs.count < count && Date() < end { usleep(10_000) }
        return receivedJobs
    }

    private func acceptLoop(_ descriptor: Int32) {
        while true {
            let connection = accept(descriptor, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread.detachNewThread { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        var interpreter = EscPosInterpreter()
        var received = 0
        // A printer without paper, with its cover open or offline prints nothing it is sent.
        var refused = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        reading: while true {
            let count = read(connection, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            let (state, dropAfter) = lock.withLock { (stateValue, dropAfterValue) }
            if state != .ready && state != .silent { refused = true }
            for byte in buffer[0..<count] {
                received += 1
                if let dropAfter, received > dropAfter { break reading }
                if let request = interpreter.feed(byte), let answer = Self.answer(request, state: state) {
                    var reply = answer
                    _ = send(connection, &reply, 1, Int32(MSG_NOSIGNAL))
                }
            }
        }
        close(connection)
        let text = interpreter.text
        guard !text.isEmpty, !refused else { return }
        lock.withLock { jobs.append(text) }
        onJob(text)
    }

    /// The status byte a printer in `state` answers DLE EOT n with (nil: it does not answer).
    static func answer(_ request: UInt8, state: State) -> UInt8? {
        let fixed: UInt8 = 0x12
        switch (request, state) {
        case (_, .silent): return nil
        case (1, .ready): return fixed
        case (1, _): return fixed | 0x08
        case (2, .coverOpen): return fixed | 0x04
        case (2, .paperOut): return fixed | 0x20
        case (2, _): return fixed
        case (4, .paperOut): return fixed | 0x60
        case (4, _): return fixed
        case (3, _): return fixed
        default: return nil
        }
    }
}

/// Why the emulator could not start.
public struct EmulatorError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
