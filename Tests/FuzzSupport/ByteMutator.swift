public import AMCashDomain

/// Seeded byte mutations for fuzz tests: bit flips, deletions, insertions and replacements with
/// characters that matter to the format under test, duplicated spans, truncation.
public struct ByteMutator {
    public private(set) var random: SplitMix64
    /// Characters worth inserting: the format's delimiters, digits, and a few hostile bytes.
    public let interesting: [UInt8]

    public init(seed: UInt64, interesting: [UInt8]) {
        random = SplitMix64(seed: seed)
        self.interesting = interesting
    }

    public var seed: UInt64 { random.seed }

    public mutating func next() -> UInt64 { random.next() }

    /// One to four edits of `input`.
    public mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + Int(next() % 4)) {
            guard !bytes.isEmpty else { break }
            let at = Int(next() % UInt64(bytes.count))
            switch next() % 6 {
            case 0: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (next() % 8))
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(interesting[Int(next() % UInt64(interesting.count))], at: at)
            case 3:
                let end = min(bytes.count, at + Int(next() % 16))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            case 4: bytes[at] = interesting[Int(next() % UInt64(interesting.count))]
            default: bytes = Array(bytes.prefix(at))
            }
        }
        return bytes
    }
}
