/// Where the console's register API listens (`registerListen`): a loopback address and port, or a unix
/// socket. Anything off loopback is refused: the register API has no TLS, only a shared token.
public enum RegisterListenAddress: Sendable, Hashable, CustomStringConvertible {
    case loopback(host: String, port: Int)
    case unixSocket(path: String)

    /// Reads `127.0.0.1:PORT`, `[::1]:PORT`, `localhost:PORT` or `unix:/absolute/path`.
    public init(parsing text: String) throws(RegisterListenError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard path.hasPrefix("/"), path.utf8.count < 104 else {
                throw .init("registerListen: unix: needs an absolute path shorter than 104 bytes, got \"\(text)\"")
            }
            self = .unixSocket(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw .init("registerListen must be 127.0.0.1:PORT or unix:/path, got \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw .init("registerListen: the port must be a number from 1 to 65535, got \"\(text)\"")
        }
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw .init("registerListen: \(host) is not a loopback address; the register API listens on 127.0.0.1, ::1 or a unix socket only")
        }
        self = .loopback(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    }

    public var description: String {
        switch self {
        case .loopback(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): "unix:\(path)"
        }
    }
}

/// Why `registerListen` was refused.
public struct RegisterListenError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
