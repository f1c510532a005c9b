import Foundation

/// The register's shared secret, read from `registerTokenFile`: the file must be its owner's alone
/// (mode 0600 or stricter), or it is refused. Compared in constant time; never logged.
public struct RegisterToken: Sendable {
    private let secret: [UInt8]

    public init(secret: String) throws(RegisterTokenError) {
        guard let bytes = Self.bytes(secret) else { throw .tooShort }
        self.secret = bytes
    }

    /// The token's bytes, or nil when it is shorter than 16 characters.
    static func bytes(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.utf8.count >= 16 ? Array(trimmed.utf8) : nil
    }

    /// Reads the token file (the first line), refusing one other users can read or write.
    public init(file path: String) throws(RegisterTokenError) {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard status.st_mode & 0o077 == 0 else {
            throw .tooOpen(path: path, mode: String(status.st_mode & 0o777, radix: 8))
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard let bytes = Self.bytes(line) else { throw .tooShortIn(path: path) }
        secret = bytes
    }

    /// Whether an `Authorization` header carries this token: `Bearer <token>`, compared in constant time
    /// (every byte of the longer of the two is looked at, whatever matches).
    public func accepts(authorization: String?) -> Bool {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let offered = Array(authorization.utf8.dropFirst("Bearer ".utf8.count))
        var difference = UInt8(truncatingIfNeeded: offered.count ^ secret.count)
        if offered.count != secret.count { difference |= 1 }
        for index in 0..<max(offered.count, secret.count) {
            let a = index < offered.count ? offered[index] : 0
            let b = index < secret.count ? secret[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}

/// Why the register's token file was refused.
public enum RegisterTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case tooOpen(path: String, mode: String)
    case tooShort
    case tooShortIn(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "registerTokenFile \(path) cannot be read: \(reason)"
        case .tooOpen(let path, let mode): "registerTokenFile \(path) has mode \(mode): other users may read it; chmod 600 \(path)"
        case .tooShort: "the register token is shorter than 16 characters"
        case .tooShortIn(let path): "registerTokenFile \(path): its first line must be a token of at least 16 characters"
        }
    }
}
