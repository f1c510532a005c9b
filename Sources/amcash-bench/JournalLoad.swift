import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashJournal
import AMCashSimulator
import AMCashWire
import Foundation
import GRDB
import Synchronization

/// `amcash-bench journal`: one redemption at the till through the journal — intent committed, REDEEM
/// sent to the simulator over loopback, outcome committed, shown mark committed, each commit with
/// `synchronous = FULL` — one after another. Floor: one bare SQLite commit with `synchronous = FULL`
/// (WAL, as the journal) on the same disk, in the same run. The journal's own part (its commits and
/// the work around them) is each redemption's time less its host call, timed by `TimedHost`.
struct JournalLoad {
    var requests = 500

    init(_ arguments: ArraySlice<String>) throws {
        try readFlags(arguments, into: &self, [.number("--requests", \.requests)])
    }

    /// The floor: a bare commit with FULL, WAL, on the same disk (synchronous: this is what a till waits on),
    /// taken in turn with each redemption, so both meet the same disk and the same load.
    final class BareCommits {
        let queue: DatabaseQueue
        let body = Data(repeating: 0x41, count: 600)

        init(path: String) throws {
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { try $0.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)") }
        }

        func commit() throws -> Duration {
            let start = ContinuousClock.now
            try queue.write { try $0.execute(sql: "INSERT INTO t (body) VALUES (?)", arguments: [body]) }
            return ContinuousClock.now - start
        }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        print("journal benchmark: \(requests) redemptions one after another, journal and floor in \(directory.deletingLastPathComponent().path)")
        print("row                                              p50 ms   p99 ms   p50 ÷ floor   target")

        let bare = try BareCommits(path: directory.appendingPathComponent("bare.sqlite").path)
        var floor: [Duration] = []
        // Warmed past SQLite's first checkpoint (1,000 WAL pages), after which the WAL is written over in place:
        // a commit that grows the WAL file costs the file system a metadata commit too. The journal is warmed
        // the same way below (its commits write more pages, so it gets there in fewer).
        for _ in 0..<1_100 { _ = try bare.commit() }

        let collector = benchCollector(1)
        let simulator = try await SimulatorServer.start(options: SimulatorOptions(collectors: [collector], dailyLimitUnits: 1_000_000_000))
        let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
        let journal = try Journal(path: directory.appendingPathComponent("journal.sqlite").path)
        let timed = TimedHost(client)
        let transactions = JournaledTransactions(journal: journal, host: timed, builder: RequestBuilder(identity: .training))
        let card = CardRead(number: try CollectorNumber(digits: collector.number), entryMode: .scan)
        var bareHTTP: [Duration] = []
        var tillPath: [Duration] = []
        var journalPart: [Duration] = []
        for _ in 0..<150 {
            let warm = await transactions.redeem(RedemptionRequest(card: card, basket: Money(dollars: 20), amount: Money(dollars: 10)))
            guard warm.result.outcome == .approved, transactions.markShown(warm) else { throw BenchError("a warm-up REDEEM was not approved") }
        }
        for index in 0..<requests {
            floor.append(try bare.commit())
            let request = RedemptionRequest(card: card, basket: Money(dollars: 20), amount: Money(dollars: 10))
            // The same REDEEM without the journal: what the network and the simulator cost.
            let call = try RequestBuilder(identity: .training).redeem(request, traceId: try TraceId(900_000 + index), at: Date())
            var start = ContinuousClock.now
            guard await client.redeem(call, policy: .once).outcome == .approved else { throw BenchError("a bare REDEEM was not approved") }
            bareHTTP.append(ContinuousClock.now - start)
            start = ContinuousClock.now
            let hostBefore = timed.spent
            let redemption = await transactions.redeem(request)
            guard redemption.result.outcome == .approved, transactions.markShown(redemption) else {
                throw BenchError("a journaled REDEEM was not approved and shown")
            }
            let whole = ContinuousClock.now - start
            tillPath.append(whole)
            journalPart.append(whole - (timed.spent - hostBefore))
        }
        await client.shutdown()
        await simulator.stop()
        func percentile(_ values: [Duration], _ fraction: Double) -> Duration {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        }
        let floorP50 = percentile(floor, 0.5)
        for (label, values, target) in [
            ("bare SQLite commit, FULL (floor)", floor, ""), ("REDEEM over loopback, no journal", bareHTTP, ""),
            ("REDEEM through the journal, shown (3 commits)", tillPath, ""),
            ("  of it the journal's (less the host call)", journalPart, "≤ 5× floor"),
        ] {
            print(
                label.padding(toLength: 48, withPad: " ", startingAt: 0) + percentile(values, 0.5).milliseconds.leftPadded(8)
                    + percentile(values, 0.99).milliseconds.leftPadded(9)
                    + String(format: "%12.1f×", percentile(values, 0.5).seconds / floorP50.seconds) + "   " + target)
        }
        print("peak memory of the benchmark process (journal, simulator and client): \(peakResidentMegabytes()) MB")
    }
}

/// The till's host, timed: how long the journaled path spent waiting for the host (so the rest of a
/// redemption's time is the journal's own).
final class TimedHost: RedemptionHost {
    let host: any RedemptionHost
    private let total = Mutex(Duration.zero)

    init(_ host: any RedemptionHost) { self.host = host }

    /// The time spent in host calls so far.
    var spent: Duration { total.withLock { $0 } }

    private func timed<T>(_ body: () async -> T) async -> T {
        let start = ContinuousClock.now
        let result = await body()
        let elapsed = ContinuousClock.now - start
        total.withLock { $0 += elapsed }
        return result
    }

    func echo(_ call: PreparedCall) async -> HostResult<EchoReply> { await timed { await host.echo(call) } }
    func inquire(_ call: PreparedCall) async -> HostResult<InquiryReply> { await timed { await host.inquire(call) } }
    func redeem(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<RedemptionReply> {
        await timed { await host.redeem(call, policy: policy) }
    }
    func reverse(_ call: PreparedCall, policy: ResendPolicy) async -> HostResult<ReversalReply> {
        await timed { await host.reverse(call, policy: policy) }
    }
}
