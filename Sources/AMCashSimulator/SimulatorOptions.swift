import AMCashAPI
public import AMCashConfiguration
public import AMCashDomain
public import AMCashPostgres
import AMCashWire
public import Foundation

/// How a simulator behaves: who may get tokens, how long they last, the daily limit, the test
/// collectors, the faults to inject and where (if anywhere) the ledger is kept.
public struct SimulatorOptions: Sendable {
    public var collectors: [TestCollector]
    /// Units per collector per redemption day (75 = $750).
    public var dailyLimitUnits: Int
    /// The credentials the token endpoint accepts.
    public var credentials: ClientCredentials
    /// How long a token lives (`expires_in`): an hour by default, a training room's session; the
    /// terminals fetch another when it ends.
    public var tokenLifetime: Duration
    /// The most tokens held at once; a new one past it evicts the oldest (a token flood cannot grow the simulator).
    public var maximumTokens = 10_000
    /// How long the `slow` collector waits before answering.
    public var slowDelay: Duration
    public var faults: FaultPlan
    /// A SQLite file for the ledger; nil keeps it in memory.
    public var databasePath: String?
    /// A PostgreSQL database for the ledger, shared by several simulators (a training centre); wins over `databasePath`.
    public var database: PostgresAddress?
    /// The simulator's clock (tests set it to try the reversal window and program days).
    public var clock: @Sendable () -> Date
    /// A connection that sends nothing for this long (half a request, or idle between requests) is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// At most this many connections at once; more are closed as they come.
    public var maximumConnections = 1_000
    /// At most this many connections at once from one client address (a classroom's terminals each
    /// have their own; a whole room behind one NAT stays well under it).
    public var maximumConnectionsPerAddress = 100
    /// A request (head and body) must arrive whole within this time of its first byte…
    public var requestDeadline: Duration = .seconds(20)
    /// …and, after `requestGrace`, at this many bytes a second at least (a terminal sends its request at once).
    public var minimumRequestBytesPerSecond = 100
    public var requestGrace: Duration = .seconds(2)
    /// How long the answer to an idempotency key (or a keyless body) is kept and replayed; after it,
    /// the same key is a new transaction (`--key-retention`; the host's is 24 hours by default).
    public var keyRetention: Duration = .seconds(86_400)
    /// A REDEEM whose answer was lost (a `drop` fault) and not asked for again within this time is
    /// refunded by the host itself (`--orphan-refund`; documented as 20 minutes).
    public var orphanRefund: Duration = .seconds(20 * 60)
    /// Serve HTTPS with these certificates (`amcash sim --tls`); plain HTTP when nil (loopback only, for terminals).
    public var tls: TrainingRoomTLS?
    /// Where a training room keeps its class's scorecard (`amcash train --classroom` reports here); none: not kept.
    public var scorecardPath: String?
    /// Issuance STANDARD rate: 1 mile for every whole this many cents of the pre-tax amount ($20).
    public var earningCentsPerMile = 2_000
    /// Issuance bonus offers (`--offers FILE` replaces the built-in ones).
    public var bonusOffers: [BonusOffer] = BonusOffer.builtIn
    /// How long after a 202 the pending earning posts to the account.
    public var earningPostDelay: Duration = .seconds(5)
    /// The OAuth audience the token endpoint serves; any other is refused 403 access_denied.
    public var audience = HostSettings.documentedAudience

    public init(
        collectors: [TestCollector] = TestCollectors.standard, dailyLimitUnits: Int = 75,
        credentials: ClientCredentials = .simulator, tokenLifetime: Duration = .seconds(3_600),
        slowDelay: Duration = .seconds(5), faults: FaultPlan = FaultPlan(), databasePath: String? = nil,
        clock: @escaping @Sendable () -> Date = { ProcessClock.now() }
    ) {
        self.collectors = collectors
        self.dailyLimitUnits = dailyLimitUnits
        self.credentials = credentials
        self.tokenLifetime = tokenLifetime
        self.slowDelay = slowDelay
        self.faults = faults
        self.databasePath = databasePath
        self.clock = clock
    }
}

extension SimulatorOptions {
    /// The test collectors by number (the first of a repeated number wins), for the Issuance rules.
    var collectorProfiles: [String: TestCollector] {
        Dictionary(collectors.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
