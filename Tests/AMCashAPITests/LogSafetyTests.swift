import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import LogCapture
import Testing

/// Every host call is logged with what support needs (trace id, masked card, code, latency) and
/// nothing a thief wants (the full card, the client secret, the bearer token).
@Suite struct LogSafetyTests {
    @Test func logsCarryTheTraceAndMaskedCardButNoSecretOrFullCard() async throws {
        let log = CapturedLog()
        let logger = log.logger(label: "amcash.host")
        let secret = ClientCredentials(clientId: "till-7", clientSecret: "correct-horse-battery-staple")
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(credentials: secret))
        let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: secret, logger: logger)
        let builder = RequestBuilder(identity: .training)
        let card = CardRead(number: try CollectorNumber(digits: "81000000001"), entryMode: .scan)
        let call = try builder.redeem(
            RedemptionRequest(card: card, basket: Money(dollars: 50), amount: Money(dollars: 20)),
            traceId: try TraceId(4242), at: Date())
        #expect(await client.redeem(call, policy: .once).outcome == .approved)
        await simulator.expireTokens()
        #expect(
            await client.inquire(builder.inquire(InquiryRequest(card: card, basket: Money(dollars: 50)), traceId: try TraceId(4243), at: Date()))
                .outcome == .approved)
        await client.shutdown()
        await simulator.stop()

        let all = log.text
        #expect(all.contains("traceId=000000004242"))
        #expect(all.contains("card=•••••••0001"))
        #expect(all.contains("code=0000"))
        #expect(all.contains("latencyMs="))
        #expect(!all.contains("81000000001"), "a full card number reached the log")
        #expect(!all.contains("correct-horse-battery-staple"), "the client secret reached the log")
        #expect(!all.contains("sim-"), "a bearer token reached the log")
    }
}
