// amcash-bench: measurements on a release build, each beside a floor measured in the same run
// (these machines are noisy: read the ratios, not the absolute times).
//
//   amcash-bench ledger [--requests N] [--concurrency C] [--sizes 1000,100000] [--backends memory,file]
//
// ledger: REDEEM through the CERT simulator (a real HTTP server on loopback, our client over a real
// socket) with a ledger already holding 1,000 and 100,000 redemptions, in memory and in a SQLite file
// (`--db`, synchronous = FULL). Floor: ECHO on the same server, same clients, same run.
import AMCashAPI
import AMCashConfiguration
import AMCashDomain
import AMCashSimulator
import AMCashWire
import Foundation
import Logging

struct Measurement {
    let label: String
    let latencies: [Duration]
    let elapsed: Duration

    func percentile(_ fraction: Double) -> Duration {
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
    var perSecond: Double { Double(latencies.count) / elapsed.seconds }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: String { String(format: "%.2f", seconds * 1000) }
}

struct Options {
    var requests = 4_000
    var concurrency = 8
    var ledgers = LedgerMatrix()

    init(_ arguments: ArraySlice<String>) throws {
        try readFlags(
            arguments, into: &self,
            [
                .number("--requests", \.requests), .number("--concurrency", \.concurrency),
            ] + LedgerMatrix.flags(\.ledgers))
        guard ledgers.backends.allSatisfy({ ["memory", "file"].contains($0) }) else { throw BenchError("--backends: memory, file") }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `total` calls over `concurrency` clients at once, one after another on each, timing each call.
func drive(
    _ label: String, simulator: SimulatorServer, total: Int, concurrency: Int,
    call: @escaping @Sendable (HostClient, RequestBuilder, Int) async -> Bool
) async throws -> Measurement {
    let started = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                let identity = try TerminalIdentity(
                    sponsorCode: "LOY1", storeId: "0001", deviceId: String(format: "%03d", worker + 1),
                    vendorId: "1000000001", acquirerId: "100001")
                let client = HostClient(settings: HostSettings(baseURL: try HostEndpoint(simulator.baseURL)), credentials: .simulator)
                let builder = RequestBuilder(identity: identity)
                var times: [Duration] = []
                var index = worker
                while index < total {
                    let start = ContinuousClock.now
                    guard await call(client, builder, index) else {
                        await client.shutdown()
                        throw BenchError("\(label): call \(index) was not approved")
                    }
                    times.append(ContinuousClock.now - start)
                    index += concurrency
                }
                await client.shutdown()
                return times
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    return Measurement(label: label, latencies: latencies, elapsed: ContinuousClock.now - started)
}

func collectorNumber(_ index: Int) -> String { "82" + String(format: "%09d", index) }

/// The collector `index` of a benchmark: miles enough that no run of any benchmark spends them.
func benchCollector(_ index: Int) -> TestCollector {
    TestCollector(number: collectorNumber(index), situation: "bench", summary: "", cashMiles: 100_000_000, dreamMiles: 0)
}

/// The ledgers the simulator benchmarks (`ledger`, `sim`) measure against: each backend (`memory`, `file`)
/// holding each number of redemptions. One set of defaults and flags, so the two benchmarks' rows line up.
struct LedgerMatrix {
    var sizes = [1_000, 100_000]
    var backends = ["memory", "file"]

    /// `--sizes` and `--backends`, read into the matrix at `field` of a benchmark's settings.
    static func flags<Settings>(_ field: WritableKeyPath<Settings, LedgerMatrix>) -> [BenchFlag<Settings>] {
        [.numbers("--sizes", field.appending(path: \.sizes)), .list("--backends", field.appending(path: \.backends))]
    }

    /// A simulator under load, started with `size` redemptions already in its ledger: in memory, or (`backend`
    /// "file") in a SQLite file in `directory`; no daily limit and no connection cap the load could reach, so it
    /// measures the server, not its refusals.
    static func simulator(backend: String, size: Int, collectors: [TestCollector], directory: URL) async throws -> SimulatorServer {
        var options = SimulatorOptions(
            collectors: collectors, dailyLimitUnits: 1_000_000_000,
            databasePath: backend == "file" ? directory.appendingPathComponent("ledger.sqlite").path : nil)
        options.maximumConnections = 10_000
        options.maximumConnectionsPerAddress = 10_000
        let simulator = try await SimulatorServer.start(options: options)
        try await simulator.prefill(redemptions: size, collectors: collectors.map(\.number))
        return simulator
    }
}

func ledgerBenchmark(_ options: Options) async throws {
    let collectorCount = 20_000
    let collectors = (0..<collectorCount).map(benchCollector)
    let cards = try collectors.map { try CollectorNumber(digits: $0.number) }
    print("ledger benchmark: \(options.requests) requests per row, \(options.concurrency) clients at once, \(collectorCount) collectors")
    print("row                                  p50 ms   p99 ms    req/s  p50 ÷ floor p50")
    var redeemP50: [String: [Int: Duration]] = [:]
    for backend in options.ledgers.backends {
        for size in options.ledgers.sizes {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-bench-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let simulator = try await LedgerMatrix.simulator(backend: backend, size: size, collectors: collectors, directory: directory)
            // Warm up: tokens, connections, caches.
            _ = try await drive("warm-up", simulator: simulator, total: options.concurrency * 20, concurrency: options.concurrency) {
                client, builder, index in
                await client.echo(builder.echo(traceId: try! TraceId(index + 1))).outcome == .approved
            }
            let floor = try await drive("ECHO (floor)", simulator: simulator, total: options.requests, concurrency: options.concurrency) {
                client, builder, index in
                await client.echo(builder.echo(traceId: try! TraceId(index + 1))).outcome == .approved
            }
            let redeem = try await drive("REDEEM", simulator: simulator, total: options.requests, concurrency: options.concurrency) {
                client, builder, index in
                let card = cards[(index &* 7_919) % cards.count]
                let call = try! builder.redeem(
                    RedemptionRequest(
                        card: CardRead(number: card, entryMode: .scan), basket: Money(dollars: 20),
                        amount: Money(dollars: 10)),
                    traceId: try! TraceId(100_000 + index), at: Date())
                return await client.redeem(call, policy: .once).outcome == .approved
            }
            await simulator.stop()
            redeemP50[backend, default: [:]][size] = redeem.percentile(0.5)
            for row in [floor, redeem] {
                let label = "\(row.label), \(backend), \(size) in ledger"
                let ratio = row.percentile(0.5).seconds / floor.percentile(0.5).seconds
                print(
                    label.padding(toLength: 36, withPad: " ", startingAt: 0)
                        + row.percentile(0.5).milliseconds.leftPadded(8) + row.percentile(0.99).milliseconds.leftPadded(9)
                        + String(format: "%9.0f", row.perSecond) + String(format: "%12.2f×", ratio))
            }
        }
    }
    print("peak memory of the benchmark process (simulator and clients): \(peakResidentMegabytes()) MB")
    if let smallest = options.ledgers.sizes.min(), let largest = options.ledgers.sizes.max(), smallest != largest {
        for (backend, byRow) in redeemP50.sorted(by: { $0.key < $1.key }) {
            guard let small = byRow[smallest], let large = byRow[largest] else { continue }
            print(
                "REDEEM p50, \(backend): \(largest) in ledger ÷ \(smallest) in ledger = "
                    + String(format: "%.2f×", large.seconds / small.seconds) + " (target ≤ 1.5×)")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

// The client's and the server's logs would time the terminal, not the code: errors only.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .error
    return handler
}
let arguments = CommandLine.arguments.dropFirst()
do {
    switch arguments.first {
    case "ledger": try await ledgerBenchmark(try Options(arguments.dropFirst()))
    case "sim": try await SimulatorLoad(arguments.dropFirst()).run()
    case "reconcile": try ReconcileLoad(arguments.dropFirst()).run()
    case "journal": try await JournalLoad(arguments.dropFirst()).run()
    case "frame": try FrameLoad(arguments.dropFirst()).run()
    case "backoffice": try await BackOfficeLoad(arguments.dropFirst()).run()
    default:
        print(
            """
            usage: amcash-bench ledger [--requests N] [--concurrency C] [--sizes 1000,100000] [--backends memory,file]
                   amcash-bench sim [--connections 64] [--threads 2] [--duration 5] [--sizes 1000,100000] [--backends memory,file]
                   amcash-bench reconcile [--records 1000000] [--keep DIR]   (needs the amcash binary built beside it)
                   amcash-bench journal [--requests 500]
                   amcash-bench frame [--keys 20000]
                   amcash-bench backoffice [--tills 100] [--rows 1000] [--outage 600] [--records 1000000]   (needs amcash beside it, psql)
            """)
        exit(arguments.first == nil || arguments.first == "--help" ? 0 : 2)
    }
} catch {
    FileHandle.standardError.write(Data("amcash-bench: \(error)\n".utf8))
    exit(1)
}
