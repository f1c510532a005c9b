import CryptoExtras

/// A back-office password as the database stores it: salted and stretched with PBKDF2-HMAC-SHA256,
/// never the password itself. Written `pbkdf2-sha256$ROUNDS$SALT-HEX$HASH-HEX`, the form the kiosk's
/// supervisor PIN uses.
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    public let rounds: Int
    public let salt: [UInt8]
    public let hash: [UInt8]

    public static let scheme = "pbkdf2-sha256"
    /// OWASP's floor for PBKDF2-HMAC-SHA256.
    public static let standardRounds = 210_000
    /// Below this a stored hash is refused: it would be too cheap to guess against.
    public static let minimumRounds = 100_000
    /// Long enough that guessing is hopeless without the database; short enough to type.
    public static let minimumLength = 10

    /// Reads the stored form; nil when it is not one of ours.
    public init?(parsing text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == Self.scheme, let rounds = Int(parts[1]), rounds >= Self.minimumRounds,
            let salt = Hex.bytes(parts[2]), salt.count >= 16, let hash = Hex.bytes(parts[3]), hash.count == 32
        else { return nil }
        self.rounds = rounds
        self.salt = salt
        self.hash = hash
    }

    /// Hashes a new password with a fresh random salt of 16 bytes.
    public static func make(password: String, rounds: Int = standardRounds) -> PasswordHash {
        let salt = Random.bytes(16)
        let rounds = max(rounds, minimumRounds)
        return PasswordHash(rounds: rounds, salt: salt, hash: derive(password, salt: salt, rounds: rounds))
    }

    /// Whether `password` is the one hashed. Compares every byte, so timing tells nothing.
    public func matches(_ password: String) -> Bool {
        let candidate = Self.derive(password, salt: salt, rounds: rounds)
        guard candidate.count == hash.count else { return false }
        return zip(candidate, hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// What is wrong with a new password, or nil when it will do.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "a password is at least \(minimumLength) characters" }
        if password.contains(where: { $0.isNewline }) { return "a password is one line" }
        return nil
    }

    public var description: String { "\(Self.scheme)$\(rounds)$\(Hex.string(salt))$\(Hex.string(hash))" }

    private init(rounds: Int, salt: [UInt8], hash: [UInt8]) {
        self.rounds = rounds
        self.salt = salt
        self.hash = hash
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key?.withUnsafeBytes { Array($0) } ?? []
    }
}

/// Lower-case hexadecimal, both ways.
enum Hex {
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }

    static func bytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Bytes from the system's cryptographic generator: salts, session tokens, CSRF tokens.
enum Random {
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A token of 32 random bytes, in hexadecimal.
    static func token() -> String { Hex.string(bytes(32)) }
}
