import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation

/// A simulator on a free loopback port and a client pointed at it, for one test.
struct TestHost {
    let simulator: SimulatorServer
    let client: HostClient
    let builder = RequestBuilder(identity: .training)

    static func with<T>(
        _ options: SimulatorOptions = SimulatorOptions(),
        // Generous: a full run starts consoles and simulators beside these tests on two cores; a test about
        // timing passes its own.
        timeouts: HostTimeouts = HostTimeouts(connect: .seconds(5), read: .seconds(10)),
        _ body: (TestHost) async throws -> T
    ) async throws -> T {
        let simulator = try await SimulatorServer.start(options: options)
        let client = HostClient(
            settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)),
            credentials: options.credentials, timeouts: timeouts)
        let host = TestHost(simulator: simulator, client: client)
        do {
            let value = try await body(host)
            await client.shutdown()
            await simulator.stop()
            return value
        } catch {
            await client.shutdown()
            await simulator.stop()
            throw error
        }
    }

    static let plenty = "81000000001"

    func card(_ number: String = TestHost.plenty, _ mode: CardEntryMode = .scan) -> CardRead {
        CardRead(number: try! CollectorNumber(digits: number), entryMode: mode)
    }

    func inquiry(_ number: String = TestHost.plenty, basket: String = "43.35", mode: CardEntryMode = .scan) -> PreparedCall {
        builder.inquire(
            InquiryRequest(card: card(number, mode), basket: try! Money(parsing: basket)),
            traceId: try! TraceId(1), at: Date())
    }

    func redemption(
        _ number: String = TestHost.plenty, basket: String = "43.35", amount: String = "40",
        trace: Int = 2, key: UUID = UUID()
    ) -> PreparedCall {
        try! builder.redeem(
            RedemptionRequest(card: card(number), basket: try! Money(parsing: basket), amount: try! Money(parsing: amount)),
            traceId: try! TraceId(trace), at: Date(), idempotencyKey: key)
    }

    func reversal(_ number: String = TestHost.plenty, confirmation: String, trace: Int = 3) -> PreparedCall {
        try! builder.reverse(
            ReversalRequest(card: card(number), redemptionConfirmationNumber: confirmation),
            traceId: try! TraceId(trace), at: Date())
    }
}
