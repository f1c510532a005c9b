import Foundation
import Testing

@testable import AMCashDomain

/// The reconciler's position index against a `Dictionary` doing the same work: the first or the last
/// position of each key, keys of one and of two strings, many repeats, and keys the index never saw.
@Suite struct PositionIndexTests {
    @Test func findsWhatADictionaryFinds() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("PositionIndexTests seed \(seed)")
        var random = SplitMix64(seed: seed)
        // Short keys from a small alphabet, so many repeat; some are long (not small strings), some empty.
        func key() -> String {
            let length = [0, 1, 2, 7, 8, 9, 12, 15, 16, 17, 40][Int.random(in: 0..<11, using: &random)]
            return String((0..<length).map { _ in "AB01•".randomElement(using: &random)! })
        }
        for count in [0, 1, 7, 100, 5_000] {
            let keys = (0..<count).map { _ in (key(), key()) }
            var first = PositionIndex(count: count)
            var last = PositionIndex(count: count)
            var firstModel: [String: Int] = [:]
            var lastModel: [String: Int] = [:]
            for (position, (a, b)) in keys.enumerated() {
                // Two strings, told apart where they meet: ("AB", "0") is not ("A", "B0").
                let model = "\(a.utf8.count):\(a)\(b)"
                let same: (Int) -> Bool = { keys[$0] == (a, b) }
                let earlier = first.store(position, first.hash(a, b), replace: false, matches: same)
                #expect(earlier == firstModel[model], "seed \(seed)")
                if firstModel[model] == nil { firstModel[model] = position }
                last.store(position, last.hash(a, b), matches: same)
                lastModel[model] = position
            }
            for (a, b) in keys + (0..<200).map({ _ in (key(), key()) }) {
                let model = "\(a.utf8.count):\(a)\(b)"
                let same: (Int) -> Bool = { keys[$0] == (a, b) }
                #expect(first.find(first.hash(a, b), matches: same) == firstModel[model], "seed \(seed)")
                #expect(last.find(last.hash(a, b), matches: same) == lastModel[model], "seed \(seed)")
            }
        }
    }

    @Test func twoStringsAreHashedAsAPairNotAsTheirJoin() {
        let index = PositionIndex(count: 1)
        #expect(index.hash("AB", "0") != index.hash("A", "B0"))
        #expect(index.hash("AB", "") != index.hash("", "AB"))
        #expect(index.hash("RD0000000001") == index.hash("RD0000000001"))
    }
}
