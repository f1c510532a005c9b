import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import FuzzSupport
import Testing

@testable import AMCashAPI

/// Seeded fuzzing of the parsers that read what others wrote — the daily file, the host's replies, the
/// TOML files — from a checked-in corpus (Tests/Corpus, the issue's attack inputs among them). libFuzzer
/// (`-sanitize=fuzzer`) needs a toolchain this machine's Swift lacks on Linux, so each target is a
/// time-bounded property test: every corpus file as it is, then mutations of them, until the time is up.
/// `AMCASH_FUZZ_SECONDS` sets the time per target (default 2; CI runs longer), `AMCASH_FUZZ_SEED` replays a run,
/// `AMCASH_FUZZ_LAST=PATH` keeps the input being tried in `PATH.TARGET` (what a crash leaves behind).
@Suite struct CorpusFuzzTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus")

    static func files(_ target: String) throws -> [[UInt8]] {
        let folder = corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { Array(try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    static var seconds: Double { ProcessInfo.processInfo.environment["AMCASH_FUZZ_SECONDS"].flatMap(Double.init) ?? 2 }

    /// Runs `check` on every corpus file, then on mutations of them until the time is up; returns how many inputs ran.
    @discardableResult
    static func fuzz(_ target: String, interesting: [UInt8], _ check: ([UInt8]) -> String?) throws -> Int {
        let seed = ProcessInfo.processInfo.environment["AMCASH_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        let inputs = try files(target)
        #expect(!inputs.isEmpty, "the \(target) corpus is checked in")
        var mutator = ByteMutator(seed: seed, interesting: interesting)
        var count = 0
        let clock = ContinuousClock()
        let started = clock.now
        let budget = Duration.milliseconds(Int64(seconds * 1000))
        var queue = inputs
        while count < queue.count || clock.now - started < budget {
            let input = count < queue.count ? queue[count] : mutator.mutate(queue[Int(mutator.next() % UInt64(queue.count))])
            // A crash leaves no report: AMCASH_FUZZ_LAST names a file that holds the input being tried.
            if let last = ProcessInfo.processInfo.environment["AMCASH_FUZZ_LAST"] {
                FileManager.default.createFile(atPath: last + "." + target, contents: Data(input))
            }
            if let problem = check(input) {
                Issue.record(
                    "\(target) seed \(seed) input \(count): \(problem) — \(String(decoding: input.prefix(300), as: UTF8.self).debugDescription)")
                return count
            }
            // Keep a few mutants as seeds of their own, so mutations compound.
            if count >= inputs.count && mutator.next() % 64 == 0 && queue.count < 512 { queue.append(input) }
            count += 1
        }
        print("CorpusFuzzTests \(target): \(count) inputs in \(clock.now - started), seed \(seed) (AMCASH_FUZZ_SEED replays it)")
        return count
    }

    static func isClean(_ text: String) -> Bool { !text.unicodeScalars.contains(where: HostText.isRemoved) }

    @Test func theDailyFileParserAndTheSummaryNeverTrap() throws {
        try Self.fuzz("daily-file", interesting: Array("%\n\r0123456789.-DHTREVSM9 ".utf8) + [0, 0xFF, 0xE9, 0x1B]) { bytes in
            var parser = ReconciliationParser()
            var reconciler = Reconciler(day: ProgramDay(try! CalendarDay(parsing: "2026-11-27")), terminalRecords: [])
            for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast(
                bytes.last == UInt8(ascii: "\n") ? 1 : 0)
            {
                let detail: ReconciliationDetail?
                do {
                    detail = try Array(line).withUnsafeBufferPointer { try parser.consume(utf8: $0) }
                } catch let error as ReconciliationFileError {
                    if error.record < 1 { return "an error without its record: \(error)" }
                    if !Self.isClean(error.description) { return "an error quoting control characters: \(error.description.debugDescription)" }
                    return nil
                } catch {
                    return "an error of another type: \(error)"
                }
                if let detail { _ = reconciler.consume(detail, recordNumber: parser.recordNumber) }
            }
            _ = reconciler.finish()
            return nil
        }
    }

    @Test func theReplyDecoderNeverTrapsNeverApprovesIncompleteAndNeverPassesHostTextRaw() throws {
        try Self.fuzz("reply", interesting: ReplyDecoderFuzzTests.interesting + Array("\\u001b\\u202e\\u2028\\ud83d".utf8)) { bytes in
            let body = Data(bytes)
            for status in [200, 202, 401, 409, 500] {
                switch ReplyDecoder.envelope(status: status, body: body, location: String(decoding: bytes.prefix(40), as: UTF8.self)) {
                case .failure(let failure): if !Self.isClean(failure.description) { return "envelope: \(failure.description.debugDescription)" }
                case .reply, .bareUnauthorized: break
                }
                switch ReplyDecoder.inquiry(status: status, body: body) {
                case .failure(let failure): if !Self.isClean(failure.description) { return "inquiry: \(failure.description.debugDescription)" }
                case .success(let reply):
                    for case let text? in [reply.answer.hostMessage, reply.answer.transDateTime, reply.offer?.id, reply.offer?.text?.english]
                    where !Self.isClean(text) {
                        return "inquiry text: \(text.debugDescription)"
                    }
                }
                switch ReplyDecoder.redemption(status: status, body: body) {
                case .failure(let failure): if !Self.isClean(failure.description) { return "redemption: \(failure.description.debugDescription)" }
                case .success(let reply):
                    if let problem = ReplyDecoderFuzzTests.violation(reply, status: status) { return problem }
                    if let message = reply.answer.hostMessage, !Self.isClean(message) { return "redemption message: \(message.debugDescription)" }
                }
                if case .failure(let failure) = ReplyDecoder.reversal(status: status, body: body), !Self.isClean(failure.description) {
                    return "reversal: \(failure.description.debugDescription)"
                }
            }
            return nil
        }
    }

    @Test func theTomlLoadersNeverTrapAndAlwaysSayWhere() throws {
        try Self.fuzz("toml", interesting: Array("[]{}.=\"'#\n,a1 \\".utf8) + [0, 0xFF, 0x1B]) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try TerminalConfigurationLoader.parse(text, path: "f.toml")
            } catch let error as ConfigurationError {
                if error.line < 1 || error.column < 1 { return "an error without its place: \(error)" }
            } catch {
                return "an error of another type: \(error)"
            }
            do { _ = try TestCollectors.parse(text, path: "c.toml") } catch let error as ConfigurationError {
                if error.line < 1 { return "no place: \(error)" }
            } catch {
                return "an error of another type: \(error)"
            }
            return nil
        }
    }
}
