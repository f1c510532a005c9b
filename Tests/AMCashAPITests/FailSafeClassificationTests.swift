import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import AMCashAPI

/// Only a failure before the request head was written is "not sent"; once any attempt may have
/// reached the host, only an approval is conclusive.
@Suite struct FailSafeClassificationTests {
    @Test func connectionErrorsBeforeTheHeadAreNotSent() {
        #expect(!HostClient.classify(ChannelError.connectTimeout(.seconds(1)), headSent: false).mayHaveReachedHost)
        #expect(!HostClient.classify(HTTPClientError.connectTimeout, headSent: false).mayHaveReachedHost)
        #expect(!HostClient.classify(NIOSSLError.handshakeFailed(.sslError([])), headSent: false).mayHaveReachedHost)
        #expect(!HostClient.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect"), headSent: false).mayHaveReachedHost)
    }

    @Test func aTLSUncleanShutdownAfterTheHeadMayHaveReachedTheHost() {
        // async-http-client raises it after the request went out when a host closes without close_notify.
        #expect(HostClient.classify(NIOSSLError.uncleanShutdown, headSent: true).mayHaveReachedHost)
        #expect(HostClient.classify(IOError(errnoCode: ECONNRESET, reason: "read"), headSent: true).mayHaveReachedHost)
        #expect(HostClient.classify(HTTPClientError.remoteConnectionClosed, headSent: true).mayHaveReachedHost)
    }

    struct Mystery: Error, CustomStringConvertible {
        var description: String { "SSL connection refused NIOSSL handshakeFailed" }  // text that once meant "not sent"
    }

    @Test func anErrorNobodyKnowsMayHaveReachedTheHostWhateverItsText() {
        #expect(HostClient.classify(Mystery(), headSent: false).mayHaveReachedHost)
        #expect(HostClient.classify(Mystery(), headSent: true).mayHaveReachedHost)
    }

    @Test func aLostAnswerThenARefusedConnectionStaysUnknown() async throws {
        let faults = FaultPlan(rules: [FaultRule(kind: .dropAfterApplying, scope: .endpoint("redeem"))])
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(faults: faults))
        let client = HostClient(
            settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator,
            timeouts: HostTimeouts(connect: .seconds(5), read: .seconds(10)))
        let call = try RequestBuilder(identity: .training).redeem(
            RedemptionRequest(
                card: CardRead(number: try CollectorNumber(digits: "81000000001"), entryMode: .scan),
                basket: Money(dollars: 50), amount: Money(dollars: 20)), traceId: try TraceId(5), at: Date())
        // The first attempt is applied and its answer lost; the host is gone before the re-sends.
        let sending = Task { await client.redeem(call, policy: ResendPolicy(attempts: 3, delays: [.milliseconds(600)])) }
        // Once the first attempt has reached the simulator (it applies it and drops the answer), the host goes away.
        let deadline = ContinuousClock.now + .seconds(10)
        while await simulator.requestCount("redeem") == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await simulator.stop()
        let result = await sending.value
        guard case .unknown = result else {
            Issue.record("a refused re-send after a lost answer must stay unknown, got \(result)")
            await client.shutdown()
            return
        }
        await client.shutdown()
    }

    /// Counts the calls a scripted host gets.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }

    @Test(arguments: ["0051", "0065", "0035"])
    func aRefusalAfterAnAnswerInDoubtIsUnknownNeverDeclined(code: String) async throws {
        // The first answer is unusable (it may have been applied); the re-send with the same key is refused,
        // perhaps because the lost original used the balance: only an approval would have been conclusive.
        let calls = Counter()
        let result = try await ScriptedHost.with({ _ in
            calls.next() == 1
                ? ScriptedHost.Answer(status: 502, headers: [("Content-Type", "text/html")], body: "<html>Bad Gateway</html>")
                : ScriptedHost.Answer(status: code == "0035" ? 400 : 202, body: #"{"responseCode":"\#(code)","message":"no"}"#)
        }) { host in
            let client = try host.client()
            let result = await client.redeem(DefensiveClientTests.redemption, policy: ResendPolicy(attempts: 2, delays: [.milliseconds(5)]))
            await client.shutdown()
            return result
        }
        guard case .unknown = result else {
            Issue.record("expected unknown after a refusal to a re-send, got \(result)")
            return
        }
    }

    @Test func aFirstCleanRefusalIsConclusive() async throws {
        let result = try await ScriptedHost.with({ _ in ScriptedHost.Answer(status: 202, body: #"{"responseCode":"0051","message":"no"}"#) }) {
            host in
            let client = try host.client()
            let result = await client.redeem(DefensiveClientTests.redemption, policy: .atTheTill)
            await client.shutdown()
            return result
        }
        #expect(result.outcome == .declined)
    }
}
