import CryptoExtras

/// The supervisor PIN that lets a person leave a kiosk, as the configuration stores it: salted and
/// stretched (PBKDF2-HMAC-SHA256), never the PIN itself. `amcash hash-pin` makes one.
/// Written `pbkdf2-sha256-pin6$ROUNDS$SALT-HEX$HASH-HEX`: the scheme says the PIN had six digits at
/// least. A hash of the first scheme (`pbkdf2-sha256$…`, made when a PIN could be 4 digits) is refused
/// with the fix, since no hash tells how long its PIN was.
public struct SupervisorPinHash: Sendable, Hashable, CustomStringConvertible {
    public let rounds: Int
    public let salt: [UInt8]
    public let hash: [UInt8]

    public static let scheme = "pbkdf2-sha256-pin6"
    /// The scheme of hashes made when a PIN could be 4 or 5 digits.
    public static let oldScheme = "pbkdf2-sha256"
    /// OWASP's floor for PBKDF2-HMAC-SHA256; about a tenth of a second here, off the key loop.
    public static let standardRounds = 210_000
    /// A PIN is 6 to 12 digits: typed on a numeric keypad.
    /// Six digits at least: with lockouts that grow, guessing one takes longer than a shift.
    public static let pinLengths = 6...12

    /// Reads the stored form; the message says what is wrong.
    public init(parsing text: String) throws(SupervisorPinError) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        if parts.first == Self.oldScheme {
            throw SupervisorPinError(
                message:
                    "supervisorPinHash is an old hash, made when a PIN could be 4 digits; choose a PIN of \(Self.pinLengths.lowerBound) to \(Self.pinLengths.upperBound) digits and put the line `amcash hash-pin` prints in its place"
            )
        }
        guard parts.count == 4, parts[0] == Self.scheme else {
            throw SupervisorPinError(message: "supervisorPinHash must look like \(Self.scheme)$ROUNDS$SALT$HASH; make one with `amcash hash-pin`")
        }
        guard let rounds = Int(parts[1]), rounds >= 10_000, rounds <= 10_000_000 else {
            throw SupervisorPinError(message: "supervisorPinHash rounds must be a number from 10000 to 10000000")
        }
        guard let salt = Self.bytes(hex: parts[2]), salt.count >= 8 else {
            throw SupervisorPinError(message: "supervisorPinHash salt must be at least 16 hexadecimal digits")
        }
        guard let hash = Self.bytes(hex: parts[3]), hash.count == 32 else {
            throw SupervisorPinError(message: "supervisorPinHash hash must be 64 hexadecimal digits")
        }
        self.rounds = rounds
        self.salt = salt
        self.hash = hash
    }

    /// Hashes a new PIN with a fresh random salt.
    public static func make(pin: String, rounds: Int = standardRounds) throws(SupervisorPinError) -> SupervisorPinHash {
        try validate(pin: pin)
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return SupervisorPinHash(rounds: rounds, salt: salt, hash: derive(pin: pin, salt: salt, rounds: rounds))
    }

    /// Whether `pin` is the supervisor's. Compares every byte, so timing tells nothing.
    public func matches(_ pin: String) -> Bool {
        // A PIN too short (or not digits) never unlocks, whatever the hash says.
        guard (try? Self.validate(pin: pin)) != nil else { return false }
        let candidate = Self.derive(pin: pin, salt: salt, rounds: rounds)
        guard candidate.count == hash.count else { return false }
        return zip(candidate, hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    public static func validate(pin: String) throws(SupervisorPinError) {
        guard pinLengths.contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw SupervisorPinError(message: "a supervisor PIN is \(pinLengths.lowerBound) to \(pinLengths.upperBound) digits")
        }
    }

    public var description: String {
        "\(Self.scheme)$\(rounds)$\(Self.hex(salt))$\(Self.hex(hash))"
    }

    private init(rounds: Int, salt: [UInt8], hash: [UInt8]) {
        self.rounds = rounds
        self.salt = salt
        self.hash = hash
    }

    private static func derive(pin: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        let key = try? KDF.Insecure.PBKDF2.deriveKey(
            from: Array(pin.utf8), salt: salt, using: .sha256, outputByteCount: 32,
            unsafeUncheckedRounds: rounds)
        return key?.withUnsafeBytes { Array($0) } ?? []
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}

/// A supervisor PIN or its stored hash is not usable; the message says why.
public struct SupervisorPinError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
