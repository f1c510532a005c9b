import AMCashAPI
import AMCashConfiguration
import AMCashSimulator
import AMCashWire
import AsyncHTTPClient
import Foundation
import NIOCore

/// `amcash-bench sim`: the CERT simulator under wrk (a separate process, 64 connections): ECHO,
/// INQUIRE and REDEEM, with the ledger in memory and in a file, at 1,000 and 100,000 redemptions
/// already in it. Floor: `GET /health` on the same server, same middleware, same run.
struct SimulatorLoad {
    var connections = 64
    var threads = 2
    var duration = 5
    var ledgers = LedgerMatrix()

    init(_ arguments: ArraySlice<String>) throws {
        try readFlags(
            arguments, into: &self,
            [
                .number("--connections", \.connections), .number("--threads", \.threads), .number("--duration", \.duration),
            ] + LedgerMatrix.flags(\.ledgers))
    }

    struct WrkResult {
        let p50: Double
        let p99: Double
        let perSecond: Double
        let failures: Int
    }

    static let collectorCount = 20_000

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw BenchError("wrk is not installed (apt-get install wrk)") }
        let collectors = (0..<Self.collectorCount).map(benchCollector)
        print("simulator under wrk: \(connections) connections, \(threads) wrk threads, \(duration) s per row, \(Self.collectorCount) collectors")
        print("row                                    p50 ms   p99 ms      req/s  ÷ floor req/s  errors  target")
        let scripts = FileManager.default.temporaryDirectory.appendingPathComponent("amcash-wrk-\(UUID())")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scripts) }
        for backend in ledgers.backends {
            for size in ledgers.sizes {
                let directory = scripts.appendingPathComponent("\(backend)-\(size)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let simulator = try await LedgerMatrix.simulator(backend: backend, size: size, collectors: collectors, directory: directory)
                let token = try await Self.token(simulator.baseURL)
                var rows: [(String, WrkResult)] = []
                for endpoint in ["health", "echo", "inquire", "redeem"] {
                    let script = directory.appendingPathComponent("\(endpoint).lua")
                    try Self.lua(endpoint, token: token).write(to: script, atomically: true, encoding: .utf8)
                    rows.append(
                        (
                            endpoint,
                            try wrk(
                                simulator.baseURL + (endpoint == "health" ? "/health" : "/checkout/amcash/" + endpoint),
                                script: script.path)
                        ))
                }
                await simulator.stop()
                let floor = rows[0].1.perSecond
                for (endpoint, result) in rows {
                    let name = endpoint == "health" ? "GET /health (floor)" : endpoint.uppercased()
                    let label = "\(name), \(backend), \(size)"
                    print(
                        label.padding(toLength: 38, withPad: " ", startingAt: 0)
                            + String(
                                format: "%8.2f %8.2f %10.0f %13.2f× %7d", result.p50, result.p99, result.perSecond,
                                result.perSecond / floor, result.failures) + "  " + Self.target(endpoint, backend: backend))
                }
            }
        }
        print("peak memory of the benchmark process (the simulator; wrk runs apart): \(peakResidentMegabytes()) MB")
    }

    /// The goal of a row (the benchmarks issues'), printed beside it.
    static func target(_ endpoint: String, backend: String) -> String {
        switch (endpoint, backend) {
        case ("echo", "memory"): "≥ 20,000 req/s"
        case ("inquire", "memory"): "≥ 15,000 req/s"
        case ("redeem", "memory"): "≥ 8,000 req/s, p99 ≤ 20 ms"
        case ("redeem", "file"): "≥ 8,000 req/s, p99 ≤ 30 ms"
        default: ""
        }
    }

    static func token(_ base: String) async throws -> String {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await http.shutdown() } }
        var request = HTTPClientRequest(url: base + "/oauth/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let credentials = ClientCredentials.simulator
        request.body = .bytes(
            ByteBuffer(string: "grant_type=client_credentials&client_id=\(credentials.clientId)&client_secret=\(credentials.clientSecret)"))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 16)
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let token = object["access_token"] as? String
        else { throw BenchError("no token from the simulator") }
        return token
    }

    /// A wrk script per endpoint: each request a different collector, trace id and (REDEEM) key.
    static func lua(_ endpoint: String, token: String) -> String {
        let head = """
            local counter = 0
            local threads = 0
            thread_id = 0
            function setup(thread) threads = threads + 1; thread:set("thread_id", threads) end
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = "Bearer \(token)"
            local function card(n) return string.format("82%09d", n % \(collectorCount)) end
            local function trace(n) return string.format("%04d%08d", thread_id, n % 100000000) end

            """
        switch endpoint {
        case "health":
            return "wrk.method = \"GET\"\n"
        case "echo":
            return head + """
                wrk.method = "POST"
                wrk.body = '{"deviceId":"001","sponsorCode":"LOY1","storeId":"0001","traceId":"000000000001","vendorId":"1000000001"}'
                """
        case "inquire":
            return head + """
                request = function()
                  counter = counter + 1
                  local body = '{"acquirerId":"100001","cardEntryMode":"SCAN","collectorNumber":"' .. card(counter * 7919) ..
                    '","dateTime":"2026-11-30T10:15:00-0500","deviceId":"001","instantMessage":"en-CA","postTaxBasketAmount":"43.35",' ..
                    '"sponsorCode":"LOY1","storeId":"0001","traceId":"' .. trace(counter) .. '","vendorId":"1000000001"}'
                  return wrk.format("POST", nil, nil, body)
                end
                """
        default:
            return head + """
                request = function()
                  counter = counter + 1
                  local body = '{"acquirerId":"100001","cardEntryMode":"SCAN","collectorNumber":"' .. card(counter * 7919) ..
                    '","dateTime":"2026-11-30T10:15:00-0500","deviceId":"001","dollarRedeemRequest":"10.00","instantMessage":"en-CA",' ..
                    '"originalPostTaxBasketAmount":"43.35","originalPreTaxAmount":"40.00","postTaxBasketAmount":"43.35",' ..
                    '"sponsorCode":"LOY1","storeId":"0001","traceId":"' .. trace(counter) .. '","vendorId":"1000000001"}'
                  local headers = {}
                  for name, value in pairs(wrk.headers) do headers[name] = value end
                  headers["Idempotency-Key"] = string.format("bench-%04d-%012d", thread_id, counter)
                  return wrk.format("POST", nil, headers, body)
                end
                """
        }
    }

    func wrk(_ url: String, script: String) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t\(threads)", "-c\(connections)", "-d\(duration)s", "--latency", "-s", script, url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func milliseconds(after marker: String) -> Double {
            guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(marker) }),
                let text = line.split(separator: " ", omittingEmptySubsequences: true).last
            else { return .nan }
            let value = Double(text.dropLast(text.hasSuffix("ms") ? 2 : text.hasSuffix("us") ? 2 : 1)) ?? .nan
            return text.hasSuffix("us") ? value / 1000 : text.hasSuffix("ms") ? value : value * 1000
        }
        let perSecond =
            output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
            .flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true).last ?? "") } ?? .nan
        let non2xx =
            output.split(separator: "\n").first { $0.contains("Non-2xx") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).last ?? "") } ?? 0
        let socketErrors = output.contains("Socket errors") ? 1 : 0
        return WrkResult(
            p50: milliseconds(after: "50%"), p99: milliseconds(after: "99%"), perSecond: perSecond,
            failures: non2xx + socketErrors)
    }
}

/// The process's peak resident memory (VmHWM), in MB.
func peakResidentMegabytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return -1 }
    return kilobytes / 1024
}
