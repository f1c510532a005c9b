import AMCashConfiguration
import AMCashDomain
import AMCashWire
import Foundation
import Testing

@testable import AMCashAPI

/// The second round of attacks on the client's side (issue 25): a token service that answers too
/// much, host text that would reach a terminal raw, configuration text that would crash toml++, files
/// left readable by others.
@Suite struct HardeningTests {
    static var redemption: PreparedCall { DefensiveClientTests.redemption }

    /// Redeems against a real loopback token service answering `tokenBody`; returns the result and how
    /// many requests reached the API.
    static func redeem(tokenStatus: Int = 200, tokenBody: String) async throws -> (HostResult<RedemptionReply>, Int) {
        let reached = Counter()
        let result = try await ScriptedHost.with(
            tokenStatus: tokenStatus, tokenBody: tokenBody,
            { _ in
                reached.add()
                return .init(status: 200, body: "{}")
            }
        ) { host in
            let client = try host.client()
            let result = await client.redeem(redemption, policy: .once)
            await client.shutdown()
            return result
        }
        return (result, reached.value)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    // MARK: - 1. A large token

    @Test func aTokenOfSeventyThousandCharactersIsRefusedAndNothingIsSent() async throws {
        let token = String(repeating: "A", count: 70_000)
        let (result, reached) = try await Self.redeem(tokenBody: #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":3600}"#)
        guard case .notSent(let failure) = result, case .tokenUnusable = failure else {
            Issue.record("expected tokenUnusable, got \(result)")
            return
        }
        #expect(reached == 0, "no request is made with a token no one can send")
        #expect(failure.description.hasPrefix(HostFailure.tokenUnusablePrefix), "\(failure)")
        #expect(failure.description.contains("70000 bytes"), "\(failure)")
    }

    @Test func aTokenAHeaderCannotCarryIsRefused() async throws {
        let (result, reached) = try await Self.redeem(
            tokenBody: #"{"access_token":"abc\r\nX-Evil: 1","token_type":"Bearer","expires_in":3600}"#)
        guard case .notSent(.tokenUnusable) = result else {
            Issue.record("expected tokenUnusable, got \(result)")
            return
        }
        #expect(reached == 0)
    }

    @Test func theLimitIsSixteenKibibytes() {
        #expect(HostClient.problem(withToken: String(repeating: "a", count: 16 * 1024)) == nil)
        #expect(HostClient.problem(withToken: String(repeating: "a", count: 16 * 1024 + 1)) != nil)
        #expect(HostClient.problem(withToken: "eyJhbGciOi.J9.x-_~+/=") == nil)
    }

    // MARK: - 4. Host text

    static let hostile = "\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{061C}\u{200E}\u{202E}\u{2066}\u{2028}\u{2029}\u{200B}\u{FEFF}\u{2060}\u{E0041}\u{85}\n\r\t"

    static func isClean(_ text: String) -> Bool { !text.unicodeScalars.contains(where: HostText.isRemoved) }

    @Test func aTokenServicesErrorTextReachesNoTerminalRaw() async throws {
        let (result, _) = try await Self.redeem(tokenStatus: 401, tokenBody: #"{"error":"\u001b]0;PWNED\u0007\u202e\u2028forged"}"#)
        guard case .notSent(let failure) = result, case .credentialsRejected = failure else {
            Issue.record("expected credentialsRejected, got \(result)")
            return
        }
        #expect(Self.isClean(failure.description), "\(failure.description.debugDescription)")
        #expect(failure.description.contains("]0;PWNEDforged"))
    }

    @Test func aQuotedFieldReachesNoTerminalRaw() throws {
        let body = #"{"responseCode":"0000","cashBalance":"\u001b]0;PWNED\u0007\u001b[2J\u2028x"}"#
        guard case .failure(let failure) = ReplyDecoder.inquiry(status: 200, body: Data(body.utf8)) else {
            Issue.record("a balance that is not a number is refused")
            return
        }
        #expect(Self.isClean(failure.description), "\(failure.description.debugDescription)")
    }

    @Test func aLongAvailableDollarAmountIsRefusedWithoutQuotingIt() throws {
        let long = String(repeating: "9", count: 5_000) + "\n2026-12-06 INFO forged line"
        let body = #"{"responseCode":"0000","availableDollarAmount":"\#(long.replacingOccurrences(of: "\n", with: "\\n"))"}"#
        guard case .failure(let failure) = ReplyDecoder.inquiry(status: 200, body: Data(body.utf8)) else {
            Issue.record("an amount of 5,000 digits is refused")
            return
        }
        #expect(failure.description.count < 200 && !failure.description.contains("forged"), "\(failure.description)")
    }

    /// Property: whatever text the network sends, every path that turns it into words — the sanitiser,
    /// every failure's description, a decoded reply's message, offer and date — keeps none of the
    /// removed characters and stays within its cap.
    @Test func noHostTextOnAnyPathKeepsAControlBidiZeroWidthOrTagCharacter() throws {
        let seed = ProcessInfo.processInfo.environment["AMCASH_PROPERTY_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("HardeningTests host-text property seed \(seed) (AMCASH_PROPERTY_SEED replays it)")
        var random = SplitMix64(seed: seed)
        let pool = Array(Self.hostile.unicodeScalars) + Array("ab 0.9é€😀\"\\".unicodeScalars) + [Unicode.Scalar(0xE007F)!, Unicode.Scalar(0x9B)!]
        func hostileText() -> String {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int(random.next() % 400) { scalars.append(pool[Int(random.next() % UInt64(pool.count))]) }
            return String(scalars)
        }
        func json(_ text: String) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]), as: UTF8.self).dropFirst().dropLast()
                .description
        }
        for iteration in 0..<2_000 {
            let text = hostileText()
            let limit = 1 + Int(random.next() % 300)
            let sanitised = HostText.sanitised(text, limit: limit)
            #expect(Self.isClean(sanitised) && sanitised.unicodeScalars.count <= limit, "seed \(seed) iteration \(iteration)")
            let failures: [HostFailure] = [
                .cannotConnect(text), .connectionDropped(text), .garbledResponse(status: 200, reason: text),
                .redirectRefused(status: 302, location: text), .credentialsRejected(text), .tokenUnusable(text), .conflict(text),
                .notAttempted(text),
            ]
            for failure in failures where !Self.isClean(failure.description) || failure.description.count > 600 {
                Issue.record("seed \(seed) iteration \(iteration): \(failure.description.debugDescription)")
                return
            }
            let field = ["cashBalance", "availableDollarAmount", "message", "transDateTime", "offerDescEn", "offerId"][Int(random.next() % 6)]
            var body = #"{"responseCode":"0000","\#(field)":\#(json(text))"#
            if field.hasPrefix("offer") { body += #","offerType":"RGL""# }
            body += "}"
            switch ReplyDecoder.inquiry(status: 200, body: Data(body.utf8)) {
            case .failure(let failure):
                #expect(Self.isClean(failure.description), "seed \(seed) iteration \(iteration): \(failure.description.debugDescription)")
            case .success(let reply):
                let words = [
                    reply.answer.hostMessage, reply.answer.transDateTime, reply.offer?.text?.english, reply.offer?.text?.french, reply.offer?.id,
                ]
                for case let word? in words where !Self.isClean(word) || word.count > 200 {
                    Issue.record("seed \(seed) iteration \(iteration): \(word.debugDescription)")
                }
            }
        }
    }

    // MARK: - 7. Configuration depth

    @Test func thirtyThousandDottedKeysAreRefusedWithTheirPlaceNotASegfault() {
        let text = "sponsorCode = \"LOY1\"\n" + Array(repeating: "a", count: 30_000).joined(separator: ".") + " = 1\n"
        do {
            _ = try TerminalConfigurationLoader.parse(text, path: "deep.toml")
            Issue.record("a 30,000-part key is refused")
        } catch {
            #expect(error.line == 2 && error.column == 64, "\(error)")
            #expect(error.description.hasPrefix("deep.toml:2:64: a dotted key of more than 32 parts"), "\(error)")
        }
    }

    @Test(arguments: [
        ("x = " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000), "arrays and tables are nested"),
        ("x = " + String(repeating: "{a=", count: 5_000) + "1" + String(repeating: "}", count: 5_000), "arrays and tables are nested"),
        ("[" + Array(repeating: "t", count: 100).joined(separator: ".") + "]", "a dotted key of more than"),
        // Found by the fuzz target: toml++ asserts (undefined behaviour in a release build) on a header that opens with `{`.
        ("[{collector]]\nnumber = \"81000000001\"\n", "a table header must begin with a key"),
        ("  [[ =x]]\n", "a table header must begin with a key"),
        // Found by the fuzz target too: toml++ asserts on a `}` where an array expects a value.
        ("x = [[[[[[}[[[[[[", "\"}\" closes nothing that is open here"),
    ])
    func deepNestingIsRefusedBeforeTomlPlusPlusSeesIt(text: String, message: String) {
        #expect(throws: ConfigurationError.self) { _ = try TOMLDocument(path: "n.toml", text: text) }
        do { _ = try TOMLDocument(path: "n.toml", text: text) } catch { #expect(error.message.hasPrefix(message), "\(error)") }
    }

    @Test func dotsInStringsCommentsAndNumbersAreNotKeyParts() throws {
        let text = """
            # a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h
            name = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h"
            literal = '''a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h'''
            values = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5, 18.5, 19.5, 20.5, 21.5, 22.5, 23.5, 24.5, 25.5, 26.5, 27.5, 28.5, 29.5, 30.5, 31.5, 32.5, 33.5]
            a.b."c.d".e = 1
            """
        _ = try TOMLDocument(path: "ok.toml", text: text)
    }

    // MARK: - 9. Files at rest

    @Test func everyFileAmcashWritesIsTheOwnersAloneEvenIfItWasNot() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-modes-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1 }
        for name in ["receipts.txt", "amcash.log", "ledger.sqlite"] {
            let path = folder + "/" + name
            #expect(FileManager.default.createFile(atPath: path, contents: Data("old\n".utf8), attributes: [.posixPermissions: 0o644]))
            #expect(mode(path) == 0o644)
        }
        let receipts = try #require(PrivateFile.openForAppending(folder + "/receipts.txt"))
        receipts.write(Data("new\n".utf8))
        try receipts.close()
        #expect(mode(folder + "/receipts.txt") == 0o600)
        #expect(try String(contentsOfFile: folder + "/receipts.txt", encoding: .utf8) == "old\nnew\n", "appended, nothing lost")
        #expect(PrivateFile.tighten(path: folder + "/amcash.log") && mode(folder + "/amcash.log") == 0o600)
        PrivateFile.prepare(folder + "/ledger.sqlite")
        #expect(mode(folder + "/ledger.sqlite") == 0o600)
        try PrivateFile.write(Data("key".utf8), to: folder + "/export.txt")
        #expect(mode(folder + "/export.txt") == 0o600)
        let fresh = try #require(PrivateFile.openForAppending(folder + "/new-receipts.txt"))
        try fresh.close()
        #expect(mode(folder + "/new-receipts.txt") == 0o600)
    }
}
