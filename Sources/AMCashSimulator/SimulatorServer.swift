import AMCashAPI
import AMCashConfiguration
import AMCashContract
public import AMCashDomain
import AMCashWire
import Foundation
import HTTPServing
import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import OpenAPIHummingbird

/// The CERT simulator as a real HTTP server on a real socket: the training room's host and the
/// console's built-in one. Start it, talk to `baseURL`, stop it.
public final class SimulatorServer: Sendable {
    /// The port it listens on (a free one when started with port 0).
    public let port: Int
    public let host: String
    /// Whether it serves HTTPS (a training room with `--tls`).
    public let usesTLS: Bool
    /// `http://HOST:PORT` (or `https://` with TLS), for `hostBaseURL`.
    public var baseURL: String { "\(usesTLS ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private let ledger: any LedgerBooks
    private let tokens: TokenIssuer
    private let dice: FaultDice
    private let running: RunningServer
    private let options: SimulatorOptions

    private init(
        port: Int, host: String, ledger: any LedgerBooks, tokens: TokenIssuer, dice: FaultDice, running: RunningServer,
        options: SimulatorOptions
    ) {
        self.port = port
        self.host = host
        usesTLS = options.tls != nil
        self.ledger = ledger
        self.tokens = tokens
        self.dice = dice
        self.running = running
        self.options = options
    }

    /// Starts a simulator on `host:port` (port 0 picks a free one) and returns once it is listening.
    public static func start(
        options: SimulatorOptions = SimulatorOptions(), host: String = "127.0.0.1", port: Int = 0,
        logger: Logger = Logger(label: "amcash.simulator")
    ) async throws -> SimulatorServer {
        let ledger: any LedgerBooks =
            if let database = options.database {
                try await PostgresLedger.open(database, options: options, now: options.clock())
            } else {
                try SimulatorLedger(options: options, now: options.clock())
            }
        let tokens = TokenIssuer(credentials: options.credentials, lifetime: options.tokenLifetime, capacity: options.maximumTokens)
        let router = Router()
        // Faults from the collectors file join the ones given on the command line.
        var plan = options.faults
        for collector in options.collectors { plan.rules += (try? collector.faultRules()) ?? [] }
        let dice = FaultDice(plan: plan)
        let room = TrainingRoom(scorecard: try options.scorecardPath.map { try Scorecard(path: $0) }, now: options.clock())
        // Outermost: every answer is counted and timed for /metrics, the front door's own included.
        let metrics = SimulatorMetrics()
        router.add(middleware: SimulatorMetrics.Middleware(metrics: metrics))
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition)))
        }
        let activity = CollectorActivity(shared: ledger.collectorLocks)
        let behaviours = Dictionary(options.collectors.map { ($0.number, $0.behaviour) }, uniquingKeysWith: { first, _ in first })
        router.add(
            middleware: HostFrontDoor(
                tokens: tokens, dice: dice, ledger: ledger, clock: options.clock, behaviours: behaviours,
                room: room, slowDelay: options.slowDelay, logger: logger, activity: activity))
        IssuanceDesk(
            tokens: tokens, dice: dice, ledger: ledger.issuanceBooks(), activity: activity, clock: options.clock, behaviours: behaviours,
            profiles: options.collectorProfiles, room: room, slowDelay: options.slowDelay, logger: logger
        ).register(on: router)
        try SimulatorAPI(ledger: ledger, tokens: tokens, audience: options.audience, clock: options.clock).registerHandlers(on: router)
        // A liveness check for a load balancer in front of a training centre, and the benchmarks' floor:
        // the same server and middleware, no contract, no ledger.
        router.get("/health") { _, _ in "ok" }
        room.register(on: router, ledger: ledger, tokens: tokens, clock: options.clock)

        // Connections that say nothing for 30 s are closed, so half-sent requests cannot lock clients out,
        // and no more than `maximumConnections` are open at once.
        let cap = ConnectionCap(limit: options.maximumConnections, perAddress: options.maximumConnectionsPerAddress)
        func amount(_ duration: Duration) -> TimeAmount {
            .nanoseconds(duration.wholeNanoseconds)
        }
        let idle = amount(options.idleTimeout)
        // A request that drips (slowloris, through its head or its body) is closed at its deadline or below the rate.
        let limits = RequestDeadline.Limits(
            deadline: amount(options.requestDeadline), minimumBytesPerSecond: options.minimumRequestBytesPerSecond,
            grace: amount(options.requestGrace))
        let http = HTTPServerBuilder.http1(
            configuration: .init(additionalChannelHandlers: [cap.handler(), RequestDeadline.handler(limits)], idleTimeout: idle))
        let server = try RunningServer.server(http, tls: options.tls.map { ($0.certificatePEM, $0.privateKeyPEM) })
        // TLS 1.2 at least, as the terminals ask (RunningServer.server).
        guard
            let running = try await RunningServer.start(
                router: router, server: server, address: .hostname(host, port: port), serverName: "amcash-cert-simulator", logger: logger),
            let bound = running.port
        else {
            throw SimulatorStartError(reason: "the server stopped before it was listening")
        }
        return SimulatorServer(port: bound, host: host, ledger: ledger, tokens: tokens, dice: dice, running: running, options: options)
    }

    /// Waits until the server stops (for `amcash sim`).
    public func waitUntilStopped() async throws {
        try await running.waitUntilStopped()
    }

    /// Stops listening and ends the server.
    public func stop() async {
        await running.stop()
        await ledger.close()
    }

    // MARK: - For trainers and tests

    /// A collector's AM Cash balance in miles.
    public func cashBalance(of number: String) async -> Int? { try? await ledger.cashBalance(of: number, now: options.clock()) }
    /// Units a collector redeemed in the current redemption day.
    public func unitsRedeemedToday(by number: String) async -> Int { (try? await ledger.usedUnits(number, now: options.clock())) ?? 0 }
    /// How many tokens the token endpoint has issued.
    public func tokensIssued() async -> Int { tokens.issued }
    /// Replaces the faults while the simulator runs (a trainer's "now the network breaks").
    public func injectFaults(_ plan: FaultPlan) async { dice.replace(with: plan) }
    /// How many requests reached an endpoint ("echo", "inquire", "redeem", "reverse").
    public func requestCount(_ endpoint: String) async -> Int { dice.requests[endpoint] ?? 0 }
    /// Expires every token already issued.
    public func expireTokens() async { tokens.expireAll() }
    /// The reconciliation file of one sponsor for one reconciliation day, from the live ledger.
    public func reconciliationFile(day: ProgramDay, sponsorCode: String) async throws -> ReconciliationFile {
        try await ledger.reconciliationFile(day: day, sponsorCode: sponsorCode, now: options.clock())
    }

    /// The redemptions the ledger holds: confirmation, collector, units, reversed or not.
    public func redemptions() async -> [SimulatedRedemption] {
        ((try? await ledger.redemptions()) ?? []).map {
            SimulatedRedemption(
                confirmationNumber: $0.confirmation, collectorNumber: $0.number, units: $0.units,
                reversalConfirmationNumber: $0.reversal, refundedByHost: $0.refundedByHost)
        }
    }

    /// Gives the ledger `count` redemptions of yesterday (and their stored answers), spread over
    /// `collectors`: a benchmark's grown ledger, without sending them one by one.
    public func prefill(redemptions count: Int, collectors: [String]) async throws {
        try await ledger.prefill(redemptions: count, collectors: collectors, now: options.clock())
    }

    /// The Issuance rows (earnings, returns, partner posts, records), oldest first; pending ones that are due post first.
    public func issuances() async throws -> [SimulatedIssuance] {
        try await ledger.issuanceBooks().rows(now: options.clock())
    }

    /// A collector's AM Cash and Dream balances in miles (after pending earnings that are due post).
    public func balances(of number: String) async throws -> (cash: Int, dream: Int)? {
        try await ledger.issuanceBooks().balances(of: number, now: options.clock())
    }

    /// How many answers the ledger keeps under an idempotency key or a keyless body.
    public func storedAnswers() async -> Int { (try? await ledger.storedReplies()) ?? 0 }
}

/// A redemption as the simulator's ledger holds it.
public struct SimulatedRedemption: Sendable, Hashable {
    public let confirmationNumber: String
    public let collectorNumber: String
    public let units: Int
    /// The REVERSE that gave the miles back: a terminal's, or the host's own refund of an orphan.
    public let reversalConfirmationNumber: String?
    /// Whether the host refunded it itself (its answer was lost and never asked for again).
    public let refundedByHost: Bool
}

/// The simulator could not start.
public struct SimulatorStartError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "the CERT simulator could not start: \(reason)" }
}
