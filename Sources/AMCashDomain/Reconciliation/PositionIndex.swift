/// A hash index of positions in an array, for the reconciler's million journal rows: each slot is
/// four bytes (the position), where a `[String: Int]` of the same rows takes 24 to 40 bytes a slot
/// and hashes every key with SipHash. The keys are not stored: a slot's key is read back from the
/// array itself (`matches`), so the index holds nothing but positions.
///
/// Open addressing with linear probing, at most half full. The hash is seeded per index (random),
/// so a file cannot be made to collide on purpose.
struct PositionIndex: Sendable {
    /// Position + 1, or 0 for an empty slot.
    private var slots: [UInt32]
    private let mask: Int
    private let seed: UInt64

    /// Room for `count` positions, each below `UInt32.max`.
    init(count: Int) {
        var size = 16
        while size < count * 2 { size <<= 1 }
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
        seed = UInt64.random(in: 0...UInt64.max)
    }

    /// The hash of a key made of one or two strings' UTF-8 bytes.
    func hash(_ first: String, _ second: String = "") -> UInt64 {
        var state = seed
        Self.mix(first, into: &state)
        Self.mix(second, into: &state)
        // The final avalanche (splitmix64's), so the low bits the slot is taken from depend on every byte.
        state = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
        state = (state ^ (state >> 27)) &* 0x94D0_49BB_1331_11EB
        return state ^ (state >> 31)
    }

    private static func mix(_ text: String, into state: inout UInt64) {
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                var word: UInt64 = 0
                let end = min(index + 8, bytes.count)
                var shift: UInt64 = 0
                while index < end {
                    word |= UInt64(bytes[index]) << shift
                    shift += 8
                    index += 1
                }
                state = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
                state ^= state >> 29
            }
            // The length ends each string, so ("ab", "c") and ("a", "bc") differ.
            state = (state ^ UInt64(bytes.count) ^ 0xFF) &* 0x9E37_79B9_7F4A_7C15
        }
    }

    /// The position stored under `hash` whose key `matches`, if any.
    func find(_ hash: UInt64, matches: (Int) -> Bool) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { return nil }
            if matches(Int(stored) - 1) { return Int(stored) - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// Stores `position` under `hash`: in place of the position whose key `matches` (returned), or in a
    /// new slot (nil returned). `replace: false` keeps the earlier position and only reports it.
    @discardableResult
    mutating func store(_ position: Int, _ hash: UInt64, replace: Bool = true, matches: (Int) -> Bool) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 {
                slots[slot] = UInt32(position + 1)
                return nil
            }
            if matches(Int(stored) - 1) {
                if replace { slots[slot] = UInt32(position + 1) }
                return Int(stored) - 1
            }
            slot = (slot + 1) & mask
        }
    }
}
