import Foundation

/// A raw TCP connection to a port on loopback, for the tests that speak bytes no client library would
/// send (abuse, caps, half-sent requests) or only wait for a server to listen.
public enum LoopbackSocket {
    /// A connected socket (close-on-exec: the `amcash` children other tests start must not inherit it),
    /// bound first to `source` when given (another loopback address, for per-address caps); -1 if the
    /// connection was refused.
    public static func connect(port: Int, from source: String? = nil) -> Int32 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if let source {
            var local = address(source, port: 0)
            _ = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var remote = address("127.0.0.1", port: port)
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            close(socket)
            return -1
        }
        return socket
    }

    /// Whether something listens on `port` now.
    public static func isListening(_ port: Int) -> Bool {
        let socket = connect(port: port)
        guard socket >= 0 else { return false }
        close(socket)
        return true
    }

    private static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
