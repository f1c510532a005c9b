import AMCashContract
import AMCashDomain
import Foundation
import FuzzSupport
import Testing

@testable import AMCashSimulator

/// The simulator's request validator, fuzzed from the checked-in corpus (Tests/Corpus/request) as the
/// other parsers are (see CorpusFuzzTests): no body traps it, and what it answers quotes no control
/// character and stays short. `AMCASH_FUZZ_SECONDS` and `AMCASH_FUZZ_SEED` as there.
@Suite struct CorpusFuzzRequestValidatorTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Corpus/request")

    static func problem(_ message: String?) -> String? {
        guard let message else { return nil }
        if message.unicodeScalars.contains(where: HostText.isRemoved) || message.count > 200 { return "answered \(message.debugDescription)" }
        return nil
    }

    @Test func theRequestValidatorNeverTrapsAndQuotesNothingRaw() throws {
        let seed = ProcessInfo.processInfo.environment["AMCASH_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        let seconds = ProcessInfo.processInfo.environment["AMCASH_FUZZ_SECONDS"].flatMap(Double.init) ?? 2
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).sorted()
        let inputs = try names.map { Array(try Data(contentsOf: Self.folder.appendingPathComponent($0))) }
        #expect(!inputs.isEmpty)
        var mutator = ByteMutator(seed: seed, interesting: Array("\"{}:,0123456789.-TZ+\\u001b".utf8) + [0, 0xFF])
        let decoder = JSONDecoder()
        let clock = ContinuousClock()
        let started = clock.now
        var count = 0
        while count < inputs.count || clock.now - started < .milliseconds(Int64(seconds * 1000)) {
            let bytes = count < inputs.count ? inputs[count] : mutator.mutate(inputs[Int(mutator.next() % UInt64(inputs.count))])
            let body = Data(bytes)
            var found: String?
            if let request = try? decoder.decode(Components.Schemas.RedeemRequest.self, from: body) {
                found = found ?? Self.problem(RequestValidator.problem(in: request))
            }
            if let request = try? decoder.decode(Components.Schemas.InquireRequest.self, from: body) {
                found = found ?? Self.problem(RequestValidator.problem(in: request))
            }
            if let request = try? decoder.decode(Components.Schemas.ReverseRequest.self, from: body) {
                found = found ?? Self.problem(RequestValidator.problem(in: request))
            }
            _ = HostFrontDoor.collectorNumber(in: body)
            if let found {
                Issue.record(
                    "request seed \(seed) input \(count): \(found) for \(String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription)")
                return
            }
            count += 1
        }
        print("CorpusFuzzTests request: \(count) inputs in \(clock.now - started), seed \(seed) (AMCASH_FUZZ_SEED replays it)")
    }
}
