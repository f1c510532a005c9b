import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import Testing

/// A training room over HTTPS: the simulator's own CA, trusted by terminals through `caFile`.
@Suite struct TrainingRoomTLSTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("amcash-tls-\(UUID())").path
    }

    static func client(_ simulator: SimulatorServer, caFile: String?) throws -> HostClient {
        var settings = HostSettings(baseURL: try HostEndpoint("https://localhost:\(simulator.port)"))
        settings.caFile = caFile
        return HostClient(settings: settings, credentials: .simulator, timeouts: HostTimeouts(connect: .seconds(3), read: .seconds(5)))
    }

    static func redeem(trace: Int) throws -> PreparedCall {
        try RequestBuilder(identity: .training).redeem(
            RedemptionRequest(
                card: CardRead(number: try CollectorNumber(digits: "81000000001"), entryMode: .scan),
                basket: Money(dollars: 25), amount: Money(dollars: 20)),
            traceId: try TraceId(trace), at: Date())
    }

    @Test func aTerminalTrustingTheRoomsCARedeemsOverHTTPS() async throws {
        let tls = try TrainingRoomTLS.prepare(directory: Self.directory(), names: TrainingRoomTLS.defaultNames(listeningOn: "127.0.0.1"))
        var options = SimulatorOptions()
        options.tls = tls
        let simulator = try await SimulatorServer.start(options: options)
        #expect(simulator.baseURL.hasPrefix("https://"))
        let client = try Self.client(simulator, caFile: tls.caFile)
        #expect(await client.echo(RequestBuilder(identity: .training).echo(traceId: try TraceId(1))).outcome == .approved)
        let redemption = await client.redeem(try Self.redeem(trace: 2), policy: .once)
        #expect(redemption.reply?.approval?.unitsRedeemed.count == 2)
        await client.shutdown()
        await simulator.stop()
    }

    @Test func aTerminalWithAnotherCAOrNoneIsRefusedBeforeAnythingIsSent() async throws {
        let tls = try TrainingRoomTLS.prepare(directory: Self.directory(), names: ["localhost", "127.0.0.1"])
        let stranger = try TrainingRoomTLS.prepare(directory: Self.directory(), names: ["localhost"])
        var options = SimulatorOptions()
        options.tls = tls
        let simulator = try await SimulatorServer.start(options: options)
        for caFile in [stranger.caFile, nil] {
            let client = try Self.client(simulator, caFile: caFile)
            let result = await client.redeem(try Self.redeem(trace: 3), policy: .once)
            guard case .notSent = result else {
                Issue.record("a certificate from an untrusted CA was accepted (caFile \(caFile ?? "none")): \(result)")
                await client.shutdown()
                continue
            }
            await client.shutdown()
        }
        #expect(await simulator.redemptions().isEmpty, "nothing reached the ledger")
        #expect(await simulator.requestCount("redeem") == 0)
        await simulator.stop()
    }

    @Test func theCAIsMadeOnceAndTheServerCertificateFollowsTheNames() throws {
        let directory = Self.directory()
        let first = try TrainingRoomTLS.prepare(directory: directory, names: ["localhost", "127.0.0.1"])
        let ca = try String(contentsOfFile: first.caFile, encoding: .utf8)
        let again = try TrainingRoomTLS.prepare(directory: directory, names: ["127.0.0.1", "localhost"])
        #expect(again.certificatePEM == first.certificatePEM, "same names: the same certificate")
        let wider = try TrainingRoomTLS.prepare(directory: directory, names: ["localhost", "127.0.0.1", "trainer.example", "10.1.2.3"])
        #expect(wider.certificatePEM != first.certificatePEM)
        #expect(wider.names == ["10.1.2.3", "127.0.0.1", "localhost", "trainer.example"])
        #expect(try String(contentsOfFile: wider.caFile, encoding: .utf8) == ca, "the terminals' caFile stays valid")
        let keyMode = try FileManager.default.attributesOfItem(atPath: directory + "/ca-key.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
    }

    /// Issue 25, item 9: a CA key (or server key) left readable by others is the owner's alone once the room starts.
    @Test func keysLeftReadableByOthersAreTightenedWhenTheRoomStarts() throws {
        let directory = Self.directory()
        _ = try TrainingRoomTLS.prepare(directory: directory, names: ["localhost"])
        for key in ["/ca-key.pem", "/server-key.pem"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + key)
        }
        _ = try TrainingRoomTLS.prepare(directory: directory, names: ["localhost"])
        for key in ["/ca-key.pem", "/server-key.pem"] {
            let mode = try FileManager.default.attributesOfItem(atPath: directory + key)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(key) is \(String(mode ?? 0, radix: 8))")
        }
    }
}
